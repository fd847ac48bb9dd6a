"""The demo's accounts: one for each role of DOMAIN.md section 7, all with the public password
DEMO_PASSWORD and confirmed on the demo's day; and ``add_demo_account``, with which the other demo
loaders make the accounts of the residents and young people they add."""

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from tmo.demo.clock import start_of
from tmo.models.accounts import Account, RoleGrant
from tmo.permissions import Role
from tmo.services import audit
from tmo.services.accounts import hash_password

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


def add_demo_account(
    dbsession: Session,
    email: str,
    name: str,
    password_hash: str,
    today: date,
    roles: Iterable[Role] = (),
) -> Account:
    """An account created, and its address confirmed, at the start of ``today``."""
    account = Account(
        email=email,
        display_name=name,
        password_hash=password_hash,
        created_at=start_of(today),
        email_verified_at=start_of(today),
        role_grants=[RoleGrant(role=role) for role in roles],
    )
    dbsession.add(account)
    return account


def load_demo_accounts(dbsession: Session, today: date) -> dict[str, Account]:
    """The accounts of DEMO_ACCOUNTS, by name."""
    password_hash = hash_password(DEMO_PASSWORD)
    accounts = [
        add_demo_account(dbsession, email, name, password_hash, today, roles)
        for email, name, roles in DEMO_ACCOUNTS
    ]
    dbsession.flush()
    for account in accounts:
        audit.record(dbsession, "account.created_for_demo", actor_id=None, target=account)
    return {account.display_name: account for account in accounts}
