"""The mail worker's side of the outbox: emails are taken from the ``delivery`` table when they
are due, sent one by one, and marked sent; a failed try waits longer each time and is given up
after the last, for the secretary to see. A request never sends mail itself.

No message is sent twice: an email is marked as being sent (and committed) before it is handed
to the mail server, and one found still marked so when a worker starts again (it stopped in the
middle) is not sent again but shown as failed, since it may have left. No message is lost: a
delivery stays in the table until it is sent or given up. None is sent for a request that rolled
back: its deliveries were never committed.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from pyramid_mailer.message import Message
from sqlalchemy import select
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


# A mail server that will not take a message now (down, refusing, timing out) may later; one
# that refuses the recipient will not.
NOT_SENT = (OSError, smtplib.SMTPException)


def move(delivery: Delivery, target: DeliveryStatus) -> None:
    check_delivery_transition(delivery.status, target)
    delivery.status = target


def claim(
    dbsession: Session, now: datetime, limit: int, due_by: datetime | None = None
) -> list[int]:
    """Mark up to ``limit`` emails due by ``due_by`` (``now``) as being sent at ``now``, and
    commit: each is then this worker's."""
    query = (
        select(Delivery)
        .where(
            Delivery.status == DeliveryStatus.QUEUED,
            Delivery.next_attempt_at <= (due_by or now),
        )
        .order_by(Delivery.next_attempt_at, Delivery.id)
        .limit(limit)
    )
    if dbsession.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    taken = dbsession.scalars(query).all()
    for delivery in taken:
        move(delivery, DeliveryStatus.SENDING)
        delivery.attempts += 1
        # While it is being sent, the moment it was taken.
        delivery.next_attempt_at = now
    dbsession.commit()
    return [delivery.id for delivery in taken]


def message_of(delivery: Delivery, sender: str) -> Message:
    subject, _, body = delivery.body.partition("\n")
    return Message(subject=subject, recipients=[delivery.email], body=body, sender=sender)


def send_one(dbsession: Session, delivery: Delivery, mailer, sender: str, now, retries) -> bool:
    """Hand one claimed email to the mail server; record what happened. True if it left."""
    message = message_of(delivery, sender)
    try:
        mailer.send_immediately(message)
    except NOT_SENT as error:
        permanent = isinstance(error, smtplib.SMTPRecipientsRefused)
        delivery.last_error = f"{type(error).__name__}: {error}"[:300]
        if permanent or delivery.attempts >= retries.attempts:
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
    move(delivery, DeliveryStatus.SENT)
    delivery.sent_at = now
    rules = constitution_on(dbsession, london_day(now)).notices
    delivery.deemed_delivered_at = deemed_delivered(now, rules, EMAIL)
    # What it said may hold a one-time link or a voting code: it is not kept once sent.
    delivery.body = ""
    dbsession.commit()
    # The subject only: the body may hold a one-time link or a voting code.
    log.info("mail sent: delivery=%s subject=%r", delivery.id, message.subject)
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
        )
    ).all()
    for delivery in stuck:
        move(delivery, DeliveryStatus.FAILED)
        delivery.failed_at = now
        delivery.last_error = "The mail worker stopped while sending this: it may have left."
    dbsession.commit()
    return len(stuck)


def send_due(
    dbsession: Session,
    mailer,
    *,
    sender: str,
    now: datetime,
    retries: Retries = Retries(),
    limit: int = 100,
    due_by: datetime | None = None,
) -> int:
    """Send every email due by ``due_by`` (by ``now``), in batches of ``limit``, stamped as sent
    at ``now``; the number that left."""
    sent = 0
    while True:
        claimed = claim(dbsession, now, limit, due_by)
        if not claimed:
            return sent
        for delivery_id in claimed:
            delivery = dbsession.get(Delivery, delivery_id)
            sent += send_one(dbsession, delivery, mailer, sender, now, retries)
