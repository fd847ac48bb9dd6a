"""The demo's Youth Forum: six members (Yusuf, 19, chairs it and holds the board's ex officio
seat), one request to join waiting for the youth worker, the budget of the financial year holding
the demo's day partly committed and spent over the months so far, and a proposal in every state
of its lifecycle, each dated between the start of the year and the demo's day."""

import struct
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.constitution import Constitution, SeatCategoryKey
from tmo.demo.accounts import add_demo_account
from tmo.demo.clock import start_of
from tmo.models.accounts import Account
from tmo.models.board import Directorship
from tmo.models.youth import YouthChairTerm, YouthMember, YouthProposal
from tmo.permissions import Role
from tmo.rules import youth as youth_rules
from tmo.rules.notices import Channel
from tmo.rules.youth import MemberStatus, ProposalStatus
from tmo.services import youth

# The Youth Forum's demo members besides Yusuf (youth@example.org, its chair): (email, first name,
# surname, age). Amara is 15, so the journey of a young member proposing starts from her.
DEMO_YOUTH_ACCOUNTS = (
    ("amara.youth@example.org", "Amara", "Okafor", 15),
    ("leo.youth@example.org", "Leo", "Grant", 16),
    ("priya.youth@example.org", "Priya", "Shah", 14),
    ("kwame.youth@example.org", "Kwame", "Mensah", 22),
)
# Someone waiting for the youth worker's approval.
DEMO_YOUTH_APPLICANT = ("noah.youth@example.org", "Noah", "Evans", 13)

# (proposer's place among the forum's members, title, category, pounds, as far as it goes, the
# members' votes in order: f for, a against, x abstain).
DEMO_PROPOSALS = (
    (0, "Football kit for the estate team", "sport", 850, "reported", "fffff"),
    (1, "Street art on the garages", "arts", 1_800, "committed", "fffff"),
    (2, "Summer trip to the coast", "events", 2_400, "spent", "fffff"),
    (3, "Wildflower planters by the play area", "environment", 600, "committed", "fffff"),
    (4, "Recording studio kit for the youth club", "equipment", 1_500, "awaiting", "fffff"),
    (5, "A games console for the youth club", "equipment", 400, "lost", "aaafx"),
    (0, "Climbing wall", "sport", 3_000, "not_ratified", "fffff"),
    (1, "Cooking classes", "learning", 700, "voting", "ff"),
    (2, "Table tennis tables", "sport", 900, "submitted", "fffff"),
    (3, "Film nights", "events", 300, "returned", "fffff"),
    (4, "Bike repair workshop", "learning", 450, "draft", "fffff"),
    (5, "Gaming tournament", "events", 250, "withdrawn", "fffff"),
    # Agreed, but more than the money left this year.
    (0, "A minibus for the youth club", "equipment", 14_000, "unfunded", "fffff"),
)
QUOTE = (b"%PDF-1.4\n% demo quote\n", "quote.pdf")
RECEIPT = (b"%PDF-1.4\n% demo receipt\n", "receipt.pdf")


@dataclass(frozen=True)
class DemoForum:
    """What every step of a demo proposal needs: the forum, its worker and its year so far."""

    dbsession: Session
    constitution: Constitution
    members: list[YouthMember]
    worker: Account
    year_starts: date
    today: date

    def on(self, fraction: float) -> date:
        """The day ``fraction`` of the way from the start of the year to the demo's day."""
        span = max((self.today - self.year_starts).days, 0)
        return self.year_starts + timedelta(days=int(span * fraction))


def load_demo_youth(dbsession: Session, accounts_by_name: dict[str, Account], today: date) -> None:
    constitution = Constitution()
    worker = accounts_by_name["Jo Bennett"]
    start = youth_rules.year_start(today, constitution.youth)
    members = enrol_demo_forum(dbsession, constitution, accounts_by_name, worker, today)
    seat_demo_chair(dbsession, constitution, chair=members[0])
    youth.open_year(dbsession, constitution, day=today, actor_id=worker.id)
    forum = DemoForum(dbsession, constitution, members, worker, start, today)
    for number, title, category, pounds, until, votes in DEMO_PROPOSALS:
        take_proposal(forum, number, title, category, pounds, until, votes)


def enrol_demo_forum(
    dbsession: Session,
    constitution: Constitution,
    accounts_by_name: dict[str, Account],
    worker: Account,
    today: date,
) -> list[YouthMember]:
    """The approved members, Yusuf first, approved when last year began; and the applicant."""
    start = youth_rules.year_start(today, constitution.youth)
    joined = youth_rules.year_start(start - timedelta(days=1), constitution.youth)

    def forum_member(account, first, surname, born, approved=True):
        member = YouthMember(
            account=account,
            first_name=first,
            surname=surname,
            date_of_birth=born,
            postcode="W10 5PA",
            status=MemberStatus.APPROVED if approved else MemberStatus.APPLIED,
            approved_on=joined if approved else None,
            decided_by_id=worker.id if approved else None,
            # They joined online and asked for the forum's messages by email.
            contact_by=Channel.EMAIL,
            email_agreed_at=datetime.combine(joined, time(12), UTC),
        )
        dbsession.add(member)
        return member

    yusuf = forum_member(accounts_by_name["Yusuf"], "Yusuf", "Ali", date(today.year - 19, 5, 5))
    members = [yusuf]
    for email, first, surname, age in (*DEMO_YOUTH_ACCOUNTS, DEMO_YOUTH_APPLICANT):
        approved = email != DEMO_YOUTH_APPLICANT[0]
        roles = (Role.YOUTH_MEMBER,) if approved else ()
        account = add_demo_account(dbsession, email, first, worker.password_hash, today, roles)
        # Born on 15 January, so ``age`` on the demo's day.
        born = date(today.year - age - (1 if (today.month, today.day) < (1, 15) else 0), 1, 15)
        member = forum_member(account, first, surname, born, approved)
        if approved:
            members.append(member)
    dbsession.flush()
    return members


def seat_demo_chair(dbsession: Session, constitution: Constitution, chair: YouthMember) -> None:
    """The chair has chaired since the board's demo gave him the ex officio seat."""
    seat = dbsession.scalar(
        select(Directorship).where(Directorship.seat_category == SeatCategoryKey.YOUTH_CHAIR)
    )
    dbsession.add(
        YouthChairTerm(
            member=chair,
            started_on=seat.start_date,
            ended_on=youth_rules.leaves_on(chair.date_of_birth, constitution.youth),
            directorship_id=seat.id,
        )
    )


def take_proposal(forum: DemoForum, number, title, category, pounds, until, votes) -> None:
    """A proposal by member ``number`` taken as far as ``until`` in its lifecycle; one still
    being voted on was put to the vote two days before the demo's day, so its vote is open."""
    day = forum.on(0.1 + 0.08 * number)
    if until == "voting":
        day = max(forum.today - timedelta(days=2), forum.year_starts)
    proposer = forum.members[number % len(forum.members)]
    made = draft_demo_proposal(forum, proposer, title, category, pounds)
    if until == "draft":
        return
    youth.submit_proposal(
        forum.dbsession, made, proposer, actor_id=proposer.account_id, now=start_of(day)
    )
    if until == "withdrawn":
        youth.withdraw_proposal(forum.dbsession, made, proposer, actor_id=proposer.account_id)
    elif until == "returned":
        youth.return_proposal(
            forum.dbsession, made, comments="Please add a second quote.", actor_id=forum.worker.id
        )
    elif until != "submitted":
        # The vote still open was opened yesterday: an older one would have closed itself.
        opened = forum.today - timedelta(days=1) if until == "voting" else day
        put_to_the_vote(forum, made, votes, opened)
        if until != "voting":
            carry_out(forum, made, number, pounds, until, day)


def draft_demo_proposal(forum: DemoForum, proposer, title, category, pounds) -> YouthProposal:
    return youth.draft_proposal(
        forum.dbsession,
        proposer,
        youth.ProposalFields(
            title=title,
            what_and_why=f"{title}: something young people on the estates asked for.",
            who_benefits="Young people on the Golborne estates and their families.",
            category=category,
            cost_pence=pounds * 100,
            cost_breakdown=f"Supplier's quote: £{pounds:,}",
        ),
        quote=QUOTE,
        actor_id=proposer.account_id,
    )


def put_to_the_vote(forum: DemoForum, made: YouthProposal, votes: str, day: date) -> None:
    """The worker opens the vote on ``day`` and the members cast ``votes`` in order."""
    dbsession, worker = forum.dbsession, forum.worker
    youth.open_vote(dbsession, forum.constitution, made, comments="", actor_id=worker.id, today=day)
    for voter, choice in zip(forum.members, votes, strict=False):
        mark = {"f": "for", "a": "against", "x": "abstain"}[choice]
        youth.cast_vote(dbsession, made, voter, choice=mark, actor_id=None, today=day)


def carry_out(forum: DemoForum, made: YouthProposal, number, pounds, until, day: date) -> None:
    """The vote counted on ``day``, then as far as ``until``: ratified or not by the board,
    spent (£12.50 under the quote) and reported back."""
    dbsession, worker = forum.dbsession, forum.worker
    youth.count_proposal_votes(
        dbsession, forum.constitution, made.id, actor_id=worker.id, today=day
    )
    if made.status == ProposalStatus.AWAITING_RATIFICATION and until != "awaiting":
        youth.record_ratification(
            dbsession,
            made,
            ratified=until != "not_ratified",
            reference=f"Board {day:%-d %B %Y}, minute 8",
            decided_on=day,
            actor_id=None,
            now=start_of(day),
        )
    if until in ("spent", "reported"):
        youth.record_spend(
            dbsession,
            made,
            amount=pounds * 100 - 1_250,
            on=max(day, forum.on(0.2 + 0.1 * number)),
            receipt=RECEIPT,
            actor_id=worker.id,
        )
    if until == "reported":
        youth.report_back(
            dbsession,
            made,
            report="Forty young people came along; the kit is kept at the community centre.",
            photos=[(demo_png(29, 112, 60), "kit.png", "The new kit in the community centre")],
            consent=True,
            actor_id=worker.id,
            today=max(day, forum.on(0.3 + 0.1 * number)),
        )


def demo_png(red: int, green: int, blue: int, width: int = 48, height: int = 32) -> bytes:
    """A small one-colour PNG: the demo's report photo, made here rather than shipped."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes((red, green, blue)) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
