"""The record of a count, shared by every counting method: stages, lots drawn and who was elected.

A count is kept entirely in integers so that it can be checked by hand and reproduced exactly.
An STV count keeps votes in units of 1/100,000 of a vote (five decimal places, as the Scottish
Local Government Elections Order 2007 requires); a block-vote count keeps whole votes. The
`scale` on `CountResult` says which, and `format_votes` turns a stored integer into the text a
result sheet shows. Nothing here counts anything: `scottish_stv` and `block_vote` build these
records, `sheet` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

STV_SCALE: Final = 100_000
"""Units per vote in an STV count: five decimal places, kept as integers."""

STV_PLACES: Final = 5

BLOCK_SCALE: Final = 1
"""Units per vote in a block-vote count: whole votes."""


class StageAction:
    """What a stage did; the values are stable strings a sheet or a test can match on."""

    FIRST_PREFERENCES: Final = "first-preferences"
    SURPLUS: Final = "surplus"
    EXCLUSION: Final = "exclusion"
    LAST_VACANCIES: Final = "last-vacancies"
    BLOCK_COUNT: Final = "block-count"


@dataclass(frozen=True)
class LotDraw:
    """One drawing of lots: who was tied, who the lot chose, and how anyone can repeat it."""

    stage: int
    purpose: str
    tied: tuple[int, ...]
    chosen: int
    method: str


@dataclass(frozen=True)
class Stage:
    """The state of the count at the end of one stage.

    `totals` holds every candidate still standing at the start of the count (withdrawn ones are
    left out), in the count's units; excluded candidates show 0 once their papers have moved on.
    `residual` is the value lost by truncating transfer values, so that at every stage
    sum(totals) + nontransferable + residual equals the valid votes times the scale.
    """

    number: int
    action: str
    subject: int | None
    description: str
    totals: dict[int, int]
    nontransferable: int
    residual: int
    elected_so_far: tuple[int, ...]
    excluded_so_far: tuple[int, ...]
    lot_draws: tuple[LotDraw, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountResult:
    """A finished count: every stage in order, the lots drawn, the winners in election order."""

    method: str
    title: str
    seats: int
    valid_votes: int
    quota: int | None
    scale: int
    seed: str
    stages: list[Stage]
    elected: list[int]
    lots: list[LotDraw] = field(default_factory=list)

    def format_votes(self, units: int) -> str:
        """Show a stored total as the sheet prints it: five decimals for STV, whole votes else."""
        return format_votes(units, self.scale)


def format_votes(units: int, scale: int) -> str:
    """Render an integer count of 1/scale votes with exactly as many decimals as the scale has."""
    if scale == 1:
        return str(units)
    places = len(str(scale)) - 1
    sign = "-" if units < 0 else ""
    whole, fraction = divmod(abs(units), scale)
    return f"{sign}{whole}.{fraction:0{places}d}"


def to_record(result: CountResult) -> dict:
    """The count as plain JSON values, to be kept beside the result sheet."""
    return {
        "method": result.method,
        "title": result.title,
        "seats": result.seats,
        "valid_votes": result.valid_votes,
        "quota": result.quota,
        "scale": result.scale,
        "seed": result.seed,
        "elected": list(result.elected),
        "lots": [_draw_record(draw) for draw in result.lots],
        "stages": [
            {
                "number": stage.number,
                "action": stage.action,
                "subject": stage.subject,
                "description": stage.description,
                "totals": [[candidate, votes] for candidate, votes in stage.totals.items()],
                "nontransferable": stage.nontransferable,
                "residual": stage.residual,
                "elected_so_far": list(stage.elected_so_far),
                "excluded_so_far": list(stage.excluded_so_far),
                "lot_draws": [_draw_record(draw) for draw in stage.lot_draws],
                "notes": list(stage.notes),
            }
            for stage in result.stages
        ],
    }


def from_record(record: dict) -> CountResult:
    """The CountResult that ``to_record`` wrote."""
    return CountResult(
        method=record["method"],
        title=record["title"],
        seats=record["seats"],
        valid_votes=record["valid_votes"],
        quota=record["quota"],
        scale=record["scale"],
        seed=record["seed"],
        elected=list(record["elected"]),
        lots=[_draw(draw) for draw in record["lots"]],
        stages=[
            Stage(
                number=stage["number"],
                action=stage["action"],
                subject=stage["subject"],
                description=stage["description"],
                totals={candidate: votes for candidate, votes in stage["totals"]},
                nontransferable=stage["nontransferable"],
                residual=stage["residual"],
                elected_so_far=tuple(stage["elected_so_far"]),
                excluded_so_far=tuple(stage["excluded_so_far"]),
                lot_draws=tuple(_draw(draw) for draw in stage["lot_draws"]),
                notes=tuple(stage["notes"]),
            )
            for stage in record["stages"]
        ],
    )


def _draw_record(draw: LotDraw) -> dict:
    return {
        "stage": draw.stage,
        "purpose": draw.purpose,
        "tied": list(draw.tied),
        "chosen": draw.chosen,
        "method": draw.method,
    }


def _draw(record: dict) -> LotDraw:
    return LotDraw(
        record["stage"],
        record["purpose"],
        tuple(record["tied"]),
        record["chosen"],
        record["method"],
    )
