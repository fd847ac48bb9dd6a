"""sealed ballots, counted ballots and trackers

Ballots are sealed to each election's public key when cast (``sealed_ballot``: ciphertext,
tracker, keyed chain hashes); at the count the box is opened into ``counted_ballot`` (the
choices alone) and the trackers are kept apart (``ballot_tracker``). The election keeps the
public key (``sealing_key``) and one made but not yet confirmed (``pending_sealing_key``).

The old ``ballot`` table held choices beside receipts. The ballots of counted and declared
elections are carried over: their choices into ``counted_ballot`` (fresh random ids) and their
receipts into ``ballot_tracker``. A poll still open or closed but not counted cannot be sealed
after the fact: the upgrade refuses while one holds ballots (count or cancel it first); the
ballots of cancelled elections are not carried over. Downgrading brings back an empty
``ballot`` table and drops the sealed and counted ballots and the trackers.

Revision ID: 7d3c2a9e5b14
Revises: 7d2a9c4e1b60
Create Date: 2026-12-05 14:40:00.000000
"""

import secrets

from alembic import op
import sqlalchemy as sa


revision = '7d3c2a9e5b14'
down_revision = '7d2a9c4e1b60'
branch_labels = None
depends_on = None


def upgrade():
    connection = op.get_bind()
    open_polls = connection.execute(sa.text(
        "SELECT count(*) FROM ballot JOIN election ON election.id = ballot.election_id "
        "WHERE election.status IN ('poll_open', 'poll_closed')"
    )).scalar()
    if open_polls:
        raise RuntimeError(
            "An election whose poll is open or not yet counted holds ballots stored unsealed: "
            "count or cancel it before upgrading (its ballots cannot be sealed after the fact)."
        )
    op.create_table('sealed_ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('ciphertext', sa.Text(), nullable=False),
    sa.Column('tracker', sa.String(length=20), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_sealed_ballot_election_id_election')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_ballot')),
    sa.UniqueConstraint('election_id', 'previous_hash', name=op.f('uq_sealed_ballot_election_id'))
    )
    with op.batch_alter_table('sealed_ballot', schema=None) as batch_op:
        batch_op.create_index('ix_sealed_ballot_election_tracker', ['election_id', 'tracker'], unique=True)

    op.create_table('counted_ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('preferences', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_counted_ballot_election_id_election')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counted_ballot'))
    )
    with op.batch_alter_table('counted_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counted_ballot_election_id'), ['election_id'], unique=False)

    op.create_table('ballot_tracker',
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('tracker', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_ballot_tracker_election_id_election')),
    sa.PrimaryKeyConstraint('election_id', 'tracker', name=op.f('pk_ballot_tracker'))
    )
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealing_key', sa.String(length=64), server_default='', nullable=False))
        batch_op.add_column(sa.Column('pending_sealing_key', sa.String(length=64), server_default='', nullable=False))

    counted = connection.execute(sa.text(
        "SELECT ballot.election_id, ballot.receipt, ballot.preferences FROM ballot "
        "JOIN election ON election.id = ballot.election_id "
        "WHERE election.status IN ('counted', 'declared')"
    )).all()
    rows = [tuple(row) for row in counted]
    secrets.SystemRandom().shuffle(rows)
    if rows:
        op.bulk_insert(
            sa.table('counted_ballot', sa.column('id'), sa.column('election_id'), sa.column('preferences')),
            [{'id': secrets.token_hex(16), 'election_id': e, 'preferences': p} for e, _, p in rows],
        )
        op.bulk_insert(
            sa.table('ballot_tracker', sa.column('election_id'), sa.column('tracker')),
            [{'election_id': e, 'tracker': r} for e, r, _ in sorted(rows)],
        )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_ballot_election_receipt')
    op.drop_table('ballot')


def downgrade():
    op.create_table('ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('receipt', sa.String(length=20), nullable=False),
    sa.Column('cast_on', sa.Date(), nullable=False),
    sa.Column('preferences', sa.String(length=500), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['election.id'], name=op.f('fk_ballot_election_id_election')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('election_id', 'previous_hash', name=op.f('uq_ballot_election_id'))
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index('ix_ballot_election_receipt', ['election_id', 'receipt'], unique=True)
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.drop_column('pending_sealing_key')
        batch_op.drop_column('sealing_key')
    op.drop_table('ballot_tracker')
    with op.batch_alter_table('counted_ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counted_ballot_election_id'))
    op.drop_table('counted_ballot')
    with op.batch_alter_table('sealed_ballot', schema=None) as batch_op:
        batch_op.drop_index('ix_sealed_ballot_election_tracker')
    op.drop_table('sealed_ballot')
