"""Calendars: an iCalendar feed of meetings, and each person's own feed at a secret address a
calendar app can subscribe to (only the secret's digest is kept)."""

import hashlib
import secrets
from datetime import UTC, datetime

import icalendar
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tmo.models.accounts import Account
from tmo.models.meetings import CalendarToken, Meeting
from tmo.models.membership import Member
from tmo.rules import meetings as rules
from tmo.services import audit
from tmo.services.meetings.bodies import meeting_participants


def calendar(name: str, meetings: list[Meeting], url_for) -> bytes:
    """An iCalendar feed (RFC 5545) of ``meetings``; ``url_for(meeting)`` is its public page."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//tmo//meetings//EN")
    feed.add("version", "2.0")
    feed.add("x-wr-calname", name)
    for meeting in meetings:
        event = icalendar.Event()
        event.add("uid", f"meeting-{meeting.id}@tmo")
        event.add("dtstamp", meeting.notice_given_at)
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("summary", f"{meeting.body.name}: {meeting.title}")
        event.add("status", "CANCELLED" if meeting.cancelled_at else "CONFIRMED")
        event.add("location", meeting.place or meeting.online_link)
        event.add("url", url_for(meeting))
        description = meeting.online_link and f"Join online: {meeting.online_link}"
        if description:
            event.add("description", description)
        feed.add_component(event)
    return feed.to_ical()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_calendar_token(dbsession: Session, account: Account, now: datetime) -> str:
    """A fresh secret for the person's calendar-feed address (the old one stops working); only
    its digest is stored, so the address is shown once."""
    token = secrets.token_urlsafe(32)
    found = dbsession.scalar(select(CalendarToken).where(CalendarToken.account_id == account.id))
    if found is None:
        found = CalendarToken(account_id=account.id)
        dbsession.add(found)
    found.token_hash = token_digest(token)
    found.created_at = now
    audit.record(dbsession, "meetings.calendar_link_made", actor_id=account.id, target=found)
    return token


def account_for_calendar(dbsession: Session, token: str) -> Account | None:
    found = dbsession.scalar(
        select(CalendarToken).where(CalendarToken.token_hash == token_digest(token))
    )
    return dbsession.get(Account, found.account_id) if found else None


def has_calendar_token(dbsession: Session, account: Account) -> bool:
    return (
        dbsession.scalar(select(CalendarToken.id).where(CalendarToken.account_id == account.id))
        is not None
    )


def meetings_for_account(dbsession: Session, account: Account) -> list[Meeting]:
    """Meetings of every body the person belongs to on the day of the meeting."""
    found = []
    for meeting in dbsession.scalars(
        select(Meeting).where(Meeting.cancelled_at.is_(None)).order_by(Meeting.starts_at)
    ):
        if meeting.body.kind == rules.GENERAL_MEETING:
            belongs = dbsession.scalar(
                select(func.count())
                .select_from(Member)
                .where(Member.account_id == account.id, Member.ceased_on.is_(None))
            )
        else:
            belongs = any(
                p.account_id == account.id for p in meeting_participants(dbsession, meeting)
            )
        if belongs:
            found.append(meeting)
    return found
