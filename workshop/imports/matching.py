"""Finding the institution a row names: in the database, or earlier in the same file.

Names are compared by ``names.name_key``, in English first (the name each institution has)
and then in Ukrainian, within one country; a name can also be looked up in every other
country, to notice a hospital written on the wrong side.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workshop.extensions import db
from workshop.imports.names import name_key
from workshop.models import Institution


@dataclass(frozen=True)
class Known:
    """An institution in the database (``id``) or one a row of the file brings (``row``)."""

    country: str
    id: int | None = None
    row: int | None = None


class Registry:
    """Every institution known so far, by the keys of its names."""

    def __init__(self) -> None:
        self._by_name: dict[tuple[str, str], Known] = {}  # (country, key) → institution
        self._countries: dict[str, set[str]] = {}  # key → countries with a name so written

    @classmethod
    def from_database(cls) -> Registry:
        registry = cls()
        rows = db.session.execute(
            sa.select(
                Institution.id, Institution.country, Institution.name_en, Institution.name_uk
            ).order_by(Institution.id)  # ``add`` keeps the first of a key: the oldest wins
        )
        for id_, country, name_en, name_uk in rows:
            registry.add(Known(country=country, id=id_), name_en, name_uk)
        return registry

    def add(self, known: Known, name_en: str | None, name_uk: str | None) -> None:
        for name in (name_en, name_uk):
            key = name_key(name)
            if key:
                self._by_name.setdefault((known.country, key), known)
                self._countries.setdefault(key, set()).add(known.country)

    def find(self, country: str, name_en: str | None, name_uk: str | None) -> Known | None:
        for name in (name_en, name_uk):
            found = self._by_name.get((country, name_key(name)))
            if found is not None:
                return found
        return None

    def countries_of(self, name_en: str | None, name_uk: str | None) -> set[str]:
        """The countries where an institution of either name is known."""
        found: set[str] = set()
        for name in (name_en, name_uk):
            found |= self._countries.get(name_key(name), set())
        return found
