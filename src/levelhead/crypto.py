"""Optional passphrase encryption of free text (message bodies, notes, drafts).

Two keys: a random 256-bit data key encrypts fields; a key-encryption key
derived from the passphrase with Argon2id wraps the data key. A passphrase
change therefore re-wraps 32 bytes (one Argon2id run per passphrase) and never
touches the stored fields, whatever the store size.

Field format, version 1: ``0x01 || nonce (12) || AES-256-GCM ciphertext+tag``.
The associated data names where a field lives (table/column/row id), so a
ciphertext moved to another row or column fails to decrypt instead of showing
the wrong text. Any failure is an error; there is never a plaintext fallback.
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FIELD_VERSION = 1
KEYRING_VERSION = 1
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
SALT_SIZE = 16
_FIELD_HEADER = bytes([FIELD_VERSION])
_WRAP_CONTEXT = b"levelhead-keyring/1"


class CryptoError(Exception):
    """Base of this module's errors."""


class WrongPassphrase(CryptoError):
    """The passphrase does not unlock this keyring (or the wrapped key was damaged: the two look the same)."""


class DecryptionError(CryptoError):
    """A field did not decrypt: damaged, from another row or column, or under another key."""


class KeyringError(CryptoError, ValueError):
    """The stored keyring is malformed."""


@dataclass(frozen=True)
class Argon2Params:
    """Argon2id cost parameters, stored with the keyring so they can be raised later without losing access."""

    time_cost: int = 3
    memory_cost: int = 64 * 1024  # KiB: 64 MiB, about 0.2-0.4 s on a laptop
    parallelism: int = 1

    def __post_init__(self) -> None:
        # Bounds also stop a tampered keyring from asking for absurd work before the passphrase is even checked.
        values = (self.time_cost, self.memory_cost, self.parallelism)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            raise KeyringError("Argon2 parameters must be integers")
        if not (1 <= self.time_cost <= 64 and 1 <= self.parallelism <= 16):
            raise KeyringError("Argon2 time cost or parallelism out of range")
        if not 8 * self.parallelism <= self.memory_cost <= 1024 * 1024:  # up to 1 GiB
            raise KeyringError("Argon2 memory cost out of range")


def _passphrase_bytes(passphrase: str) -> bytes:
    """NFC first: the same passphrase typed on another system may arrive in another Unicode form."""
    if not isinstance(passphrase, str) or not passphrase:
        raise ValueError("the passphrase must be a non-empty string")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _derive(passphrase: str, salt: bytes, params: Argon2Params) -> bytes:
    return hash_secret_raw(
        _passphrase_bytes(passphrase),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=KEY_SIZE,
        type=Type.ID,
    )


class DataKey:
    """The key that encrypts fields. Never stored in the clear; obtained from :meth:`Keyring.unlock`."""

    __slots__ = ("_aead", "_key")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise ValueError("a data key is 32 bytes")
        self._key = bytes(key)
        self._aead = AESGCM(self._key)

    def __repr__(self) -> str:
        return "DataKey(<hidden>)"

    def derive(self, label: bytes) -> bytes:
        """A 32-byte key for another purpose (HMAC-SHA256 of ``label``): it reveals nothing of this key."""
        import hmac

        return hmac.digest(self._key, label, "sha256")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DataKey) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    def encrypt(self, text: str, aad: bytes) -> bytes:
        """Encrypt ``text`` bound to ``aad`` (e.g. ``b"messages/body/42"``); a fresh random nonce each time."""
        nonce = os.urandom(NONCE_SIZE)
        return _FIELD_HEADER + nonce + self._aead.encrypt(nonce, text.encode("utf-8"), _FIELD_HEADER + aad)

    def encrypt_many(self, texts: Sequence[str], aads: Sequence[bytes]) -> list[bytes]:
        """:meth:`encrypt` of ``texts[i]`` bound to ``aads[i]``, for a batch: the same field format, each
        with its own random nonce (the nonces come from one read of the OS's random source)."""
        if len(texts) != len(aads):
            raise ValueError("encrypt_many needs one associated data per text")
        nonces = os.urandom(NONCE_SIZE * len(texts))
        seal, header = self._aead.encrypt, _FIELD_HEADER
        out: list[bytes] = []
        append = out.append
        for i, text in enumerate(texts):
            nonce = nonces[NONCE_SIZE * i : NONCE_SIZE * i + NONCE_SIZE]
            append(header + nonce + seal(nonce, text.encode("utf-8"), header + aads[i]))
        return out

    def decrypt_many(self, blobs: Sequence[bytes], aads: Sequence[bytes]) -> list[str]:
        """:meth:`decrypt` of ``blobs[i]`` bound to ``aads[i]``, for a batch (the bulk read path): every text,
        or the :class:`DecryptionError` that :meth:`decrypt` gives for the first field that fails."""
        if len(blobs) != len(aads):
            raise ValueError("decrypt_many needs one associated data per field")
        open_, header, body = self._aead.decrypt, _FIELD_HEADER, 1 + NONCE_SIZE
        try:
            if any(blob[:1] != header for blob in blobs):
                raise ValueError("a field of another version")
            return [open_(blob[1:body], blob[body:], header + aad).decode("utf-8")
                    for blob, aad in zip(blobs, aads, strict=True)]  # fmt: skip
        except (InvalidTag, UnicodeDecodeError, ValueError):
            for blob, aad in zip(blobs, aads, strict=True):
                self.decrypt(blob, aad)  # raises the error that names the first field that fails
            raise DecryptionError("an encrypted field could not be read") from None

    def decrypt(self, blob: bytes, aad: bytes) -> str:
        """The text, or :class:`DecryptionError`: never partial or wrong text."""
        if len(blob) < 1 + NONCE_SIZE + TAG_SIZE:
            raise DecryptionError("the encrypted field is too short")
        if blob[:1] != _FIELD_HEADER:
            raise DecryptionError(f"unknown encrypted field version {blob[0]}")
        nonce = blob[1 : 1 + NONCE_SIZE]
        try:
            plain = self._aead.decrypt(nonce, blob[1 + NONCE_SIZE :], _FIELD_HEADER + aad)
        except InvalidTag:
            raise DecryptionError("the encrypted field is damaged or belongs elsewhere") from None
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:  # authentic but not text: written by something else
            raise DecryptionError("the decrypted field is not UTF-8 text") from None


@dataclass(frozen=True)
class Keyring:
    """What is stored: salt, Argon2id parameters and the wrapped data key. Safe to keep beside the data."""

    salt: bytes
    params: Argon2Params
    nonce: bytes
    wrapped_key: bytes
    version: int = KEYRING_VERSION

    @classmethod
    def create(cls, passphrase: str, params: Argon2Params | None = None) -> tuple[Keyring, DataKey]:
        data_key = os.urandom(KEY_SIZE)
        return cls._wrap(data_key, passphrase, params or Argon2Params()), DataKey(data_key)

    def unlock(self, passphrase: str) -> DataKey:
        if passphrase == "":  # create() refuses it, so it can only be wrong
            raise WrongPassphrase("wrong passphrase")
        kek = _derive(passphrase, self.salt, self.params)
        try:
            key = AESGCM(kek).decrypt(self.nonce, self.wrapped_key, self._aad(self.salt, self.params))
        except InvalidTag:
            raise WrongPassphrase("wrong passphrase") from None
        return DataKey(key)

    def rewrap(self, old: str, new: str, params: Argon2Params | None = None) -> Keyring:
        """A new keyring for ``new`` holding the same data key: fields stay as they are."""
        data_key = self.unlock(old)
        return self._wrap(data_key._key, new, params or self.params)

    @classmethod
    def _wrap(cls, data_key: bytes, passphrase: str, params: Argon2Params) -> Keyring:
        salt, nonce = os.urandom(SALT_SIZE), os.urandom(NONCE_SIZE)
        kek = _derive(passphrase, salt, params)
        wrapped = AESGCM(kek).encrypt(nonce, data_key, cls._aad(salt, params))
        return cls(salt, params, nonce, wrapped)

    @staticmethod
    def _aad(salt: bytes, params: Argon2Params) -> bytes:
        """Bind the stored parameters to the wrapped key, so editing them cannot go unnoticed."""
        p = params
        return b"%s|%d|%d|%d|%s" % (_WRAP_CONTEXT, p.time_cost, p.memory_cost, p.parallelism, salt.hex().encode())

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "kdf": "argon2id",
            "time_cost": self.params.time_cost,
            "memory_cost": self.params.memory_cost,
            "parallelism": self.params.parallelism,
            "salt": self.salt.hex(),
            "cipher": "aes-256-gcm",
            "nonce": self.nonce.hex(),
            "wrapped_key": self.wrapped_key.hex(),
        }

    @classmethod
    def from_dict(cls, value: Any) -> Keyring:
        if not isinstance(value, dict):
            raise KeyringError("a keyring is a JSON object")
        if value.get("version") != KEYRING_VERSION or value.get("kdf") != "argon2id":
            raise KeyringError("unsupported keyring version or key derivation")
        if value.get("cipher") != "aes-256-gcm":
            raise KeyringError("unsupported keyring cipher")
        try:
            params = Argon2Params(value["time_cost"], value["memory_cost"], value["parallelism"])
            salt, nonce = bytes.fromhex(value["salt"]), bytes.fromhex(value["nonce"])
            wrapped = bytes.fromhex(value["wrapped_key"])
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyringError(f"malformed keyring: {exc}") from None
        if len(salt) < SALT_SIZE or len(nonce) != NONCE_SIZE or len(wrapped) != KEY_SIZE + TAG_SIZE:
            raise KeyringError("malformed keyring: wrong field sizes")
        return cls(salt, params, nonce, wrapped)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str | bytes) -> Keyring:
        try:
            value = json.loads(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise KeyringError("the keyring is not JSON") from None
        return cls.from_dict(value)
