"""The demo's year of meetings already held: the board's and two committees', each attended (with
apologies at random), minuted, with motions carried, actions raised and the previous meeting's
minutes signed; and the last AGM, signed a month after it. Each step of the minutes waits for
someone: the board's last meeting approved the minutes of the one before, for the chair to sign,
and its own are circulated for the next; the Finance and Audit Committee met yesterday, its
minutes in draft for the secretary to circulate, and the minutes of its meeting before are
circulated for the secretary to record their approval at yesterday's. One director has missed the
last three board meetings without apologies, so the board's absence flag has something to show."""

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.demo.meetings.schedule import schedule_meeting
from tmo.models.accounts import Account
from tmo.models.meetings import (
    AgendaItem,
    Attendance,
    Body,
    Decision,
    Meeting,
    MeetingAction,
    Motion,
)
from tmo.models.membership import Member
from tmo.rules import meetings as rules
from tmo.services.board import serving_directors

# Topics of the demo's meetings: (title, presenter, minute, motion or "", confidential).
DEMO_TOPICS = (
    (
        "Rent collection and arrears",
        "Director of finance",
        "Rent collected stands at 98.1% of the rent due; arrears fell for the third month.",
        "",
        False,
    ),
    (
        "Repairs performance",
        "Head of repairs",
        "Urgent repairs were completed on time in 94% of cases. Members asked about damp in "
        "Elm House.",
        "That the repairs improvement plan is adopted",
        False,
    ),
    (
        "Estate cleaning contract",
        "Estate services manager",
        "Residents' satisfaction with cleaning rose to 81%.",
        "That the cleaning contract is extended for one year",
        False,
    ),
    (
        "Budget monitoring",
        "Director of finance",
        "Spending is within budget; the lift refurbishment is £12,000 under its estimate.",
        "",
        False,
    ),
    (
        "Fire safety inspections",
        "Health and safety officer",
        "Every block's fire risk assessment is up to date; fire doors in Oak Court are to be "
        "replaced.",
        "That the fire door replacement programme is approved",
        False,
    ),
    (
        "A claim from a former contractor",
        "Chief executive",
        "The board received legal advice on the claim and agreed its response.",
        "",
        True,
    ),
)
DEMO_ACTIONS = (
    ("Write to Elm House residents about the damp survey", "Head of repairs"),
    ("Get three quotes for the Oak Court lift", "Estate services manager"),
    ("Publish the cleaning scores on the noticeboards", "Estate services manager"),
    ("Report the arrears trend by estate", "Director of finance"),
)
DEMO_AGM_MINUTES = {
    "accounts": "The members received the accounts and the directors' report.",
    "election_results": "The returning officer declared the results of the board election.",
    "appointments": "The members reappointed the auditors.",
}
SIGNED_BY = "Chris Walsh"


def days_of(today: date, count: int, apart: int, last_days_ago: int) -> list[date]:
    """The days of ``count`` meetings ``apart`` days apart, the last ``last_days_ago`` before
    ``today``, earliest first."""
    return [today - timedelta(days=last_days_ago + apart * k) for k in range(count - 1, -1, -1)]


def load_demo_past_meetings(
    dbsession: Session,
    bodies: dict[str, Body],
    accounts_by_name: dict[str, Account],
    today: date,
) -> None:
    rng = random.Random(6)  # noqa: S311 (invented demo data: repeatable, not secret)
    chair = accounts_by_name.get(SIGNED_BY)
    hold_series(
        dbsession,
        rng,
        bodies["The board"],
        days_of(today, 9, apart=45, last_days_ago=20),
        "Board meeting",
        DEMO_TOPICS,
        chair,
        absentee=("Marcus Obi", 3),
    )
    hold_series(
        dbsession,
        rng,
        bodies["Finance and Audit Committee"],
        days_of(today, 4, apart=91, last_days_ago=1),
        "Committee meeting",
        DEMO_TOPICS[:4],
        chair,
        last_minuted=False,
    )
    hold_series(
        dbsession,
        rng,
        bodies["Operations Committee"],
        days_of(today, 4, apart=91, last_days_ago=40),
        "Committee meeting",
        DEMO_TOPICS[1:5],
        chair,
    )
    hold_last_agm(dbsession, rng, bodies["General meeting of members"], today)


def people_of(dbsession: Session, body: Body, day: date) -> list[tuple[str, str]]:
    """(person key, name) of everyone expected at a meeting of ``body`` on ``day``."""
    if body.kind == rules.BOARD:
        return [(f"director:{d.id}", d.name) for d in serving_directors(dbsession, day)]
    if body.kind == rules.GENERAL_MEETING:
        members = dbsession.scalars(
            select(Member).where(Member.admitted_on <= day, Member.ceased_on.is_(None))
        )
        return [(f"member:{m.id}", m.name) for m in members]
    return [(f"body_member:{s.id}", s.name) for s in body.members]


def take_attendance(
    dbsession, rng, meeting: Meeting, day: date, absent_name=None, present_share=1.0, everyone=False
) -> list[tuple[str, str]]:
    """Everyone present or giving apologies (``absent_name`` absent without them; ``everyone``
    present), and the chief executive in attendance; returns who was present."""
    present = []
    for key, name in people_of(dbsession, meeting.body, day):
        if name == absent_name:
            status = rules.ABSENT
        elif everyone:
            status = rules.PRESENT
        elif rng.random() > present_share or rng.random() < 0.1:
            status = rules.APOLOGIES
        else:
            status = rules.PRESENT
            present.append((key, name))
        dbsession.add(Attendance(meeting=meeting, person_key=key, name=name, status=status))
    dbsession.add(
        Attendance(
            meeting=meeting,
            person_key="guest:1",
            name="Chief executive",
            status=rules.IN_ATTENDANCE,
        )
    )
    return present


def minute_business(dbsession, meeting: Meeting, topics, present) -> dict[str, AgendaItem]:
    """The standing items minuted and each topic added, minuted, and its motion (if any)
    carried by those ``present``; returns the standing items by kind."""
    standing = {item.kind: item for item in meeting.items}
    standing[rules.APOLOGIES_ITEM].minutes_text = "Apologies were received and accepted."
    standing[rules.DECLARATIONS_ITEM].minutes_text = "No declarations beyond those recorded."
    for position, (title, presenter, minute, motion, confidential) in enumerate(
        topics, start=len(meeting.items) + 1
    ):
        item = AgendaItem(
            meeting=meeting,
            position=position,
            title=title,
            presenter=presenter,
            confidential=confidential,
            minutes_text=minute,
        )
        dbsession.add(item)
        dbsession.flush()
        if motion and len(present) >= 2:
            (proposer_key, proposer), (seconder_key, seconder) = present[:2]
            dbsession.add(
                Motion(
                    item=item,
                    text=motion,
                    proposer_key=proposer_key,
                    proposer_name=proposer,
                    seconder_key=seconder_key,
                    seconder_name=seconder,
                    votes_for=len(present) - 1,
                    votes_against=0,
                    abstentions=1,
                    outcome=rules.CARRIED,
                )
            )
            dbsession.flush()
            dbsession.add(Decision(item=item, text=motion))
    return standing


def approve_minutes(
    dbsession, previous: Meeting, meeting: Meeting, standing, chair, signed=True
) -> None:
    """``meeting`` approves the minutes of ``previous``, which the chair signs after it (unless
    not ``signed`` yet)."""
    item = standing[rules.LAST_MINUTES_ITEM]
    item.minutes_text = "The minutes of the last meeting were agreed."
    dbsession.add(
        Decision(
            item=item,
            text=f"The minutes of the meeting of {previous.starts_at:%-d %B %Y} were approved "
            "as a true record.",
            approves_meeting_id=previous.id,
        )
    )
    if not signed:
        previous.minutes_state = rules.APPROVED
        return
    previous.minutes_state = rules.SIGNED
    previous.signed_at = meeting.starts_at + timedelta(hours=2)
    previous.signed_by_id = chair.id if chair else None
    previous.signed_by_name = SIGNED_BY


def hold_series(
    dbsession, rng, body, days, title, topics_each, chair, absentee=None, last_minuted=True
) -> None:
    """A meeting of ``body`` on each of ``days`` on two of ``topics_each``, each raising an action
    (the last two meetings' still open) and approving the minutes of the one before, which the
    chair signs, except the last approved (for the chair to sign). ``absentee`` is (name,
    meetings): who missed the last of them without apologies. The last meeting's minutes are
    circulated; unless ``last_minuted``, they are still a draft and the minutes before them wait,
    circulated, for the last meeting to approve."""
    absent_name, missed = absentee or (None, 0)
    previous = None
    for number, day in enumerate(days):
        topics = rng.sample(topics_each, 2)
        absent = absent_name if number >= len(days) - missed else None
        meeting = schedule_meeting(dbsession, body, day, title)
        # Everyone present at a meeting whose business is still to be recorded: it is quorate.
        last = number == len(days) - 1
        present = take_attendance(
            dbsession, rng, meeting, day, absent_name=absent, everyone=last and not last_minuted
        )
        standing = minute_business(dbsession, meeting, topics, present)
        if previous is not None and not (last and not last_minuted):
            approve_minutes(dbsession, previous, meeting, standing, chair, signed=not last)
        text, owner = DEMO_ACTIONS[number % len(DEMO_ACTIONS)]
        dbsession.add(
            MeetingAction(
                item=standing[rules.MATTERS_ARISING_ITEM],
                body_id=body.id,
                raised_on=day,
                text=text,
                owner=owner,
                due_on=day + timedelta(days=28),
                done_on=day + timedelta(days=21) if number < len(days) - 2 else None,
            )
        )
        previous = meeting
    if last_minuted:
        previous.minutes_state = rules.CIRCULATED
        previous.circulated_at = previous.starts_at + timedelta(days=5)
        return
    before = dbsession.scalars(
        select(Meeting)
        .where(Meeting.body_id == body.id, Meeting.starts_at < previous.starts_at)
        .order_by(Meeting.starts_at.desc())
    ).first()
    before.minutes_state = rules.CIRCULATED
    before.circulated_at = before.starts_at + timedelta(days=5)


def hold_last_agm(dbsession, rng, general: Body, today: date) -> None:
    """Last year's AGM, 150 days before ``today``, four in ten members there."""
    day = today - timedelta(days=150)
    agm = schedule_meeting(dbsession, general, day, f"Annual general meeting {day.year}", rules.AGM)
    present = take_attendance(dbsession, rng, agm, day, present_share=0.4)
    minute_business(dbsession, agm, [], present)
    for item in agm.items:
        item.minutes_text = DEMO_AGM_MINUTES.get(item.kind, item.minutes_text)
    agm.minutes_state = rules.SIGNED
    agm.signed_at = agm.starts_at + timedelta(days=30)
    agm.signed_by_name = SIGNED_BY
