"""The sealed ballot box as pure functions: sealing a ballot to an election's public key, the
tracker a voter keeps, and the two forms the private key is kept in by the person who holds it
(a key file locked with a passphrase, and a recovery phrase to write down). No database, no web.

Ballots are sealed with libsodium's sealed boxes (``crypto_box_seal``, PyNaCl's ``SealedBox``):
X25519 with an ephemeral key for each ballot and XSalsa20-Poly1305. They are anonymous-sender
(nothing in a sealed ballot says who made it, not even which server key), a standard that other
tools can open, and fast (about 60 µs to seal, 40 µs to open, on the bench's machine). Only the
holder of the private key can open one; tmo keeps only the public key.

The plaintext is padded to a whole number of blocks, so a sealed ballot's length does not say
how many candidates its voter ranked.
"""

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence

import nacl.exceptions
import nacl.pwhash
import nacl.utils
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

from tmo.refusal import Refusal

# A ballot's plaintext is padded with spaces to a multiple of this (a few hundred candidates'
# numbers fit in one block).
PADDED_TO = 256
KEY_FILE_KIND = "tmo sealing key"
# argon2id at libsodium's "interactive" cost: the file is opened twice in an election's life,
# and a long passphrase is the defence (the setup page asks for one).
OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
PHRASE_GROUP = 4


class KeyRefused(Refusal, ValueError):
    """A key that cannot be read, or is not the one asked for; the message says why."""


def public_key_text(key: PrivateKey | PublicKey) -> str:
    """A public key as tmo stores and shows it: 64 hex digits."""
    public = key.public_key if isinstance(key, PrivateKey) else key
    return bytes(public).hex()


def fingerprint(public_key_hex: str) -> str:
    """A short form of a public key a person can compare by eye."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:16]
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


# -- Ballots --------------------------------------------------------------------------------------


def seal(public_key_hex: str, preferences: Sequence[int]) -> str:
    """The ballot sealed to the election's public key, as base64 text."""
    text = " ".join(str(candidate) for candidate in preferences).encode()
    padded = text.ljust(-(-max(len(text), 1) // PADDED_TO) * PADDED_TO, b" ")
    sealed = SealedBox(PublicKey(bytes.fromhex(public_key_hex))).encrypt(padded)
    return base64.b64encode(sealed).decode()


def opener(private_key: PrivateKey) -> SealedBox:
    return SealedBox(private_key)


def unseal(box: SealedBox, ciphertext: str) -> tuple[int, ...]:
    """The preferences inside a sealed ballot; ValueError if it does not open or read."""
    try:
        plain = box.decrypt(base64.b64decode(ciphertext, validate=True))
    except (nacl.exceptions.CryptoError, binascii.Error) as error:
        raise ValueError("a sealed ballot that does not open with this key") from error
    return tuple(int(part) for part in plain.decode().split())


def tracker(ciphertext: str) -> str:
    """The voter's receipt: the first 16 hex digits of the SHA-256 of their sealed ballot, in
    groups of four. It matches the ciphertext and nothing else."""
    digest = hashlib.sha256(base64.b64decode(ciphertext)).hexdigest()[:16]
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def normal_tracker(typed: str) -> str:
    """A tracker as typed (any case, spaces or none) in its printed form."""
    digits = "".join(ch for ch in typed.lower() if ch in "0123456789abcdef")
    return "-".join(digits[i : i + 4] for i in range(0, len(digits), 4))


# -- The recovery phrase --------------------------------------------------------------------------


def _checksum(raw: bytes) -> str:
    digest = hashlib.sha256(b"tmo sealing phrase:" + raw).digest()
    return base64.b32encode(digest).decode()[:PHRASE_GROUP]


def recovery_phrase(private_key: PrivateKey) -> str:
    """The 32-byte private key in base32, in groups of four, with a checksum group at the end:
    14 groups a person can write down and type back."""
    raw = bytes(private_key)
    text = base64.b32encode(raw).decode().rstrip("=") + _checksum(raw)
    return " ".join(text[i : i + PHRASE_GROUP] for i in range(0, len(text), PHRASE_GROUP))


def key_from_phrase(phrase: str) -> PrivateKey:
    """The private key a recovery phrase writes down; KeyRefused if it is mistyped."""
    text = "".join(ch for ch in phrase.upper() if ch.isalnum())
    # Letters people write for digits base32 has not got.
    text = text.replace("0", "O").replace("1", "I").replace("8", "B")
    if len(text) != 56:
        raise KeyRefused(
            f"The recovery phrase has 14 groups of 4 letters and digits: this has "
            f"{len(text)} characters rather than 56.",
            "phrase",
        )
    try:
        raw = base64.b32decode(text[:52] + "====")
    except binascii.Error:
        raise KeyRefused(
            "The recovery phrase has a character that is not in it.", "phrase"
        ) from None
    # The last letter's spare bits, and the checksum, catch any one letter mistyped.
    if base64.b32encode(raw).decode()[:52] != text[:52] or _checksum(raw) != text[52:]:
        raise KeyRefused(
            "The recovery phrase has a mistake: check each group against what you wrote down.",
            "phrase",
        )
    return PrivateKey(raw)


# -- The key file ---------------------------------------------------------------------------------


def key_file(private_key: PrivateKey, passphrase: str, election_id: int, title: str) -> bytes:
    """The private key locked with ``passphrase`` (argon2id, then a secret box), as a small JSON
    file that also names the election and its public key."""
    salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
    lock = nacl.pwhash.argon2id.kdf(
        SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=OPSLIMIT, memlimit=MEMLIMIT
    )
    locked = SecretBox(lock).encrypt(bytes(private_key))
    document = {
        "kind": KEY_FILE_KIND,
        "election": election_id,
        "title": title,
        "public_key": public_key_text(private_key),
        "kdf": "argon2id",
        "opslimit": OPSLIMIT,
        "memlimit": MEMLIMIT,
        "salt": base64.b64encode(salt).decode(),
        "locked_key": base64.b64encode(bytes(locked)).decode(),
    }
    return (json.dumps(document, indent=2) + "\n").encode()


def key_from_file(data: bytes, passphrase: str) -> PrivateKey:
    """The private key in a key file, unlocked with ``passphrase``; KeyRefused if the file is
    not a key file or the passphrase is wrong."""
    try:
        document = json.loads(data.decode())
        if document.get("kind") != KEY_FILE_KIND or document.get("kdf") != "argon2id":
            raise ValueError("not a key file")
        salt = base64.b64decode(document["salt"], validate=True)
        locked = base64.b64decode(document["locked_key"], validate=True)
        opslimit, memlimit = int(document["opslimit"]), int(document["memlimit"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        raise KeyRefused("That file is not a tmo sealing key file.", "key_file") from None
    # A file cannot ask for more work than the strongest setting libsodium names.
    if not (0 < opslimit <= nacl.pwhash.argon2id.OPSLIMIT_SENSITIVE) or not (
        0 < memlimit <= nacl.pwhash.argon2id.MEMLIMIT_SENSITIVE
    ):
        raise KeyRefused("That file is not a tmo sealing key file.", "key_file")
    try:
        lock = nacl.pwhash.argon2id.kdf(
            SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=opslimit, memlimit=memlimit
        )
        return PrivateKey(SecretBox(lock).decrypt(locked))
    except (nacl.exceptions.CryptoError, ValueError, TypeError):
        raise KeyRefused("The passphrase does not unlock that key file.", "passphrase") from None
