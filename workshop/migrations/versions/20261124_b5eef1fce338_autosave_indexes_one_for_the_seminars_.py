"""Autosave indexes (issue 11): one for the seminars of a partnership, none kept twice.

Every autosave counts its change in the seminars its partnership takes part in: that lookup by
partnership now has an index (the primary key leads with the seminar, so it read the whole
table). Two indexes duplicated the leading column of a unique index on the same table; every
save kept them up to date for nothing.

Revision ID: b5eef1fce338
Revises: 5a7d3c2e9f14
Create Date: 2026-11-24 12:58:03.535345

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5eef1fce338'
down_revision = '5a7d3c2e9f14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_partnership_id'))

    with op.batch_alter_table('answer_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_revision_answer_id'))

    with op.batch_alter_table('seminar_partnership', schema=None) as batch_op:
        batch_op.create_index('ix_seminar_partnership_partnership_id', ['partnership_id'], unique=False)



def downgrade():
    with op.batch_alter_table('seminar_partnership', schema=None) as batch_op:
        batch_op.drop_index('ix_seminar_partnership_partnership_id')

    with op.batch_alter_table('answer_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_revision_answer_id'), ['answer_id'], unique=False)

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_partnership_id'), ['partnership_id'], unique=False)

