"""The sealed ballot box's pure rules: a ballot opens to what was sealed and is always the same
length; the recovery phrase gives back the key and catches a mistyped group; the key file opens
with its passphrase only; the tracker is the ciphertext's alone."""

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nacl.public import PrivateKey

from tmo.rules import sealing
from tmo.rules.sealing import KeyRefused

KEY = PrivateKey(bytes(range(32)))
PUBLIC = sealing.public_key_text(KEY)


@given(st.lists(st.integers(min_value=1, max_value=10**6), max_size=40, unique=True))
def test_a_sealed_ballot_opens_to_its_choices_and_its_length_says_nothing(preferences):
    ciphertext = sealing.seal(PUBLIC, preferences)
    assert sealing.unseal(sealing.opener(KEY), ciphertext) == tuple(preferences)
    assert len(base64.b64decode(ciphertext)) == sealing.PADDED_TO + 48


def test_the_same_ballot_sealed_twice_differs_and_only_its_key_opens_it():
    first, second = sealing.seal(PUBLIC, (3, 1)), sealing.seal(PUBLIC, (3, 1))
    assert first != second
    assert sealing.tracker(first) != sealing.tracker(second)
    with pytest.raises(ValueError, match="does not open"):
        sealing.unseal(sealing.opener(PrivateKey.generate()), first)


@settings(max_examples=50)
@given(st.binary(min_size=32, max_size=32))
def test_the_recovery_phrase_gives_back_the_key(raw):
    key = PrivateKey(raw)
    phrase = sealing.recovery_phrase(key)
    assert len(phrase.split()) == 14
    assert bytes(sealing.key_from_phrase(phrase)) == raw
    assert bytes(sealing.key_from_phrase(phrase.lower().replace(" ", "-"))) == raw


@given(st.integers(min_value=0, max_value=55), st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"))
def test_one_character_mistyped_is_caught(position, letter):
    text = sealing.recovery_phrase(KEY).replace(" ", "")
    if text[position] == letter:
        return
    typo = text[:position] + letter + text[position + 1 :]
    with pytest.raises(KeyRefused):
        sealing.key_from_phrase(typo)


def test_the_key_file_opens_with_its_passphrase_only():
    data = sealing.key_file(KEY, "a long passphrase", 7, "Board election")
    assert bytes(KEY).hex() not in data.decode()
    assert bytes(sealing.key_from_file(data, "a long passphrase")) == bytes(KEY)
    with pytest.raises(KeyRefused, match="passphrase does not unlock"):
        sealing.key_from_file(data, "a wrong passphrase")
    with pytest.raises(KeyRefused, match="not a tmo sealing key file"):
        sealing.key_from_file(b"\x89PNG not a key", "a long passphrase")


def test_a_tracker_is_typed_back_however_it_is_spaced():
    tracker = sealing.tracker(sealing.seal(PUBLIC, (1,)))
    assert sealing.normal_tracker(tracker.upper().replace("-", " ")) == tracker
