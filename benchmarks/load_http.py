"""A minimal HTTP/1.1 client for the load test: one connection per request, loopback only.

Why not aiohttp or httpx: gunicorn's sync workers close the connection after every answer, so
each request is a fresh connection either way, and measured on this 2-core box aiohttp spends
about 0.5 ms of CPU per request against 0.14 ms for this client on uvloop. At hello-world's few
thousand requests a second aiohttp would itself take a whole core and become what is measured.
A request here is bytes written on a new connection and bytes read until the server closes it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

HOST = "127.0.0.1"


class Failed(Exception):
    """No answer: refused, reset, or timed out (``timeout`` says which)."""

    def __init__(self, reason: str, *, timeout: bool = False) -> None:
        super().__init__(reason)
        self.timeout = timeout


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    cookies: list[str]  # each Set-Cookie header as sent
    body: bytes
    ms: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _Reader(asyncio.Protocol):
    def __init__(self, request: bytes, done: asyncio.Future[bytes]) -> None:
        self.request = request
        self.done = done
        self.chunks: list[bytes] = []
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        self.chunks.append(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.done.done():
            return
        if exc is not None and not self.chunks:
            self.done.set_exception(Failed(f"connection lost: {exc!r}"))
        else:
            self.done.set_result(b"".join(self.chunks))


def _dechunk(body: bytes) -> bytes:
    out, at = bytearray(), 0
    while True:
        end = body.index(b"\r\n", at)
        size = int(body[at:end].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += body[end + 2 : end + 2 + size]
        at = end + 2 + size + 2


def _parse(raw: bytes, ms: float) -> Answer:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise Failed("no complete answer")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "set-cookie":
            cookies.append(value)
        headers[name] = value
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return Answer(status, headers, cookies, body, ms)


async def request(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 10.0,
) -> Answer:
    """Send one request to 127.0.0.1:``port`` and read the whole answer; Failed if none."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    loop = asyncio.get_running_loop()
    done: asyncio.Future[bytes] = loop.create_future()
    started = time.perf_counter()
    transport = None
    try:
        async with asyncio.timeout(timeout):
            transport, _ = await loop.create_connection(lambda: _Reader(raw, done), HOST, port)
            answer = await done
    except TimeoutError as error:
        raise Failed("timed out", timeout=True) from error
    except OSError as error:
        raise Failed(f"{type(error).__name__}: {error}") from error
    finally:
        if transport is not None:
            transport.close()
    return _parse(answer, (time.perf_counter() - started) * 1000)


@dataclass
class Browser:
    """One person's browser: its cookies (kept by name, whatever their flags) and language."""

    language: str = "uk"
    cookies: dict[str, str] = field(default_factory=dict)

    def take(self, answer: Answer) -> None:
        for line in answer.cookies:
            pair, _, attributes = line.partition(";")
            name, _, value = pair.partition("=")
            gone = "expires=thu, 01 jan 1970" in attributes.lower() or "max-age=0" in attributes
            if gone:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"User-Agent": "bench-load", "Accept-Language": self.language}
        if self.cookies:
            out["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        out.update(extra or {})
        return out

    async def get(
        self, port: int, path: str, *, extra: dict[str, str] | None = None, timeout: float = 10.0
    ) -> Answer:
        answer = await request(port, "GET", path, headers=self.headers(extra), timeout=timeout)
        self.take(answer)
        return answer

    async def post_form(
        self, port: int, path: str, form: dict[str, object], *, timeout: float = 10.0
    ) -> Answer:
        body = urlencode({k: str(v) for k, v in form.items()}).encode()
        extra = {"Content-Type": "application/x-www-form-urlencoded"}
        answer = await request(
            port, "POST", path, headers=self.headers(extra), body=body, timeout=timeout
        )
        self.take(answer)
        return answer

    async def post_token(self, port: int, path: str, csrf: str, *, timeout: float = 10.0) -> Answer:
        """An empty POST with the page's CSRF token in its header (js/presence.js's beat)."""
        headers = self.headers({"X-CSRFToken": csrf})
        answer = await request(port, "POST", path, headers=headers, timeout=timeout)
        self.take(answer)
        return answer

    async def post_json(
        self, port: int, path: str, body: bytes, csrf: str, *, timeout: float = 10.0
    ) -> Answer:
        extra = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": csrf,
        }
        answer = await request(
            port, "POST", path, headers=self.headers(extra), body=body, timeout=timeout
        )
        self.take(answer)
        return answer
