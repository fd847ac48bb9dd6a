"""Reading the council's property register file and checking every row of it: the columns it must
have, what each value may be, and the homes and tenancies it describes. Every problem in the file
is found before any is reported, each with its line; the file is never half read."""

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from tmo.constitution import TENURES
from tmo.refusal import Refusal
from tmo.rules.text import tidied
from tmo.services.membership import normalise_postcode

HOME_COLUMNS = (
    "property_reference",
    "estate",
    "block",
    "address_line_1",
    "address_line_2",
    "postcode",
    "ward",
    "tenure_type",
)
TENANCY_COLUMNS = (
    "tenancy_reference",
    "holder_number",
    "holder_name",
    "holding",
    "tenancy_start",
    "tenancy_end",
)
COLUMNS = HOME_COLUMNS + TENANCY_COLUMNS
HOLDINGS = tuple(key for key, _ in TENURES)
# The longest each column may be: the width of the column it is stored in.
MAXIMUM_LENGTHS = {
    "property_reference": 32,
    "estate": 120,
    "block": 120,
    "address_line_1": 200,
    "address_line_2": 200,
    "ward": 80,
    "tenure_type": 32,
    "tenancy_reference": 32,
    "holder_name": 200,
}
REQUIRED_HOME_COLUMNS = (
    "property_reference",
    "estate",
    "address_line_1",
    "postcode",
    "tenure_type",
)
# A UK postcode once normalised: outward code (A9, A99, A9A, AA9, AA99, AA9A), a space, 9AA.
POSTCODE_PATTERN = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}")
# date.fromisoformat also takes 20240131 and 2024-W05-3; the council's file uses only this form.
DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class PropertyImportError(Refusal):
    """The file cannot be imported: every problem found, as (line number, message); the header is
    line 1. Nothing has been written."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors, key=lambda error: error[0])
        super().__init__("\n".join(describe_error(*error) for error in self.errors))


def describe_error(line: int, message: str) -> str:
    return f"line {line}: {message}"


@dataclass(frozen=True)
class HomeRecord:
    reference: str
    estate: str
    block: str
    address_line_1: str
    address_line_2: str
    postcode: str
    ward: str
    tenure_type: str


@dataclass(frozen=True)
class TenancyRecord:
    reference: str
    holder_number: int
    home_reference: str
    holder_name: str
    holding: str
    start_date: date
    end_date: date | None

    @property
    def key(self) -> tuple[str, int]:
        return (self.reference, self.holder_number)


@dataclass
class Register:
    """A checked file: its homes and tenancies in file order, and the line each came from."""

    rows: int = 0
    homes: dict[str, HomeRecord] = field(default_factory=dict)
    home_lines: dict[str, int] = field(default_factory=dict)
    tenancies: dict[tuple[str, int], TenancyRecord] = field(default_factory=dict)
    tenancy_lines: dict[tuple[str, int], int] = field(default_factory=dict)
    # tenancy reference -> (property reference, line): every holder of a tenancy holds one home.
    tenancy_homes: dict[str, tuple[str, int]] = field(default_factory=dict)

    def add_home(self, home: HomeRecord, line: int) -> str | None:
        """Record ``home``; the problem if an earlier row gave the same home other details."""
        seen = self.homes.setdefault(home.reference, home)
        if seen is home:
            self.home_lines[home.reference] = line
            return None
        if seen != home:
            return (
                f"property {home.reference} has a different "
                f"{', '.join(_differences(seen, home))} from line {self.home_lines[home.reference]}"
            )
        return None

    def add_tenancy(self, tenancy: TenancyRecord, line: int) -> str | None:
        """Record ``tenancy``; the problem if it repeats a holder or puts a tenancy in two homes."""
        earlier = self.tenancy_lines.get(tenancy.key)
        if earlier is not None:
            return (
                f"tenancy {tenancy.reference} holder {tenancy.holder_number} "
                f"is already on line {earlier}"
            )
        home_reference, home_line = self.tenancy_homes.setdefault(
            tenancy.reference, (tenancy.home_reference, line)
        )
        if home_reference != tenancy.home_reference:
            return (
                f"tenancy {tenancy.reference} is at property {home_reference} on line "
                f"{home_line}, not {tenancy.home_reference}"
            )
        self.tenancies[tenancy.key] = tenancy
        self.tenancy_lines[tenancy.key] = line
        return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PropertyImportError(
            [(line, "the file is not UTF-8 text: export it from the spreadsheet as CSV UTF-8")]
        ) from None


def _csv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """(line number, values) for every record, the header first; a quoted value may span lines,
    and its record is numbered by the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    consumed = 0
    try:
        for values in reader:
            yield consumed + 1, values
            consumed = reader.line_num
    except csv.Error as error:
        raise PropertyImportError(
            [(reader.line_num, f"the file is not valid CSV ({error})")]
        ) from None


def _mapping_rows(rows: Iterable[Mapping]) -> Iterable[tuple[int, list[str]]]:
    """Rows already split into columns (a list of dicts) read as if from a file."""
    header: list[str] | None = None
    for line, row in enumerate(rows, start=2):
        if header is None:
            header = list(row)
            yield 1, header
        yield line, ["" if row.get(name) is None else str(row.get(name)) for name in header]


def _records(source) -> tuple[Iterable[tuple[int, list[str]]], str]:
    """The records of ``source`` (a path, bytes, a file object or rows as dicts) and its name."""
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return _csv_rows(_decode(path.read_bytes())), path.name
    if isinstance(source, bytes | bytearray):
        return _csv_rows(_decode(bytes(source))), ""
    if hasattr(source, "read"):
        data = source.read()
        text = _decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
        return _csv_rows(text), os.path.basename(getattr(source, "name", "") or "")
    return _mapping_rows(source), ""


def _header_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Where each column is, and what is wrong with the header."""
    names = [name.strip().lower() for name in header]
    problems = []
    missing = [column for column in COLUMNS if column not in names]
    if len(missing) == len(COLUMNS):
        problems.append(
            f"the first line must be the header, naming the columns {', '.join(COLUMNS)}"
        )
    elif missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(f"the header lacks the column{plural} {', '.join(missing)}")
    repeated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
    if repeated:
        problems.append(f"the header repeats the column {', '.join(repeated)}")
    return {name: names.index(name) for name in COLUMNS if name in names}, problems


def _parse_date(column: str, value: str, problems: list[str]) -> date | None:
    if not DATE_PATTERN.fullmatch(value):
        problems.append(f"{column} '{value}' is not a date in the form YYYY-MM-DD")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{column} '{value}' is not a real date")
        return None


def _parse_row(values: dict[str, str]) -> tuple[HomeRecord | None, TenancyRecord | None, list]:
    """One row's home and tenancy (None for a void home), or the problems that stop it."""
    problems = []
    for column in REQUIRED_HOME_COLUMNS:
        if not values[column]:
            problems.append(f"{column} is missing")
    for column, longest in MAXIMUM_LENGTHS.items():
        if len(values[column]) > longest:
            problems.append(f"{column} is longer than {longest} characters")
    postcode = normalise_postcode(values["postcode"])
    if values["postcode"] and not POSTCODE_PATTERN.fullmatch(postcode):
        problems.append(f"postcode '{values['postcode']}' is not a UK postcode")
    home = HomeRecord(
        reference=values["property_reference"],
        estate=values["estate"],
        block=values["block"],
        address_line_1=values["address_line_1"],
        address_line_2=values["address_line_2"],
        postcode=postcode,
        ward=values["ward"],
        tenure_type=values["tenure_type"],
    )
    if not any(values[column] for column in TENANCY_COLUMNS):
        return (None if problems else home), None, problems

    for column in ("tenancy_reference", "holder_name", "holding", "tenancy_start"):
        if not values[column]:
            problems.append(f"{column} is missing (a void home leaves every tenancy column empty)")
    holder_number = 1
    if values["holder_number"]:
        try:
            holder_number = int(values["holder_number"])
        except ValueError:
            holder_number = 0
        if holder_number < 1:
            problems.append(f"holder_number '{values['holder_number']}' is not a whole number ≥ 1")
    holding = values["holding"].lower()
    if values["holding"] and holding not in HOLDINGS:
        problems.append(f"holding '{values['holding']}' is not one of {', '.join(HOLDINGS)}")
    start = end = None
    if values["tenancy_start"]:
        start = _parse_date("tenancy_start", values["tenancy_start"], problems)
    if values["tenancy_end"]:
        end = _parse_date("tenancy_end", values["tenancy_end"], problems)
    if start and end and end < start:
        problems.append(
            f"tenancy_end {end.isoformat()} is before tenancy_start {start.isoformat()}"
        )
    if problems:
        return None, None, problems
    tenancy = TenancyRecord(
        reference=values["tenancy_reference"],
        holder_number=holder_number,
        home_reference=home.reference,
        holder_name=values["holder_name"],
        holding=holding,
        start_date=start,
        end_date=end,
    )
    return home, tenancy, problems


def _differences(first: HomeRecord, second: HomeRecord) -> list[str]:
    """The columns in which two rows for one home disagree (HomeRecord follows HOME_COLUMNS)."""
    return [
        column
        for column, attribute in zip(HOME_COLUMNS, fields(HomeRecord), strict=True)
        if getattr(first, attribute.name) != getattr(second, attribute.name)
    ]


def read_register(source) -> tuple[Register, str]:
    """Check every row of ``source``; the register it describes and the file's name, or
    PropertyImportError listing every problem in the file."""
    records, name = _records(source)
    register = Register()
    errors: list[tuple[int, str]] = []
    positions: dict[str, int] | None = None
    for line, raw in records:
        if positions is None:
            positions, problems = _header_columns(raw)
            if problems:
                raise PropertyImportError([(line, problem) for problem in problems])
            width = len(raw)
            continue
        if not any(value.strip() for value in raw):
            continue  # spreadsheets end with blank rows
        register.rows += 1
        if any(value.strip() for value in raw[width:]):
            errors.append((line, f"has {len(raw)} values but the header has {width} columns"))
            continue
        # Every cell is one line, tidied: a spreadsheet cell may hold a line break, doubled
        # spaces or a control character, which a name or address must not carry further.
        values = {
            column: tidied(raw[index]) if index < len(raw) else ""
            for column, index in positions.items()
        }
        home, tenancy, problems = _parse_row(values)
        if home is not None:
            problems.append(register.add_home(home, line))
        if tenancy is not None:
            problems.append(register.add_tenancy(tenancy, line))
        errors += [(line, problem) for problem in problems if problem]
    if positions is None:
        raise PropertyImportError([(1, "the file is empty: it has no header row")])
    if errors:
        raise PropertyImportError(errors)
    return register, name
