"""Cities and venues in both languages; a foreign institution's Ukrainian name is optional.

The one-language ``institution.city`` and ``seminar.venue`` become ``*_uk`` and ``*_en``. What was
stored goes to the language it is written in (Cyrillic to Ukrainian, anything else to English),
so no page shows an English city on a Ukrainian page when nobody typed a Ukrainian one.

Revision ID: b4e2d6f8a013
Revises: 9a1c3e5f7b20
Create Date: 2026-11-23 22:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b4e2d6f8a013'
down_revision = '9a1c3e5f7b20'
branch_labels = None
depends_on = None

# (table, old column, length)
SPLIT = (('institution', 'city', 120), ('seminar', 'venue', 300))


def _cyrillic(text):
    return any('\u0400' <= ch <= '\u04ff' for ch in text)


def upgrade():
    bind = op.get_bind()
    for table, column, length in SPLIT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f'{column}_uk', sa.String(length), nullable=True))
            batch_op.add_column(sa.Column(f'{column}_en', sa.String(length), nullable=True))
        rows = bind.execute(sa.text(f'SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL'))
        for row_id, value in rows.fetchall():
            lang = 'uk' if _cyrillic(value) else 'en'
            bind.execute(
                sa.text(f'UPDATE {table} SET {column}_{lang} = :value WHERE id = :id'),
                {'value': value, 'id': row_id},
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.alter_column('name_uk', existing_type=sa.String(300), nullable=True)


def downgrade():
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE institution SET name_uk = name_en WHERE name_uk IS NULL"))
    with op.batch_alter_table('institution', schema=None) as batch_op:
        batch_op.alter_column('name_uk', existing_type=sa.String(300), nullable=False)
    for table, column, length in SPLIT:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.String(length), nullable=True))
        bind.execute(sa.text(f'UPDATE {table} SET {column} = COALESCE({column}_en, {column}_uk)'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(f'{column}_uk')
            batch_op.drop_column(f'{column}_en')
