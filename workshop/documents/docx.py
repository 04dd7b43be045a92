"""The strategic vision as an editable Word file, from the same Document the PDF is made from.

The heads and their teams edit the vision in Word before a ministry meeting, so the file is
built from Word's own parts rather than made to look like the PDF: real Heading 1/2 styles (the
navigation pane and the contents field work), a contents field Word updates on opening, tables
with a repeating header row, and the language of every run set, so Word checks Ukrainian
spelling in Ukrainian and English in English. One Document gives a file in its language; two
(uk, en) give both side by side, a section of each in a two-column table, paired by key.

Renderers never translate content (documents.model); only the labels this file adds (cover,
contents, signature block) come from the catalogue, in each document's language. The same
Documents give the same bytes (documents.ooxml).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask_babel import force_locale
from flask_babel import gettext as _

from workshop.documents import model
from workshop.documents.ooxml import stable_zip, utc_naive

LANG_TAGS = {"uk": "uk-UA", "en": "en-GB"}
HEADINGS_IN_CONTENTS = 2  # Heading 1 and 2: sections and their subsections
DEEPEST_HEADING = 6  # Word has nine; deeper than this reads as a list, not an outline
PAGE = (Cm(21), Cm(29.7))  # A4: the paper of Ukrainian and European offices
MARGIN = Cm(2)

Container = WordDocument | _Cell
# Characters XML 1.0 cannot hold: python-docx refuses them, and a stored answer from an older
# version or an import may still carry one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class _Words:
    """The labels this file adds, in one language."""

    lang: str
    contents: str
    contents_hint: str
    version: str
    made: str
    content_hash: str
    method: str
    check: str
    draft: str
    signatures: str
    signed_by: str  # with %(name)s, %(position)s, %(side)s
    because: str
    no_advice: str
    name: str
    position: str
    signature: str
    date: str


def _words(lang: str) -> _Words:
    with force_locale(lang):
        return _Words(
            lang=lang,
            contents=_("Contents"),
            contents_hint=_(
                "In Word, right-click here and choose Update Field to add page numbers."
            ),
            version=_("Version"),
            made=_("Made"),
            content_hash=_("Content hash (SHA-256)"),
            method=_("Method"),
            check=_("Check a document"),
            draft=_("Draft: not every stage this document draws on is approved yet."),
            signatures=_("Signatures"),
            signed_by=_("Signed by %(name)s, %(position)s (%(side)s)"),
            because=_("Because:"),
            no_advice=_("No recommendations apply: the answers cover what the method checks."),
            name=_("Full name"),
            position=_("Position or role"),
            signature=_("Signature"),
            date=_("Date"),
        )


# -- Word's XML where python-docx has no words for it --------------------------------------------


def _set_lang(rpr: Any, lang: str) -> None:
    tag = LANG_TAGS.get(lang, lang)
    found = rpr.find(qn("w:lang"))
    if found is None:
        found = OxmlElement("w:lang")
        rpr.append(found)
    found.set(qn("w:val"), tag)


def _run(paragraph: Paragraph, text: str, lang: str, **style: bool) -> Run:
    run = paragraph.add_run(_NOT_XML.sub("", text))
    run.bold = style.get("bold")
    run.italic = style.get("italic")
    _set_lang(run._r.get_or_add_rPr(), lang)
    return run


def _repeat_header(table: Table) -> None:
    """Mark the first row as a header that Word repeats on every page the table spans."""
    row = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row.append(header)


def _field_char(paragraph: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")  # Word recomputes the field when it opens the file
    paragraph.add_run()._r.append(char)


def _update_fields_on_open(document: WordDocument) -> None:
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    # The settings schema fixes the order: updateFields comes before compat and what follows.
    later = settings.find(qn("w:compat"))
    if later is not None:
        later.addprevious(update)
    else:
        settings.append(update)


def _document_language(document: WordDocument, lang: str) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if rpr is not None:
        _set_lang(rpr, lang)
    theme = document.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LANG_TAGS.get(lang, lang))


# -- Containers: the body or a table cell --------------------------------------------------------


def _paragraph(container: Container, style: str | None = None) -> Paragraph:
    """A new paragraph; a new cell's own empty paragraph is used first, so no blank line leads."""
    if isinstance(container, _Cell):
        children = list(container._tc.iterchildren(qn("w:p"), qn("w:tbl")))
        only = container.paragraphs[0] if len(children) == 1 and container.paragraphs else None
        if only is not None and not only.runs:
            if style:
                only.style = style
            return only
    return container.add_paragraph(style=style)


def _text(container: Container, text: str, lang: str, style: str | None = None) -> Paragraph:
    paragraph = _paragraph(container, style)
    _run(paragraph, text, lang)
    return paragraph


def _table(container: Container, rows: int, cols: int, style: str = "Table Grid") -> Table:
    table = container.add_table(rows, cols)
    table.style = style
    return table


def _cell_text(cell: _Cell, text: str, lang: str, *, bold: bool = False) -> Paragraph:
    paragraph = _paragraph(cell)
    _run(paragraph, text, lang, bold=bold)
    return paragraph


def _heading(container: Container, parts: list[tuple[str, str]], level: int) -> None:
    """A heading in one language, or in several joined by " / ", each run in its language."""
    paragraph = _paragraph(container, f"Heading {min(level, DEEPEST_HEADING)}")
    for index, (text, lang) in enumerate(parts):
        if index:
            _run(paragraph, " / ", lang)
        _run(paragraph, text, lang)


# -- Blocks ---------------------------------------------------------------------------------------


def _facts(container: Container, facts: model.Facts, lang: str) -> None:
    if facts.caption:
        _text(container, facts.caption, lang, "Caption")
    if isinstance(container, _Cell):  # a table in a half-page cell is too narrow to read
        for label, value in facts.items:
            paragraph = _paragraph(container)
            _run(paragraph, f"{label}: ", lang, bold=True)
            _run(paragraph, value, lang)
        return
    table = _table(container, len(facts.items), 2)
    for row, (label, value) in zip(table.rows, facts.items, strict=True):
        _cell_text(row.cells[0], label, lang, bold=True)
        _cell_text(row.cells[1], value, lang)


def _data_table(container: Container, data: model.Table, lang: str) -> None:
    if data.caption:
        _text(container, data.caption, lang, "Caption")
    table = _table(container, 1 + len(data.rows), max(len(data.headers), 1))
    _repeat_header(table)
    for number, (row, values) in enumerate(
        zip(table.rows, (data.headers, *data.rows), strict=True)
    ):
        for index, (cell, value) in enumerate(zip(row.cells, values, strict=False)):
            paragraph = _cell_text(cell, value, lang, bold=number == 0)
            if index in data.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _records(container: Container, records: model.Records, lang: str, level: int) -> None:
    if records.caption:
        _text(container, records.caption, lang, "Caption")
    for record in records.items:
        _heading(container, [(record.title, lang)], level)
        for label, value in record.facts.items:
            paragraph = _paragraph(container)
            _run(paragraph, f"{label}: ", lang, bold=True)
            _run(paragraph, value, lang)


def _advice(container: Container, advice: model.Recommendations, words: _Words) -> None:
    if not advice.items:
        _text(container, words.no_advice, words.lang)
        return
    for item in advice.items:
        _text(container, item.text, words.lang, "List Bullet")
        if item.because:
            paragraph = _paragraph(container, "List Continue")
            _run(paragraph, words.because, words.lang, italic=True)
        for reason in item.because:
            _text(container, reason, words.lang, "List Bullet 2")


def _block(container: Container, block: model.Block, words: _Words, level: int) -> None:
    lang = words.lang
    if isinstance(block, model.Paragraph):
        _text(container, block.text, block.lang or lang)
    elif isinstance(block, model.Facts):
        _facts(container, block, lang)
    elif isinstance(block, model.Table):
        _data_table(container, block, lang)
    elif isinstance(block, model.Records):  # below the contents: a plan may have 200 records
        _records(container, block, lang, max(level, HEADINGS_IN_CONTENTS + 1))
    elif isinstance(block, model.Chart):  # Word gets the chart's data; the picture is the PDF's
        _data_table(container, block.table, lang)
    elif isinstance(block, model.Note):
        paragraph = _paragraph(container)
        _run(paragraph, block.text, lang, italic=True)
    elif isinstance(block, model.Recommendations):
        _advice(container, block, words)
    elif isinstance(block, model.Signatures):
        _signature_lines(container, block, words)


def _signature_line(cell: Container, line: model.SignatureLine, words: _Words) -> None:
    """A head's sign-off as recorded, or labelled lines to sign on paper."""
    lang = words.lang
    _cell_text(cell, line.role, lang, bold=True)
    _cell_text(cell, line.institution, lang)
    if line.name:
        _cell_text(cell, ", ".join(p for p in (line.name, line.position) if p), lang)
        parts = [line.signed_at, f"{line.content_hash[:16]}…" if line.content_hash else ""]
        _cell_text(cell, " · ".join(p for p in parts if p), lang)
        return
    for label in (words.name, words.position, words.signature, words.date):
        _cell_text(cell, f"{label}: ____________________", lang)


def _signature_lines(container: Container, block: model.Signatures, words: _Words) -> None:
    if isinstance(container, _Cell):  # beside its translation: one head under the other
        for line in block.items:
            _signature_line(container, line, words)
        return
    if not block.items:
        return
    table = _table(container, 1, len(block.items), "Normal Table")
    for cell, line in zip(table.rows[0].cells, block.items, strict=True):
        _signature_line(cell, line, words)


# -- One language --------------------------------------------------------------------------------


def _made(meta: model.Meta) -> str:
    return utc_naive(meta.made_at).strftime("%Y-%m-%d %H:%M UTC")


def _cover_facts(doc: model.Document, words: _Words) -> model.Facts:
    meta = doc.meta
    method = f"{meta.method_title} · {meta.method_version}".strip(" ·")
    items = [
        (words.version, str(meta.number)),
        (words.made, _made(meta)),
        (words.content_hash, meta.content_hash),
        (words.method, method),
        (words.check, meta.verify_url),
    ]
    return model.Facts(tuple((label, value) for label, value in items if value))


def _parties(container: Container, doc: model.Document, words: _Words) -> None:
    for party in doc.parties:
        paragraph = _paragraph(container)
        _run(paragraph, party.side_label, words.lang, italic=True)
        _text(container, party.name, words.lang, "Subtitle")
        place = ", ".join(p for p in (party.city, party.region, party.country) if p)
        if place:
            _text(container, place, words.lang)


def _cover_body(container: Container, doc: model.Document, words: _Words) -> None:
    _parties(container, doc, words)
    if doc.meta.draft:
        paragraph = _paragraph(container)
        _run(paragraph, words.draft, words.lang, bold=True)
    _facts(container, _cover_facts(doc, words), words.lang)


def _section(container: Container, section: model.Section, words: _Words, level: int) -> None:
    _heading(container, [(section.title, words.lang)], level)
    for block in section.blocks:
        _block(container, block, words, level + 1)
    for sub in section.subsections:
        _section(container, sub, words, level + 1)


def _page_break(document: WordDocument) -> None:
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _headings(sections: tuple[model.Section, ...], level: int = 1) -> Iterator[tuple[str, int]]:
    for section in sections:
        yield section.title, level
        if level < HEADINGS_IN_CONTENTS:
            yield from _headings(section.subsections, level + 1)


def _paired_headings(
    left: tuple[model.Section, ...], right: tuple[model.Section, ...], level: int = 1
) -> Iterator[tuple[str, int]]:
    for one, other in _pairs(left, right):
        yield " / ".join(s.title for s in (one, other) if s), level
        if level < HEADINGS_IN_CONTENTS:
            subs = [s.subsections if s else () for s in (one, other)]
            yield from _paired_headings(subs[0], subs[1], level + 1)


def _contents(document: WordDocument, entries: list[tuple[str, int]], words: list[_Words]) -> None:
    """A contents field Word fills in, shown until then as the list of headings."""
    title = document.add_paragraph(style="TOC Heading")
    for index, said in enumerate(words):
        _run(title, (" / " if index else "") + said.contents, said.lang)
    begin = document.add_paragraph()
    _field_char(begin, "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = f' TOC \\o "1-{HEADINGS_IN_CONTENTS}" \\h \\z \\u '
    begin.add_run()._r.append(instruction)
    _field_char(begin, "separate")
    _run(begin, words[0].contents_hint, words[0].lang, italic=True)
    for text, level in entries:
        entry = document.add_paragraph()
        entry.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        _run(entry, text, words[0].lang)
    _field_char(document.paragraphs[-1], "end")


def _has_signatures(sections: tuple[model.Section, ...]) -> bool:
    return any(
        any(isinstance(b, model.Signatures) for b in s.blocks) or _has_signatures(s.subsections)
        for s in sections
    )


def _signatures(document: WordDocument, docs: list[model.Document], words: list[_Words]) -> None:
    """One column per hospital: who signed this version, or lines to sign on paper (for a
    Document whose content does not place the signatures itself)."""
    first = docs[0]
    if _has_signatures(first.sections):
        return
    _heading(document, [(w.signatures, w.lang) for w in words], 1)
    if not first.parties:
        return
    table = _table(document, 1, len(first.parties), "Normal Table")
    signed = {s.side: s for s in first.meta.signatures}
    for index, cell in enumerate(table.rows[0].cells):
        for doc, said in zip(docs, words, strict=True):
            party = doc.parties[index]
            _cell_text(cell, party.side_label, said.lang, bold=True)
            _cell_text(cell, party.name, said.lang)
            sign = signed.get(party.side)
            if sign is not None:
                line = said.signed_by % {
                    "name": sign.name,
                    "position": sign.position,
                    "side": party.side_label,
                }
                _cell_text(cell, line, said.lang)
                when = utc_naive(sign.signed_at).strftime("%Y-%m-%d %H:%M UTC")
                _cell_text(cell, f"{when} · {sign.content_hash[:16]}…", said.lang)
        if signed.get(first.parties[index].side) is None:
            for field in ("name", "position", "signature", "date"):
                label = " / ".join(getattr(w, field) for w in words)
                _cell_text(cell, f"{label}: ____________________", words[0].lang)


# -- Both languages side by side -----------------------------------------------------------------


def _pair(cell: _Cell, blocks: tuple[model.Block, ...], words: _Words, level: int) -> None:
    for block in blocks:
        _block(cell, block, words, level)


def _pairs(left: tuple[model.Section, ...], right: tuple[model.Section, ...]) -> Iterator[Any]:
    """Sections paired by key, in the first document's order; one without a twin stands alone."""
    others = {s.key: s for s in right}
    for section in left:
        yield section, others.pop(section.key, None)
    for section in right:
        if section.key in others:
            yield None, section


def _side_by_side(
    document: WordDocument,
    left: model.Section | None,
    right: model.Section | None,
    words: list[_Words],
    level: int,
) -> None:
    parts = [(s.title, w.lang) for s, w in zip((left, right), words, strict=True) if s]
    _heading(document, parts, level)
    blocks = [s.blocks if s else () for s in (left, right)]
    # Block beside block when both say the same things, so each paragraph faces its
    # translation; else each language's blocks fill its column.
    same = len(blocks[0]) == len(blocks[1]) and all(
        type(a) is type(b) for a, b in zip(blocks[0], blocks[1], strict=True)
    )
    rows = list(zip(*blocks, strict=True)) if same else [tuple(blocks)]
    if any(rows):
        table = _table(document, len(rows), 2, "Normal Table")
        for row, pair in zip(table.rows, rows, strict=True):
            for cell, side, said in zip(row.cells, pair, words, strict=True):
                _pair(cell, side if isinstance(side, tuple) else (side,), said, level + 1)
    for sub_left, sub_right in _pairs(
        left.subsections if left else (), right.subsections if right else ()
    ):
        _side_by_side(document, sub_left, sub_right, words, level + 1)


# -- The file -------------------------------------------------------------------------------------


def _page(document: WordDocument, doc: model.Document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    footer = section.footer.paragraphs[0]
    meta = doc.meta
    _run(footer, f"{doc.title} · v{meta.number} · {meta.content_hash[:12]}", doc.lang)
    footer.runs[0].font.size = Pt(8)


def _properties(document: WordDocument, docs: list[model.Document]) -> None:
    meta = docs[0].meta
    made = utc_naive(meta.made_at)
    props = document.core_properties
    props.title = " / ".join(d.title for d in docs)
    props.language = ", ".join(LANG_TAGS.get(d.lang, d.lang) for d in docs)
    props.subject = meta.method_title
    props.author = "Twinning Workshop"
    props.last_modified_by = ""
    props.identifier = meta.content_hash
    props.version = str(meta.number)
    props.keywords = ""
    props.comments = ""
    props.category = ""
    props.revision = 1
    props.created = made
    props.modified = made
    props.last_printed = made


def vision_docx(docs: list[model.Document]) -> bytes:
    """A DOCX of one Document, or of a uk and an en Document side by side."""
    if not docs:
        raise ValueError("vision_docx needs a document")
    words = [_words(d.lang) for d in docs]
    first = docs[0]
    document = docx.Document()
    _page(document, first)
    _document_language(document, first.lang)
    _update_fields_on_open(document)
    for doc in docs:
        _text(document, doc.title, doc.lang, "Title")
    if len(docs) == 1:
        _cover_body(document, first, words[0])
    else:
        cover = _table(document, 1, 2, "Normal Table")
        cover.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, doc, said in zip(cover.rows[0].cells, docs, words, strict=False):
            _cover_body(cell, doc, said)
    _page_break(document)
    if len(docs) == 1:
        entries = list(_headings(first.sections))
    else:
        entries = list(_paired_headings(docs[0].sections, docs[1].sections))
    _contents(document, entries, words)
    _page_break(document)
    if len(docs) == 1:
        for section in first.sections:
            _section(document, section, words[0], 1)
    else:
        for left, right in _pairs(docs[0].sections, docs[1].sections):
            _side_by_side(document, left, right, words[:2], 1)
    _signatures(document, docs, words)
    _properties(document, docs)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_zip(buffer.getvalue(), first.meta.made_at)
