"""HTML to a tagged, accessible PDF, made in a child process with a time and memory limit.

WeasyPrint is single-threaded C-backed layout: a long table can take minutes and hundreds of
megabytes (see the reference notes). Done in a web worker, one bad document would block the
worker or grow it for the rest of its life. So each render runs in a child process started by
a *forkserver*: the server imports WeasyPrint once, and each child is a cheap fork of it, never
of the (threaded, database-connected) web worker. The child caps its own address space; the
parent waits at most ``timeout`` seconds and then kills it.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import re
import resource
import sys
import zlib
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context
from flask_babel import gettext as _

from workshop.documents.fetcher import StaticOnlyFetcher, static_url
from workshop.usererror import UserError

# Flask config DOCUMENT_RENDER_TIMEOUT / DOCUMENT_RENDER_MEMORY_MB override these.
DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 1024
# PDF/UA-1 tags the structure (headings, tables, figures with /Alt), sets /Lang and shows the
# <title> as the window title: the PDF reads aloud as well as the page it came from.
PDF_VARIANT = "pdf/ua-1"
# A render that failed with its peak address space this close to the limit ran out of memory:
# glibc asks for memory in chunks of up to 64 MB, and one of those was refused.
_ALLOCATION_MARGIN = 64 * 1024 * 1024

logger = logging.getLogger(__name__)

_context = multiprocessing.get_context("forkserver")
# Imported once by the fork server, so a child starts with WeasyPrint (0.4 s) already loaded.
_context.set_forkserver_preload(["weasyprint", "workshop.documents.pdf"])

# How the child says what happened, sent before the PDF bytes.
_OK, _NO_MEMORY, _FAILED = "ok", "memory", "failed"

_WARM_UP_HTML = (
    '<html lang="en"><title>x</title><h1>x</h1><p>x <b>y</b> <i>z</i> \u0491</p>'
    "<table><thead><tr><th>a</th></tr></thead><tr><td>b</td></tr></table>"
    '<svg width="10" height="10"><rect width="5" height="5"/></svg></html>'
)


class RenderError(UserError):
    """A document could not be made; the message says so without internals."""


def _render(html: str, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render ``html`` to PDF bytes in this process (the child's work; tests call it directly).

    Relative URLs resolve against the static folder and every URL goes through the fetcher.
    """
    import weasyprint  # here: the web process never needs to import it

    _compress_at_default_level()
    document = weasyprint.HTML(
        string=html, base_url=static_url(), url_fetcher=fetcher or StaticOnlyFetcher()
    )
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def _compress_at_default_level() -> None:
    """Have pydyf (WeasyPrint's PDF writer) compress page streams at zlib's default level.

    pydyf asks for level 9: on the demo vision that is a twentieth of the render for 3 % fewer
    bytes. It has no setting for it, so the zlib it sees is this one, whose compressobj() keeps
    to the default whatever level it is asked for. Checked by test_documents_render_safety
    (the streams' zlib headers say which level made them).
    """
    import pydyf

    if pydyf.zlib is not _DEFAULT_LEVEL_ZLIB:
        pydyf.zlib = _DEFAULT_LEVEL_ZLIB


class _DefaultLevelZlib:
    """zlib as pydyf uses it, at the default compression level."""

    compress = staticmethod(zlib.compress)

    @staticmethod
    def compressobj(level: int = zlib.Z_DEFAULT_COMPRESSION, **options: object) -> Any:
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION)


_DEFAULT_LEVEL_ZLIB = _DefaultLevelZlib()


def _child(connection: Connection, html: str, memory_mb: int) -> None:
    """Entry point of the render process: limit memory, render, send status then bytes."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # The child makes one document and exits, returning all its memory. Cyclic garbage collection
    # would find almost nothing (a layout's boxes live until the PDF is written) yet walks every
    # box again and again: a fifth of the render time on the demo vision. Memory stays bounded by
    # the address-space limit above.
    gc.disable()
    refused: list[tuple[str, str]] = []
    try:
        fetcher = StaticOnlyFetcher(on_refuse=lambda reason, url: refused.append((reason, url)))
        pdf = _render(html, fetcher)
    except Exception as error:  # reported to the parent, which logs it
        detail = f"{type(error).__name__}: {error}"[:500]
        # A failed allocation in C code surfaces as anything (SystemError, cffi errors), not
        # only MemoryError; having reached the limit is what tells it apart from a bug.
        memory = isinstance(error, MemoryError) or _reached(limit)
        connection.send((_NO_MEMORY if memory else _FAILED, refused, detail))
        return
    connection.send((_OK, refused, ""))
    connection.send_bytes(pdf)


def _reached(limit: int) -> bool:
    """Whether this process's address space came within an allocation of ``limit``."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return False
    found = re.search(r"^VmPeak:\s*(\d+) kB", status, re.MULTILINE)
    return found is not None and int(found[1]) * 1024 >= limit - _ALLOCATION_MARGIN


def _limits(timeout: float | None, memory_mb: int | None) -> tuple[float, int]:
    config = current_app.config if has_app_context() else {}
    if timeout is None:
        timeout = float(config.get("DOCUMENT_RENDER_TIMEOUT", DEFAULT_TIMEOUT))
    if memory_mb is None:
        memory_mb = int(config.get("DOCUMENT_RENDER_MEMORY_MB", DEFAULT_MEMORY_MB))
    return timeout, memory_mb


def _too_long() -> RenderError:
    return RenderError(
        _(
            "The document took too long to make. Try again later, or make a shorter one "
            "(fewer sections or rows)."
        )
    )


def _too_large() -> RenderError:
    return RenderError(
        _("The document is too large to make. Make a shorter one (fewer sections or rows).")
    )


def _failed() -> RenderError:
    return RenderError(_("The document could not be made. Please try again later."))


def render_pdf(html: str, *, timeout: float | None = None, memory_mb: int | None = None) -> bytes:
    """Render our own (autoescaped) HTML to tagged PDF bytes, or raise ``RenderError``.

    ``timeout`` (seconds) and ``memory_mb`` default to the app's DOCUMENT_RENDER_TIMEOUT and
    DOCUMENT_RENDER_MEMORY_MB, else DEFAULT_TIMEOUT and DEFAULT_MEMORY_MB.
    """
    from workshop import securitylog

    timeout, memory_mb = _limits(timeout, memory_mb)
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(
        target=_child, args=(sender, html, memory_mb), name="document-render", daemon=True
    )
    try:
        process.start()
    except OSError as error:
        receiver.close()
        sender.close()
        logger.error("document render process did not start: %s", error)
        raise _failed() from None
    try:
        # Only the child writes; closing our copy lets recv() see EOF if the child dies.
        sender.close()
        if not receiver.poll(timeout):
            logger.warning("document render killed after %.1f s", timeout)
            raise _too_long()
        try:
            status, refused, detail = receiver.recv()
            pdf = receiver.recv_bytes() if status == _OK else b""
        except EOFError:
            # Died without a word, killed by a signal: under an address-space limit that is an
            # allocation in C code that failed and crashed it (GLib traps, glibc aborts, code
            # that does not check segfaults), so the document was too big for the limit.
            process.join(1)
            logger.warning("document render died, exit code %s", process.exitcode)
            if process.exitcode is not None and process.exitcode < 0:
                raise _too_large() from None
            raise _failed() from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        process.close()
        receiver.close()
        sender.close()
    for reason, url in refused:
        securitylog.event("document_fetch_refused", reason=reason, url=url)
    if status == _NO_MEMORY:
        logger.warning("document render ran out of memory (%d MB)", memory_mb)
        raise _too_large()
    if status != _OK:
        logger.error("document render failed: %s", detail)
        raise _failed()
    return pdf


def _imported_by_fork_server() -> bool:
    """Whether this import is the fork server's preload (its ``main`` is on the stack).

    The preload list can only name modules to import; this is how one of them knows it is
    being imported there and not in a web worker, where a warm-up render would be wasted.
    """
    from multiprocessing import forkserver

    frame = sys._getframe()
    while frame is not None:
        if frame.f_code is forkserver.main.__code__:
            return True
        frame = frame.f_back
    return False


def _children_skip_main() -> None:
    """Stop each render child from running the program's main module again before it starts.

    multiprocessing prepares every child as if it were a fresh interpreter: it imports the
    parent's main script (gunicorn's, a benchmark's, a CLI's) anew, a third of a second when that
    script imports the whole app. Preloading "__main__" in the fork server is meant to spare
    this, but on Python before 3.13 the fork server is never told the path (CPython gh-126631).
    A render child needs nothing from the main module (its target and arguments live here), so
    in the fork server, and so in its children only, that step does nothing.
    """
    from multiprocessing import spawn

    def _skip(_main: str) -> None:
        return None

    spawn._fixup_main_from_path = _skip  # type: ignore[attr-defined]
    spawn._fixup_main_from_name = _skip  # type: ignore[attr-defined]


if _imported_by_fork_server():
    _children_skip_main()
    # Each child would otherwise load fonts and fill WeasyPrint's caches on its own (~30 ms a
    # render); done once here, every fork inherits them. A failure only costs that time.
    try:
        _render(_WARM_UP_HTML)
    except Exception:
        logger.exception("document render warm-up failed")
