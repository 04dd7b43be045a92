"""Table rows get stable ids, and objectives and activities point at their row by id.

Later stages now refer to an earlier row by its id (an objective names the priority it serves),
and the trace follows these ids. Rows stored before get an id here, in current answers and in
every revision, so restoring an old version keeps working. Where an objective or activity named
its priority or objective by text, the text is matched to the row it names; text that matches
no row is left as it was, and the page asks the person to choose.

Revision ID: 5d0f3e2a9c41
Revises: 7864e31b08b5
Create Date: 2026-11-23 12:50:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '5d0f3e2a9c41'
down_revision = '7864e31b08b5'
branch_labels = None
depends_on = None

ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
# (table, column naming the row, table named, its column the text was copied from)
NAMED_BY_TEXT = [("objectives", "priority", "priorities", "priority"),
                 ("activities", "objective", "objectives", "objective")]


def _with_ids(value):
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        return value, False
    changed = False
    rows = []
    for row in value:
        if "row" not in row:
            row = {"row": "".join(secrets.choice(ALPHABET) for _ in range(10)), **row}
            changed = True
        rows.append(row)
    return rows, changed


def _tables():
    meta = sa.MetaData()
    answer = sa.Table("answer", meta, sa.Column("id", sa.Integer), sa.Column("partnership_id", sa.Integer),
                      sa.Column("question_key", sa.String), sa.Column("value", sa.JSON))
    revision_ = sa.Table("answer_revision", meta, sa.Column("id", sa.Integer), sa.Column("value", sa.JSON))
    return answer, revision_


def upgrade():
    bind = op.get_bind()
    answer, revision_ = _tables()
    for table in (answer, revision_):
        for row_id, value in bind.execute(sa.select(table.c.id, table.c.value)).all():
            rows, changed = _with_ids(value)
            if changed:
                bind.execute(sa.update(table).where(table.c.id == row_id).values(value=rows))
    current = {}
    for answer_id, partnership_id, key, value in bind.execute(
        sa.select(answer.c.id, answer.c.partnership_id, answer.c.question_key, answer.c.value)
    ).all():
        current[(partnership_id, key)] = (answer_id, value)
    for (partnership_id, key), (answer_id, value) in current.items():
        for table, column, named, text_column in NAMED_BY_TEXT:
            if key != table or not isinstance(value, list):
                continue
            targets = current.get((partnership_id, named), (None, []))[1] or []
            by_text = {" ".join(str(t.get(text_column, "")).split()).casefold(): t["row"]
                       for t in targets if isinstance(t, dict) and "row" in t}
            rows = [
                {**row, column: by_text.get(" ".join(str(row.get(column, "")).split()).casefold(),
                                            row.get(column))}
                if isinstance(row, dict) and column in row else row
                for row in value
            ]
            if rows != value:
                bind.execute(sa.update(answer).where(answer.c.id == answer_id).values(value=rows))


def downgrade():
    # Ids are harmless to older code's readers; nothing to undo.
    pass
