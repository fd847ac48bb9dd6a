"""Throttling: counts attempts (log-ins, reset requests, registrations, voting codes) per hashed
key in a fixed window, and says how long to wait once a limit is passed.

An attempt is counted before it is judged, by one statement that increments the key's row (or
starts a new window) and returns the count: attempts made at the same moment queue on that row
and each sees the count the one before it left, so no more than the limit are ever judged. A
success can be forgiven after (the log-in and voting-code limits count failures).

Keys are hashed with the site secret so the table holds no email address, IP address or code.
A window starts at its first attempt and ends after the setting's seconds, whatever happens in
it, so a limit always lifts by itself: nobody is locked out for good.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select, update
from sqlalchemy.orm import Session

from tmo.models.accounts import ThrottleAttempt
from tmo.models.meta import UTCDateTime


@dataclass(frozen=True)
class Limit:
    attempts: int
    window: timedelta


# Scope -> (setting, default "attempts/seconds").
LIMIT_SETTINGS = {
    "login_account": ("tmo.throttle.login_account", "5/900"),
    "login_address": ("tmo.throttle.login_address", "30/900"),
    "reset_account": ("tmo.throttle.reset_account", "3/3600"),
    "reset_address": ("tmo.throttle.reset_address", "20/3600"),
    "register_address": ("tmo.throttle.register_address", "20/3600"),
    # The "check your email" page's "send it again", per address typed.
    "register_resend": ("tmo.throttle.register_resend", "3/3600"),
    # Failures at /vote per code and per address.
    "vote_code": ("tmo.throttle.vote_code", "5/900"),
    "vote_address": ("tmo.throttle.vote_address", "10/900"),
}


def limit_for(settings, scope: str) -> Limit:
    key, default = LIMIT_SETTINGS[scope]
    attempts, seconds = settings.get(key, default).split("/")
    return Limit(int(attempts), timedelta(seconds=int(seconds)))


def hashed_key(secret: str, scope: str, raw: str) -> str:
    return hmac.new(secret.encode(), f"{scope}:{raw}".encode(), hashlib.sha256).hexdigest()


def _insert(dbsession: Session):
    if dbsession.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


class Throttle:
    """Attempts under one scope, for one request's settings and database session."""

    def __init__(self, dbsession: Session, settings, scope: str):
        self.dbsession = dbsession
        self.scope = scope
        self.limit = limit_for(settings, scope)
        self.secret = settings["tmo.secret"]

    def _key(self, raw: str) -> str:
        return hashed_key(self.secret, self.scope, raw)

    def count(self, raw: str, now: datetime) -> int | None:
        """Count an attempt made at ``now``; the seconds to wait if it is past the limit (it
        must not be judged), else None."""
        stale = ThrottleAttempt.window_started_at <= now - self.limit.window
        moment = literal(now, UTCDateTime())
        statement = (
            _insert(self.dbsession)(ThrottleAttempt)
            .values(scope=self.scope, key=self._key(raw), window_started_at=now, attempts=1)
            .on_conflict_do_update(
                index_elements=["scope", "key"],
                set_={
                    "attempts": case((stale, 1), else_=ThrottleAttempt.attempts + 1),
                    "window_started_at": case(
                        (stale, moment), else_=ThrottleAttempt.window_started_at
                    ),
                },
            )
            .returning(ThrottleAttempt.attempts, ThrottleAttempt.window_started_at)
        )
        attempts, started = self.dbsession.execute(statement).one()
        if attempts <= self.limit.attempts:
            return None
        return max(1, int((started + self.limit.window - now).total_seconds()) + 1)

    def forgive(self, raw: str) -> None:
        """Take back an attempt that succeeded: the limit counts failures."""
        self.dbsession.execute(
            update(ThrottleAttempt)
            .where(
                ThrottleAttempt.scope == self.scope,
                ThrottleAttempt.key == self._key(raw),
                ThrottleAttempt.attempts > 0,
            )
            .values(attempts=ThrottleAttempt.attempts - 1)
            .execution_options(synchronize_session=False)
        )

    def clear(self, raw: str) -> None:
        self.dbsession.execute(
            delete(ThrottleAttempt)
            .where(ThrottleAttempt.scope == self.scope, ThrottleAttempt.key == self._key(raw))
            .execution_options(synchronize_session=False)
        )

    def attempts(self, raw: str) -> int:
        """Attempts counted in the key's window (0 if none)."""
        found = self.dbsession.scalar(
            select(ThrottleAttempt.attempts).where(
                ThrottleAttempt.scope == self.scope, ThrottleAttempt.key == self._key(raw)
            )
        )
        return found or 0


def count_all(dbsession: Session, settings, checks, now: datetime) -> int | None:
    """Count one attempt under each (scope, raw value) of ``checks``; the longest wait among
    those past their limit, or None. Every key is counted, even once one is past its limit."""
    waits = [Throttle(dbsession, settings, scope).count(raw, now) for scope, raw in checks]
    return max((wait for wait in waits if wait), default=None)


def forgive_all(dbsession: Session, settings, checks) -> None:
    for scope, raw in checks:
        Throttle(dbsession, settings, scope).forgive(raw)
