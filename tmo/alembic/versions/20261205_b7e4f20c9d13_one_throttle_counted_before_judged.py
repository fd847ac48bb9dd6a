"""one throttle, counted before an attempt is judged

``throttle_attempt`` replaces ``throttle_event`` (one row per failed log-in or reset request,
read then written, so that attempts made at the same moment were all judged past the limit)
and ``code_attempt`` (the voting codes' own counter): one row per scope and hashed key, its
window's start and its count, incremented in place before the attempt is judged. Counts in
progress are not carried over: at worst a guesser gets one fresh window at the upgrade.

Revision ID: b7e4f20c9d13
Revises: 7d3c2a9e5b14
Create Date: 2026-12-05 15:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = 'b7e4f20c9d13'
down_revision = '7d3c2a9e5b14'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('throttle_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_started_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_attempt')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_throttle_attempt_scope'))
    )
    op.drop_table('code_attempt')
    with op.batch_alter_table('throttle_event', schema=None) as batch_op:
        batch_op.drop_index('ix_throttle_event_scope_key_at')
    op.drop_table('throttle_event')


def downgrade():
    op.create_table('throttle_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_throttle_event'))
    )
    with op.batch_alter_table('throttle_event', schema=None) as batch_op:
        batch_op.create_index('ix_throttle_event_scope_key_at', ['scope', 'key', 'occurred_at'], unique=False)
    op.create_table('code_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('window_started_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_code_attempt')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_code_attempt_scope'))
    )
    op.drop_table('throttle_attempt')
