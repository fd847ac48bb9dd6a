"""Checkpoints: a hash chain's head and length at a moment, as a short text a person can read,
signed with the server's Ed25519 key so that a copy kept outside the database (in the returning
officer's and the scrutineer's mailboxes) can later prove what the chain held.

A checkpoint is armoured like a PEM block: a few "Name: value" lines (what it is about, the head,
the count, the moment in UTC, the fingerprint of the key that signed it), a blank line and the
signature in base64. The signature covers the lines exactly as shown, so the text survives
being pasted from an email into a file. The signing key is derived from the server's secret
(``tmo.secret``): the checkpoint needs no key of its own to keep, and whoever holds the secret
can check a checkpoint with ``tmo-audit verify --checkpoint FILE``; the fingerprint lets anyone
else check it against the public key the server prints (``tmo-audit public-key``).
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from tmo.rules.chains import derive_key

BEGIN = "-----BEGIN TMO CHECKPOINT-----"
END = "-----END TMO CHECKPOINT-----"
KINDS = ("audit", "ballots")
# The lines a checkpoint carries, in the order they are signed.
FIELDS = ("Kind", "Subject", "Head", "Count", "Occasion", "Moment", "Key")
# A checkpoint taken during a poll (or of the audit log at any time), or at a poll's close: the
# log must then end at its head.
OCCASIONS = ("daily", "close")
MOMENT_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
HEAD = re.compile(r"[0-9a-f]{64}")


class CheckpointRefused(ValueError):
    """A text that is not a checkpoint this server signed, and why."""


@dataclass(frozen=True)
class Checkpoint:
    kind: str
    # "audit log", or "election N: TITLE".
    subject: str
    head: str
    count: int
    occasion: str
    # Aware UTC, to the second.
    moment: datetime
    # The fingerprint of the key that signed it.
    key: str

    @property
    def election_id(self) -> int | None:
        match = re.match(r"election (\d+):", self.subject)
        return int(match.group(1)) if match else None

    def lines(self) -> list[str]:
        values = (
            self.kind,
            self.subject,
            self.head,
            str(self.count),
            self.occasion,
            self.moment.astimezone(UTC).strftime(MOMENT_FORMAT),
            self.key,
        )
        return [f"{name}: {value}" for name, value in zip(FIELDS, values, strict=True)]

    def anchor(self) -> "Anchor":
        moment = self.moment.astimezone(UTC).strftime(MOMENT_FORMAT)
        return Anchor(
            self.head, self.count, f"the checkpoint of {moment}", self.occasion == "close"
        )


@dataclass(frozen=True)
class Anchor:
    """A chain's head known from outside the database: its link number ``count`` (from 1;
    0: none yet) had the hash ``head``."""

    head: str
    count: int
    # How a problem names it: "the checkpoint of 2026-12-05T14:00:00Z", "the head given".
    name: str
    # Taken at a poll's close (or typed in from the result sheet): the log must end there.
    at_close: bool = True


def signing_key(secret: str) -> SigningKey:
    """The server's Ed25519 key, derived from its secret (32 bytes of HMAC are the seed)."""
    return SigningKey(derive_key(secret, "checkpoint signing"))


def fingerprint(verify_key: VerifyKey) -> str:
    """ "ed25519 SHA256:..." of the public key, as ssh shows a key's."""
    digest = hashlib.sha256(bytes(verify_key)).digest()
    return "ed25519 SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def public_key_text(verify_key: VerifyKey) -> str:
    """The public key in base64, for whoever checks checkpoints without the server's secret."""
    return base64.b64encode(bytes(verify_key)).decode()


def subject_for_election(election_id: int, title: str) -> str:
    # One line: a title cannot add a line of its own to what is signed.
    return f"election {election_id}: {' '.join(title.split())}"


def _message(lines: list[str]) -> bytes:
    return ("tmo checkpoint\n" + "\n".join(lines)).encode()


def make(
    key: SigningKey,
    *,
    kind: str,
    subject: str,
    head: str,
    count: int,
    moment: datetime,
    occasion: str = "daily",
) -> str:
    """The signed text of a checkpoint."""
    if kind not in KINDS or occasion not in OCCASIONS:
        raise ValueError(f"no checkpoint is made of {kind!r} on the occasion {occasion!r}")
    checkpoint = Checkpoint(
        kind=kind,
        subject=" ".join(subject.split()),
        head=head,
        count=count,
        occasion=occasion,
        moment=moment.astimezone(UTC).replace(microsecond=0),
        key=fingerprint(key.verify_key),
    )
    lines = checkpoint.lines()
    signature = base64.b64encode(key.sign(_message(lines)).signature).decode()
    wrapped = [signature[i : i + 64] for i in range(0, len(signature), 64)]
    return "\n".join([BEGIN, *lines, "", *wrapped, END]) + "\n"


def blocks(text: str) -> list[str]:
    """What is inside each armoured block in ``text`` (an email saved whole holds two)."""
    return re.findall(
        re.escape(BEGIN) + r"(.*?)" + re.escape(END), text.replace("\r\n", "\n"), re.DOTALL
    )


def read(text: str, verify_key: VerifyKey) -> Checkpoint:
    """The checkpoint in ``text`` (its first block), once its signature is found to be the
    server's; refused otherwise, with the reason."""
    found = blocks(text)
    if not found:
        raise CheckpointRefused("no checkpoint in the text (no BEGIN TMO CHECKPOINT line)")
    return _read_block(found[0], verify_key)


def read_all(text: str, verify_key: VerifyKey) -> list[Checkpoint]:
    """Every checkpoint in ``text``, each checked; refused if any is not the server's."""
    return [_read_block(block, verify_key) for block in blocks(text)]


def _read_block(block: str, verify_key: VerifyKey) -> Checkpoint:
    lines = [line.strip() for line in block.strip().split("\n")]
    if "" not in lines:
        raise CheckpointRefused("the checkpoint has no signature")
    blank = lines.index("")
    header, signature_lines = lines[:blank], [line for line in lines[blank + 1 :] if line]
    values = {}
    for line in header:
        name, separator, value = line.partition(": ")
        if not separator or name not in FIELDS or name in values:
            raise CheckpointRefused(f"the checkpoint has a line it should not: {line!r}")
        values[name] = value
    if list(values) != list(FIELDS):
        raise CheckpointRefused("the checkpoint lacks some of its lines: " + ", ".join(FIELDS))
    if values["Key"] != fingerprint(verify_key):
        raise CheckpointRefused(
            f"the checkpoint was signed by another key ({values['Key']}), "
            f"not this server's ({fingerprint(verify_key)})"
        )
    try:
        signature = base64.b64decode("".join(signature_lines), validate=True)
        verify_key.verify(_message(header), signature)
    except (BadSignatureError, binascii.Error, ValueError):
        raise CheckpointRefused(
            "the checkpoint's signature is not the server's: it was altered or forged"
        ) from None
    # Signed by the server: what follows only fails for a checkpoint it never made.
    if (
        values["Kind"] not in KINDS
        or values["Occasion"] not in OCCASIONS
        or not HEAD.fullmatch(values["Head"])
    ):
        raise CheckpointRefused("the checkpoint is not of a kind the server makes")
    return Checkpoint(
        kind=values["Kind"],
        subject=values["Subject"],
        head=values["Head"],
        count=int(values["Count"]),
        occasion=values["Occasion"],
        moment=datetime.strptime(values["Moment"], MOMENT_FORMAT).replace(tzinfo=UTC),
        key=values["Key"],
    )


def latest(checkpoints: list[Checkpoint], kind: str, election_id: int | None = None):
    """The newest of ``checkpoints`` of ``kind`` (and of that election), or None."""
    chosen = [
        c
        for c in checkpoints
        if c.kind == kind and (election_id is None or c.election_id == election_id)
    ]
    return max(chosen, key=lambda c: c.moment, default=None)


def chain_problems(
    hashes: list[str], *, first: str, head: str, count: int, ends_there: bool, anchor: str
) -> list[str]:
    """What a chain (``hashes``, its links' hashes in order from the one after ``first``) shows
    against a head known from outside: its link number ``count`` must have the hash ``head``
    (links after it were added later), and, if the chain was to end there (``ends_there``: the
    head was taken at a poll's close), none may follow."""
    if count > len(hashes):
        return [
            f"the log holds {len(hashes)}, but {anchor} counted {count} ending at {head}: "
            "some were removed from its end"
        ]
    found = hashes[count - 1] if count else first
    if found != head:
        return [
            f"number {count} in the log has the hash {found}, but {anchor} gives {head}: "
            "the log was rewritten up to it"
        ]
    if ends_there and len(hashes) > count:
        return [
            f"{len(hashes) - count} more in the log than {anchor} counted at the close: "
            "added after it"
        ]
    return []
