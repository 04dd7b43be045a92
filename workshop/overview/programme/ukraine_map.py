"""The map of Ukraine by region: which shape of the map file is which region, and how a count
colours it.

The shapes are open data served by the app itself: static/maps/ukraine.svg is
``@svg-maps/ukraine`` 2.0 unchanged (CC BY 4.0; docs/map-licence.md says where it comes from and
what the page must credit). The page draws each shape by reference (``<use>``) in the colour of
its count, so the browser loads the file once and the page stays small.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask_babel import gettext as _
from flask_babel import ngettext

from workshop import geo

MAP_FILE = "maps/ukraine.svg"  # under static/
VIEW_BOX = "0 0 1000 670"  # the file's own


@dataclass(frozen=True)
class Shape:
    codes: tuple[str, ...]  # the ISO 3166-2 regions it draws (workshop.geo.UA_REGIONS)
    label: tuple[int, int]  # where its count is printed: a point well inside the shape


# The one table joining the map file's shapes (by id) to Ukraine's 27 regions (ISO 3166-2, as
# Institution.region stores them). The file spells some names the old way (odessa, zaporizhia):
# ids, never shown. It has 26 shapes: Sevastopol (UA-40) has none of its own and is drawn with
# the Autonomous Republic of Crimea (UA-43) on the peninsula, so that shape counts both and its
# tooltip names both; the table beside the map lists all 27 apart. Crimea and Sevastopol are
# Ukraine's regions like any other here: never marked "disputed".
# The label points were found once from the file's outlines (the point farthest from any edge,
# Kyiv City kept out of Kyiv Oblast's) and are in the file's coordinates.
SHAPES: dict[str, Shape] = {
    "cherkasy": Shape(("UA-71",), (538, 261)),
    "chernihiv": Shape(("UA-74",), (535, 93)),
    "chernivtsi": Shape(("UA-73",), (210, 359)),
    "crimea": Shape(("UA-43", "UA-40"), (674, 600)),
    "dnipropetrovsk": Shape(("UA-12",), (712, 328)),
    "donetsk": Shape(("UA-14",), (864, 380)),
    "ivano-frankivsk": Shape(("UA-26",), (140, 323)),
    "kharkiv": Shape(("UA-63",), (801, 251)),
    "kherson": Shape(("UA-65",), (648, 478)),
    "khmelnytskyi": Shape(("UA-68",), (269, 252)),
    "kirovohrad": Shape(("UA-35",), (568, 343)),
    "kyiv": Shape(("UA-32",), (450, 236)),
    "kyiv-city": Shape(("UA-30",), (467, 174)),
    "luhansk": Shape(("UA-09",), (929, 275)),
    "lviv": Shape(("UA-46",), (85, 244)),
    "mykolaiv": Shape(("UA-48",), (570, 431)),
    "odessa": Shape(("UA-51",), (451, 445)),
    "poltava": Shape(("UA-53",), (645, 241)),
    "rivne": Shape(("UA-56",), (255, 95)),
    "sumy": Shape(("UA-59",), (647, 130)),
    "ternopil": Shape(("UA-61",), (188, 263)),
    "vinnytsia": Shape(("UA-05",), (365, 311)),
    "volyn": Shape(("UA-07",), (144, 99)),
    "zakarpattia": Shape(("UA-21",), (45, 341)),
    "zaporizhia": Shape(("UA-23",), (753, 440)),
    "zhytomyr": Shape(("UA-18",), (345, 143)),
}

BANDS = 5  # colours for counts above zero
BADGE_HEIGHT = 26
DIGIT_WIDTH = 12  # at the badge's 20-unit bold type


@dataclass(frozen=True)
class Band:
    number: int  # 0 for none, else 1 … BANDS
    low: int
    high: int
    # Its colour, .shade-0 … .shade-5 (static/css/overview.css): with fewer bands than colours
    # the bands take colours spread over the whole scale, so that two bands look apart.
    shade: int = 0

    def label(self) -> str:
        if self.number == 0:
            return _("no partnership")
        if self.low == self.high:
            return ngettext("%(num)d partnership", "%(num)d partnerships", self.low)
        return ngettext(
            "%(low)d–%(num)d partnership", "%(low)d–%(num)d partnerships", self.high, low=self.low
        )


def bands(maximum: int) -> list[Band]:
    """Zero, then up to ``BANDS`` equal ranges of counts up to ``maximum`` (one per count while
    they are few)."""
    found = [Band(0, 0, 0)]
    if maximum <= 0:
        return found
    step = max(1, ceil(maximum / BANDS))
    ranges = [(low, min(low + step - 1, maximum)) for low in range(1, maximum + 1, step)]
    last = len(ranges) - 1
    for number, (low, high) in enumerate(ranges, start=1):
        shade = 1 + round((number - 1) * (BANDS - 1) / last) if last else BANDS // 2 + 1
        found.append(Band(number, low, high, shade))
    return found


@dataclass(frozen=True)
class DrawnShape:
    id: str  # the shape's id in the map file
    count: int
    shade: int
    title: str  # its regions and their counts: the tooltip
    x: int
    y: int

    @property
    def badge_width(self) -> int:
        return len(str(self.count)) * DIGIT_WIDTH + 14


@dataclass(frozen=True)
class UkraineMap:
    shapes: tuple[DrawnShape, ...]
    legend: tuple[Band, ...]
    title: str
    desc: str
    file: str = MAP_FILE
    view_box: str = VIEW_BOX
    badge_height: int = BADGE_HEIGHT


def draw(counts: dict[str, int], lang: str) -> UkraineMap:
    """The map for ``counts`` (ISO 3166-2 code → partnerships), said in ``lang``."""
    per_shape = {key: sum(counts.get(c, 0) for c in shape.codes) for key, shape in SHAPES.items()}
    legend = bands(max(per_shape.values(), default=0))

    def shade_of(count: int) -> int:
        return next(b.shade for b in legend if b.low <= count <= b.high)

    def title(shape: Shape) -> str:
        return "; ".join(
            ngettext(
                "%(region)s: %(num)d partnership",
                "%(region)s: %(num)d partnerships",
                counts.get(code, 0),
                region=geo.region_name(code, lang),
            )
            for code in shape.codes
        )

    drawn = tuple(
        DrawnShape(key, per_shape[key], shade_of(per_shape[key]), title(shape), *shape.label)
        for key, shape in SHAPES.items()
    )
    total = sum(counts.get(code, 0) for code in geo.UA_REGIONS)
    regions = sum(1 for code in geo.UA_REGIONS if counts.get(code))
    desc = ngettext(
        "%(num)d partnership whose Ukrainian hospital is in a known region, in %(regions)d "
        "regions.",
        "%(num)d partnerships whose Ukrainian hospital is in a known region, in %(regions)d "
        "regions.",
        total,
        regions=regions,
    )
    top = max(geo.UA_REGIONS, key=lambda code: counts.get(code, 0))
    if counts.get(top):
        desc += " " + _(
            "Most in %(region)s: %(num)d.", region=geo.region_name(top, lang), num=counts[top]
        )
    return UkraineMap(
        shapes=drawn,
        legend=tuple(legend),
        title=_("Partnerships by the region of the Ukrainian hospital"),
        desc=desc + " " + _("The table below lists every region with its count."),
    )
