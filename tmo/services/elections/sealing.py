"""The election's sealing key: who holds it, making it, the holder confirming they kept it, and
reading it back (from the key file and its passphrase, or from the recovery phrase) when the box
is opened. Also the key of the sealed ballots' hash chain, derived from the server's secret.

tmo stores the public key only. The private key leaves in the one response that makes it (the
key file, locked with the holder's passphrase, and the recovery phrase, both on the page) and
comes back only in the request that confirms it or opens the box, where it is used in memory and
dropped: it is in no table, no audit entry (which records the public key's fingerprint) and no
log. A key lost is an election that cannot be counted, and the setup page says so.
"""

from dataclasses import dataclass
from datetime import datetime

from nacl.public import PrivateKey
from sqlalchemy.orm import Session

from tmo.models.accounts import Account
from tmo.models.elections import Election
from tmo.rules import sealing
from tmo.rules.chains import derive_key
from tmo.rules.elections import Status
from tmo.rules.sealing import KeyRefused
from tmo.services import audit
from tmo.services.elections.refusals import ElectionError

CHAIN_PURPOSE = "ballots"


def chain_key(secret: str) -> bytes:
    """The key of every election's sealed-ballot chain, from the server's ``tmo.secret``."""
    return derive_key(secret, CHAIN_PURPOSE)


def key_holder(election: Election) -> Account:
    """Who holds the private key: the independent scrutineer, or the returning officer where
    the election has none."""
    return election.scrutineer or election.returning_officer


@dataclass(frozen=True)
class MadeKey:
    """What the holder takes away: the key file's bytes and the recovery phrase."""

    file: bytes
    phrase: str
    fingerprint: str


def make_key(
    dbsession: Session,
    election: Election,
    passphrase: str,
    actor_id: int,
    now: datetime,
    *,
    private_key: PrivateKey | None = None,
) -> MadeKey:
    """Make the election's key pair (or take ``private_key``, the demo's), keep its public key
    as pending, and return the key file and recovery phrase for the holder. A key made again
    before it is confirmed replaces the one before."""
    if election.status not in (Status.DRAFT, Status.NOMINATIONS_OPEN, Status.NOMINATIONS_CLOSED):
        raise ElectionError("The sealing key is made before the poll opens.")
    if election.sealing_key:
        raise ElectionError("This election's sealing key is already made and confirmed.")
    if len(passphrase) < 12:
        raise ElectionError(
            "Choose a passphrase of at least 12 characters: a few words make a good one.",
            "passphrase",
        )
    private_key = private_key or PrivateKey.generate()
    public = sealing.public_key_text(private_key)
    election.pending_sealing_key = public
    audit.record(
        dbsession,
        "election.key_made",
        actor_id=actor_id,
        target=election,
        fingerprint=sealing.fingerprint(public),
    )
    return MadeKey(
        sealing.key_file(private_key, passphrase, election.id, election.title),
        sealing.recovery_phrase(private_key),
        sealing.fingerprint(public),
    )


def read_key(key_file: bytes | None, passphrase: str, phrase: str) -> PrivateKey:
    """The private key the holder gave: the recovery phrase if typed, else the key file unlocked
    with its passphrase."""
    if phrase.strip():
        return sealing.key_from_phrase(phrase)
    if key_file:
        if not passphrase:
            raise KeyRefused("Enter the passphrase of the key file.", "passphrase")
        return sealing.key_from_file(key_file, passphrase)
    raise KeyRefused(
        "Choose the key file and enter its passphrase, or type the recovery phrase.", "key_file"
    )


def check_key(private_key: PrivateKey, public_key_hex: str) -> None:
    if sealing.public_key_text(private_key) != public_key_hex:
        raise KeyRefused("That is not this election's sealing key.", "key_file")


def confirm_key(
    dbsession: Session, election: Election, private_key: PrivateKey, actor_id: int
) -> None:
    """The holder shows they kept the key: it must be the one made, and becomes the one ballots
    are sealed to."""
    if election.sealing_key:
        raise ElectionError("This election's sealing key is already confirmed.")
    if not election.pending_sealing_key:
        raise ElectionError("Make the sealing key first.")
    check_key(private_key, election.pending_sealing_key)
    election.sealing_key = election.pending_sealing_key
    election.pending_sealing_key = ""
    audit.record(
        dbsession,
        "election.key_confirmed",
        actor_id=actor_id,
        target=election,
        fingerprint=sealing.fingerprint(election.sealing_key),
    )
