"""Autosaves counted per sign-in (issue 11, R8): at most so many in each window per session.

The session check of an autosave counts it in the session's own row (auth.services), so the
limit costs the save no statement of its own. Existing sessions start at window 0, count 0.

Revision ID: 9283cd3231a4
Revises: b5eef1fce338
Create Date: 2026-11-24 21:59:38.087697

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9283cd3231a4'
down_revision = 'b5eef1fce338'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('save_window', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('saves_in_window', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('saves_in_window')
        batch_op.drop_column('save_window')

