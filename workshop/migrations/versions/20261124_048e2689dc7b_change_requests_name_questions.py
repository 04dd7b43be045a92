"""A request for changes may name the questions to change (issue 8).

``stage_event.questions`` holds the keys of the questions a facilitator named when asking for
changes, so the table sees the note by each of them. Earlier events name none: they stay about
the stage as a whole.

Revision ID: 048e2689dc7b
Revises: 8e55c5ebc21c
Create Date: 2026-11-24 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '048e2689dc7b'
down_revision = '8e55c5ebc21c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stage_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questions', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('stage_event', schema=None) as batch_op:
        batch_op.drop_column('questions')
