"""Throttling: counts attempts (failed log-ins, reset requests) per account and per address in a
sliding window, and says how long to wait once a limit is reached.

Keys are hashed with the site secret so the table holds no email address or IP address. Because the
window slides, a limit always lifts by itself: nobody is locked out for good.
"""

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from tmo.models.accounts import ThrottleEvent


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
}


def limit_for(settings, scope: str) -> Limit:
    key, default = LIMIT_SETTINGS[scope]
    attempts, seconds = settings.get(key, default).split("/")
    return Limit(int(attempts), timedelta(seconds=int(seconds)))


def hashed_key(secret: str, scope: str, raw: str) -> str:
    return hmac.new(secret.encode(), f"{scope}:{raw}".encode(), hashlib.sha256).hexdigest()


class Throttle:
    """Attempts under one scope, for one request's settings and database session."""

    def __init__(self, dbsession, settings, scope: str):
        self.dbsession = dbsession
        self.scope = scope
        self.limit = limit_for(settings, scope)
        self.secret = settings["tmo.secret"]

    def _key(self, raw: str) -> str:
        return hashed_key(self.secret, self.scope, raw)

    def retry_after(self, raw: str, now: datetime) -> int | None:
        """Seconds to wait at ``now`` before the next attempt is allowed, or None if it is
        allowed now."""
        since = now - self.limit.window
        times = self.dbsession.scalars(
            select(ThrottleEvent.occurred_at)
            .where(
                ThrottleEvent.scope == self.scope,
                ThrottleEvent.key == self._key(raw),
                ThrottleEvent.occurred_at > since,
            )
            .order_by(ThrottleEvent.occurred_at.desc())
            .limit(self.limit.attempts)
        ).all()
        if len(times) < self.limit.attempts:
            return None
        # Allowed again once the oldest of the last `attempts` events leaves the window.
        free_at = times[-1] + self.limit.window
        return max(1, math.ceil((free_at - now).total_seconds()))

    def count(self, raw: str, now: datetime) -> None:
        """Count an attempt made at ``now``, forgetting those that have left the window."""
        key = self._key(raw)
        self.dbsession.execute(
            delete(ThrottleEvent).where(
                ThrottleEvent.scope == self.scope,
                ThrottleEvent.key == key,
                ThrottleEvent.occurred_at <= now - self.limit.window,
            )
        )
        self.dbsession.add(ThrottleEvent(scope=self.scope, key=key, occurred_at=now))

    def clear(self, raw: str) -> None:
        self.dbsession.execute(
            delete(ThrottleEvent).where(
                ThrottleEvent.scope == self.scope, ThrottleEvent.key == self._key(raw)
            )
        )

    def events(self, raw: str) -> int:
        return self.dbsession.scalar(
            select(func.count())
            .select_from(ThrottleEvent)
            .where(ThrottleEvent.scope == self.scope, ThrottleEvent.key == self._key(raw))
        )
