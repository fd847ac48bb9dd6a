"""Checkpoints as text: signed by the server's key, read back only with it, whole after being
pasted from an email; and what a chain shows against a head known from outside."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tmo.rules import checkpoints as rules

KEY = rules.signing_key("the server's secret")
MOMENT = datetime(2026, 12, 5, 14, 0, 7, 123456, tzinfo=UTC)
HEAD = "ab" * 32


def made(**changes) -> str:
    values = {
        "kind": "ballots",
        "subject": rules.subject_for_election(3, "Board election"),
        "head": HEAD,
        "count": 42,
        "moment": MOMENT,
    }
    return rules.make(KEY, **{**values, **changes})


def test_a_checkpoint_reads_back_as_it_was_made_and_a_person_can_read_it():
    text = made()
    assert text.splitlines()[:8] == [
        rules.BEGIN,
        "Kind: ballots",
        "Subject: election 3: Board election",
        f"Head: {HEAD}",
        "Count: 42",
        "Occasion: daily",
        "Moment: 2026-12-05T14:00:07Z",
        f"Key: {rules.fingerprint(KEY.verify_key)}",
    ]
    read = rules.read(text, KEY.verify_key)
    assert (read.kind, read.election_id, read.head, read.count) == ("ballots", 3, HEAD, 42)
    assert read.moment == MOMENT.replace(microsecond=0)
    assert max(len(line) for line in text.splitlines()) <= 76


def test_a_checkpoint_survives_an_email_saved_whole():
    email = "Hello,\r\n\r\nKeep this.\r\n\r\n" + made().replace("\n", "\r\n") + "\r\n-- \r\ntmo\r\n"
    indented = "\n".join("  " + line for line in made().splitlines())
    assert rules.read(email, KEY.verify_key).count == 42
    assert rules.read(indented, KEY.verify_key).count == 42


@pytest.mark.parametrize(
    "change",
    [
        ("Count: 42", "Count: 41"),
        (f"Head: {HEAD}", f"Head: {'cd' * 32}"),
        ("Moment: 2026-12-05T14:00:07Z", "Moment: 2026-12-06T14:00:07Z"),
        ("Subject: election 3:", "Subject: election 4:"),
        ("Occasion: daily", "Occasion: close"),
    ],
)
def test_a_checkpoint_altered_is_refused(change):
    with pytest.raises(rules.CheckpointRefused, match="altered or forged"):
        rules.read(made().replace(*change), KEY.verify_key)


def test_a_checkpoint_signed_by_another_key_is_refused_even_claiming_the_servers_fingerprint():
    forger = rules.signing_key("a guess at the secret")
    forged = rules.make(
        forger, kind="audit", subject="audit log", head=HEAD, count=1, moment=MOMENT
    )
    with pytest.raises(rules.CheckpointRefused, match="signed by another key"):
        rules.read(forged, KEY.verify_key)
    claimed = forged.replace(
        rules.fingerprint(forger.verify_key), rules.fingerprint(KEY.verify_key)
    )
    with pytest.raises(rules.CheckpointRefused, match="altered or forged"):
        rules.read(claimed, KEY.verify_key)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Head: " + HEAD,
        rules.BEGIN + "\nKind: audit\n" + rules.END,
        made().replace("Kind", "Kin"),
    ],
)
def test_what_is_not_a_checkpoint_is_refused(text):
    with pytest.raises(rules.CheckpointRefused):
        rules.read(text, KEY.verify_key)


def test_a_title_cannot_add_a_line_to_what_is_signed():
    text = made(subject=rules.subject_for_election(3, "Board\nCount: 1"))
    assert rules.read(text, KEY.verify_key).subject == "election 3: Board Count: 1"


def test_the_newest_of_several_is_chosen_by_kind_and_election():
    text = made() + made(moment=MOMENT.replace(day=6), count=50) + made(kind="audit", count=9)
    found = rules.read_all(text, KEY.verify_key)
    assert rules.latest(found, "ballots", 3).count == 50
    assert rules.latest(found, "ballots", 4) is None
    assert rules.latest(found, "audit").count == 9


def check(hashes, head, count, ends_there=False):
    return rules.chain_problems(
        hashes, first="0" * 64, head=head, count=count, ends_there=ends_there, anchor="it"
    )


def test_a_chain_against_a_head_known_from_outside():
    chain = ["a" * 64, "b" * 64, "c" * 64]
    assert check(chain, "b" * 64, 2) == []
    assert check(chain, "0" * 64, 0) == []
    assert check(chain, "c" * 64, 3, ends_there=True) == []
    assert "removed from its end" in check(chain[:2], "c" * 64, 3)[0]
    assert "rewritten" in check(chain, "d" * 64, 2)[0]
    assert "added after it" in check(chain, "b" * 64, 2, ends_there=True)[0]


@given(st.lists(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64), max_size=8))
def test_any_chain_holds_each_of_its_own_heads(chain):
    for count in range(len(chain) + 1):
        head = chain[count - 1] if count else "0" * 64
        assert check(chain, head, count) == []
