"""a version for the data: one row whose token every writing commit changes

The page cache (tmo.page_cache) serves a page again only while the token it was rendered under
stands.

Revision ID: 9c2f6a1d8e45
Revises: 5e1d0c7a9b42
Create Date: 2026-12-05 19:30:00.000000
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '9c2f6a1d8e45'
down_revision = '5e1d0c7a9b42'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('token', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': secrets.randbits(63)}])


def downgrade():
    op.drop_table('data_version')
