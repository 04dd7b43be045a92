"""The rows of a JSON array column as a table in SQL, on SQLite and PostgreSQL alike.

Table answers are stored as JSON arrays of row objects (``[{"row": "ipc", "status": 2, …}]``).
The programme overview counts inside them across every partnership, so the database unpacks
them (SQLite's ``json_each``/``json_tree``, PostgreSQL's ``json_array_elements``) and only the
few numbers it adds up come back: never every answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.selectable import FromClause


@dataclass(frozen=True)
class Elements:
    """One array's elements as a table (``alias``: put it in FROM after the array's row)."""

    alias: FromClause
    dialect: str

    def field(self, key: str) -> sa.ColumnElement[str]:
        """A member of each element object, as text (NULL where absent or not an object)."""
        value = self.alias.c.value
        if self.dialect == "postgresql":
            return sa.type_coerce(value.op("->>")(sa.literal(key, sa.String)), sa.String)
        # json_extract gives back SQL values: "ipc" as text, 3 as a number; cast so both
        # databases compare the same way.
        return sa.cast(sa.func.json_extract(value, f"$.{key}"), sa.String)

    def is_object(self) -> sa.ColumnElement[bool]:
        """Whether the element is an object (a table's row): the only kind ``field`` may read
        (SQLite refuses to read a member of a bare string, PostgreSQL just finds none)."""
        if self.dialect == "postgresql":
            return sa.func.json_typeof(self.alias.c.value) == "object"
        return self.alias.c.type == "object"


def elements(column: sa.ColumnElement[object], dialect: str) -> Elements:
    """The elements of the JSON array in ``column``; a value that is no array has none."""
    if dialect == "postgresql":
        alias = sa.func.json_array_elements(_array(column)).table_valued("value").render_derived()
    else:
        # json_each takes any JSON: what is no array yields members or a scalar, which
        # ``is_object`` and a missing "row" leave out.
        alias = sa.func.json_each(column).table_valued("value", "type")
    return Elements(alias, dialect)


def _array(column: sa.ColumnElement[object]) -> sa.ColumnElement[object]:
    # json_array_elements fails on a scalar or an object: anything else counts as empty.
    return sa.case(
        (sa.func.json_typeof(column) == "array", column),
        else_=sa.literal_column("'[]'::json"),
    )


@dataclass(frozen=True)
class Members:
    """The members named ``keys`` of the array's row objects that hold text, one SQL row each:
    ``key`` (which member), ``row`` (its element's ``row`` member: which row of the table)."""

    froms: tuple[FromClause, ...]  # to join, in order, after the array's row (ON true)
    key: sa.ColumnElement[str]
    row: sa.ColumnElement[str]
    where: sa.ColumnElement[bool]


def filled_members(column: sa.ColumnElement[object], keys: list[str], dialect: str) -> Members:
    """Members of the rows in ``column`` named in ``keys`` that hold more than blanks.

    SQLite walks the document once (``json_tree``) and takes the members by name, so most of
    the rows, which hold neither, cost no more than the walk; each match's row id comes from
    the same document, which SQLite keeps parsed. PostgreSQL lists each element's members.
    """
    if dialect == "postgresql":
        element = sa.func.json_array_elements(_array(column)).table_valued("value").render_derived()
        as_object = sa.case(
            (sa.func.json_typeof(element.c.value) == "object", element.c.value),
            else_=sa.literal_column("'{}'::json"),
        )
        member = sa.func.json_each_text(as_object).table_valued("key", "value").render_derived()
        return Members(
            froms=(element, member),
            key=member.c.key,
            row=sa.type_coerce(element.c.value.op("->>")(sa.literal("row", sa.String)), sa.String),
            where=sa.and_(
                member.c.key.in_(keys), sa.func.trim(sa.func.coalesce(member.c.value, "")) != ""
            ),
        )
    node = sa.func.json_tree(column).table_valued("key", "atom", "path")
    return Members(
        froms=(node,),
        key=node.c.key,
        # The member's path is its row's ("$[3]"): the row's id is beside it.
        row=sa.cast(sa.func.json_extract(column, node.c.path.concat(".row")), sa.String),
        where=sa.and_(
            node.c.key.in_(keys),
            # Members of the array's rows only, not of what a row may hold deeper down.
            sa.func.substr(node.c.path, 1, 2) == "$[",
            sa.func.instr(node.c.path, ".") == 0,
            sa.func.trim(sa.func.coalesce(node.c.atom, "")) != "",
        ),
    )
