"""A real server and real clients: gunicorn with several workers on a free loopback port, and a small
HTTP client with its own cookies (one per door, per person, per organiser), as a browser would be.

Shared by the concurrency tests and ``benchmarks/load.py``. Only the standard library on the client
side: each client opens its own connection per request, as separate browsers do, so what is measured is
the server (and the database), not a client library's connection pool.
"""

from __future__ import annotations

import html
import http.client
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, secret_key: str, **settings: object) -> dict[str, str]:
    """MOVE_EVENTS_* variables for a server on ``database_url``: plain http on loopback (cookies not
    marked Secure), no SMTP (mail stays in the outbox), print jobs not run in the web workers, no
    per-address rate limits (all the clients share one address)."""
    config: dict[str, object] = {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "BADGE_JOBS_IN_THREAD": False,
        "RATELIMIT_ENABLED": False,  # every client here is 127.0.0.1: per-address limits would stop them
        **settings,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOVE_EVENTS_")}
    for key, value in config.items():
        env[f"MOVE_EVENTS_{key}"] = value if isinstance(value, str) else json.dumps(value)
    return env


class Gunicorn:
    """``gunicorn --workers N wsgi:app`` in a process group of its own, stopped (SIGTERM, then SIGKILL)
    on exit. Its output goes to ``log_path`` so that a failing test can show it."""

    def __init__(
        self,
        *,
        database_url: str,
        secret_key: str,
        workers: int = 4,
        log_path: Path,
        project_dir: Path = PROJECT_ROOT,
        **settings,
    ) -> None:
        self.project_dir = project_dir  # where wsgi.py is: another copy of the code for an A/B run
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.workers = workers
        self.env = server_environment(database_url, secret_key, **settings)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        command = [
            sys.executable, "-m", "gunicorn",
            "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}",
            "--timeout", "120",
            "--backlog", "2048",
            "--log-level", "warning",
            "wsgi:app",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=self.project_dir, env=self.env, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        self._wait_until_serving(timeout=90)
        return self

    def _wait_until_serving(self, timeout: float) -> None:
        """Every worker imports the app on its own: wait until a few requests in a row answer."""
        deadline, answered = time.monotonic() + timeout, 0
        while answered < self.workers:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}): {self.log()}")
            if time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"gunicorn did not answer within {timeout} s: {self.log()}")
            try:
                Browser(self.base_url).get("/events/")
                answered += 1
            except OSError:
                answered = 0
                time.sleep(0.2)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def __exit__(self, *exc_info) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    seconds: float  # from sending the request to the last byte of the answer

    @property
    def location(self) -> str:
        return self.headers.get("location", "")

    def json(self):
        return json.loads(self.body)

    def csrf_token(self) -> str:
        match = CSRF_FIELD.search(self.body) or CSRF_META.search(self.body)
        if match is None:
            raise AssertionError(f"no CSRF token in the page (HTTP {self.status})")
        return html.unescape(match.group(1))


@dataclass
class Browser:
    """One visitor: its own cookies, a new connection per request, redirects not followed."""

    base_url: str
    timeout: float = 180.0
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, body: bytes | None = None, headers=None) -> Response:
        url = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=self.timeout)
        sent = {"Accept-Language": "en", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        seconds = time.perf_counter() - started
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        headers_out = {k.lower(): v for k, v in answer.getheaders()}
        return Response(answer.status, headers_out, data.decode("utf-8", errors="replace"), seconds)

    def get(self, path: str, **headers: str) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path: str, data: dict[str, str]) -> Response:
        body = urlencode(data).encode()
        return self.request(
            "POST", path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )

    def post_json(self, path: str, data: dict, *, csrf_token: str) -> Response:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf_token,
        }
        return self.request("POST", path, body=json.dumps(data).encode(), headers=headers)

    def login(self, email: str, password: str) -> None:
        token = self.get("/auth/login").csrf_token()
        answer = self.post_form("/auth/login", {"email": email, "password": password, "csrf_token": token})
        if answer.status != 302:
            raise AssertionError(f"login as {email} failed: HTTP {answer.status}")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p99 of 500 values is the 495th smallest)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]
