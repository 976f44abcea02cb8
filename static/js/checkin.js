/* Door check-in: scanner input, camera, name search, undo, the check-in list and the live counter.
   The camera uses the browser's BarcodeDetector where it reads QR codes (fast, on the device);
   elsewhere (Firefox, Safari) it posts ~3 downscaled JPEG frames a second for the server to decode.
   Every user-facing string comes from the page (#door-config), translated on the server. */
(function () {
  "use strict";

  const configNode = document.getElementById("door-config");
  if (!configNode) return;
  const config = JSON.parse(configNode.textContent);
  const t = config.strings;
  const $ = (id) => document.getElementById(id);
  const scanForm = $("scan-form");
  const tokenInput = $("token");
  const doorInput = $("door-name");
  const result = $("result");
  const undoForm = $("undo-form");
  const DOOR_KEY = "move-events.checkin.door";
  let busy = false;

  /* The door name, remembered on this device. */
  if (!doorInput.value) doorInput.value = localStorage.getItem(DOOR_KEY) || "";
  doorInput.addEventListener("change", () => localStorage.setItem(DOOR_KEY, doorInput.value.trim()));

  /* A walk-in is checked in at this door too: the plain form post carries the door's name. */
  const walkInForm = $("walk-in-form");
  if (walkInForm) {
    walkInForm.addEventListener("submit", () => {
      walkInForm.elements.door.value = doorInput.value.trim();
    });
  }

  /* The check-in list (a day or a room): choosing one reloads the page on it. */
  const listChoice = $("list-choice");
  if (listChoice) {
    $("list-choose").hidden = true;
    listChoice.addEventListener("change", () => $("list-form").submit());
  }

  /* Entry or exit: an exit scan sees someone out (the "inside now" count); remembered on this device. */
  const DIRECTION_KEY = "move-events.checkin.direction";
  const exitRadio = $("direction-exit");
  if (localStorage.getItem(DIRECTION_KEY) === "exit") exitRadio.checked = true;
  function direction() { return exitRadio.checked ? "exit" : "entry"; }
  function showDirection() { $("scan-submit").textContent = exitRadio.checked ? t.checkOut : t.checkIn; }
  for (const radio of document.querySelectorAll('input[name="direction"]')) {
    radio.addEventListener("change", () => {
      localStorage.setItem(DIRECTION_KEY, direction());
      showDirection();
      ready();
    });
  }
  showDirection();

  function newNonce() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  /* POST JSON; on a network failure retry once with the same body (so the same nonce). */
  async function postJson(url, body) {
    const options = {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": config.csrfToken },
      body: JSON.stringify(body),
      credentials: "same-origin",
    };
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      response = await fetch(url, options);
    }
    if (!response.ok && response.status !== 409) throw new Error(String(response.status));
    return response.json();
  }

  let audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = ok ? [[880, 0, 0.12]] : [[220, 0, 0.18], [180, 0.22, 0.25]];
      for (const [freq, start, length] of tones) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = freq;
        gain.gain.value = 0.15;
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + start);
        osc.stop(audio.currentTime + start + length);
      }
    } catch (error) { /* no sound on this device */ }
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [200, 80, 200]);
  }

  function setCount(data) {
    if (typeof data.arrived === "number") $("arrived").textContent = data.arrived;
    if (typeof data.expected === "number") $("expected").textContent = data.expected;
    if (typeof data.inside === "number") $("inside").textContent = data.inside;
    if (typeof data.list_arrived === "number" && $("list-arrived")) {
      $("list-arrived").textContent = data.list_arrived;
      $("list-expected").textContent = data.list_expected;
    }
  }

  function show(data) {
    result.hidden = false;
    result.className = "door-result door-result--" + (data.tone || data.result);
    $("result-title").textContent = data.title;
    $("result-detail").textContent = data.detail;
    $("result-role").textContent = data.ok ? data.role : "";
    undoForm.hidden = !data.undo_url;
    undoForm.action = data.undo_url || "";
    setCount(data);
    beep(data.ok);
  }

  function showProblem(message) {
    show({ result: "invalid", ok: false, title: message, detail: "", role: "" });
  }

  function ready() {
    tokenInput.value = "";
    tokenInput.focus();
  }

  async function checkIn(url, body) {
    if (busy) return;
    busy = true;
    body.nonce = newNonce();
    body.door = doorInput.value.trim();
    body.checkin_list = config.listId;
    if (!body.direction) body.direction = direction();
    try {
      show(await postJson(url, body));
    } catch (error) {
      showProblem(error instanceof TypeError ? t.network : t.error);
    } finally {
      busy = false;
      ready();
    }
  }

  function scan(token) {
    token = token.trim();
    if (token) checkIn(config.scanUrl, { token: token });
  }

  scanForm.addEventListener("submit", (event) => {
    event.preventDefault();
    scan(tokenInput.value);
  });

  undoForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const data = await postJson(undoForm.action, { door: doorInput.value.trim() });
      setCount(data);
      result.className = "door-result door-result--undone";
      $("result-title").textContent = data.message || data.error || t.undone;
      $("result-detail").textContent = "";
      $("result-role").textContent = "";
      undoForm.hidden = true;
      search();
    } catch (error) {
      showProblem(t.network);
    }
    ready();
  });

  /* Name search: results with a check-in button each. */
  const searchForm = $("search-form");
  const searchInput = $("search-q");
  const list = $("search-results");
  let searchTimer = null;

  function renderResults(people) {
    list.replaceChildren();
    if (!people.length) {
      const item = document.createElement("li");
      item.className = "list-group-item";
      item.textContent = t.noResults;
      list.append(item);
      return;
    }
    for (const person of people) {
      const item = document.createElement("li");
      item.className = "list-group-item d-flex justify-content-between align-items-center gap-2";
      const who = document.createElement("span");
      const name = document.createElement("strong");
      name.textContent = person.name;
      const more = document.createElement("small");
      more.className = "text-muted d-block";
      more.textContent = [person.organisation, person.status_label].filter(Boolean).join(" · ");
      who.append(name, more);
      item.append(who);
      if (person.checked_in) {
        const badge = document.createElement("span");
        badge.className = "badge text-bg-success";
        badge.textContent = t.checkedIn;
        item.append(badge);
      } else {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "btn btn-sm btn-primary";
        button.textContent = t.checkIn;
        button.addEventListener("click", async () => {
          await checkIn(person.check_in_url, {});
          search();
        });
        item.append(button);
      }
      list.append(item);
    }
  }

  async function search() {
    const query = searchInput.value.trim();
    if (!query) { list.replaceChildren(); return; }
    try {
      const url = config.searchUrl + "?q=" + encodeURIComponent(query) + "&list=" + encodeURIComponent(config.listId);
      const response = await fetch(url, {
        headers: { "Accept": "application/json" }, credentials: "same-origin",
      });
      if (response.ok) renderResults(await response.json());
    } catch (error) { /* keep the last results */ }
  }

  searchForm.addEventListener("submit", (event) => { event.preventDefault(); search(); });
  searchInput.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });

  /* Live counter. */
  setInterval(async () => {
    try {
      const response = await fetch(config.countUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
      if (response.ok) setCount(await response.json());
    } catch (error) { /* try again in 10 s */ }
  }, 10000);

  /* Camera: the browser's own QR detector where it reads QR codes, else frames decoded on the server. */
  const cameraButton = $("camera-toggle");
  const cameraNote = $("camera-note");
  const video = $("camera");
  const canvas = $("camera-frame");
  const FRAME_SIDE = 800;  // px: enough for a badge's QR code at arm's length, small to send
  const FRAME_EVERY = 333;  // ms: about 3 frames a second
  const PAUSE_AFTER_RESULT = 3000;  // ms: as long as the same code is ignored with BarcodeDetector
  let stream = null;
  let lastValue = "";
  let lastAt = 0;
  let pausedUntil = 0;

  async function browserDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    } catch (error) {
      return null;
    }
  }

  /* One frame, downscaled to at most FRAME_SIDE px, as a JPEG blob (null if the video has none yet). */
  function grabFrame() {
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) return Promise.resolve(null);
    const scale = Math.min(1, FRAME_SIDE / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.7));
  }

  /* Send a frame; the server answers {result: "nothing"} quickly when it sees no code. */
  async function sendFrame(blob) {
    const query = new URLSearchParams({
      nonce: newNonce(), door: doorInput.value.trim(), checkin_list: config.listId, direction: direction(),
    });
    const options = {
      method: "POST",
      headers: { "Content-Type": "image/jpeg", "Accept": "application/json", "X-CSRFToken": config.csrfToken },
      body: blob,
      credentials: "same-origin",
    };
    const url = config.frameUrl + "?" + query.toString();
    let response;
    try {
      response = await fetch(url, options);
    } catch (error) {
      response = await fetch(url, options);  // one retry, same nonce: counted once
    }
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  function foundCode(value) {
    const now = Date.now();
    if (value !== lastValue || now - lastAt > 3000) {
      lastValue = value;
      lastAt = now;
      scan(value);
    }
  }

  async function cameraLoop(detector) {
    if (!stream) return;
    let wait = detector ? 250 : FRAME_EVERY;
    if (Date.now() >= pausedUntil && !busy) {
      try {
        if (detector) {
          const codes = await detector.detect(video);
          if (codes.length) foundCode(codes[0].rawValue);
        } else {
          const blob = await grabFrame();
          if (blob) {
            const data = await sendFrame(blob);
            if (stream && data.result !== "nothing") {
              show(data);
              pausedUntil = Date.now() + PAUSE_AFTER_RESULT;
            }
          }
        }
      } catch (error) {
        if (!detector) { showProblem(t.network); wait = 3000; }
      }
    }
    setTimeout(() => cameraLoop(detector), wait);
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    cameraButton.textContent = t.cameraStart;
  }

  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    cameraNote.textContent = t.noCamera;
    cameraNote.hidden = false;
  } else {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", async () => {
      if (stream) { stopCamera(); return; }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        cameraButton.textContent = t.cameraStop;
        const detector = await browserDetector();
        cameraNote.textContent = detector ? "" : t.cameraSlow;
        cameraNote.hidden = Boolean(detector);
        cameraLoop(detector);
      } catch (error) {
        stopCamera();
        cameraNote.textContent = t.cameraDenied;
        cameraNote.hidden = false;
      }
    });
  }

  tokenInput.focus();
})();
