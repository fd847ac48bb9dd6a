"""The mail the application has sent, as a person would see it arrive: the tests' mail worker
sends everything waiting in the outbox to the app's in-memory mailer before it is read."""

from datetime import UTC, datetime

from pyramid_mailer.interfaces import IMailer

from tmo.clock import CLOCK
from tmo.services.mail import sender_for
from tmo.services.notices import send_due

# Every email waiting, whatever the clock says: a test reads what its requests have queued.
ALL_DUE = datetime(9999, 1, 1, tzinfo=UTC)


def sent_mail(registry, dbsession) -> list:
    mailer = registry.getUtility(IMailer)
    send_due(
        dbsession,
        mailer,
        sender=sender_for(registry.settings),
        now=registry[CLOCK].now(),
        due_by=ALL_DUE,
    )
    return getattr(mailer, "outbox", [])
