"""The demo's constitution: the model rules (Kensington & Chelsea TMO's), in force from the first
of January of the year the demo is dated in, adopted by the demo's administrator."""

from datetime import date

from sqlalchemy.orm import Session

from tmo.constitution import Constitution
from tmo.models.accounts import Account
from tmo.services.constitution import adopt_constitution

DEMO_ORGANISATION = "Golborne Estates TMO (demo)"


def adopt_demo_constitution(dbsession: Session, today: date, administrator: Account) -> None:
    adopt_constitution(
        dbsession,
        Constitution(organisation_name=DEMO_ORGANISATION),
        effective_from=date(today.year, 1, 1),
        note="Model rules (Kensington & Chelsea TMO) adopted for the demo.",
        actor_id=administrator.id,
    )
