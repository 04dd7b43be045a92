"""Cycles: a partnership goes round the TPI cycle more than once.

Answers, stage runs, votes and comments now carry the number of the cycle they belong to, and an
answer is unique per partnership, cycle, question and side. Everything stored so far belongs to
cycle 1, which every partnership gets here. Stage runs also remember when they were first
approved, so reopening an approved stage keeps the next stage open for the people working on it;
runs approved (or reopened after approval) before this migration take the time of their first
approval from their events.

Revision ID: 9a1c3e5f7b20
Revises: 5d0f3e2a9c41
Create Date: 2026-11-23 20:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '9a1c3e5f7b20'
down_revision = '5d0f3e2a9c41'
branch_labels = None
depends_on = None

CYCLED = ('answer', 'stage_run', 'vote', 'comment')


def upgrade():
    op.create_table(
        'cycle',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('partnership_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_from', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], name=op.f('fk_cycle_partnership_id_partnership')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle')),
        sa.UniqueConstraint('partnership_id', 'number', name=op.f('uq_cycle_partnership_id_number')),
    )
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_partnership_id'), ['partnership_id'], unique=False)
    op.execute(
        "INSERT INTO cycle (partnership_id, number, started_at) "
        "SELECT id, 1, created_at FROM partnership"
    )

    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cycle', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('cycle_closed', sa.Boolean(), nullable=False, server_default=sa.false()))

    for table in CYCLED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('cycle', sa.Integer(), nullable=False, server_default='1'))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('cycle', server_default=None)

    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint('uq_answer_partnership_id_question_key_side', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_answer_partnership_id_cycle_question_key_side'),
            ['partnership_id', 'cycle', 'question_key', 'side'],
        )
    with op.batch_alter_table('stage_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint('uq_stage_run_partnership_id_stage_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_stage_run_partnership_id_cycle_stage_key'),
            ['partnership_id', 'cycle', 'stage_key'],
        )
    op.execute(
        "UPDATE stage_run SET first_approved_at = ("
        " SELECT MIN(stage_event.at) FROM stage_event"
        " WHERE stage_event.run_id = stage_run.id AND stage_event.action = 'approve')"
    )
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_constraint('uq_vote_partnership_id_stage_key_voter_id_candidate', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_vote_partnership_id_cycle_stage_key_voter_id_candidate'),
            ['partnership_id', 'cycle', 'stage_key', 'voter_id', 'candidate'],
        )


def downgrade():
    # Only cycle 1 fits the old shape: refuse rather than merge later cycles into it.
    bind = op.get_bind()
    for table in CYCLED:
        if bind.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE cycle <> 1")).scalar():
            raise RuntimeError(f"{table} holds rows of later cycles; cannot go back to one cycle")
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_constraint('uq_vote_partnership_id_cycle_stage_key_voter_id_candidate', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_vote_partnership_id_stage_key_voter_id_candidate'),
            ['partnership_id', 'stage_key', 'voter_id', 'candidate'],
        )
    with op.batch_alter_table('stage_run', schema=None) as batch_op:
        batch_op.drop_constraint('uq_stage_run_partnership_id_cycle_stage_key', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_stage_run_partnership_id_stage_key'), ['partnership_id', 'stage_key']
        )
        batch_op.drop_column('first_approved_at')
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_constraint('uq_answer_partnership_id_cycle_question_key_side', type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_answer_partnership_id_question_key_side'),
            ['partnership_id', 'question_key', 'side'],
        )
    for table in CYCLED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('cycle')
    with op.batch_alter_table('partnership', schema=None) as batch_op:
        batch_op.drop_column('cycle_closed')
        batch_op.drop_column('cycle')
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_partnership_id'))
    op.drop_table('cycle')
