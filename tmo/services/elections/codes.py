"""Voting codes: the single-use code on each voter's poll card, with which a member votes at
/vote without an account, and the counting of attempts that keeps guessing at it slow.

A code is 13 characters drawn by ``secrets`` from 30 that cannot be mistaken for one another
(no 0/O, 1/I/L, U/V), about 63.8 bits, printed in groups of four: ``7KQ4-MXR2-9TBH-C``. Only its
HMAC-SHA256 is stored, keyed with a key derived from the server's secret (``tmo.secret``, which
lives outside the database) and bound to the election. A slow hash (argon2) would add nothing:
it protects guessable secrets such as passwords, while 2^63 codes cannot be searched even by
someone holding the database, and without the key no guess can be checked at all; it would also
make opening a poll for thousands of voters take minutes. The hash is on the voter's roll entry,
so a code votes by marking the same roll entry an account or a paper ballot marks.

Attempts are counted before they are judged, by the one throttle every limit uses
(``tmo.services.throttle``): a guess made at the same moment waits for the count the first one
left.
"""

import hashlib
import hmac
import secrets
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from tmo.models.elections import Election, RollEntry
from tmo.models.membership import Member
from tmo.presenters import london
from tmo.refusal import Refusal
from tmo.services import audit, notices, throttle

# The module, not its names: lifecycle sends the poll cards written here.
from tmo.services.elections import lifecycle
from tmo.services.notices import Reach
from tmo.services.register_search import member_number

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13
GROUP = 4
# What else a voter gives with the code (the constitution's elections.code_check).
FACT_NAMES = {"postcode": "postcode", "date_of_birth": "date of birth"}

# A second reminder so soon after the last asks the returning officer to confirm it.
REMIND_AGAIN_AFTER = timedelta(hours=24)


class CodeRefused(Refusal):
    """A code and fact that do not match, a used code, too many attempts: the attempt counted
    before it was judged stands."""

    keeps_writes = True


class CodeThrottled(CodeRefused):
    def __init__(self, retry_after: int):
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            f"Too many attempts. Please wait {minutes} minute{'s' if minutes != 1 else ''} "
            "and try again."
        )
        self.retry_after = retry_after


def new_code() -> str:
    """A fresh code, grouped for reading aloud and typing: ``7KQ4-MXR2-9TBH-C``."""
    # One draw below 30^13, written in base 30: uniform, and a tenth of the time of 13 choices.
    number, raw = secrets.randbelow(len(ALPHABET) ** LENGTH), ""
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        raw += ALPHABET[digit]
    return "-".join(raw[i : i + GROUP] for i in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str | None:
    """The code as typed, in capitals without spaces or dashes; None if it cannot be a code."""
    raw = "".join(typed.split()).replace("-", "").upper()
    if len(raw) != LENGTH or any(character not in ALPHABET for character in raw):
        return None
    return raw


@cache
def _key(secret: str) -> bytes:
    # A key of its own, so that a code's hash is no other use of the site's secret.
    return hmac.new(secret.encode(), b"tmo voting codes", hashlib.sha256).digest()


def code_hash(secret: str, election_id: int, code: str) -> str:
    """The stored form of a code (as printed or as typed) for one election."""
    raw = normalise(code) or code
    return hmac.new(_key(secret), f"{election_id}:{raw}".encode(), hashlib.sha256).hexdigest()


def draw(secret: str, election_id: int) -> tuple[str, str]:
    """(code, its hash) for a voter of ``election_id``."""
    code = new_code()
    return code, code_hash(secret, election_id, code)


def ways_to_vote(request, election: Election) -> dict:
    """What a poll card (or a reminder) says about how to vote."""
    return {
        "election": election,
        "link": request.route_url("election", election_id=election.id),
        "vote_link": request.route_url("vote"),
        "fact": FACT_NAMES[request.constitution.elections.code_check],
    }


def send_poll_cards(request, election: Election, members: list[Member], codes: dict, actor_id):
    """Each member's poll card, with their code, by the channel they chose."""
    return notices.send(
        request,
        kind="election_notice",
        template="election_notice",
        recipients=[notices.member_recipient(member) for member in members],
        about=election,
        actor_id=actor_id,
        each=lambda person: {"code": codes[person.member_id]},
        **ways_to_vote(request, election),
    )


def reissue(request, election: Election, number: str, actor_id: int) -> tuple[Member, Reach]:
    """A new code for the voter with member number ``number``, who lost theirs: the old code
    matches nothing from now on, and a new poll card goes to them by their channel. Audited
    without the code. Whether they have voted is neither asked nor told: a used code stays
    used, whichever card it is on."""
    dbsession = request.dbsession
    election = lifecycle.lock_election(dbsession, election.id)
    if not lifecycle.accepting(election, request.now):
        raise CodeRefused("Codes are reissued while the poll is open.")
    found = dbsession.execute(
        select(RollEntry, Member)
        .join(Member, Member.id == RollEntry.member_id)
        .where(RollEntry.election_id == election.id, Member.member_number == member_number(number))
    ).first()
    if found is None:
        raise CodeRefused(f"No voter on this election's roll has the member number {number}.")
    entry, member = found
    code, entry.code_hash = draw(request.registry.settings["tmo.secret"], election.id)
    audit.record(
        dbsession,
        "election.code_reissued",
        actor_id=actor_id,
        target=election,
        member_number=member.member_number,
    )
    return member, send_poll_cards(request, election, [member], {member.id: code}, actor_id)


def remind(request, election: Election, actor_id: int, *, again: bool = False) -> Reach:
    """Remind every voter on the roll who has not voted, by their channel (letters go to the
    print pile for the next run). The sender learns how many were reminded, never who; the
    audit log keeps the count. A second reminder within REMIND_AGAIN_AFTER needs ``again``."""
    dbsession, now = request.dbsession, request.now
    election = lifecycle.lock_election(dbsession, election.id)
    if not lifecycle.accepting(election, now):
        raise CodeRefused("Reminders are sent while the poll is open.")
    if election.reminded_at and now - election.reminded_at < REMIND_AGAIN_AFTER and not again:
        raise CodeRefused(
            f"A reminder went out at {london(election.reminded_at)}. Tick the box to send "
            "another so soon.",
            "confirm",
        )
    waiting = dbsession.scalars(
        select(Member)
        .join(RollEntry, RollEntry.member_id == Member.id)
        .where(RollEntry.election_id == election.id, RollEntry.voted.is_(False))
        .order_by(Member.member_number)
    ).all()
    if not waiting:
        raise CodeRefused("Everyone on the roll has voted: there is nobody to remind.")
    reach = notices.send(
        request,
        kind="election_reminder",
        template="election_reminder",
        recipients=[notices.member_recipient(member) for member in waiting],
        about=election,
        actor_id=actor_id,
        **ways_to_vote(request, election),
    )
    election.reminded_at = now
    audit.record(
        dbsession, "election.reminded", actor_id=actor_id, target=election, reminded=reach.total
    )
    return reach


# -- Attempts at /vote ----------------------------------------------------------------------------


def _fact_matches(member: Member, check: str, fact) -> bool:
    if check == "date_of_birth":
        return isinstance(fact, date) and member.date_of_birth == fact
    theirs = member.search_postcode or (member.home.postcode if member.home else "")
    typed = "".join(str(fact or "").split()).upper()
    return bool(typed) and hmac.compare_digest(typed, "".join(theirs.split()).upper())


def mismatch(check: str) -> str:
    return f"That code and {FACT_NAMES[check]} do not match a voter in this election."


def redeem(request, typed_code: str, fact, client: str) -> RollEntry:
    """The roll entry a code and the voter's postcode or date of birth open, in a poll open now.

    The attempt is counted (per code and per address) before anything is judged. A wrong code
    and a wrong fact are told the same words; a code whose voter has voted is told only that."""
    dbsession, now = request.dbsession, request.now
    settings = request.registry.settings
    secret = settings["tmo.secret"]
    check = request.constitution.elections.code_check
    raw = normalise(typed_code)
    checks = [("vote_address", client), ("vote_code", raw or typed_code.strip().upper())]
    wait = throttle.count_all(dbsession, settings, checks, now)
    if wait:
        raise CodeThrottled(wait)
    entry = None
    if raw is not None:
        hashes = [
            code_hash(secret, election.id, raw) for election in lifecycle.open_polls(dbsession, now)
        ]
        if hashes:
            entry = dbsession.scalar(select(RollEntry).where(RollEntry.code_hash.in_(hashes)))
    if entry is None or not _fact_matches(entry.member, check, fact):
        raise CodeRefused(mismatch(check))
    if entry.voted:
        raise CodeRefused("This code has been used.")
    throttle.forgive_all(dbsession, settings, checks)
    return entry


# -- The pass a code-holder carries from /vote to the receipt --------------------------------------

# How long after giving their code a voter has to cast their ballot.
PASS_LIFETIME = timedelta(minutes=30)


def _pass_signature(secret: str, body: str) -> str:
    return hmac.new(_key(secret), f"pass:{body}".encode(), hashlib.sha256).hexdigest()


def issue_pass(secret: str, entry: RollEntry, now: datetime) -> str:
    """A signed, short-lived pass naming the roll entry a code opened (never the code). It
    carries the start of the code's hash, so a code reissued meanwhile ends it too."""
    expires = int((now + PASS_LIFETIME).timestamp())
    body = f"{entry.id}.{entry.code_hash[:16]}.{expires}"
    return f"{body}.{_pass_signature(secret, body)}"


def open_pass(dbsession: Session, secret: str, token: str, now: datetime) -> RollEntry | None:
    """The roll entry a pass names, or None if it is forged, expired, or its code replaced."""
    body, _, signature = (token or "").rpartition(".")
    if not body or not hmac.compare_digest(signature, _pass_signature(secret, body)):
        return None
    entry_id, prefix, expires = body.split(".")
    if int(expires) < now.timestamp():
        return None
    entry = dbsession.get(RollEntry, int(entry_id))
    if entry is None or not (entry.code_hash or "").startswith(prefix):
        return None
    return entry
