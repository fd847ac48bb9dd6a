"""Searching the register of members: by name, member number, address or postcode, filtered by
status, estate and block, in the order the register is read (by surname, then forenames).

What a search finds:

- a **member number** ("77", "M000077"): that member;
- a **postcode**, whole or its start ("W10 6AB", "w106ab", "W10 6", "W10"): members whose
  address has a postcode starting so;
- anything else, a **name or an address**: members with a word of their name, their name surname
  first ("Okafor Dorothy" finds Dorothy Okafor), or their address
  from its start, its block or street (after "Flat 3" or a house number) or its second part,
  starting with the words typed. Case, accents, apostrophes and punctuation are ignored: "okafor",
  "Zainab Ok", "obrien" and "O'Brien", "Oak House", "flat 3 oak", "Golborne Road" all find. Nothing
  typed is a wildcard ("%" and "_" are punctuation, so "%" alone finds nobody).

Every search is a range on an index of the search keys that ``tmo.models.membership`` keeps for
each member, so it costs about as much as the members it finds, not the size of the register. The
statements are written for SQLite's planner, which has no statistics to go by: see
docs/performance.md, "Register search, 100,000 members", for the plan of each kind and its cost.
"""

import re

from sqlalchemy import false, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from tmo.models.membership import Home, Member, search_key

REGISTER_STATUSES = (("active", "Current members"), ("former", "Former members"), ("all", "All"))

# "77", "M000077", "m 77": a member number (up to nine digits, which any integer column holds).
ID = re.compile(r"[0-9]{1,9}")
MEMBER_NUMBER = re.compile(r"M?\s*(\d{1,9})", re.IGNORECASE)
# A postcode or its start: the outward code (A9, A99, A9A, AA9, AA99, AA9A), then the inward code
# (9AA) or its start, with or without the space between them.
OUTWARD = r"[A-Z]{1,2}\d[A-Z\d]?"
POSTCODE_START = re.compile(rf"(?P<outward>{OUTWARD})(?:\s*(?P<inward>\d[A-Z]{{0,2}}))?")
WHOLE_POSTCODE = re.compile(rf"{OUTWARD}\d[A-Z]{{2}}")

# The keys a name or address search is matched against, one index each.
TEXT_KEYS = (
    Member.search_name,
    Member.search_name_2,
    Member.search_name_3,
    Member.search_name_last,
    Member.search_address,
    Member.search_place,
    Member.search_street,
)


class starts_with(FunctionElement):  # lower case, as SQL constructs are
    """``column`` starts with ``prefix``: ``prefix <= column < successor(prefix)``, which an
    index on the column answers with one range. The comparison must be by bytes: SQLite's
    default (BINARY) collation is, and on PostgreSQL the ``~>=~``/``~<~`` operators of the
    ``text_pattern_ops`` index are, whatever the database's collation."""

    # No type: a Boolean would be compared with 1 on SQLite, which no index answers.
    inherit_cache = True
    name = "starts_with"

    def __init__(self, column, prefix: str):
        # The next string after every one that starts with prefix (UTF-8 sorts by code point).
        successor = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        super().__init__(column, prefix, successor)


@compiles(starts_with)
def _starts_with(element, compiler, **kw):
    column, low, high = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} >= {low} AND {column} < {high})"


@compiles(starts_with, "postgresql")
def _starts_with_postgresql(element, compiler, **kw):
    column, low, high = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"({column} ~>=~ {low} AND {column} ~<~ {high})"


class unindexed(FunctionElement):
    """``column``, which SQLite must not look up through an index (its unary ``+``, as the SQLite
    documentation advises): the search keys' indexes find fewer rows than the status's would."""

    inherit_cache = True
    name = "unindexed"

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(unindexed)
def _unindexed(element, compiler, **kw):
    return compiler.process(element.clauses.clauses[0], **kw)


@compiles(unindexed, "sqlite")
def _unindexed_sqlite(element, compiler, **kw):
    return "+" + compiler.process(element.clauses.clauses[0], **kw)


def member_number(search: str) -> int | None:
    match = MEMBER_NUMBER.fullmatch(search)
    return int(match.group(1)) if match else None


def postcode_start(search: str) -> str | None:
    """A postcode or its start as the search key ``search_postcode`` holds ("w10 6ab", "w10 6",
    "w10"), or None if ``search`` cannot be one."""
    compact = re.sub(r"\s+", "", search).upper()
    if WHOLE_POSTCODE.fullmatch(compact):
        return f"{compact[:-3]} {compact[-3:]}".lower()
    match = POSTCODE_START.fullmatch(search.strip().upper())
    if match is None:
        return None
    # "W10 6" (or "W106"): the sector; "W10": the district, and any postcode that starts so.
    outward, inward = match.group("outward"), match.group("inward")
    return (f"{outward} {inward}" if inward else outward).lower()


def _status(status: str, column):
    if status == "active":
        return column.is_(None)
    if status == "former":
        return column.is_not(None)
    return None


def _chosen_id(value: str) -> int | None:
    """An id from the query string, as the routes take them: at most nine ASCII digits (more
    overflowed the database's integer; "²" passed isdigit() and failed int())."""
    return int(value) if ID.fullmatch(value) else None


def register_query(params):
    """The register filtered as the search form asks: (query, the filters as understood)."""
    search = params.get("q", "").strip()[:100]
    status = params.get("status", "active")
    if status not in dict(REGISTER_STATUSES):
        status = "active"
    estate = _chosen_id(params.get("estate", ""))
    block = _chosen_id(params.get("block", ""))
    homes = select(Home.id)
    if estate is not None:
        homes = homes.where(Home.estate_id == estate)
    if block is not None:
        homes = homes.where(Home.block_id == block)
    by_home = estate is not None or block is not None

    number = member_number(search) if search else None
    postcode = postcode_start(search) if search and number is None else None
    # Purged entries (name and address emptied ten years after ceasing) are never listed. Their
    # search keys are empty, so no name, address or postcode finds them; and only former members
    # are purged, so no current member's name is empty. Leaving the condition out where it holds
    # anyway lets the counts read an index alone (the narrow one on ceased_on for the register's
    # first page).
    conditions = []
    if status != "active" and (not search or number is not None):
        conditions.append(Member.name != "")
    # Which index finds the rows. The status's, (ceased_on, surname first, number, postcode), reads
    # the register in order, so a page of a long list costs one page; when the search or the
    # estate finds fewer, the status is unindexed and the few found are sorted.
    status_indexed = True
    if number is not None:
        conditions.append(Member.member_number == number)
    elif postcode is not None:
        conditions.append(starts_with(Member.search_postcode, postcode))
        # A whole postcode is a few dozen homes; its start may be thousands.
        status_indexed = not WHOLE_POSTCODE.fullmatch(postcode.replace(" ", "").upper())
    elif search:
        key = search_key(search)
        if not key:  # only punctuation: nobody
            conditions.append(false())
        else:
            hits = union_all(*(select(Member.id).where(starts_with(k, key)) for k in TEXT_KEYS))
            conditions.append(Member.id.in_(hits))
            status_indexed = False
    if by_home:
        conditions.append(Member.home_id.in_(homes))
        status_indexed = False
    ceased_on = Member.ceased_on if status_indexed else unindexed(Member.ceased_on)
    if (condition := _status(status, ceased_on)) is not None:
        conditions.append(condition)

    query = (
        select(Member).where(*conditions).order_by(Member.search_name_last, Member.member_number)
    )
    filters = {
        "q": search,
        "status": status,
        "estate": "" if estate is None else str(estate),
        "block": "" if block is None else str(block),
    }
    return query, filters
