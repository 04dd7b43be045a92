"""Throttle: progressive waits instead of fixed windows (security, issue 8).

Each throttle key now keeps the instant before which no attempt is taken (``wait_until``), so a
failure can make the wait grow instead of locking a key for a fixed window. The table holds
only short-lived counters, so it is emptied rather than converted: at worst somebody's few
recent wrong guesses are forgotten once.

Revision ID: 8e55c5ebc21c
Revises: b4e2d6f8a013
Create Date: 2026-11-24 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '8e55c5ebc21c'
down_revision = 'b4e2d6f8a013'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(sa.text('DELETE FROM throttle'))
    # SQLite cannot add a NOT NULL column in place, even to an empty table: rebuild it.
    with op.batch_alter_table('throttle', schema=None, recreate='always') as batch_op:
        batch_op.add_column(sa.Column('wait_until', sa.DateTime(timezone=True), nullable=False))
        batch_op.create_index(batch_op.f('ix_throttle_wait_until'), ['wait_until'], unique=False)


def downgrade():
    with op.batch_alter_table('throttle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_throttle_wait_until'))
        batch_op.drop_column('wait_until')
