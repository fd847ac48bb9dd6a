"""Hash chains whose links only the server can make: each entry's hash is an HMAC-SHA256 keyed
with a key derived from the server's secret (``tmo.secret``, which lives in the environment or a
file, never in the database). Whoever can write the database can still edit a row, but cannot
recompute the hashes after it: with the head anchored outside the database (a signed checkpoint
sent to the returning officer and the scrutineer), any edit, insertion, removal or re-chaining
is found by ``verify``.

HMAC rather than a signature on every entry: it costs a microsecond, the key never leaves the
server, and a checkpoint signed with the server's Ed25519 key (``tmo.services.checkpoints``) is
what carries the head to people who keep their own copies.
"""

import hashlib
import hmac


def derive_key(secret: str, purpose: str) -> bytes:
    """The key for one chain (``purpose``: "ballots", "audit"), derived from the server's secret
    so that each chain's key is different and none is the secret itself."""
    return hmac.new(secret.encode(), f"tmo chain key: {purpose}".encode(), hashlib.sha256).digest()


def keyed_hash(key: bytes, *parts: str) -> str:
    """The HMAC-SHA256 (hex) of ``parts`` joined by "|", under ``key``."""
    return hmac.new(key, "|".join(parts).encode(), hashlib.sha256).hexdigest()
