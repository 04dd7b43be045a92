"""What both documents start and end with: the two parties, the heads' signatures and the
recommendations for them."""

from __future__ import annotations

from flask_babel import gettext as _

from workshop import geo
from workshop.documents import model
from workshop.documents.content import formats
from workshop.documents.content.blocks import side_label
from workshop.documents.content.source import SIDES, Source


def parties(src: Source) -> tuple[model.Party, ...]:
    out = []
    for side in SIDES:
        record = src.institutions.get(side) or {}
        city = formats.localized(record, "city", src.lang)
        region_code = record.get("region")
        region = geo.region_name(region_code, src.lang)
        # "Kyiv, Kyiv City" or "Стокгольм, Stockholm" would name the place twice: a region that
        # is the city, in either language (abroad the region is free text, often in English).
        names = {(record.get(f"city_{lang}") or "").casefold() for lang in ("uk", "en")}
        if city and (region_code in geo.CITY_REGIONS or region.casefold() in names):
            region = ""
        country = record.get("country") or ""
        out.append(
            model.Party(
                side=side,
                side_label=side_label(side),
                name=formats.localized(record, "name", src.lang),
                city=city,
                country=geo.country_name(country, src.lang) if country else "",
                region=region,
            )
        )
    return tuple(out)


def head_label(side: str) -> str:
    return (
        _("Head of the Ukrainian hospital") if side == "ua" else _("Head of the partner hospital")
    )


def signatures(src: Source, meta: model.Meta) -> model.Section:
    """A place for each head: their sign-off where given, blank lines to sign by hand where
    not (a printed copy is signed the old way)."""
    given = {s.side: s for s in meta.signatures}
    lines = []
    for side in SIDES:
        signed = given.get(side)
        lines.append(
            model.SignatureLine(
                side=side,
                role=head_label(side),
                institution=src.institution_name(side),
                name=signed.name if signed else "",
                position=signed.position if signed else "",
                signed_at=formats.moment(signed.signed_at, src.lang) if signed else "",
                content_hash=signed.content_hash if signed else "",
            )
        )
    intro = (
        _("Signed in the app by the heads of both hospitals, each re-entering their password.")
        if len(given) == len(SIDES)
        else _("Sign by hand where the app shows no signature.")
    )
    return model.Section(
        key="signatures",
        title=_("Signatures"),
        blocks=(model.Paragraph(intro), model.Signatures(tuple(lines))),
    )


def recommendations(items: tuple[model.Recommendation, ...]) -> model.Section:
    blocks: tuple[model.Block, ...] = (
        (model.Recommendations(items),)
        if items
        else (model.Note(_("No recommendation applies to this partnership at present.")),)
    )
    return model.Section(
        key="recommendations",
        title=_("Recommendations for the heads of the hospitals"),
        blocks=blocks,
    )
