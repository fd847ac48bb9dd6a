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
# The execution option of the token's own statements, which are not writes to be made known.
OWN = "tmo_data_version"
OWN_STATEMENT = {OWN: True}

TOKEN = select(DataVersion.token).where(DataVersion.id == 1)
BUMP = (
    update(DataVersion)
    .where(DataVersion.id == 1)
    .values(token=bindparam("token"))
    .execution_options(synchronize_session=False)
)


# Every session of the process (the app's, a script's, a test's) makes its writes known.


def mark(session: Session) -> None:
    """``session`` has written: its commit changes the token."""
    session.info[WROTE] = True
    request = session.info.get("request")
    if request is not None:
        request.environ[REQUEST_WROTE] = True


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
    if state.execution_options.get(OWN):
        return
    mark(state.session)


@event.listens_for(Session, "before_commit")
def _new_token(session):
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(WROTE, False):
        session.execute(
            BUMP,
            {"token": secrets.randbits(63)},
            execution_options=OWN_STATEMENT,
        )


@event.listens_for(Session, "after_rollback")
def _forget_writes(session):
    session.info.pop(WROTE, None)
