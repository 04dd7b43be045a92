"""QR codes for printed documents, as SVG that carries its own description."""

from __future__ import annotations

import base64
import io

import segno

# One module per millimetre: a phone reads it from a printed page at arm's length, and a
# typical address (version 3-5, 29-37 modules plus the quiet zone) stays under 5 cm.
_MODULE_MM = 1


def qr_svg(url: str, title: str) -> str:
    """An SVG QR code for ``url`` whose ``<title>`` is ``title``, without an XML declaration."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    # segno escapes the title itself; unit="mm" gives the SVG a physical size for print.
    code.save(out, kind="svg", scale=_MODULE_MM, unit="mm", title=title, xmldecl=False, nl=False)
    return out.getvalue().decode("utf-8")


def data_uri(svg: str) -> str:
    """``svg`` as a ``data:image/svg+xml;base64,…`` URL, for ``<img alt=… src=…>``."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"
