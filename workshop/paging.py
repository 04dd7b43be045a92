"""One page of a long list: the rows asked for, cut out in SQL, and where they sit among all.

Lists that grow with the programme (a seminar's partnerships, the partnerships a facilitator or
admin sees) show PER_PAGE rows at a time: at 1,000 partnerships a whole list is a page of a
megabyte that takes half a second to make and nobody reads to the end.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workshop.extensions import db

PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    """The rows on one page, how many rows there are in all, and the page's number."""

    rows: Sequence[Any]
    total: int
    page: int
    pages: int
    per_page: int = PER_PAGE

    @property
    def first(self) -> int:
        """The position of the first row shown (1-based; 0 when there is none)."""
        return (self.page - 1) * self.per_page + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1 if self.rows else 0


def page_of(query: sa.Select[Any], page: int, per_page: int | None = None) -> Page:
    """Page ``page`` of ``query``'s ORM rows (the last page when asked beyond it, the first when
    asked below it): two queries, one to count and one for the rows, plus the query's own
    eager loads. ``query`` must be ordered, or pages would overlap."""
    per_page = per_page or PER_PAGE  # read at the call: a test may make pages short
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    pages = max(1, math.ceil((total or 0) / per_page))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows, total or 0, page, pages, per_page)
