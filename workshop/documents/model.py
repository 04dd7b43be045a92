"""What a document says, as plain values in one language: the shape every renderer reads.

``content`` builds a ``Document`` from a snapshot (documents.snapshot) and the method; the PDF
template, the DOCX writer and the snapshot tests all read this and nothing else. Every string
in it is final text in the document's language (user text as typed): renderers escape it and
never translate or look anything up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Paragraph:
    text: str
    # The language the text was typed in, where it is known and differs from the document's
    # (a shared vision written in English inside the Ukrainian document): screen readers and
    # hyphenation need it.
    lang: str | None = None


@dataclass(frozen=True)
class Facts:
    """Label → value pairs, laid out as a definition list."""

    items: tuple[tuple[str, str], ...]
    # A heading over the pairs ("What we want to learn"), when they are one thing's parts.
    caption: str = ""


@dataclass(frozen=True)
class Table:
    """A real table, for short data (a few dozen rows at most): headers repeat on each page."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Columns that hold numbers, aligned right (indexes into headers).
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class Record:
    """One row of a long table laid out as a block: a title and its cells as facts."""

    title: str
    facts: Facts


@dataclass(frozen=True)
class Records:
    """A long table (an annex, a plan of 200 activities) as blocks: WeasyPrint lays blocks out
    in a fraction of the time of table rows, and a long cell breaks across pages."""

    caption: str
    items: tuple[Record, ...]


@dataclass(frozen=True)
class Chart:
    """An SVG chart made on the server, with its alt text and the same data as a table."""

    svg: str
    alt: str
    table: Table


@dataclass(frozen=True)
class Note:
    """A remark about the content itself, e.g. "Not answered yet"."""

    text: str


@dataclass(frozen=True)
class Recommendation:
    text: str
    # The answers that made the rule apply, each as "where: what was answered".
    because: tuple[str, ...]


@dataclass(frozen=True)
class Recommendations:
    items: tuple[Recommendation, ...]


@dataclass(frozen=True)
class SignatureLine:
    """One head's place to sign: filled from a sign-off, or blank lines to sign by hand."""

    side: str  # ua · partner
    role: str  # "Head of the Ukrainian hospital"
    institution: str
    name: str = ""  # "" when not signed in the app
    position: str = ""
    signed_at: str = ""  # the moment written out in the document's language, Kyiv time
    content_hash: str = ""


@dataclass(frozen=True)
class Signatures:
    items: tuple[SignatureLine, ...]


Block = Paragraph | Facts | Table | Records | Chart | Note | Recommendations | Signatures


@dataclass(frozen=True)
class Section:
    key: str  # stable across languages and versions: the "both" layout pairs sections by it
    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()


@dataclass(frozen=True)
class Party:
    """One side of the partnership as the cover shows it."""

    side: str  # ua · partner
    side_label: str  # "Ukrainian hospital"
    name: str
    city: str
    country: str
    region: str


@dataclass(frozen=True)
class Signature:
    side: str
    name: str
    position: str
    signed_at: datetime  # UTC
    content_hash: str


@dataclass(frozen=True)
class Meta:
    """What the version adds to the content: printed on the cover, in the footer and by the QR."""

    number: int
    made_at: datetime  # UTC
    content_hash: str
    verify_url: str
    draft: bool
    method_title: str = ""
    method_version: str = ""
    signatures: tuple[Signature, ...] = ()


@dataclass(frozen=True)
class Document:
    kind: str  # vision · action_plan
    lang: str  # uk · en
    title: str
    parties: tuple[Party, ...]
    meta: Meta
    sections: tuple[Section, ...] = field(default=())
