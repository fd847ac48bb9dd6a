"""The plain-text result sheet of a count, stage by stage, for posting and for the minutes.

The sheet shows, for every stage, each candidate's total, the change since the previous stage
and whether they are elected or excluded, then the non-transferable votes and the value lost
to truncation so every column adds up to the valid vote. It lists every drawing of lots with
the expression that repeats it, and ends with one `Elected: NAME` line per winner, in order of
election, as its very last lines (scripts and tests read those lines).
"""

from __future__ import annotations

from tmo.rules.counting.ballots import Election
from tmo.rules.counting.result import CountResult, Stage

_METHOD_NAMES = {
    "scottish-stv": (
        "Single transferable vote, Scottish STV rules "
        "(Scottish Local Government Elections Order 2007, rules 45-52)"
    ),
    "block-vote": "Block vote (each voter marks up to one candidate per seat)",
}


def render_text_sheet(result: CountResult, election: Election) -> str:
    """Render `result` as a stage-by-stage text sheet ending in `Elected: NAME` lines."""
    names = election.candidates
    name_width = max([len("Non-transferable"), *(len(names[c]) for c in _shown(result))])
    value_width = max(
        12, *(len(result.format_votes(v)) for stage in result.stages for v in stage.totals.values())
    )
    heading = result.title or "Election count"
    lines = [heading, "=" * len(heading)]
    lines.append(f"Method: {_METHOD_NAMES.get(result.method, result.method)}")
    lines.append(f"Seats: {result.seats}")
    lines.append(f"Valid ballot papers: {result.valid_votes}")
    if result.quota is not None:
        lines.append(f"Quota: {result.format_votes(result.quota)}")
        lines.append("Residual: value lost by truncating transfer values to 5 decimal places")
    lines.append(f"Seed for any drawing of lots: {result.seed!r}")
    withdrawn = sorted(election.withdrawn)
    if withdrawn:
        lines.append("Withdrawn: " + ", ".join(names[candidate] for candidate in withdrawn))
    previous: Stage | None = None
    for stage in result.stages:
        lines.append("")
        lines.extend(_stage_block(result, election, stage, previous, name_width, value_width))
        previous = stage
    lines.append("")
    lines.append("Lots drawn")
    if not result.lots:
        lines.append("  none")
    for draw in result.lots:
        tied = ", ".join(names[candidate] for candidate in draw.tied)
        lines.append(
            f"  Stage {draw.stage}, {draw.purpose}: tied {tied}; lot chose {names[draw.chosen]}"
        )
        lines.append(f"    repeat with {draw.method} (candidates numbered from 0 as listed)")
    lines.append("")
    lines.extend(f"Elected: {names[candidate]}" for candidate in result.elected)
    return "\n".join(lines) + "\n"


def _shown(result: CountResult) -> list[int]:
    return sorted(result.stages[0].totals) if result.stages else []


def _stage_block(
    result: CountResult,
    election: Election,
    stage: Stage,
    previous: Stage | None,
    name_width: int,
    value_width: int,
) -> list[str]:
    names = election.candidates
    heading = f"Stage {stage.number}: {stage.description}"
    lines = [heading, "-" * len(heading)]
    change_heading = "" if previous is None else "Change"
    header = f"  {'Candidate':<{name_width}}  {'Votes':>{value_width}}"
    lines.append(f"{header}  {change_heading:>{value_width}}".rstrip())
    for candidate in _shown(result):
        total = stage.totals[candidate]
        change = "" if previous is None else _signed(result, total - previous.totals[candidate])
        status = ""
        if candidate in stage.elected_so_far:
            status = "elected"
        elif candidate in stage.excluded_so_far:
            status = "excluded"
        row = f"  {names[candidate]:<{name_width}}  {result.format_votes(total):>{value_width}}"
        lines.append(f"{row}  {change:>{value_width}}  {status}".rstrip())
    if result.quota is not None:
        extra_rows = (
            (
                "Non-transferable",
                stage.nontransferable,
                previous.nontransferable if previous else 0,
            ),
            ("Residual", stage.residual, previous.residual if previous else 0),
        )
        for label, value, before in extra_rows:
            change = "" if previous is None else _signed(result, value - before)
            row = f"  {label:<{name_width}}  {result.format_votes(value):>{value_width}}"
            lines.append(f"{row}  {change:>{value_width}}".rstrip())
    grand_total = sum(stage.totals.values()) + stage.nontransferable + stage.residual
    lines.append(f"  {'Total':<{name_width}}  {result.format_votes(grand_total):>{value_width}}")
    newly_elected = [
        c for c in stage.elected_so_far if not previous or c not in previous.elected_so_far
    ]
    if newly_elected:
        lines.append("  Elected at this stage: " + ", ".join(names[c] for c in newly_elected))
    lines.extend(f"  Note: {note}" for note in stage.notes)
    return lines


def _signed(result: CountResult, change: int) -> str:
    if change == 0:
        return ""
    return ("+" if change > 0 else "") + result.format_votes(change)
