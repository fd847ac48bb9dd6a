"""The data version: one row whose token changes, in the same transaction, with every commit that
writes anything (tmo.page_cache). Two reads that find the same token read the same data, so a page
rendered under a token may be served again while the token stands."""

import secrets

from sqlalchemy import BigInteger, bindparam, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import TextClause

from tmo.models.meta import Base


class DataVersion(Base):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # A random number, not a count: a database restored from a backup, or a transaction rolled
    # back, returns to a token that stood for exactly the data it holds again.
    token: Mapped[int] = mapped_column(BigInteger)


# A session's info key: it holds writes its commit has not yet made known.
WROTE = "tmo_wrote"
# The request's environ key: something was written while answering it.
REQUEST_WROTE = "tmo.wrote"

TOKEN = select(DataVersion.token).where(DataVersion.id == 1)
# A new token, run on the session's connection (as a plain statement, not the ORM's), or made part
# of a statement of the caller's own (``token_written``).
NEW_TOKEN = (
    update(DataVersion.__table__)
    .where(DataVersion.__table__.c.id == 1)
    .values(token=bindparam("token"))
)


def new_token() -> int:
    return secrets.randbits(63)


# Every session of the process (the app's, a script's, a test's) makes its writes known.


def mark(session: Session) -> None:
    """``session`` has written: its commit changes the token."""
    session.info[WROTE] = True
    request = session.info.get("request")
    if request is not None:
        request.environ[REQUEST_WROTE] = True


def token_written(session: Session) -> None:
    """``session``'s transaction has written a new token itself, with ``NEW_TOKEN`` inside a
    statement of its own (the PostgreSQL cast: one round trip fewer under the election's lock):
    its commit writes none unless it writes again."""
    mark(session)
    session.info.pop(WROTE, None)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    mark(session)


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state):
    if state.is_select:
        return
    statement = state.statement
    if isinstance(statement, TextClause) and statement.text.lstrip()[:6].upper() == "SELECT":
        return
    mark(state.session)


@event.listens_for(Session, "before_commit")
def _new_token(session):
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(WROTE, False):
        session.connection().execute(NEW_TOKEN, {"token": new_token()})


@event.listens_for(Session, "after_rollback")
def _forget_writes(session):
    session.info.pop(WROTE, None)
