/* Door check-in: scanner input, camera (BarcodeDetector), name search, undo and the live counter.
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
  }

  function show(data) {
    result.hidden = false;
    result.className = "door-result door-result--" + data.result;
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
      const response = await fetch(config.searchUrl + "?q=" + encodeURIComponent(query), {
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

  /* Camera: the browser's own QR detector where it has one. */
  const cameraButton = $("camera-toggle");
  const cameraNote = $("camera-note");
  const video = $("camera");
  let stream = null;
  let lastValue = "";
  let lastAt = 0;

  if (!("BarcodeDetector" in window) || !navigator.mediaDevices) {
    cameraNote.textContent = t.noCamera;
    cameraNote.hidden = false;
  } else {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    cameraButton.hidden = false;

    async function detectLoop() {
      if (!stream) return;
      try {
        const codes = await detector.detect(video);
        const now = Date.now();
        if (codes.length && (codes[0].rawValue !== lastValue || now - lastAt > 3000)) {
          lastValue = codes[0].rawValue;
          lastAt = now;
          scan(lastValue);
        }
      } catch (error) { /* frame not ready */ }
      setTimeout(detectLoop, 250);
    }

    function stopCamera() {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.hidden = true;
      cameraButton.textContent = t.cameraStart;
    }

    cameraButton.addEventListener("click", async () => {
      if (stream) { stopCamera(); return; }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
        video.srcObject = stream;
        video.hidden = false;
        await video.play();
        cameraButton.textContent = t.cameraStop;
        detectLoop();
      } catch (error) {
        stopCamera();
        cameraNote.textContent = t.cameraDenied;
        cameraNote.hidden = false;
      }
    });
  }

  tokenInput.focus();
})();
