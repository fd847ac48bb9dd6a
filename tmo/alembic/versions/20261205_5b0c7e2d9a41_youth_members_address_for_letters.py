"""youth members: an address for letters

A forum member chooses at joining how forum messages reach them: by email to their account, or
by letter to their home (the address is asked only then). Members who joined before this
revision joined online, with an account, to take part online, and were sent the forum's
messages by email: they keep that until they choose otherwise.

Revision ID: 5b0c7e2d9a41
Revises: e1ae05586a77
Create Date: 2026-12-05 14:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = '5b0c7e2d9a41'
down_revision = 'e1ae05586a77'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('youth_member', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('address', sa.String(length=420), nullable=False, server_default='')
        )
    op.execute(
        "UPDATE youth_member SET contact_by = 'email', email_agreed_at = applied_at "
        "WHERE email_agreed_at IS NULL"
    )


def downgrade():
    with op.batch_alter_table('youth_member', schema=None) as batch_op:
        batch_op.drop_column('address')
