"""The demo's members: about 80 residents admitted on their current tenancies (the demo accounts
that are members among them, who agreed to notices by email; the rest are sent them by post), a
few who have resigned since, and applications waiting for the secretary, each for a tenancy in
the applicant's name. Admissions and resignations all fall on or before the demo's day."""

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.demo.accounts import add_demo_account
from tmo.demo.clock import start_of
from tmo.models.accounts import Account
from tmo.models.membership import Member, MembershipApplication, Tenancy
from tmo.rules.membership import ONLINE
from tmo.rules.notices import Channel

# Residents waiting for the secretary's decision, each applying for a tenancy in their name.
DEMO_APPLICANTS = ("applicant.one@example.org", "applicant.two@example.org")
DEMO_MEMBERS = 80


def load_demo_members(
    dbsession: Session, accounts_by_name: dict[str, Account], today: date
) -> None:
    rng = random.Random(2026)  # noqa: S311 (invented demo data: repeatable, not secret)
    tenancies = dbsession.scalars(
        select(Tenancy).where(Tenancy.end_date.is_(None)).order_by(Tenancy.reference)
    ).all()
    named = [t for t in tenancies if t.holder_name in accounts_by_name]
    others = [t for t in tenancies if t.holder_name not in accounts_by_name]
    rng.shuffle(others)
    chosen = named + others[: DEMO_MEMBERS - len(named)]
    chosen.sort(key=lambda tenancy: tenancy.start_date)
    admit_demo_members(dbsession, rng, chosen, accounts_by_name, today)
    waiting = [t for t in others[DEMO_MEMBERS - len(named) :] if t.holding == "secure_tenant"]
    add_demo_applications(dbsession, rng, waiting, today)


def admit_demo_members(
    dbsession: Session,
    rng: random.Random,
    tenancies: list[Tenancy],
    accounts_by_name: dict[str, Account],
    today: date,
) -> None:
    """A member on each tenancy, numbered in the order the tenancies began."""
    for number, tenancy in enumerate(tenancies, start=1):
        account = accounts_by_name.get(tenancy.holder_name)
        admitted = max(tenancy.start_date, date(2004, 4, 1)) + timedelta(days=rng.randint(30, 900))
        member = Member(
            member_number=number,
            account_id=account.id if account else None,
            home_id=tenancy.home_id,
            tenancy_id=tenancy.id,
            name=tenancy.holder_name,
            address=tenancy.home.address,
            admitted_on=min(admitted, today),
            contact_email=account.email if account else "",
        )
        if account is not None:
            # The demo's people online agreed, when they joined, to be sent notices by email;
            # everyone else is sent them by post.
            member.contact_by = Channel.EMAIL
            member.email_agreed_at = member.contact_recorded_at = start_of(member.admitted_on)
            member.contact_recorded_how = ONLINE
        # One in sixteen has resigned since (never a demo account's own membership).
        if account is None and number % 16 == 0:
            member.ceased_on = min(member.admitted_on + timedelta(days=700), today)
            member.ceased_reason = "resigned"
        dbsession.add(member)
    dbsession.flush()


def add_demo_applications(
    dbsession: Session, rng: random.Random, tenancies: list[Tenancy], today: date
) -> None:
    """An account and an application, made at the start of ``today``, for each of
    DEMO_APPLICANTS."""
    password_hash = dbsession.scalar(select(Account.password_hash).limit(1))
    for email, tenancy in zip(DEMO_APPLICANTS, tenancies, strict=False):
        applicant = add_demo_account(dbsession, email, tenancy.holder_name, password_hash, today)
        dbsession.flush()
        dbsession.add(
            MembershipApplication(
                account_id=applicant.id,
                home_id=tenancy.home_id,
                full_name=tenancy.holder_name,
                holding=tenancy.holding,
                date_of_birth=date(1960 + rng.randint(0, 40), rng.randint(1, 12), 14),
                consented_at=start_of(today),
                submitted_at=start_of(today),
                matched_tenancy_id=tenancy.id,
                contact_by=Channel.EMAIL,
                email_agreed_at=start_of(today),
                contact_recorded_at=start_of(today),
                contact_recorded_how=ONLINE,
            )
        )
