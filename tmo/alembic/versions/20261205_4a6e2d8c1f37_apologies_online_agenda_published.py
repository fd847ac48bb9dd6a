"""meetings: apologies sent online, the agenda published

A member of a body sends their apologies for a meeting online before it begins, with a reason
the secretary reads (``attendance.apologies_sent_at``, ``attendance.apologies_reason``); the
secretary publishes a meeting's agenda, after which its items are no longer changed or
withdrawn (``meeting.agenda_published_at``). Meetings already held keep no publication date:
their agendas are fixed because they have begun.

Revision ID: 4a6e2d8c1f37
Revises: b7e4f20c9d13
Create Date: 2026-12-05 17:00:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '4a6e2d8c1f37'
down_revision = 'b7e4f20c9d13'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('apologies_sent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column('apologies_reason', sa.String(length=500), nullable=False, server_default='')
        )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agenda_published_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_column('agenda_published_at')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_column('apologies_reason')
        batch_op.drop_column('apologies_sent_at')
