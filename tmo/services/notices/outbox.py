"""The mail worker's side of the outbox: emails are taken from the ``delivery`` table when they
are due, one at a time, sent, and marked sent; a failed try waits longer each time and is given
up after the last (at once if the mail server refuses the address for good), with its last
error kept for the secretary to see. A request never sends mail itself.

No message is sent twice: an email is marked as being sent (and committed) before it is handed
to the mail server, by an UPDATE that changes it only while it is still queued (and, on
PostgreSQL, a row lock other workers skip), so two workers never take the same one. One found
still marked so long after it was taken (its worker stopped in the middle) is not sent again but
shown as failed, since it may have left; as a worker takes one email at a time, a stop leaves at
most one such. No message is lost: a delivery stays in the table until it is sent or given up.
None is sent for a request that rolled back: its deliveries were never committed.

Why a table in tmo's own database rather than pyramid_mailer's maildir queue: the deliveries are
written in the same transaction as the request's other writes, on SQLite as on PostgreSQL, so
they exist exactly when the meeting or the poll they announce does; the status of each message
for each person (what the secretary is shown of who has been reached) has one place, the row
the worker updates; and letters and emails are one table. A maildir queue is written outside the
transaction, needs a filesystem shared by the web servers and the worker, and keeps no status
the app could read, so it would need a second record of it.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parseaddr
from typing import NamedTuple

from pyramid_mailer.message import Message
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tmo.clock import london_day
from tmo.models.notices import Delivery
from tmo.rules.notices import (
    EMAIL,
    DeliveryStatus,
    check_delivery_transition,
    deemed_delivered,
    next_try_after,
)
from tmo.services.constitution import constitution_on

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retries:
    """How the worker tries again: the first wait, the longest, and how many tries in all."""

    first: timedelta = timedelta(minutes=1)
    longest: timedelta = timedelta(hours=1)
    attempts: int = 8

    @classmethod
    def from_settings(cls, settings) -> "Retries":
        return cls(
            first=timedelta(seconds=int(settings.get("tmo.mail_retry_first_seconds", 60))),
            longest=timedelta(seconds=int(settings.get("tmo.mail_retry_longest_seconds", 3600))),
            attempts=int(settings.get("tmo.mail_attempts", 8)),
        )


# A mail server that will not take a message now (down, busy, timing out) may later.
NOT_SENT = (OSError, smtplib.SMTPException)


def refused_for_good(error: Exception) -> bool:
    """Whether the mail server refused this message for good (a 5xx reply: no such mailbox,
    say), so that trying again cannot help; a 4xx reply ("try later") or no reply may."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
        return error.smtp_code >= 500
    return False


def move(delivery: Delivery, target: DeliveryStatus) -> None:
    check_delivery_transition(delivery.status, target)
    delivery.status = target


def take(dbsession: Session, delivery_id: int, now: datetime) -> bool:
    """Mark one queued email as being sent from ``now``, only if it is still queued: False if
    another worker took it first (their UPDATE came before ours; ours then changes no row)."""
    check_delivery_transition(DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
    taken = dbsession.execute(
        update(Delivery)
        .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.QUEUED)
        .values(
            status=DeliveryStatus.SENDING,
            attempts=Delivery.attempts + 1,
            # While it is being sent, the moment it was taken.
            next_attempt_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


class Taken(NamedTuple):
    """An email a worker has taken: its delivery, and the message to hand to the mail server."""

    delivery_id: int
    message: Message


def claim(
    dbsession: Session, now: datetime, sender: str, due_by: datetime | None = None
) -> Taken | None:
    """Take the next email due by ``due_by`` (``now``) for this worker, and commit: the email,
    or None when none is due. One at a time, so that a worker that stops leaves at most one email
    marked as being sent. On PostgreSQL the row is locked and others skip it; on SQLite writes
    take turns, and ``take`` changes only a row still queued."""
    due = (
        select(Delivery.id)
        .where(
            Delivery.status == DeliveryStatus.QUEUED,
            Delivery.next_attempt_at <= (due_by or now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(1)
    )
    if dbsession.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    while True:
        delivery_id = dbsession.scalar(due)
        if delivery_id is None:
            dbsession.commit()
            return None
        if take(dbsession, delivery_id, now):
            delivery = dbsession.get(Delivery, delivery_id, populate_existing=True)
            taken = Taken(delivery_id, message_of(delivery, sender, now))
            dbsession.commit()
            return taken


def message_id(delivery: Delivery, sender: str) -> str:
    """The same Message-ID at every try of one delivery, so that a mail server or a reader can
    tell a copy from a second message."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<tmo.{delivery.id}.{delivery.queued_at:%Y%m%d%H%M%S}@{domain}>"


def message_of(delivery: Delivery, sender: str, now: datetime) -> Message:
    """The email of ``delivery``, dated ``now`` by the worker's clock."""
    subject, _, body = delivery.body.partition("\n")
    return Message(
        subject=subject,
        recipients=[delivery.email],
        body=body,
        sender=sender,
        extra_headers={"Message-ID": message_id(delivery, sender), "Date": format_datetime(now)},
    )


def send_one(dbsession: Session, taken: Taken, mailer, now: datetime, retries: Retries) -> bool:
    """Hand one taken email to the mail server, with no transaction open (on SQLite one would
    hold the write lock for as long as the server takes), then record what happened. True if it
    left."""
    try:
        mailer.send_immediately(taken.message)
    except NOT_SENT as error:
        delivery = dbsession.get(Delivery, taken.delivery_id, populate_existing=True)
        delivery.last_error = f"{type(error).__name__}: {error}"[:300]
        if refused_for_good(error) or delivery.attempts >= retries.attempts:
            move(delivery, DeliveryStatus.FAILED)
            delivery.failed_at = now
        else:
            move(delivery, DeliveryStatus.QUEUED)
            delivery.next_attempt_at = now + next_try_after(
                delivery.attempts, retries.first, retries.longest
            )
        dbsession.commit()
        log.warning("mail not sent: delivery=%s attempt=%s", delivery.id, delivery.attempts)
        return False
    delivery = dbsession.get(Delivery, taken.delivery_id, populate_existing=True)
    move(delivery, DeliveryStatus.SENT)
    delivery.sent_at = now
    rules = constitution_on(dbsession, london_day(now)).notices
    delivery.deemed_delivered_at = deemed_delivered(now, rules, EMAIL)
    # What it said may hold a one-time link or a voting code: it is not kept once sent.
    delivery.body = ""
    dbsession.commit()
    # The subject only: the body may hold a one-time link or a voting code.
    log.info("mail sent: delivery=%s subject=%r", delivery.id, taken.message.subject)
    return True


# Longer than any one email takes to hand over (the mail server's time-outs are far shorter).
STUCK_AFTER = timedelta(minutes=10)


def give_up_interrupted(dbsession: Session, now: datetime) -> int:
    """Emails a stopped worker was sending: they may have left, so they are not sent again but
    shown as failed, for someone to check with the person. (One taken moments ago belongs to
    another worker that is still sending it.)"""
    stuck = dbsession.scalars(
        select(Delivery).where(
            Delivery.status == DeliveryStatus.SENDING,
            Delivery.next_attempt_at < now - STUCK_AFTER,
        ),
        execution_options={"populate_existing": True},
    ).all()
    for delivery in stuck:
        move(delivery, DeliveryStatus.FAILED)
        delivery.failed_at = now
        delivery.last_error = "The mail worker stopped while sending this: it may have left."
    dbsession.commit()
    return len(stuck)


class Pass(NamedTuple):
    """What one call of ``send_due`` did: how many emails left, of how many it tried."""

    sent: int
    tried: int


def send_due(
    dbsession: Session,
    mailer,
    *,
    sender: str,
    now: datetime,
    retries: Retries = Retries(),
    limit: int | None = None,
    due_by: datetime | None = None,
) -> Pass:
    """Send the emails due by ``due_by`` (by ``now``), one at a time, stamped as sent at
    ``now``: all of them, or the first ``limit`` (a worker then looks at its clock again)."""
    sent = tried = 0
    while limit is None or tried < limit:
        taken = claim(dbsession, now, sender, due_by)
        if taken is None:
            break
        tried += 1
        sent += send_one(dbsession, taken, mailer, now, retries)
    return Pass(sent=sent, tried=tried)
