"""one open youth chair vote

At most one vote for the Youth Forum's chair is open at a time, held by the database (a partial
unique index) rather than by a check that two requests at once could both pass. A database
holding two open votes already keeps the newer open and marks the older counted with no winner
before the index is made.

Revision ID: 7d2a9c4e1b60
Revises: c3f0b1f35200
Create Date: 2026-12-05 14:45:00
"""

from alembic import op
import sqlalchemy as sa


revision = '7d2a9c4e1b60'
down_revision = 'c3f0b1f35200'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE youth_chair_election SET status = 'counted' "
        "WHERE status = 'open' AND id <> (SELECT MAX(id) FROM youth_chair_election "
        "WHERE status = 'open')"
    )
    with op.batch_alter_table('youth_chair_election', schema=None) as batch_op:
        batch_op.create_index(
            'uq_youth_chair_election_open',
            ['status'],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )


def downgrade():
    with op.batch_alter_table('youth_chair_election', schema=None) as batch_op:
        batch_op.drop_index(
            'uq_youth_chair_election_open',
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
