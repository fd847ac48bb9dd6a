"""The constitution in force on a date, and adopting a new version of it."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.constitution import Constitution, from_dict, to_dict
from tmo.models.constitution import ConstitutionVersion
from tmo.refusal import Refusal
from tmo.services import audit


class ConstitutionConflict(Refusal, ValueError):
    """The proposed rules contradict each other: ``problems`` are (rule's path, message) pairs,
    and the refusal is about the first rule named."""

    def __init__(self, problems):
        super().__init__("; ".join(message for _, message in problems), problems[0][0])
        self.problems = problems


def version_in_force(dbsession: Session, on: date) -> ConstitutionVersion | None:
    return dbsession.scalar(
        select(ConstitutionVersion)
        .where(ConstitutionVersion.effective_from <= on)
        .order_by(ConstitutionVersion.effective_from.desc(), ConstitutionVersion.id.desc())
        .limit(1)
    )


def constitution_on(dbsession: Session, on: date) -> Constitution:
    """The rules in force on ``on``: the latest version effective by then, else the defaults."""
    version = version_in_force(dbsession, on)
    return from_dict(Constitution, version.rules) if version else Constitution()


def history(dbsession: Session) -> list[ConstitutionVersion]:
    return list(
        dbsession.scalars(
            select(ConstitutionVersion).order_by(
                ConstitutionVersion.effective_from.desc(), ConstitutionVersion.id.desc()
            )
        )
    )


def adopt_constitution(
    dbsession: Session,
    constitution: Constitution,
    *,
    effective_from: date,
    note: str,
    actor_id: int | None,
) -> ConstitutionVersion:
    problems = constitution.problems()
    if problems:
        raise ConstitutionConflict(problems)
    version = ConstitutionVersion(
        effective_from=effective_from,
        rules=to_dict(constitution),
        note=note,
        created_by_id=actor_id,
    )
    dbsession.add(version)
    audit.record(
        dbsession,
        "constitution.adopted",
        actor_id=actor_id,
        target=version,
        effective_from=effective_from.isoformat(),
        note=note,
    )
    return version
