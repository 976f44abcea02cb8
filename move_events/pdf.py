"""Every PDF the app makes goes through ``render_pdf``: WeasyPrint with a URL fetcher that reads nothing
but the app's own static files and ``data:`` URLs.

The HTML holds text that users typed (event titles, names, organisations). Escaping keeps it text, but
should anything ever slip through, WeasyPrint must not be able to act on it: its default fetcher reads
any ``file://`` URL (``<link rel=attachment href=file:///proc/self/environ>`` would embed the server's
environment, SECRET_KEY included, into the PDF) and any ``http(s)://`` URL (requests from the server to
wherever the text points). ``StaticOnlyFetcher`` refuses those by raising; WeasyPrint then leaves the
resource out (and logs a warning), so the rest of the PDF still renders.
"""

from __future__ import annotations

import mimetypes
import os
from urllib.parse import unquote, urlsplit

import weasyprint
from flask import current_app
from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    """A URL the PDF renderer may not read."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, restricted to ``data:`` URLs and files under ``static_folder``."""

    def __init__(self, static_folder: str | os.PathLike[str] | None) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.static_folder = os.path.realpath(static_folder) if static_folder else None

    def static_path(self, url: str) -> str:
        """The real path of a ``file:`` URL inside the static folder; RefusedURL for anything else."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"not a local file URL: {url[:80]}")
        if self.static_folder is None:
            raise RefusedURL("no static folder to read from")
        path = os.path.realpath(unquote(parts.path))
        if os.path.commonpath([path, self.static_folder]) != self.static_folder or not os.path.isfile(path):
            raise RefusedURL(f"not one of the app's static files: {url[:80]}")
        return path

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedURL(f"only the app's static files and data: URLs may be read: {url[:80]}")
        path = self.static_path(url)
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, headers={"Content-Type": content_type})


def url_fetcher() -> StaticOnlyFetcher:
    """The fetcher for the current app (its static folder)."""
    return StaticOnlyFetcher(current_app.static_folder)


def render_pdf(html: str) -> bytes:
    """``html`` as PDF bytes; relative URLs resolve against the static folder, nothing else is read."""
    fetcher = url_fetcher()
    return weasyprint.HTML(string=html, base_url=fetcher.static_folder, url_fetcher=fetcher).write_pdf()
