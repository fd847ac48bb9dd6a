"""The demo's bodies and who sits on them: the board, two committees, a sub-committee, a panel,
the Youth Forum and the general meeting of members. Seats on the board's bodies are held by its
directors (or a co-optee); the Youth Forum's by young people, never as directors, though its
chair is one. Everyone has sat since the board began, four AGMs before the demo's day."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.models.accounts import Account
from tmo.models.board import Director
from tmo.models.meetings import Body, BodyMember
from tmo.rules import meetings as rules

# (name, kind, terms of reference, the body it reports to, quorum, seats as (name, role)).
DEMO_BODIES = (
    (
        "The board",
        rules.BOARD,
        "The board of directors governs the TMO under its articles and the management "
        "agreement with the council.",
        None,
        {},
        (("Chris Walsh", "chair"), ("Dana Kowalski", "vice_chair")),
    ),
    (
        "Finance and Audit Committee",
        rules.COMMITTEE,
        "Oversees the budget, the accounts, internal audit and risk; reports to the board.",
        None,
        {"quorum_number": 3},
        (
            ("Grace Ellison", "chair"),
            ("Dana Kowalski", "member"),
            ("Marcus Obi", "member"),
            ("Cllr Priya Raman", "member"),
        ),
    ),
    (
        "Operations Committee",
        rules.COMMITTEE,
        "Oversees repairs, estate services and resident engagement.",
        None,
        {"quorum_number": 3},
        (("Leah Novak", "chair"), ("Chris Walsh", "member"), ("Marcus Obi", "member")),
    ),
    (
        "Repairs Sub-committee",
        rules.SUB_COMMITTEE,
        "Monitors the repairs contract for the Operations Committee.",
        "Operations Committee",
        {"quorum_number": 1, "quorum_of": 2},
        (("Leah Novak", "chair"), ("Samir Haddad (resident co-optee)", "member")),
    ),
    (
        "Complaints Panel",
        rules.PANEL,
        "Hears complaints at the final stage of the complaints procedure.",
        None,
        {"quorum_number": 3},
        (("Grace Ellison", "member"), ("Cllr Helen Marsh", "member"), ("Dana Kowalski", "member")),
    ),
    (
        "Youth Forum",
        rules.YOUTH_FORUM,
        "Young residents aged 13 to 25: decides how the devolved youth budget is spent.",
        None,
        {"quorum_number": 3},
        (
            ("Yusuf", "chair"),
            ("Amira", "member"),
            ("Tom", "member"),
            ("Precious", "member"),
            ("Kai", "member"),
        ),
    ),
    (
        "General meeting of members",
        rules.GENERAL_MEETING,
        "Every member of the TMO: receives the accounts, hears the board election results and "
        "decides the business the articles reserve to the members.",
        None,
        {},
        (),
    ),
)


def load_demo_bodies(
    dbsession: Session, accounts_by_name: dict[str, Account], today: date
) -> dict[str, Body]:
    """DEMO_BODIES with their seats, by name."""
    directors = {d.name: d for d in dbsession.scalars(select(Director))}
    founded = date(today.year - 4, 9, 30)
    bodies: dict[str, Body] = {}
    for name, kind, terms, parent, quorum, seats in DEMO_BODIES:
        body = Body(
            name=name, kind=kind, terms_of_reference=terms, parent=bodies.get(parent), **quorum
        )
        dbsession.add(body)
        bodies[name] = body
        for person, role in seats:
            if kind == rules.YOUTH_FORUM:
                director, account = None, accounts_by_name.get(person)
            else:
                director, account = directors.get(person), None
            dbsession.add(
                BodyMember(
                    body=body,
                    name=person,
                    role=role,
                    from_date=founded,
                    director_id=director.id if director else None,
                    account_id=(director.account_id if director else None)
                    or (account and account.id),
                    email=account.email if account else "",
                )
            )
    dbsession.flush()
    return bodies
