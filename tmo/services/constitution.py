"""The constitution in force on a date, and adopting a new version of it: what it changes, the
rules it would break (against each other and against the board as it sits), and, honestly, from
when it applies."""

import dataclasses
import json
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Date, Text, bindparam, cast, select
from sqlalchemy.orm import Session

from tmo.constitution import SECTIONS, Constitution, SeatCategory, from_dict, to_dict
from tmo.models.board import Directorship
from tmo.models.constitution import ConstitutionVersion
from tmo.refusal import Refusal
from tmo.services import audit


class ConstitutionConflict(Refusal, ValueError):
    """The proposed rules contradict each other: ``problems`` are (rule's path, message) pairs,
    and the refusal is about the first rule named."""

    def __init__(self, problems):
        super().__init__("; ".join(message for _, message in problems), problems[0][0])
        self.problems = problems


def _latest_effective_by(query, on, versions=ConstitutionVersion):
    return (
        query.where(versions.effective_from <= on)
        .order_by(versions.effective_from.desc(), versions.id.desc())
        .limit(1)
    )


def version_in_force(dbsession: Session, on: date) -> ConstitutionVersion | None:
    return dbsession.scalar(_latest_effective_by(select(ConstitutionVersion), on))


# Built once (on a page that reads little else, building the select cost a third of the query),
# over the table, and run on the session's connection: the ORM's work around it cost as much again.
_VERSIONS = ConstitutionVersion.__table__.c
RULES_IN_FORCE = _latest_effective_by(
    select(cast(_VERSIONS.rules, Text)), bindparam("on", type_=Date), _VERSIONS
)


def constitution_on(dbsession: Session, on: date) -> Constitution:
    """The rules in force on ``on``: the latest version effective by then, else the defaults.

    Which version is in force is asked of the database every time (one indexed row), so a
    version saved by another process, or one taking effect at midnight, applies to the next
    request; only turning its stored text into rules is remembered, keyed by that text."""
    if dbsession.autoflush:
        # As an ORM query would: a version added in this session is seen.
        dbsession.flush()
    stored = dbsession.connection().scalar(RULES_IN_FORCE, {"on": on})
    return rules_of(stored) if stored is not None else MODEL_RULES


MODEL_RULES = Constitution()


@lru_cache(maxsize=16)
def rules_of(stored: str) -> Constitution:
    """The rules a version's stored JSON holds (a Constitution is frozen, so one is shared)."""
    return from_dict(Constitution, json.loads(stored))


def history(dbsession: Session) -> list[ConstitutionVersion]:
    return list(
        dbsession.scalars(
            select(ConstitutionVersion).order_by(
                ConstitutionVersion.effective_from.desc(), ConstitutionVersion.id.desc()
            )
        )
    )


def _day(day: date) -> str:
    return f"{day:%-d %B %Y}"


def seats_held_problems(
    dbsession: Session, constitution: Constitution, effective_from: date
) -> list[tuple[str, str]]:
    """A seat category cut below a seat that is held from ``effective_from`` on: the cut would
    silently take a sitting director off the board, so their terms must be ended first."""
    found = []
    terms = dbsession.scalars(
        select(Directorship).order_by(Directorship.seat_category, Directorship.seat_number)
    ).all()
    for category in constitution.board.seat_categories:
        cut = [
            term
            for term in terms
            if term.seat_category == category.key
            and term.seat_number > category.seats
            and not _finished_by(term, effective_from)
        ]
        if cut:
            names = ", ".join(f"{term.director.name} (seat {term.seat_number})" for term in cut)
            held = max(term.seat_number for term in cut)
            found.append(
                (
                    f"seats.{category.key}.seats",
                    f"{category.name}: {category.seats} seats would leave out seats held by "
                    f"{names}. Keep {held} seats, or end "
                    f"{'their terms' if len(cut) > 1 else 'that term'} first on the board page "
                    "(Manage the board, /secretary/board), then lower the number.",
                )
            )
    return found


def _finished_by(term: Directorship, day: date) -> bool:
    ends = [end for end in (term.end_date, term.ended_on) if end is not None]
    return bool(ends) and min(ends) <= day


def date_problems(dbsession: Session, effective_from: date, today: date) -> list[tuple[str, str]]:
    """A version dated before the one in force today would never be in force: the later one
    would replace it at once, so it only rewrites the past. It is refused."""
    current = version_in_force(dbsession, today)
    if current is not None and effective_from < current.effective_from:
        return [
            (
                "effective_from",
                f"The rules in force now took effect on {_day(current.effective_from)}, so a "
                f"version effective from {_day(effective_from)} would never be in force. Give "
                f"{_day(current.effective_from)} or a later date.",
            )
        ]
    return []


def check_version(
    dbsession: Session,
    constitution: Constitution,
    *,
    effective_from: date,
    today: date | None = None,
) -> None:
    """Raise ConstitutionConflict naming every problem of adopting ``constitution`` from
    ``effective_from`` (its date is checked against the versions only when ``today`` is given)."""
    problems = constitution.problems() + seats_held_problems(
        dbsession, constitution, effective_from
    )
    if today is not None:
        problems += date_problems(dbsession, effective_from, today)
    if problems:
        raise ConstitutionConflict(problems)


def when_it_applies(
    dbsession: Session, effective_from: date, today: date, *, saved: bool = True
) -> str:
    """From when a version effective from ``effective_from`` applies, and until when if a
    later version already adopted replaces it: the words an administrator reads (before it is
    saved, ``saved=False``, what would happen)."""
    later = dbsession.scalar(
        select(ConstitutionVersion.effective_from)
        .where(ConstitutionVersion.effective_from > effective_from)
        .order_by(ConstitutionVersion.effective_from)
        .limit(1)
    )
    are = "are" if saved else "would be"
    if effective_from > today:
        words = f"These rules will take effect on {_day(effective_from)}"
    elif effective_from < today:
        words = f"These rules {are} in force, backdated: they apply from {_day(effective_from)}"
    else:
        words = f"These rules {are} in force from today, {_day(effective_from)}"
    if later is not None:
        words += (
            f", until {_day(later - timedelta(days=1))}: the version already adopted to take "
            f"effect on {_day(later)} replaces them then"
        )
    return words + "."


def _shown(value, meta: dict) -> str:
    """A rule's value as the administrator reads it."""
    choices = dict(meta.get("choices") or ())
    if meta.get("kind") == "money":
        return f"£{value / 100:,.2f}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, tuple):
        return ", ".join(str(choices.get(item, item)) for item in value) or "(none)"
    return str(choices.get(value, value))


def _rule_changes(old, new, prefix: str = "") -> list[tuple[str, str, str]]:
    found = []
    for item in dataclasses.fields(type(old)):
        if item.name in ("key", "seat_categories"):
            continue
        before, after = getattr(old, item.name), getattr(new, item.name)
        # A section is compared rule by rule, under its own title.
        if before != after and not dataclasses.is_dataclass(before):
            title = prefix + (item.metadata.get("title") or item.name)
            found.append((title, _shown(before, item.metadata), _shown(after, item.metadata)))
    return found


def changes_between(old: Constitution, new: Constitution) -> list[tuple[str, str, str]]:
    """(rule's title, old value, new value) of every rule ``new`` changes, in the form's order."""
    found = _rule_changes(old, new)
    for name, title in SECTIONS:
        found += _rule_changes(getattr(old, name), getattr(new, name), f"{title}: ")
        if name == "board":
            before = {category.key: category for category in old.board.seat_categories}
            for category in new.board.seat_categories:
                was = before.get(category.key) or SeatCategory(category.key)
                found += _rule_changes(was, category, f"{category.name} seats: ")
    return found


def adopt_constitution(
    dbsession: Session,
    constitution: Constitution,
    *,
    effective_from: date,
    note: str,
    actor_id: int | None,
    today: date | None = None,
) -> ConstitutionVersion:
    check_version(dbsession, constitution, effective_from=effective_from, today=today)
    changed = [
        title
        for title, _, _ in changes_between(constitution_on(dbsession, effective_from), constitution)
    ]
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
        changed=changed,
    )
    return version
