"""``tmo-demo``: load the demo TMO into an empty database (and leave a loaded one alone).

Every part of tmo adds its demo data here, so the demo always shows all of tmo. For now: the
model constitution and an account for each role, all with the password DEMO_PASSWORD.
"""

import argparse
import sys
from datetime import date

from sqlalchemy import func, select

from tmo.constitution import Constitution
from tmo.models.accounts import Account, RoleGrant
from tmo.models.meta import utcnow
from tmo.permissions import Role
from tmo.scripts.environment import database_session, ini_argument
from tmo.services import audit
from tmo.services.accounts import hash_password
from tmo.services.constitution import adopt_constitution

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
    return True


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
    else:
        print("The database already holds data: the demo was not loaded.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
