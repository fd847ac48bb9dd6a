"""records: the register read and found by surname

``search_name_last`` becomes the name surname first ("okafor dorothy", for every name), so that
"Okafor Dorothy" finds Dorothy Okafor and the register is read by surname, then forenames; the
register's index follows it. The keys of existing entries are filled here with a frozen copy of
the rule: the models keep them from now on.

Revision ID: 5e1d0c7a9b42
Revises: 4a6e2d8c1f37
Create Date: 2026-12-05 17:00:00.000000
"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '5e1d0c7a9b42'
down_revision = '4a6e2d8c1f37'
branch_labels = None
depends_on = None

APOSTROPHES = "'\u2018\u2019`\u02bc"


def _words(text):
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(
        char for char in decomposed if not unicodedata.combining(char) and char not in APOSTROPHES
    )
    return re.findall(r"[^\W_]+", plain.casefold())


def _surname_first(name):
    words = _words(name)
    return " ".join(words[-1:] + words[:-1])[:200] or None


def _last_word_if_long(name):
    words = _words(name)
    return " ".join(words[-1:])[:200] or None if len(words) > 3 else None


def _refill(key):
    member = sa.table(
        "member",
        sa.column("id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("search_name_last", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(member.c.id, member.c.name)).all()
    updates = [{"member_id": id_, "key": key(name)} for id_, name in rows]
    if updates:
        connection.execute(
            member.update()
            .where(member.c.id == sa.bindparam("member_id"))
            .values(search_name_last=sa.bindparam("key")),
            updates,
        )


def upgrade():
    _refill(_surname_first)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_register')
        batch_op.create_index(
            'ix_member_register',
            ['ceased_on', 'search_name_last', 'member_number', 'search_postcode'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ix_member_register')
        batch_op.create_index(
            'ix_member_register',
            ['ceased_on', 'name', 'member_number', 'search_postcode'],
            unique=False,
        )
    _refill(_last_word_if_long)
