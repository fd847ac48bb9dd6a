"""``tmo-demo``: load the demo TMO into an empty database (and leave a loaded one alone).

Every part of tmo adds its demo data here, so the demo always shows all of tmo: the model
constitution; an account for each role, all with the password DEMO_PASSWORD; the property
register of three estates (tmo/data/demo-properties.csv); about 80 members, a few former
members, and applications waiting for the secretary.
"""

import argparse
import random
import sys
from datetime import date, timedelta

from sqlalchemy import func, select

from tmo.clock import london_day
from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.membership import Member, MembershipApplication, Tenancy
from tmo.models.meta import utcnow
from tmo.permissions import Role
from tmo.scripts.environment import database_session, ini_argument
from tmo.services import audit
from tmo.services.accounts import hash_password
from tmo.services.constitution import adopt_constitution
from tmo.services.properties import load_demo_properties

# Public on purpose: printed in the README for anyone trying the demo.
DEMO_PASSWORD = "estate-demo-2026"  # noqa: S105

# (email, name, roles): one account for each role of DOMAIN.md section 7.
DEMO_ACCOUNTS = (
    ("admin@example.org", "Ada Adeyemi", (Role.ADMINISTRATOR,)),
    ("secretary@example.org", "Sam Okoro", (Role.SECRETARY, Role.MEMBER)),
    ("chair@example.org", "Chris Walsh", (Role.CHAIR, Role.DIRECTOR, Role.MEMBER)),
    ("director@example.org", "Dana Kowalski", (Role.DIRECTOR, Role.MEMBER)),
    ("returning.officer@example.org", "Rita Mensah", (Role.RETURNING_OFFICER,)),
    ("scrutineer@example.org", "Simon Price", (Role.SCRUTINEER,)),
    ("member@example.org", "Maya Ahmed", (Role.MEMBER,)),
    ("resident@example.org", "Rob Fernandes", ()),
    ("youth@example.org", "Yusuf", (Role.YOUTH_MEMBER,)),
    ("youth.worker@example.org", "Jo Bennett", (Role.YOUTH_WORKER,)),
)


def load_demo(dbsession) -> bool:
    """Load the demo TMO; False (and nothing written) if the database already holds accounts."""
    if dbsession.scalar(select(func.count()).select_from(Account)):
        return False
    password_hash = hash_password(DEMO_PASSWORD)
    accounts = []
    for email, name, roles in DEMO_ACCOUNTS:
        account = Account(
            email=email,
            display_name=name,
            password_hash=password_hash,
            email_verified_at=utcnow(),
            role_grants=[RoleGrant(role=role) for role in roles],
        )
        dbsession.add(account)
        accounts.append(account)
    dbsession.flush()
    for account in accounts:
        audit.record(dbsession, "account.created_for_demo", actor_id=None, target=account)
    admin = accounts[0]
    adopt_constitution(
        dbsession,
        Constitution(organisation_name="Golborne Estates TMO (demo)"),
        effective_from=date(date.today().year, 1, 1),
        note="Model rules (Kensington & Chelsea TMO) adopted for the demo.",
        actor_id=admin.id,
    )
    load_demo_properties(dbsession)
    load_demo_members(dbsession, {account.display_name: account for account in accounts})
    load_demo_board(dbsession, {account.display_name: account for account in accounts})
    load_demo_election(dbsession, {account.display_name: account for account in accounts})
    load_demo_youth(dbsession, {account.display_name: account for account in accounts})
    load_demo_meetings(dbsession, {account.display_name: account for account in accounts})
    return True


# The appointed and ex officio directors of the demo board (invented people).
DEMO_COUNCILLORS = ("Cllr Helen Marsh", "Cllr Tunde Bakare", "Cllr Priya Raman", "Cllr Owen Pryce")
DEMO_INDEPENDENTS = ("Grace Ellison", "Marcus Obi", "Leah Novak")


def load_demo_board(dbsession, accounts_by_name: dict[str, Account]) -> None:
    """A full board under the model rules, its resident seats rotating: the board began four
    AGMs ago with staggered first terms, so about a third of the resident seats fall due at
    each AGM and the list of seats retiring at the next one is never empty."""
    from tmo.models.board import Director, Directorship, InterestDeclaration
    from tmo.rules.board import (
        BOARD,
        COUNCIL,
        ELECTED,
        EX_OFFICIO,
        Seat,
        first_term_end,
    )
    from tmo.rules.membership import add_years

    rules = Constitution().board
    today = date.today()
    founded = date(today.year - 4, 9, 30)
    members = dbsession.scalars(
        select(Member).where(Member.ceased_on.is_(None)).order_by(Member.member_number)
    ).all()
    # The chair and the director demo accounts sit in resident seats, with six other members.
    named = [m for m in members if m.account_id and m.name in ("Chris Walsh", "Dana Kowalski")]
    residents = named + [m for m in members if m not in named and m.account_id is None][:6]

    def person(name, born, member=None, account=None, council=False):
        director = Director(
            name=name,
            date_of_birth=born,
            member_id=member.id if member else None,
            account_id=account.id if account else None,
            council_associated=council,
        )
        dbsession.add(director)
        return director

    def term(director, seat, how, start, end, **extra):
        dbsession.add(
            Directorship(
                director=director,
                seat_category=seat.category,
                seat_number=seat.number,
                how=how,
                start_date=start,
                end_date=end,
                **extra,
            )
        )

    for number, member in enumerate(residents, start=1):
        seat = Seat("resident", number)
        director = person(
            member.name,
            date(1950 + number * 3, number, 10),
            member=member,
            account=accounts_by_name.get(member.name),
        )
        start, end = founded, first_term_end(seat, founded, rules)
        while end <= today:  # re-elected at each AGM their seat fell due
            term(director, seat, ELECTED, start, end)
            start, end = end, add_years(end, rules.term_years)
        term(director, seat, ELECTED, start, end)
    # Appointed directors joined at different times within the last three years.
    for number, name in enumerate(DEMO_COUNCILLORS, start=1):
        start = add_years(today, -(number % 3)) - timedelta(days=45 * number)
        term(
            person(name, date(1962 + number, 3, 1)),
            Seat("councillor", number),
            COUNCIL,
            start,
            add_years(start, rules.term_years),
            nomination_date=start - timedelta(days=14),
        )
    for number, name in enumerate(DEMO_INDEPENDENTS, start=1):
        start = add_years(today, -(number % 3)) - timedelta(days=60 * number)
        term(
            person(name, date(1968 + number, 7, 7)),
            Seat("independent", number),
            BOARD,
            start,
            add_years(start, rules.term_years),
            decision_reference=f"Board {start:%-d %B %Y}, minute {number + 3}",
        )
    youth_chair = person(
        "Yusuf", date(today.year - 19, 5, 5), account=accounts_by_name.get("Yusuf")
    )
    term(youth_chair, Seat("youth_chair", 1), EX_OFFICIO, date(today.year - 1, 6, 1), None)
    dbsession.flush()
    chair = dbsession.scalar(select(Director).where(Director.name == "Chris Walsh"))
    dbsession.add(
        InterestDeclaration(
            director=chair,
            kind="property",
            description="Leaseholder of a flat on the Adela Gardens Estate, let to a tenant",
            from_date=date(2018, 4, 1),
            declared_on=today - timedelta(days=40),
        )
    )


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


def load_demo_meetings(dbsession, accounts_by_name: dict[str, Account]) -> None:
    """The board, its committees, a panel, the Youth Forum and the general meeting of members; a
    year of board and committee meetings whose minutes are signed and published (the latest only
    circulated, for the next meeting to approve), last year's AGM, a board meeting in ten days'
    time with its agenda, and actions still open. One director has missed the last three board
    meetings without apologies, so the board's absence flag has something to show."""
    from datetime import UTC, datetime, time
    from zoneinfo import ZoneInfo

    from tmo.models.board import Director
    from tmo.models.meetings import (
        AgendaItem,
        Attendance,
        Body,
        BodyMember,
        Decision,
        Meeting,
        MeetingAction,
        Motion,
    )
    from tmo.rules import meetings as rules
    from tmo.services.board import serving_directors
    from tmo.services.meetings import add_standing_items

    rng = random.Random(6)  # noqa: S311 (invented demo data: repeatable, not secret)
    today = date.today()
    directors = {d.name: d for d in dbsession.scalars(select(Director))}
    chair = accounts_by_name.get("Chris Walsh")
    founded = date(today.year - 4, 9, 30)

    def body(name, kind, terms, parent=None, **quorum):
        found = Body(name=name, kind=kind, terms_of_reference=terms, parent=parent, **quorum)
        dbsession.add(found)
        return found

    def seat(on, name, role="member", director=None, account=None):
        dbsession.add(
            BodyMember(
                body=on,
                name=name,
                role=role,
                from_date=founded,
                director_id=director.id if director else None,
                account_id=(director.account_id if director else None) or (account and account.id),
                email=account.email if account else "",
            )
        )

    board = body(
        "The board",
        rules.BOARD,
        "The board of directors governs the TMO under its articles and the management "
        "agreement with the council.",
    )
    seat(board, "Chris Walsh", "chair", directors["Chris Walsh"])
    seat(board, "Dana Kowalski", "vice_chair", directors["Dana Kowalski"])
    finance = body(
        "Finance and Audit Committee",
        rules.COMMITTEE,
        "Oversees the budget, the accounts, internal audit and risk; reports to the board.",
        quorum_number=3,
    )
    for name, role in (
        ("Grace Ellison", "chair"),
        ("Dana Kowalski", "member"),
        ("Marcus Obi", "member"),
        ("Cllr Priya Raman", "member"),
    ):
        seat(finance, name, role, directors[name])
    operations = body(
        "Operations Committee",
        rules.COMMITTEE,
        "Oversees repairs, estate services and resident engagement.",
        quorum_number=3,
    )
    for name, role in (
        ("Leah Novak", "chair"),
        ("Chris Walsh", "member"),
        ("Marcus Obi", "member"),
    ):
        seat(operations, name, role, directors[name])
    repairs = body(
        "Repairs Sub-committee",
        rules.SUB_COMMITTEE,
        "Monitors the repairs contract for the Operations Committee.",
        parent=operations,
        quorum_number=1,
        quorum_of=2,
    )
    seat(repairs, "Leah Novak", "chair", directors["Leah Novak"])
    seat(repairs, "Samir Haddad (resident co-optee)")
    panel = body(
        "Complaints Panel",
        rules.PANEL,
        "Hears complaints at the final stage of the complaints procedure.",
        quorum_number=3,
    )
    for name in ("Grace Ellison", "Cllr Helen Marsh", "Dana Kowalski"):
        seat(panel, name, director=directors[name])
    youth = body(
        "Youth Forum",
        rules.YOUTH_FORUM,
        "Young residents aged 13 to 25: decides how the devolved youth budget is spent.",
        quorum_number=3,
    )
    seat(youth, "Yusuf", "chair", account=accounts_by_name.get("Yusuf"))
    for first_name in ("Amira", "Tom", "Precious", "Kai"):
        seat(youth, first_name)
    general = body(
        "General meeting of members",
        rules.GENERAL_MEETING,
        "Every member of the TMO: receives the accounts, hears the board election results and "
        "decides the business the articles reserve to the members.",
    )
    dbsession.flush()

    def starting(day):
        return datetime.combine(day, time(19, 0), tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)

    def meeting(on, day, title, kind=rules.ORDINARY):
        found = Meeting(
            body=on,
            kind=kind,
            title=title,
            starts_at=starting(day),
            place="Community room, Elm House",
            online_link="https://meet.example.org/golborne-tmo" if on is board else "",
            notice_given_at=starting(day - timedelta(days=21)),
        )
        dbsession.add(found)
        add_standing_items(dbsession, found)
        dbsession.flush()
        return found

    def people_of(on, day):
        if on.kind == rules.BOARD:
            return [(f"director:{d.id}", d.name) for d in serving_directors(dbsession, day)]
        if on.kind == rules.GENERAL_MEETING:
            members = dbsession.scalars(
                select(Member).where(Member.admitted_on <= day, Member.ceased_on.is_(None))
            )
            return [(f"member:{m.id}", m.name) for m in members]
        return [(f"body_member:{s.id}", s.name) for s in on.members]

    def hold(found, day, topics, absent_name=None, present_share=1.0):
        people = people_of(found.body, day)
        present = []
        for key, name in people:
            if name == absent_name:
                status = rules.ABSENT
            elif rng.random() > present_share or rng.random() < 0.1:
                status = rules.APOLOGIES
            else:
                status = rules.PRESENT
                present.append((key, name))
            dbsession.add(Attendance(meeting=found, person_key=key, name=name, status=status))
        dbsession.add(
            Attendance(
                meeting=found,
                person_key="guest:1",
                name="Chief executive",
                status=rules.IN_ATTENDANCE,
            )
        )
        standing = {item.kind: item for item in found.items}
        standing[rules.APOLOGIES_ITEM].minutes_text = "Apologies were received and accepted."
        standing[rules.DECLARATIONS_ITEM].minutes_text = "No declarations beyond those recorded."
        for position, (title, presenter, minute, motion, confidential) in enumerate(
            topics, start=len(found.items) + 1
        ):
            item = AgendaItem(
                meeting=found,
                position=position,
                title=title,
                presenter=presenter,
                confidential=confidential,
                minutes_text=minute,
            )
            dbsession.add(item)
            dbsession.flush()
            if motion and len(present) >= 2:
                dbsession.add(
                    Motion(
                        item=item,
                        text=motion,
                        proposer_key=present[0][0],
                        proposer_name=present[0][1],
                        seconder_key=present[1][0],
                        seconder_name=present[1][1],
                        votes_for=len(present) - 1,
                        votes_against=0,
                        abstentions=1,
                        outcome=rules.CARRIED,
                    )
                )
                dbsession.flush()
                dbsession.add(Decision(item=item, text=motion))
        return standing

    def approve(previous, standing):
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
        previous.minutes_state = rules.SIGNED
        previous.signed_at = found_start(standing)
        previous.signed_by_id = chair.id if chair else None
        previous.signed_by_name = "Chris Walsh"

    def found_start(standing):
        return standing[rules.LAST_MINUTES_ITEM].meeting.starts_at + timedelta(hours=2)

    def series(on, days, title, topics_each, absent_from=None):
        previous = None
        for number, day in enumerate(days):
            topics = rng.sample(topics_each, 2)
            absent = (
                absent_from[1] if absent_from and number >= len(days) - absent_from[0] else None
            )
            found = meeting(on, day, title)
            standing = hold(found, day, topics, absent_name=absent)
            if previous is not None:
                approve(previous, standing)
            text, owner = DEMO_ACTIONS[number % len(DEMO_ACTIONS)]
            dbsession.add(
                MeetingAction(
                    item=standing[rules.MATTERS_ARISING_ITEM],
                    body_id=on.id,
                    raised_on=day,
                    text=text,
                    owner=owner,
                    due_on=day + timedelta(days=28),
                    # The last two meetings' actions are still open.
                    done_on=day + timedelta(days=21) if number < len(days) - 2 else None,
                )
            )
            previous = found
        previous.minutes_state = rules.CIRCULATED
        previous.circulated_at = previous.starts_at + timedelta(days=5)
        return previous

    board_days = [today - timedelta(days=20 + 45 * k) for k in range(7, -1, -1)]
    series(board, board_days, "Board meeting", DEMO_TOPICS, absent_from=(3, "Marcus Obi"))
    finance_days = [today - timedelta(days=30 + 91 * k) for k in range(3, -1, -1)]
    series(finance, finance_days, "Committee meeting", DEMO_TOPICS[:4])
    operations_days = [today - timedelta(days=40 + 91 * k) for k in range(3, -1, -1)]
    series(operations, operations_days, "Committee meeting", DEMO_TOPICS[1:5])

    agm_day = today - timedelta(days=150)
    agm = meeting(general, agm_day, f"Annual general meeting {agm_day.year}", rules.AGM)
    hold(agm, agm_day, [], present_share=0.4)
    for item in agm.items:
        item.minutes_text = {
            "accounts": "The members received the accounts and the directors' report.",
            "election_results": "The returning officer declared the results of the board election.",
            "appointments": "The members reappointed the auditors.",
        }.get(item.kind, item.minutes_text)
    agm.minutes_state = rules.SIGNED
    agm.signed_at = agm.starts_at + timedelta(days=30)
    agm.signed_by_name = "Chris Walsh"

    upcoming = meeting(board, today + timedelta(days=10), "Board meeting")
    for position, (title, presenter, confidential) in enumerate(
        (
            ("Budget for next year: first draft", "Director of finance", False),
            ("Estate cleaning contract renewal", "Estate services manager", False),
            ("A claim from a former contractor: update", "Chief executive", True),
        ),
        start=len(upcoming.items) + 1,
    ):
        dbsession.add(
            AgendaItem(
                meeting=upcoming,
                position=position,
                title=title,
                presenter=presenter,
                confidential=confidential,
            )
        )
    dbsession.flush()


# Residents waiting for the secretary's decision, each applying for a tenancy in their name.
DEMO_APPLICANTS = ("applicant.one@example.org", "applicant.two@example.org")


DEMO_STATEMENTS = (
    "I have lived on the estate for twenty years. I want the repairs service to answer within "
    "a week, and to tell us when it will come.",
    "Our young people need somewhere to go in the evenings. I will push for the community room "
    "to open every night of the week.",
    "I am a leaseholder and a nurse. I will make sure major works are planned with residents, "
    "not done to us, and that service charges are explained.",
    "Cleaner stairwells, working lifts and lights that stay on. I will report every month on "
    "what the board has done about them.",
    "I chair our tenants' association. I want every block to have a say, and board papers "
    "published in plain English.",
)


def load_demo_election(dbsession, accounts_by_name: dict[str, Account]) -> None:
    """A board election with its poll open now: five candidates for three resident seats,
    the roll frozen two days ago and a few ballots cast (never by a demo account, so that every
    demo member can still vote)."""
    from tmo.models.elections import Candidate, RollEntry, Supporter
    from tmo.rules.elections import Status, genesis
    from tmo.services import elections

    rng = random.Random(2027)  # noqa: S311 (invented demo data)
    officer = accounts_by_name["Rita Mensah"]
    today = date.today()
    constitution = Constitution()
    election = elections.create(
        dbsession,
        constitution,
        title=f"Board election {today.year}",
        method="stv",
        seats=3,
        seat_category="resident",
        seats_description="Three resident seats retiring by rotation at the AGM",
        returning_officer_id=officer.id,
        scrutineer_id=accounts_by_name["Simon Price"].id,
        notice_on=today - timedelta(days=30),
        actor_id=officer.id,
        now=utcnow(),
    )
    members = dbsession.scalars(
        select(Member)
        .where(Member.ceased_on.is_(None), Member.account_id.is_(None))
        .order_by(Member.member_number)
    ).all()
    standing, supporters = members[:5], members[5:15]
    for number, (person, statement) in enumerate(zip(standing, DEMO_STATEMENTS, strict=True)):
        person.date_of_birth = date(1965 + number * 5, 3, 12)
        moment = election.nominations_open_at + timedelta(days=number + 1)
        candidate = Candidate(
            election=election,
            member=person,
            name=person.name,
            nominated_by=person,
            consented_at=moment,
            statement=statement,
            status="accepted",
            decided_at=moment + timedelta(days=1),
        )
        candidate.supporters = [
            Supporter(member=supporters[2 * number], role="proposer", confirmed_at=moment),
            Supporter(member=supporters[2 * number + 1], role="seconder", confirmed_at=moment),
        ]
        dbsession.add(candidate)
    election.status = Status.POLL_OPEN
    election.roll_frozen_on = london_day(election.poll_opens_at)
    election.paper_key = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    dbsession.flush()
    election.chain_head = genesis(election.id)
    voters = elections.entitled_members(dbsession, election.roll_frozen_on)
    dbsession.add_all(RollEntry(election_id=election.id, member_id=m.id) for m in voters)
    dbsession.flush()
    candidate_ids = [c.id for c in election.candidates]
    for voter in [m for m in voters if m.account_id is None][:20]:
        ranked = rng.sample(candidate_ids, rng.randint(1, len(candidate_ids)))
        elections.cast(dbsession, election.id, voter.id, ranked, now=utcnow())


def load_demo_members(dbsession, accounts_by_name: dict[str, Account]) -> None:
    """About 80 members on current tenancies (the demo accounts that are members among them), a
    few former members, and two applications waiting for a decision."""
    rng = random.Random(2026)  # noqa: S311 (invented demo data: repeatable, not secret)
    tenancies = dbsession.scalars(
        select(Tenancy).where(Tenancy.end_date.is_(None)).order_by(Tenancy.reference)
    ).all()
    named = [t for t in tenancies if t.holder_name in accounts_by_name]
    others = [t for t in tenancies if t.holder_name not in accounts_by_name]
    rng.shuffle(others)
    chosen = named + others[: 80 - len(named)]
    chosen.sort(key=lambda tenancy: tenancy.start_date)
    for number, tenancy in enumerate(chosen, start=1):
        account = accounts_by_name.get(tenancy.holder_name)
        admitted = max(tenancy.start_date, date(2004, 4, 1)) + timedelta(days=rng.randint(30, 900))
        member = Member(
            member_number=number,
            account_id=account.id if account else None,
            home_id=tenancy.home_id,
            tenancy_id=tenancy.id,
            name=tenancy.holder_name,
            address=tenancy.home.address,
            admitted_on=min(admitted, date.today()),
            contact_email=account.email if account else "",
        )
        # One in sixteen has resigned since (never a demo account's own membership).
        if account is None and number % 16 == 0:
            member.ceased_on = min(member.admitted_on + timedelta(days=700), date.today())
            member.ceased_reason = "resigned"
        dbsession.add(member)
    dbsession.flush()
    waiting = [t for t in others[80 - len(named) :] if t.holding == "secure_tenant"]
    for email, tenancy in zip(DEMO_APPLICANTS, waiting, strict=False):
        applicant = Account(
            email=email,
            display_name=tenancy.holder_name,
            password_hash=dbsession.scalar(select(Account.password_hash).limit(1)),
            email_verified_at=utcnow(),
        )
        dbsession.add(applicant)
        dbsession.flush()
        dbsession.add(
            MembershipApplication(
                account_id=applicant.id,
                home_id=tenancy.home_id,
                full_name=tenancy.holder_name,
                holding=tenancy.holding,
                date_of_birth=date(1960 + rng.randint(0, 40), rng.randint(1, 12), 14),
                consented_at=utcnow(),
                matched_tenancy_id=tenancy.id,
            )
        )


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


def demo_png(red: int, green: int, blue: int, width: int = 48, height: int = 32) -> bytes:
    """A small one-colour PNG: the demo's report photo, made here rather than shipped."""
    import struct
    import zlib

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


def load_demo_youth(dbsession, accounts_by_name: dict[str, Account]) -> None:
    """The Youth Forum: six members (Yusuf, 19, chairs it and holds the board's ex officio
    seat), one request to join waiting, this financial year's budget partly committed and spent
    over the months so far, and a proposal in every state of its lifecycle."""
    from tmo.models.board import Directorship
    from tmo.models.youth import YouthChairTerm, YouthMember
    from tmo.rules import youth as youth_rules
    from tmo.services import youth

    constitution = Constitution()
    rules = constitution.youth
    today = date.today()
    start = youth_rules.year_start(today, rules)
    worker = accounts_by_name["Jo Bennett"]
    password_hash = worker.password_hash
    joined = youth_rules.year_start(start - timedelta(days=1), rules)

    def forum_member(account, first, surname, born, approved=True):
        member = YouthMember(
            account=account,
            first_name=first,
            surname=surname,
            date_of_birth=born,
            postcode="W10 5PA",
            status="approved" if approved else "applied",
            approved_on=joined if approved else None,
            decided_by_id=worker.id if approved else None,
        )
        dbsession.add(member)
        return member

    yusuf = forum_member(accounts_by_name["Yusuf"], "Yusuf", "Ali", date(today.year - 19, 5, 5))
    members = [yusuf]
    for email, first, surname, age in (*DEMO_YOUTH_ACCOUNTS, DEMO_YOUTH_APPLICANT):
        account = Account(
            email=email,
            display_name=first,
            password_hash=password_hash,
            email_verified_at=utcnow(),
        )
        approved = email != DEMO_YOUTH_APPLICANT[0]
        if approved:
            account.role_grants.append(RoleGrant(role=Role.YOUTH_MEMBER))
        dbsession.add(account)
        born = date(today.year - age - (1 if (today.month, today.day) < (1, 15) else 0), 1, 15)
        member = forum_member(account, first, surname, born, approved)
        if approved:
            members.append(member)
    dbsession.flush()
    # Yusuf has chaired since the board's demo gave him the ex officio seat.
    seat = dbsession.scalar(select(Directorship).where(Directorship.seat_category == "youth_chair"))
    dbsession.add(
        YouthChairTerm(
            member=yusuf,
            started_on=seat.start_date,
            ended_on=youth_rules.leaves_on(yusuf.date_of_birth, rules),
            directorship_id=seat.id,
        )
    )
    youth.open_year(dbsession, constitution, day=today, actor_id=worker.id)
    quote = (b"%PDF-1.4\n% demo quote\n", "quote.pdf")
    receipt = (b"%PDF-1.4\n% demo receipt\n", "receipt.pdf")
    span = max((today - start).days, 0)

    def on(fraction: float) -> date:
        return start + timedelta(days=int(span * fraction))

    def proposal(number, title, category, pounds, until, votes="fffff", day=None):
        """A proposal by member ``number`` taken as far as ``until`` in its lifecycle."""
        day = day or on(0.1 + 0.08 * number)
        proposer = members[number % len(members)]
        made = youth.draft_proposal(
            dbsession,
            proposer,
            youth.ProposalFields(
                title=title,
                what_and_why=f"{title}: something young people on the estates asked for.",
                who_benefits="Young people on the Golborne estates and their families.",
                category=category,
                cost_pence=pounds * 100,
                cost_breakdown=f"Supplier's quote: £{pounds:,}",
            ),
            quote=quote,
            actor_id=proposer.account_id,
        )
        if until == "draft":
            return made
        youth.submit_proposal(dbsession, made, proposer, actor_id=proposer.account_id)
        if until == "withdrawn":
            youth.withdraw_proposal(dbsession, made, proposer, actor_id=proposer.account_id)
            return made
        if until == "returned":
            youth.return_proposal(
                dbsession, made, comments="Please add a second quote.", actor_id=worker.id
            )
            return made
        if until == "submitted":
            return made
        youth.open_vote(dbsession, constitution, made, comments="", actor_id=worker.id, today=day)
        for voter, choice in zip(members, votes, strict=False):
            mark = {"f": "for", "a": "against", "x": "abstain"}[choice]
            youth.cast_vote(dbsession, made, voter, choice=mark, actor_id=None, today=day)
        if until == "voting":
            return made
        youth.count_proposal_votes(dbsession, constitution, made.id, actor_id=worker.id, today=day)
        if made.status == youth_rules.AWAITING_RATIFICATION and until != "awaiting":
            youth.record_ratification(
                dbsession,
                made,
                ratified=until != "not_ratified",
                reference=f"Board {day:%-d %B %Y}, minute 8",
                decided_on=day,
                actor_id=None,
            )
        if until in ("spent", "reported"):
            youth.record_spend(
                dbsession,
                made,
                amount=pounds * 100 - 1_250,
                on=max(day, on(0.2 + 0.1 * number)),
                receipt=receipt,
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
                today=max(day, on(0.3 + 0.1 * number)),
            )
        return made

    proposal(0, "Football kit for the estate team", "sport", 850, "reported")
    proposal(1, "Street art on the garages", "arts", 1_800, "committed")
    proposal(2, "Summer trip to the coast", "events", 2_400, "spent")
    proposal(3, "Wildflower planters by the play area", "environment", 600, "committed")
    proposal(4, "Recording studio kit for the youth club", "equipment", 1_500, "awaiting")
    proposal(5, "A games console for the youth club", "equipment", 400, "lost", votes="aaafx")
    proposal(0, "Climbing wall", "sport", 3_000, "not_ratified")
    proposal(1, "Cooking classes", "learning", 700, "voting", votes="ff")
    proposal(2, "Table tennis tables", "sport", 900, "submitted")
    proposal(3, "Film nights", "events", 300, "returned")
    proposal(4, "Bike repair workshop", "learning", 450, "draft")
    proposal(5, "Gaming tournament", "events", 250, "withdrawn")
    # Agreed, but more than the money left this year.
    proposal(0, "A minibus for the youth club", "equipment", 40_000, "unfunded")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tmo-demo", description=__doc__.splitlines()[0])
    ini_argument(parser)
    args = parser.parse_args(argv)
    with database_session(args.config_uri) as dbsession:
        loaded = load_demo(dbsession)
        dbsession.commit()
    if loaded:
        print(f"Loaded the demo TMO. Log in as any of these with the password {DEMO_PASSWORD}:")
        for email, _, roles in DEMO_ACCOUNTS:
            print(f"  {email:32} {', '.join(r.label for r in roles) or 'Resident'}")
        for email in DEMO_APPLICANTS:
            print(f"  {email:32} Resident, applied to join")
        for email, _, _, age in DEMO_YOUTH_ACCOUNTS:
            print(f"  {email:32} Youth forum member, aged {age}")
        print(f"  {DEMO_YOUTH_APPLICANT[0]:32} Resident, asked to join the Youth Forum")
    else:
        print("The database already holds data: the demo was not loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
