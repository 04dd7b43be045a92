"""The print HTML of a document, for WeasyPrint: one language, or Ukrainian and English side
by side.

Input is ``model.Document`` only (plain text, already in its language); the templates in
templates/documents/ lay it out with Flask's Jinja environment, autoescaped, so every piece of
user text is escaped there and nothing here marks text safe. The charts and the QR code go in
as base64 data: URLs, which contain nothing to escape.

Two documents (uk and en) are laid out in two columns, paired by section key and then block by
block, so each Ukrainian table or list stands beside its English one however long either is.
The two come from the same snapshot, so their blocks line up; where they do not, the
section's blocks are set side by side as wholes. The annex is the exception: it is the answers
as typed, identical in both, so it is set once across the page with both languages' labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from workshop import charts
from workshop.documents import model
from workshop.documents.content import formats
from workshop.documents.fetcher import static_url
from workshop.documents.qr import data_uri, qr_svg

LANG_ORDER = ("uk", "en")
SHORT_HASH = 12  # characters of the content hash in the footer: enough to tell versions apart
LINE_CHARS = {
    ("vision", False): 100,
    ("vision", True): 56,
    ("action_plan", False): 150,
    ("action_plan", True): 85,
}
SHORT_CELL = 24  # characters: a column whose cells are all this short gets one line for each
RUNNING_NAME = 70  # characters of each hospital's name in the running header
MERGED_SECTION = "annex"  # set once in the bilingual layout (see _pair_sections)


@dataclass(frozen=True)
class BlockPair:
    """Two blocks set side by side; ``kind`` says how (see templates/documents/_print_both.html)."""

    # "pair" · "chart" (stacked, tables paired) · "whole" (the sections' blocks side by side)
    # · "merged" (one block with both languages' words, in ``left``)
    kind: str
    left: model.Block | None
    right: model.Block | None


@dataclass
class SectionPair:
    key: str
    left: model.Section | None
    right: model.Section | None
    blocks: list[BlockPair] = field(default_factory=list)
    subsections: list[SectionPair] = field(default_factory=list)


def vision_html(docs: Sequence[model.Document]) -> str:
    """The strategic vision (A4 portrait) in one language or both side by side."""
    return _render(docs, "vision")


def action_plan_html(docs: Sequence[model.Document]) -> str:
    """The action plan (A4 landscape) in one language or both side by side."""
    return _render(docs, "action_plan")


def _ordered(docs: Sequence[model.Document], kind: str) -> list[model.Document]:
    if not 1 <= len(docs) <= 2 or any(d.kind != kind for d in docs):
        raise ValueError(f"one or two {kind} documents, not {[d.kind for d in docs]}")
    if len({d.lang for d in docs}) != len(docs):
        raise ValueError("two documents must be in two languages")
    return sorted(docs, key=lambda d: LANG_ORDER.index(d.lang) if d.lang in LANG_ORDER else 9)


def _render(docs: Sequence[model.Document], kind: str) -> str:
    ordered = _ordered(docs, kind)
    first = ordered[0]
    words = [_words(d) for d in ordered]
    context: dict[str, Any] = {
        "docs": ordered,
        "both": len(ordered) == 2,
        "lang": first.lang,
        "kind": kind,
        "words": words,
        "meta": first.meta,
        "title": " / ".join(d.title for d in ordered),
        "running": " / ".join(_running(d) for d in ordered),
        "stylesheet": static_url("documents/print.css"),
        "qr": data_uri(qr_svg(first.meta.verify_url, " / ".join(w["qr_title"] for w in words))),
        "pairs": _pairs(ordered[0], ordered[1]) if len(ordered) == 2 else [],
        "chart_uri": charts.data_uri,
        "block_kind": _block_kind,
        "widths": column_widths,
        # About how many characters a table's line holds at the print stylesheet's sizes: the
        # page's width, halved for two languages side by side (chart tables stay whole).
        "line_chars": LINE_CHARS[(kind, len(ordered) == 2)],
        "wide_chars": LINE_CHARS[(kind, False)],
    }
    template = current_app.jinja_env.get_template(f"documents/{kind}.html")
    # get_template().render rather than render_template: a document is made outside any
    # request (a background job), and the app's context processors read the request.
    return template.render(context)


def _running(doc: model.Document) -> str:
    """The two names for the running header, each cut to fit a line (the cover has them whole)."""
    return " — ".join(_cut(p.name, RUNNING_NAME) for p in doc.parties if p.name)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _words(doc: model.Document) -> dict[str, Any]:
    """The template's own words in the document's language (both sets for two languages)."""
    meta = doc.meta
    with force_locale(doc.lang):
        return {
            "lang": doc.lang,
            "contents": _("Contents"),
            "page_of": _page_of(),
            "version": _("Version %(n)d", n=meta.number),
            "made_on": formats.day(formats.kyiv_day(meta.made_at), doc.lang),
            "made_label": _("Made on"),
            "hash_label": _("Content hash"),
            "short_hash": meta.content_hash[:SHORT_HASH],
            "method_label": _("Method"),
            "draft": _("DRAFT"),
            "draft_note": _("Draft: not every stage this document draws on has been approved yet."),
            "verify": _("Scan the code, or open the address, to check this version."),
            "qr_title": _("QR code: the address of this version's verification page"),
            "qr_alt": _("QR code opening %(url)s", url=meta.verify_url),
            "name": _("Full name"),
            "position": _("Position"),
            "signed_at": _("Signed"),
            "signature": _("Signature"),
            "date": _("Date"),
            "because": _("Because"),
            "not_signed": _("Not signed in the app."),
        }


def _page_of() -> tuple[str, str, str]:
    """ "Page 3 of 12" cut around its two numbers, for the footer's CSS counters: the text before
    the page, between, and after the count. A translation that names the count first gets
    "3 / 12" rather than the numbers swapped."""
    text = _("Page %(page)s of %(pages)s", page="\x01", pages="\x02")
    if (
        text.count("\x01") != 1
        or text.count("\x02") != 1
        or text.index("\x01") > text.index("\x02")
    ):
        return "", " / ", ""
    before, rest = text.split("\x01")
    between, after = rest.split("\x02")
    return before, between, after


def _block_kind(block: object) -> str:
    """The template's name for a block's type ("facts", "records", …)."""
    return type(block).__name__.lower()


def column_widths(table: model.Table, line: int = 110) -> list[float]:
    """Percent widths for a fixed-layout table on a line of about ``line`` characters.

    A short column ("2 — mostly", a date) gets room for its whole text, and no column less
    than its longest word (up to a limit), so headers and values do not break mid-word; the
    columns of long text share what is left by the square root of their length."""
    natural, floor, long_ones = [], [], []
    for index, header in enumerate(table.headers):
        cells = [row[index] for row in table.rows if index < len(row)]
        average = sum(len(c) for c in cells) / len(cells) if cells else 0
        # Header words are bold, hence wider; the cell's padding is about three characters.
        longest = max(
            [len(w) * 1.2 for w in header.split()] + [len(w) for c in cells for w in c.split()],
            default=4,
        )
        floor.append(min(longest, 18) + 3)
        widest = max((len(c) for c in cells), default=0)
        if widest <= SHORT_CELL:  # every cell on one line (dashes and digits run wide)
            natural.append(max(widest * 1.1 + 3, floor[-1]))
        else:
            natural.append(0.0)
            long_ones.append((index, math.sqrt(min(average, 400))))
    left = line - sum(natural)
    share = sum(weight for _i, weight in long_ones) or 1
    for index, weight in long_ones:
        natural[index] = max(floor[index], left * weight / share)
    total = sum(natural) or 1
    return [round(100 * w / total, 2) for w in natural]


def _pairs(left: model.Document, right: model.Document) -> list[SectionPair]:
    return _pair_sections(left.sections, right.sections)


def _pair_sections(
    lefts: Sequence[model.Section], rights: Sequence[model.Section], *, merge: bool = False
) -> list[SectionPair]:
    """Sections paired by key, in the first document's order, then any only the second has."""
    by_key = {s.key: s for s in rights}
    keys = [s.key for s in lefts] + [s.key for s in rights if s.key not in {x.key for x in lefts}]
    left_by_key = {s.key: s for s in lefts}
    out = []
    for key in keys:
        one, two = left_by_key.get(key), by_key.get(key)
        # The annex holds the answers as typed, the same in both documents: side by side it
        # would print every answer twice, so it is set once, its labels in both languages.
        merged = merge or key == MERGED_SECTION
        out.append(
            SectionPair(
                key=key,
                left=one,
                right=two,
                blocks=_pair_blocks(
                    one.blocks if one else (), two.blocks if two else (), merge=merged
                ),
                subsections=_pair_sections(
                    one.subsections if one else (),
                    two.subsections if two else (),
                    merge=merged,
                ),
            )
        )
    return out


def _pair_blocks(
    lefts: Sequence[model.Block], rights: Sequence[model.Block], *, merge: bool = False
) -> list[BlockPair]:
    same_shape = len(lefts) == len(rights) and all(
        type(a) is type(b) for a, b in zip(lefts, rights, strict=True)
    )
    if not same_shape:
        return [BlockPair("whole", None, None)] if lefts or rights else []
    out = []
    for a, b in zip(lefts, rights, strict=True):
        one = merged(a, b) if merge else None
        if one is not None:
            out.append(BlockPair("merged", one, None))
        else:
            out.append(BlockPair("chart" if isinstance(a, model.Chart) else "pair", a, b))
    return out


def _both(one: str, two: str) -> str:
    """Two languages' words for one thing, once where they are the same (typed answers)."""
    return one if one == two or not two else f"{one} / {two}" if one else two


def _merged_facts(a: model.Facts, b: model.Facts) -> model.Facts | None:
    if len(a.items) != len(b.items):
        return None
    return model.Facts(
        tuple(
            (_both(la, lb), _both(va, vb))
            for (la, va), (lb, vb) in zip(a.items, b.items, strict=True)
        ),
        caption=_both(a.caption, b.caption),
    )


def merged(a: model.Block, b: model.Block) -> model.Block | None:
    """One block carrying both documents' words, or None where the two do not line up."""
    if isinstance(a, model.Facts) and isinstance(b, model.Facts):
        return _merged_facts(a, b)
    if isinstance(a, model.Note) and isinstance(b, model.Note):
        return model.Note(_both(a.text, b.text))
    if isinstance(a, model.Paragraph) and isinstance(b, model.Paragraph) and a.lang == b.lang:
        return model.Paragraph(_both(a.text, b.text), a.lang)
    if isinstance(a, model.Records) and isinstance(b, model.Records):
        if len(a.items) != len(b.items):
            return None
        items = []
        for one, two in zip(a.items, b.items, strict=True):
            facts = _merged_facts(one.facts, two.facts)
            if facts is None:
                return None
            items.append(model.Record(_both(one.title, two.title), facts))
        return model.Records(_both(a.caption, b.caption), tuple(items))
    if isinstance(a, model.Table) and isinstance(b, model.Table):
        if len(a.headers) != len(b.headers) or len(a.rows) != len(b.rows):
            return None
        return model.Table(
            _both(a.caption, b.caption),
            tuple(_both(x, y) for x, y in zip(a.headers, b.headers, strict=True)),
            tuple(
                tuple(_both(x, y) for x, y in zip(r, q, strict=True))
                for r, q in zip(a.rows, b.rows, strict=True)
            ),
            a.numeric,
        )
    return None
