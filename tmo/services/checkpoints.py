"""Checkpoints sent outside the database: during a poll, at least once a day, and at its close,
the returning officer and the scrutineer are emailed the election's ballot log head and the audit
log's head, each signed with the server's Ed25519 key (``tmo.rules.checkpoints``). Kept in their
mailboxes, those copies let ``tmo-election verify --checkpoint`` and ``tmo-audit verify
--checkpoint`` find ballots or entries removed from a chain's end, and a chain rewritten by
someone who holds both the database and the server's secret.

The mail worker calls ``send_due`` (a request built for it, ``tmo.scripts.environment``); the
count calls ``send_for_election`` at the close. Each checkpoint sent is noted in ``checkpoint``,
from which the next one's time and the result sheet's "head at the close" are read.
"""

from datetime import datetime, timedelta
from functools import cache

from nacl.signing import SigningKey, VerifyKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.models import server_secret
from tmo.models.checkpoints import Checkpoint
from tmo.models.elections import Election
from tmo.refusal import Refusal
from tmo.rules import checkpoints as rules
from tmo.rules.elections import Status
from tmo.services import audit, notices

# A poll's checkpoints are sent at least this often.
EVERY = timedelta(hours=24)
DAILY, CLOSE = rules.OCCASIONS


class ChangedSinceTheClose(Refusal):
    """The ballot log is not what it was when its close was signed and sent: the count stops."""


@cache
def _signing_key(secret: str) -> SigningKey:
    return rules.signing_key(secret)


def signing_key(dbsession: Session) -> SigningKey:
    """The server's Ed25519 key, derived from the secret of the deployment ``dbsession``'s
    database was opened by."""
    return _signing_key(server_secret(dbsession))


def verify_key(dbsession: Session) -> VerifyKey:
    """The server's public key, to check a checkpoint with."""
    return signing_key(dbsession).verify_key


def make(
    dbsession: Session,
    *,
    kind: str,
    subject: str,
    election_id: int | None,
    head: str,
    count: int,
    occasion: str,
    now: datetime,
) -> Checkpoint:
    """A checkpoint signed now and noted as sent; its ``text`` is what to send."""
    text = rules.make(
        signing_key(dbsession),
        kind=kind,
        subject=subject,
        head=head,
        count=count,
        moment=now,
        occasion=occasion,
    )
    checkpoint = Checkpoint(
        kind=kind,
        election_id=election_id,
        occasion=occasion,
        head=head,
        count=count,
        made_at=now,
        text=text,
    )
    dbsession.add(checkpoint)
    dbsession.flush()
    return checkpoint


def of_audit_log(dbsession: Session, election: Election | None, occasion: str, now: datetime):
    head, count = audit.head(dbsession)
    return make(
        dbsession,
        kind="audit",
        subject="audit log",
        election_id=election.id if election else None,
        head=head,
        count=count,
        occasion=occasion,
        now=now,
    )


def of_ballots(dbsession: Session, election: Election, occasion: str, now: datetime):
    return make(
        dbsession,
        kind="ballots",
        subject=rules.subject_for_election(election.id, election.title),
        election_id=election.id,
        head=election.chain_head,
        count=election.ballots_cast,
        occasion=occasion,
        now=now,
    )


def latest(dbsession: Session, election: Election, occasion: str | None = None):
    """The newest checkpoint of ``election``'s ballots (of that ``occasion``, if given)."""
    query = select(Checkpoint).where(
        Checkpoint.kind == "ballots", Checkpoint.election_id == election.id
    )
    if occasion:
        query = query.where(Checkpoint.occasion == occasion)
    newest_first = query.order_by(Checkpoint.made_at.desc(), Checkpoint.id.desc())
    return dbsession.scalars(newest_first).first()


def at_close(dbsession: Session, election: Election) -> Checkpoint | None:
    """The checkpoint sent at the close of the poll: the head the result sheet prints."""
    return latest(dbsession, election, CLOSE)


def send_for_election(request_or_session, election: Election, now: datetime | None = None):
    """Sign the election's ballot log head and the audit log's head and email both to the
    returning officer and the scrutineer, at the close. Called by the count: a close checkpoint
    already sent (by the mail worker at the closing moment) is not sent again, and the count is
    refused if the log no longer ends where it said. Without a request at hand (a script or a
    test counting), the checkpoints are made and noted, and nothing is emailed."""
    return _send(request_or_session, election, CLOSE, now)


def _send(request_or_session, election: Election, occasion: str, now: datetime | None):
    if hasattr(request_or_session, "dbsession"):
        request, dbsession = request_or_session, request_or_session.dbsession
    else:
        dbsession = request_or_session
        request = dbsession.info.get("request")
    now = now or audit.moment_of(dbsession)
    if occasion == CLOSE:
        sent = at_close(dbsession, election)
        if sent and (sent.head, sent.count) == (election.chain_head, election.ballots_cast):
            return sent
        if sent:
            raise ChangedSinceTheClose(
                f"The ballot log has changed since the close: {sent.count} ballots ending at "
                f"{sent.head} were signed and sent then, and {election.ballots_cast} ending at "
                f"{election.chain_head} are recorded now. Do not count: ask how."
            )
    ballots = of_ballots(dbsession, election, occasion, now)
    log = of_audit_log(dbsession, election, occasion, now)
    if request is not None:
        officials = [election.returning_officer, election.scrutineer]
        notices.send(
            request,
            kind="checkpoint",
            template="checkpoint",
            recipients=[notices.account_recipient(a) for a in officials if a is not None],
            about=election,
            election=election,
            at_close=occasion == CLOSE,
            ballots=ballots,
            audit_log=log,
        )
    return ballots


def due(dbsession: Session, now: datetime) -> list[tuple[Election, str]]:
    """The polls whose checkpoint is due at ``now``, with its occasion: each open poll whose
    last one is ``EVERY`` old (or that has none), each poll closed by the clock but not yet
    counted that has no close checkpoint."""
    found = []
    polls = dbsession.scalars(
        select(Election)
        .where(
            Election.status.in_([Status.POLL_OPEN, Status.POLL_CLOSED]),
            Election.roll_frozen_on.is_not(None),
            Election.poll_opens_at <= now,
        )
        .order_by(Election.id)
    )
    for election in polls:
        if now >= election.poll_closes_at:
            if at_close(dbsession, election) is None:
                found.append((election, CLOSE))
            continue
        last = latest(dbsession, election)
        if last is None or now - last.made_at >= EVERY:
            found.append((election, DAILY))
    return found


def send_due(request, now: datetime | None = None) -> int:
    """Send every checkpoint due at ``now`` (the request's moment); how many elections'."""
    now = now or request.now
    sent = 0
    for election, occasion in due(request.dbsession, now):
        _send(request, election, occasion, now)
        sent += 1
    return sent
