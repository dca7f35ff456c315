"""Passphrase encryption: wrong passphrases, damaged blobs, moved ciphertexts, re-wrapping, no plaintext leaks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead.crypto import (
    Argon2Params,
    DataKey,
    DecryptionError,
    Keyring,
    KeyringError,
    WrongPassphrase,
)

FAST = Argon2Params(time_cost=1, memory_cost=8, parallelism=1)  # tests only: real keyrings use the defaults
PLANTED = "PLANTED-7f3a canary: he said he would take the kids to Leeds"
AAD = b"messages/body/42"


@pytest.fixture(scope="module")
def keyring_and_key() -> tuple[Keyring, DataKey]:
    return Keyring.create("correct horse battery staple", FAST)


@pytest.fixture(scope="module")
def key(keyring_and_key: tuple[Keyring, DataKey]) -> DataKey:
    return keyring_and_key[1]


def test_unlock_gives_the_same_data_key(keyring_and_key: tuple[Keyring, DataKey]) -> None:
    keyring, key = keyring_and_key
    assert keyring.unlock("correct horse battery staple") == key


@pytest.mark.parametrize("wrong", ["", "correct horse battery stapl", "Correct horse battery staple", "x", "🙂"])
def test_wrong_passphrase_raises_wrong_passphrase_only(keyring_and_key: tuple[Keyring, DataKey], wrong: str) -> None:
    keyring, _ = keyring_and_key
    with pytest.raises(WrongPassphrase):
        keyring.unlock(wrong)


def test_passphrase_is_unicode_normalised() -> None:
    keyring, key = Keyring.create("caf\u00e9", FAST)  # composed
    assert keyring.unlock("cafe\u0301") == key  # decomposed, as some keyboards send it


def test_empty_passphrase_is_refused() -> None:
    with pytest.raises(ValueError):
        Keyring.create("", FAST)


def test_damaged_wrapped_key_is_rejected(keyring_and_key: tuple[Keyring, DataKey]) -> None:
    keyring, _ = keyring_and_key
    value = keyring.to_dict()
    for field in ("wrapped_key", "nonce", "salt"):
        raw = bytearray(bytes.fromhex(value[field]))
        raw[0] ^= 1
        with pytest.raises(WrongPassphrase):
            Keyring.from_dict({**value, field: raw.hex()}).unlock("correct horse battery staple")
    with pytest.raises(WrongPassphrase):  # the stored parameters are bound to the wrapped key
        Keyring.from_dict({**value, "time_cost": 2}).unlock("correct horse battery staple")


def test_keyring_json_round_trip_and_malformed(keyring_and_key: tuple[Keyring, DataKey]) -> None:
    keyring, key = keyring_and_key
    again = Keyring.from_json(keyring.to_json())
    assert again == keyring
    assert again.unlock("correct horse battery staple") == key
    value = keyring.to_dict()
    for bad in (
        "not json",
        "[]",
        '{"version": 2}',
        Keyring.from_dict(value).to_json().replace('"kdf":"argon2id"', '"kdf":"pbkdf2"'),
    ):
        with pytest.raises(KeyringError):
            Keyring.from_json(bad)
    for field, bad_value in (("salt", "zz"), ("nonce", "00"), ("memory_cost", 1 << 40), ("time_cost", "3")):
        with pytest.raises(KeyringError):
            Keyring.from_dict({**value, field: bad_value})
    with pytest.raises(KeyringError):
        Keyring.from_dict({k: v for k, v in value.items() if k != "wrapped_key"})


def test_default_parameters_are_stored() -> None:
    params = Argon2Params()
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 1)


def test_rewrap_keeps_the_data_key_with_default_parameters() -> None:
    # How long this takes is measured by scripts/bench_crypto.py, not asserted here.
    keyring, key = Keyring.create("old passphrase")
    blob = key.encrypt(PLANTED, AAD)
    rewrapped = keyring.rewrap("old passphrase", "new passphrase")
    assert rewrapped.params == keyring.params
    assert rewrapped.salt != keyring.salt
    with pytest.raises(WrongPassphrase):
        rewrapped.unlock("old passphrase")
    new_key = rewrapped.unlock("new passphrase")
    assert new_key == key
    assert new_key.decrypt(blob, AAD) == PLANTED


def test_rewrap_with_wrong_old_passphrase_fails(keyring_and_key: tuple[Keyring, DataKey]) -> None:
    keyring, _ = keyring_and_key
    with pytest.raises(WrongPassphrase):
        keyring.rewrap("not it", "new")


def test_round_trip_and_fresh_nonce(key: DataKey) -> None:
    first, second = key.encrypt(PLANTED, AAD), key.encrypt(PLANTED, AAD)
    assert first != second
    assert key.decrypt(first, AAD) == key.decrypt(second, AAD) == PLANTED


def test_planted_plaintext_never_appears_in_ciphertext(key: DataKey) -> None:
    blob = key.encrypt(PLANTED, AAD)
    for needle in (PLANTED.encode(), b"PLANTED-7f3a", b"Leeds", PLANTED.encode("utf-16-le")):
        assert needle not in blob
    assert b"Leeds" not in Keyring.create("Leeds", FAST)[0].to_json().encode()


def test_every_flipped_byte_is_an_error(key: DataKey) -> None:
    blob = key.encrypt(PLANTED, AAD)
    for position in range(len(blob)):
        for mask in (0x01, 0x80, 0xFF):
            damaged = bytearray(blob)
            damaged[position] ^= mask
            with pytest.raises(DecryptionError):
                key.decrypt(bytes(damaged), AAD)


def test_truncated_or_extended_blob_is_an_error(key: DataKey) -> None:
    blob = key.encrypt(PLANTED, AAD)
    for damaged in (b"", blob[:1], blob[:28], blob[:-1], blob + b"\x00"):
        with pytest.raises(DecryptionError):
            key.decrypt(damaged, AAD)


def test_ciphertext_cannot_move_between_rows_or_keys(key: DataKey) -> None:
    blob = key.encrypt(PLANTED, AAD)
    for other in (b"messages/body/43", b"notes/body/42", b"", AAD + b"\x00"):
        with pytest.raises(DecryptionError):
            key.decrypt(blob, other)
    _, other_key = Keyring.create("another", FAST)
    with pytest.raises(DecryptionError):
        other_key.decrypt(blob, AAD)


def test_data_key_repr_hides_the_key(key: DataKey) -> None:
    assert "hidden" in repr(key)
    assert key._key.hex() not in repr(key)


@settings(max_examples=200, deadline=None)
@given(text=st.text(), aad=st.binary(max_size=64))
def test_unicode_round_trip(key: DataKey, text: str, aad: bytes) -> None:
    blob = key.encrypt(text, aad)
    assert key.decrypt(blob, aad) == text
    assert len(blob) == 1 + 12 + len(text.encode("utf-8")) + 16


def test_decrypt_many_reads_what_encrypt_many_and_encrypt_wrote(key: DataKey) -> None:
    texts = [PLANTED, "", "tomorrow at 5 🌻"]
    aads = [AAD + bytes([i]) for i in range(3)]
    blobs = [*key.encrypt_many(texts[:2], aads[:2]), key.encrypt(texts[2], aads[2])]
    assert key.decrypt_many(blobs, aads) == texts
    assert key.decrypt_many([], []) == []
    with pytest.raises(ValueError):
        key.decrypt_many(blobs, aads[:-1])


def test_decrypt_many_fails_as_decrypt_does_on_the_first_bad_field(key: DataKey) -> None:
    """Damaged, truncated, moved or of another version: the batch gives the one-field error, never text."""
    good = key.encrypt("fine", AAD)
    blob = key.encrypt(PLANTED, AAD)
    for damaged in (blob[:-1] + bytes([blob[-1] ^ 1]), blob[:10], b"\x02" + blob[1:], blob[:13] + b"ok"):
        with pytest.raises(DecryptionError) as one:
            key.decrypt(damaged, AAD)
        with pytest.raises(DecryptionError, match=re.escape(str(one.value))):
            key.decrypt_many([good, damaged, good], [AAD, AAD, AAD])
    with pytest.raises(DecryptionError):
        key.decrypt_many([good, blob], [AAD, b"notes/body/42"])
