"""Office files (XLSX, DOCX) with the same bytes for the same content.

An Office file is a zip, and both openpyxl and python-docx stamp each zip entry with the time
it was written. A stored document version must be byte-identical when made again (its
checksum is printed on the verification page), so the entries are rewritten here in the same
order with the version's own time and fixed attributes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def utc_naive(moment: datetime) -> datetime:
    """``moment`` in UTC without a zone: what Office properties and cells hold."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def stable_zip(data: bytes, moment: datetime) -> bytes:
    """The same zip with every entry dated ``moment`` (UTC) and no host-dependent fields."""
    when = max(tuple(utc_naive(moment).timetuple()[:6]), ZIP_EPOCH)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()
