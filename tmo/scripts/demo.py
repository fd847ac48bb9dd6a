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
    election.roll_frozen_on = elections.london_day(election.poll_opens_at)
    election.seed = "demo-" + "".join(rng.choice("0123456789abcdef") for _ in range(26))
    dbsession.flush()
    election.chain_head = genesis(election.id)
    voters = elections.entitled_members(dbsession, election.roll_frozen_on)
    dbsession.add_all(RollEntry(election_id=election.id, member_id=m.id) for m in voters)
    dbsession.flush()
    candidate_ids = [c.id for c in election.candidates]
    for voter in [m for m in voters if m.account_id is None][:20]:
        ranked = rng.sample(candidate_ids, rng.randint(1, len(candidate_ids)))
        elections.cast(dbsession, election.id, voter.id, ranked)


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
    else:
        print("The database already holds data: the demo was not loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
