"""The demo's constitution: the model rules (Kensington & Chelsea TMO's) with invented contact
details, in force from the first of January of the year the demo is dated in, adopted by the
demo's administrator."""

from datetime import date

from sqlalchemy.orm import Session

from tmo.constitution import Constitution, ContactDetails
from tmo.models.accounts import Account
from tmo.services.constitution import adopt_constitution

DEMO_ORGANISATION = "Golborne Estates TMO (demo)"
# Invented: example.org is reserved for examples, 020 7946 0xxx for drama.
DEMO_CONTACT = ContactDetails(
    office_address="The estate office, Adela Gardens, London W10",
    email="office@example.org",
    phone="020 7946 0123",
    opening_hours="Monday to Friday, 9am to 5pm",
    data_protection_contact="The company secretary",
)


def adopt_demo_constitution(dbsession: Session, today: date, administrator: Account) -> None:
    adopt_constitution(
        dbsession,
        Constitution(organisation_name=DEMO_ORGANISATION, contact=DEMO_CONTACT),
        effective_from=date(today.year, 1, 1),
        note="Model rules (Kensington & Chelsea TMO) adopted for the demo.",
        actor_id=administrator.id,
    )
