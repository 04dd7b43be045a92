"""The only way a document being rendered may reach a resource: our own static files.

WeasyPrint follows every URL in a document (images, stylesheets, ``@import``, fonts, SVG
references) with a fetcher. Its default one speaks HTTP, FTP and ``file:`` anywhere, so a
piece of text that slipped into a template could make the server read ``/etc/passwd`` or call
a cloud metadata address. This fetcher answers only ``file:`` URLs that really lie inside the
static folder (after following symlinks) and small ``data:`` URLs; it refuses everything else
without opening a socket, and reports each refusal once to the security log.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import DataHandler, Request, pathname2url, url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

from workshop.paths import STATIC_DIR

# A chart or QR code inlined as data: is a few KB; anything near this is not ours.
MAX_DATA_URL_BYTES = 2 * 1024 * 1024
# A static file larger than this is not a stylesheet, font or picture a document needs.
MAX_STATIC_FILE_BYTES = 20 * 1024 * 1024

# Fixed here rather than from the mimetypes module, whose guesses depend on the machine's
# /etc/mime.types. WeasyPrint needs the right type to accept a stylesheet and to parse SVG.
_CONTENT_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class FetchRefused(ValueError):
    """A document asked for something outside what it may reach.

    A ``ValueError`` (not WeasyPrint's fatal kind) so the render goes on without the resource:
    a document with a hostile image still comes out, just without the image.
    """


def static_root() -> Path:
    """The static folder with symlinks resolved, the prefix every allowed path must have."""
    return Path(os.path.realpath(STATIC_DIR))


def static_url(relative_path: str = "") -> str:
    """A ``file://`` URL for a file in the static folder, for templates of documents.

    ``static_url("documents/print.css")``; ``static_url()`` is the folder itself (with a
    trailing slash), which is the base URL documents are rendered against.
    """
    root = static_root()
    path = Path(os.path.realpath(root / relative_path)) if relative_path else root
    if not path.is_relative_to(root):
        raise ValueError(f"{relative_path!r} is outside the static folder")
    url = "file://" + pathname2url(str(path))
    return url + "/" if path == root else url


def _log_refusal(reason: str, url: str) -> None:
    # Imported here: the security log needs Flask, the fetcher itself does not.
    from workshop import securitylog

    securitylog.event("document_fetch_refused", reason=reason, url=url)


def _loggable(url: str) -> str:
    """The URL as it may appear in a log: a data: URL by its size, never its content."""
    if url[:5].lower() == "data:":
        return f"data:({len(url)}_chars)"
    return url


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that reads static files and small data: URLs, and nothing else.

    ``on_refuse(reason, url)`` is called once per refused URL; by default it writes to the
    security log. The render process passes a collector instead and the web process logs what
    it collected, because only the web process has the request (who, from where) and the
    log's handlers.
    """

    def __init__(self, on_refuse: Callable[[str, str], None] | None = None) -> None:
        # No redirects and only our two schemes, so that even if the opener inherited from
        # urllib were reached by some path we did not foresee, it could not go out.
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self._on_refuse = on_refuse or _log_refusal
        self._refused: set[str] = set()
        self._root = static_root()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Answer ``url`` from the static folder or a data: URL, or raise ``FetchRefused``."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._fetch_data(url)
        if scheme == "file":
            return self._fetch_file(url)
        raise self._refuse("scheme", url)

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # urllib's opener interface would otherwise go straight to the HTTP/FTP handlers.
        full_url = url.full_url if isinstance(url, Request) else str(url)
        return self.fetch(full_url)

    def _refuse(self, reason: str, url: str) -> FetchRefused:
        shown = _loggable(url)
        if shown not in self._refused:
            self._refused.add(shown)
            self._on_refuse(reason, shown)
        return FetchRefused(f"refused ({reason}): {shown[:200]}")

    def _fetch_data(self, url: str) -> URLFetcherResponse:
        if len(url) > MAX_DATA_URL_BYTES:
            raise self._refuse("data_too_large", url)
        try:
            # urllib's data: decoder makes no connection and handles base64 and %-escapes.
            response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only
        except ValueError as error:
            raise self._refuse("data_malformed", url) from error
        return URLFetcherResponse(url, response.read(), dict(response.headers.items()))

    def _fetch_file(self, url: str) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse("file_host", url)
        # realpath follows every symlink and removes "..", so the prefix check below is about
        # the file that would really be opened.
        path = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        if not path.is_relative_to(self._root) or not path.is_file():
            raise self._refuse("file_outside_static", url)
        with path.open("rb") as handle:
            body = handle.read(MAX_STATIC_FILE_BYTES + 1)
        if len(body) > MAX_STATIC_FILE_BYTES:
            raise self._refuse("file_too_large", url)
        content_type = _CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return URLFetcherResponse(
            "file://" + pathname2url(str(path)), body, {"Content-Type": content_type}
        )
