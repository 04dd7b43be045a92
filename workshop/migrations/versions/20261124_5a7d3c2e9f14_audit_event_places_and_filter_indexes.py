"""Audit log (issue 11): where each event happened, and indexes for the admin view's filters.

``seminar_id`` and ``partnership_id`` say where an event happened when its object tells (no
foreign key: the trail outlives what it names). Events already stored about a seminar or a
partnership get theirs from their object; older events about other objects keep none.

Revision ID: 5a7d3c2e9f14
Revises: 9db3acf3ba26
Create Date: 2026-11-24 08:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5a7d3c2e9f14'
down_revision = '9db3acf3ba26'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seminar_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('partnership_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_event_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index('ix_audit_event_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_audit_event_partnership_id'), ['partnership_id'], unique=False
        )
        batch_op.create_index(batch_op.f('ix_audit_event_seminar_id'), ['seminar_id'], unique=False)
    op.execute(sa.text(
        "UPDATE audit_event SET seminar_id = object_id WHERE object_type = 'seminar'"
    ))
    op.execute(sa.text(
        "UPDATE audit_event SET partnership_id = object_id WHERE object_type = 'partnership'"
    ))


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_seminar_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_partnership_id'))
        batch_op.drop_index('ix_audit_event_object')
        batch_op.drop_index(batch_op.f('ix_audit_event_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_event_action'))
        batch_op.drop_column('partnership_id')
        batch_op.drop_column('seminar_id')
