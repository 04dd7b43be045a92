"""Making a PDF can neither reach anything but our static files nor tie up a worker.

A document is HTML we render with WeasyPrint, which follows every URL in it. If a hostile
string ever got into a template unescaped, it could ask for /etc/passwd or a cloud metadata
address; these tests put such URLs straight into the HTML and check, with Python's audit
hooks, that nothing outside the static folder is opened and no socket is made. They also check
the PDF is accessible (tagged, titled, with a language and embedded fonts) and that a render
that runs too long or too large fails with a message instead of hanging.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.request import Request

import pytest
from flask import Flask

from workshop.documents import fetcher as fetcher_module
from workshop.documents import pdf as pdf_module
from workshop.documents.fetcher import (
    MAX_DATA_URL_BYTES,
    FetchRefused,
    StaticOnlyFetcher,
    static_url,
)
from workshop.documents.pdf import RenderError, _render, render_pdf
from workshop.documents.qr import data_uri, qr_svg
from workshop.paths import PACKAGE_DIR

# --- Watching what the render process does -------------------------------------------------
# An audit hook cannot be removed once added, so it is added once and stays inert unless a
# test is watching, and then only records what the watching thread does.


class _Watch:
    def __init__(self) -> None:
        self.thread: int | None = None
        self.sockets: list[str] = []
        self.opened: list[str] = []

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if self.thread is None or threading.get_ident() != self.thread:
            return
        if event.startswith(("socket.", "urllib.", "http.", "ftplib.")):
            self.sockets.append(f"{event} {args!r}"[:200])
        elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            self.opened.append(os.path.realpath(os.fsdecode(args[0])))


_WATCH = _Watch()
sys.addaudithook(_WATCH.hook)


@pytest.fixture
def watch() -> Iterator[_Watch]:
    _WATCH.sockets.clear()
    _WATCH.opened.clear()
    _WATCH.thread = threading.get_ident()
    try:
        yield _WATCH
    finally:
        _WATCH.thread = None


# Python's own modules (lazy imports), fonts and system libraries may be read during a render.
_ALLOWED_ROOTS = tuple(
    os.path.realpath(root)
    for root in {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        str(PACKAGE_DIR),
        "/usr/lib",
        "/usr/share",
        "/usr/local/lib",
        "/etc/fonts",
        "/var/cache/fontconfig",
    }
)


def _outside(paths: list[str], *allowed: Path) -> list[str]:
    roots = _ALLOWED_ROOTS + tuple(os.path.realpath(root) for root in allowed)
    return [p for p in paths if not any(p == r or p.startswith(r + os.sep) for r in roots)]


# --- A static folder of our own, so the real tree is never touched ------------------------


@pytest.fixture
def static(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A static folder with one good stylesheet and image, and a symlink that leads out of it
    to a secret beside it."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    folder = tmp_path / "static"
    (folder / "documents").mkdir(parents=True)
    (folder / "documents" / "print.css").write_text("h1 { color: #036; }")
    (folder / "ok.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="9" '
        'height="9"/></svg>'
    )
    (folder / "leak.txt").symlink_to(secret)
    (folder / "leakdir").symlink_to(tmp_path)
    monkeypatch.setattr(fetcher_module, "STATIC_DIR", folder)
    return {"folder": folder, "secret": secret}


def _hostile_urls(static: dict[str, Path]) -> list[str]:
    folder, secret = static["folder"], static["secret"]
    dotdot = static_url() + os.path.relpath(secret, folder)  # file:///…/static/../secret.txt
    return [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://localhost/etc/passwd",
        "file://evil.example/etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost/",
        "https://127.0.0.1:9/evil.css",
        "HTTP://[::1]/",
        "ftp://example.org/file",
        "gopher://example.org/",
        "jar:file:///etc/passwd!/x",
        dotdot,
        static_url() + "leak.txt",
        static_url() + "leakdir/secret.txt",
        "data:text/plain," + "a" * MAX_DATA_URL_BYTES,
    ]


def test_the_fetcher_refuses_everything_but_small_data_and_static_files(
    static: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    fetcher = StaticOnlyFetcher()
    for url in _hostile_urls(static):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    # urllib's own entry point is closed too: it would reach the HTTP handler with redirects.
    with pytest.raises(FetchRefused):
        fetcher.open(Request("http://169.254.169.254/"))

    css = fetcher.fetch(static_url("documents/print.css"))
    assert (css.read(), css.content_type) == (b"h1 { color: #036; }", "text/css")
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"

    lines = [r.getMessage() for r in caplog.records if r.name == "workshop.security"]
    assert all("\n" not in line and "aaaa" not in line for line in lines)
    assert any("reason=data_too_large" in line for line in lines)
    # Once per URL, however often a document repeats it.
    with pytest.raises(FetchRefused):
        fetcher.fetch("file:///etc/passwd")
    again = [r for r in caplog.records if r.name == "workshop.security"]
    assert len(again) == len(lines)


def test_static_url_stays_in_the_static_folder(static: dict[str, Path]) -> None:
    assert static_url("documents/print.css").startswith("file://")
    assert static_url().endswith("/")
    with pytest.raises(ValueError, match="outside the static folder"):
        static_url("../secret.txt")
    with pytest.raises(ValueError, match="outside the static folder"):
        static_url("leak.txt")


def test_a_hostile_document_renders_and_fetches_nothing(
    static: dict[str, Path], watch: _Watch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A small limit stands in for the real one: a 2 MB attribute would only slow the parser.
    monkeypatch.setattr(fetcher_module, "MAX_DATA_URL_BYTES", 1000)
    big_data = "data:image/svg+xml," + "%20" * 1000
    urls = [*_hostile_urls(static)[:-1], big_data]
    images = "".join(f'<img alt="x" src="{url}">' for url in urls)
    html = f"""<!doctype html><html lang="uk"><head><meta charset="utf-8"><title>Т</title>
<link rel="stylesheet" href="http://169.254.169.254/evil.css">
<link rel="stylesheet" href="file:///etc/hostname">
<link rel="stylesheet" href="documents/print.css">
<style>
@import url(http://localhost/import.css);
@import "file:///etc/passwd";
@font-face {{ font-family: Evil; src: url(http://localhost/font.ttf); }}
body {{ background: url(file:///etc/hostname); font-family: Evil, sans-serif; }}
h1 {{ list-style-image: url(leak.txt); }}
</style></head><body><h1>Небезпечний документ</h1>
<p style="background-image: url('http://169.254.169.254/')">текст</p>
{images}
<img alt="ok" src="ok.svg">
<img alt="escape" src="../../../../../../etc/passwd">
<object data="file:///etc/passwd"></object><embed src="http://localhost/">
<svg width="20" height="20"><image href="file:///etc/passwd" width="9" height="9"/>
<use href="http://localhost/x.svg#a"/></svg>
</body></html>"""

    pdf = _render(html)

    assert pdf.startswith(b"%PDF-")
    assert watch.sockets == []
    forbidden = {"/etc/passwd", "/etc/hostname", os.path.realpath(static["secret"])}
    assert forbidden.isdisjoint(watch.opened)
    assert _outside(watch.opened, static["folder"]) == []
    # The hook does see reads: the allowed stylesheet and image were opened through it.
    folder = os.path.realpath(static["folder"])
    assert {f"{folder}/documents/print.css", f"{folder}/ok.svg"} <= set(watch.opened)


def test_the_watch_would_see_a_leak(static: dict[str, Path], watch: _Watch) -> None:
    # Without this the test above could pass because the hook saw nothing at all.
    static["secret"].read_text()
    assert os.path.realpath(static["secret"]) in _outside(watch.opened)


# --- The PDF is accessible ----------------------------------------------------------------


def _poppler(tool: str, pdf: Path, *args: str) -> str:
    return subprocess.run(
        [tool, *args, str(pdf), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout


def _catalog_language(pdf: bytes) -> set[bytes]:
    """The /Lang entries, looked for in the compressed object streams too."""
    found = set(re.findall(rb"/Lang\s*\(([^)]*)\)", pdf))
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            data = zlib.decompressobj().decompress(pdf[match.end() : match.end() + 1_000_000])
        except zlib.error:
            continue
        found |= set(re.findall(rb"/Lang\s*\(([^)]*)\)", data))
    return found


def test_render_pdf_makes_a_tagged_titled_pdf_with_embedded_fonts(
    app: Flask, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    qr = qr_svg("https://twinning.example.org/r/ABC-123", "QR-код сторінки партнерства")
    html = f"""<!doctype html><html lang="uk"><head><meta charset="utf-8">
<title>Стратегічне бачення партнерства</title>
<style>html {{ font-family: sans-serif; }}</style></head><body>
<h1>Стратегічне бачення партнерства</h1><p>Ґ ґ Є є І і Ї ї № — <b>жирний</b></p>
<h2>Заходи</h2><table><thead><tr><th>Захід</th></tr></thead><tr><td>Візит</td></tr></table>
<img alt="QR-код сторінки партнерства" src="{data_uri(qr)}">
<img alt="" src="http://169.254.169.254/"></body></html>"""
    with app.app_context():
        pdf = render_pdf(html)
    path = tmp_path / "plan.pdf"
    path.write_bytes(pdf)

    info = _poppler("pdfinfo", path)
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+Стратегічне бачення партнерства$", info, re.M)
    assert _catalog_language(pdf) == {b"uk"}
    fonts = _poppler("pdffonts", path).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts
    text = _poppler("pdftotext", path)
    assert "Стратегічне бачення партнерства" in text and "Ґ ґ Є є І і Ї ї №" in text
    # The refusal in the child process is logged by the web process, where the log lives.
    assert any(
        r.name == "workshop.security" and "169.254.169.254" in r.getMessage()
        for r in caplog.records
    )


# --- Limits -------------------------------------------------------------------------------


def _slow_document(rows: int = 150) -> str:
    body = "".join(
        f"<tr><td>{i}</td><td>Захід {i}: навчальний візит</td></tr>" for i in range(rows)
    )
    return f'<html lang="uk"><title>Т</title><table>{body}</table></html>'


def test_a_render_over_time_fails_and_the_next_one_works(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="workshop.documents.pdf")
    with pytest.raises(RenderError) as failure:
        render_pdf(_slow_document(), timeout=0.05)
    assert failure.value.message == pdf_module._too_long().message
    assert render_pdf('<html lang="en"><title>t</title><p>ok</p></html>').startswith(b"%PDF-")


def test_a_render_over_memory_fails() -> None:
    with pytest.raises(RenderError) as failure:
        render_pdf(_slow_document(), memory_mb=64)
    assert failure.value.message == pdf_module._too_large().message


# --- Cost -------------------------------------------------------------------------------------


def test_page_streams_are_compressed_at_zlibs_default_level() -> None:
    """pydyf asks zlib for level 9, a twentieth of a long render for 3 % fewer bytes; the
    renderer has it use the default level. A zlib stream's second byte says the level made it."""
    html = '<html lang="en"><title>t</title>' + "<p>Safer surgery, every shift.</p>" * 200
    pdf = render_pdf(html + "</html>")
    headers = [pdf[m.end() : m.end() + 2] for m in re.finditer(rb"(?<!end)stream\r?\n", pdf)]
    flate = [h for h in headers if h[:1] == b"\x78"]
    assert flate, "no compressed stream in the PDF"
    assert set(flate) == {b"\x78\x9c"}, set(flate)


def test_a_render_does_not_run_the_programs_main_script_again(tmp_path: Path) -> None:
    """multiprocessing prepares a child by importing the parent's main script again (a third of
    a second when that script imports the app); a render child needs none of it."""
    marker = tmp_path / "imported"
    script = tmp_path / "main_script.py"
    script.write_text(
        "from pathlib import Path\n"
        f"with Path({str(marker)!r}).open('a') as out:\n"
        "    out.write('x')\n"
        "from workshop.documents.pdf import render_pdf\n"
        "if __name__ == '__main__':\n"
        "    page = '<html lang=en><title>t</title><p>ok</p></html>'\n"
        "    for _ in range(2):\n"
        "        assert render_pdf(page)[:5] == b'%PDF-'\n"
    )
    subprocess.run(
        [sys.executable, str(script)],
        check=True,
        timeout=120,
        cwd=PACKAGE_DIR.parent,
        env={**os.environ, "PYTHONPATH": str(PACKAGE_DIR.parent)},
    )
    assert marker.read_text() == "x"  # the script itself, and no child
