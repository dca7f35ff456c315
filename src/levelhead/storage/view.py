"""What the store's rows mean, without the database: agreements, sealed text, the situation a check reads.

Kept free of SQLAlchemy so that ``levelhead check`` can read a SQLite store with
the standard library alone (:mod:`levelhead.storage.quickread`) and still build
exactly what :meth:`Store.situation_for_check <levelhead.storage.store.Store.situation_for_check>`
builds: both call :func:`situation_view`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from levelhead.config import ConfigError, agreements_from_mapping, situation_from_mapping
from levelhead.situation import Agreements, Message, Situation
from levelhead.storage.errors import DamagedDataError, StoreError, WrongPassphraseError

if TYPE_CHECKING:
    from levelhead.crypto import DataKey

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_micros(moment: datetime) -> int:
    """Stored times are UTC microseconds since the epoch, the same on SQLite and PostgreSQL."""
    if moment.tzinfo is None:
        raise ValueError(f"a stored time needs a UTC offset (got {moment.isoformat()})")
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_micros(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


def unlock(encrypted: bool, keyring_json: str | None, passphrase: str | None) -> DataKey | None:
    """The data key from the store header (``store_info.encrypted`` and the keyring), writing nothing."""
    if not encrypted:
        if passphrase:
            raise StoreError("this store is not encrypted, but a passphrase was given: nothing was opened")
        return None
    if keyring_json is None:
        raise DamagedDataError("the store is marked encrypted but its keyring is missing")
    if not passphrase:
        raise WrongPassphraseError("this store is encrypted: its passphrase is needed")
    from levelhead.crypto import Keyring, KeyringError, WrongPassphrase

    try:
        return Keyring.from_json(keyring_json).unlock(passphrase)
    except WrongPassphrase:
        raise WrongPassphraseError("wrong passphrase: the store was not opened and nothing was changed") from None
    except KeyringError as err:
        raise DamagedDataError(f"the stored keyring is damaged: {err}") from None

AGREEMENT_KINDS = (
    "no-contact", "window", "off-limits", "channels", "no-visits", "no-family", "friendship", "social-block",
)  # fmt: skip
_DETAIL_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {  # kind: (required, optional)
    "no-contact": (frozenset({"until"}), frozenset({"except"})),
    "window": (frozenset({"days", "from", "to"}), frozenset({"channel", "purpose"})),
    "off-limits": (frozenset({"topics"}), frozenset()),
    "channels": (frozenset({"channels"}), frozenset()),
    "no-visits": (frozenset(), frozenset()),
    "no-family": (frozenset(), frozenset()),
    "friendship": (frozenset({"friendship"}), frozenset()),
    "social-block": (frozenset({"until"}), frozenset()),
}
SITUATION_FIELDS = (
    "goal", "mood", "broke_up", "ended_by", "children", "asked_for_space", "new_partner", "abuse_history",
    "timezone", "country", "channel",
)  # fmt: skip
@dataclass(frozen=True)
class StoredAgreement:
    """An agreement as stored: its kind, details, and when it began and ended."""

    id: int
    uid: str
    kind: str
    details: dict[str, Any]
    created_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None

    def active_at(self, moment: datetime) -> bool:
        return self.created_at <= moment and (self.ended_at is None or self.ended_at > moment)


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def agreement_mapping(kind: str, details: Mapping[str, Any]) -> dict[str, Any]:
    """The ``[agreements]`` settings (as in levelhead.toml) that one stored agreement stands for."""
    if kind == "no-contact":
        return {"no_contact_until": details["until"], "no_contact_except": list(details.get("except", []))}
    if kind == "window":
        return {"windows": [dict(details)]}
    if kind == "off-limits":
        topics = details["topics"]
        return {"off_limits": [topics] if isinstance(topics, str) else list(topics)}
    if kind == "channels":
        return {"channels": list(details["channels"])}
    if kind == "no-visits":
        return {"no_visits": True}
    if kind == "no-family":
        return {"no_family_contact": True}
    if kind == "friendship":
        return {"friendship": details["friendship"]}
    return {"social_block_until": details["until"]}


def check_agreement(kind: str, details: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one agreement; returns its details as plain JSON values. Errors are :class:`StoreError`."""
    if kind not in _DETAIL_KEYS:
        raise StoreError(f"unknown agreement kind {kind!r} (use {', '.join(AGREEMENT_KINDS)})")
    if not isinstance(details, Mapping):
        raise StoreError(f"{kind} agreement details must be a mapping")
    plain = jsonable(details)
    required, optional = _DETAIL_KEYS[kind]
    missing, unknown = required - set(plain), set(plain) - required - optional
    if missing:
        raise StoreError(f"{kind} agreement needs {', '.join(sorted(missing))}")
    if unknown:
        raise StoreError(f"{kind} agreement does not take {', '.join(sorted(unknown))}")
    try:
        agreements_from_mapping(agreement_mapping(kind, plain))
    except (ConfigError, TypeError) as err:
        raise StoreError(f"{kind} agreement: {err}") from None
    assert isinstance(plain, dict)
    return plain


def merge_agreements(active: Sequence[StoredAgreement]) -> Agreements:
    """The engine's view of the active agreements, oldest first.

    Windows and off-limits topics accumulate; no-visits and no-family hold if any
    says so; for no-contact, channels, friendship and social-block the newest wins.
    """
    merged: dict[str, Any] = {}
    for agreement in sorted(active, key=lambda a: (a.created_at, a.id)):
        for key, value in agreement_mapping(agreement.kind, agreement.details).items():
            if key in ("windows", "off_limits"):
                merged[key] = [*merged.get(key, []), *value]
            else:
                merged[key] = value
    try:
        return agreements_from_mapping(merged)
    except ConfigError as err:
        raise DamagedDataError(f"the stored agreements do not read back: {err}") from None


def sealed_aad(table: str, column: str, uid: str) -> bytes:
    """The associated data a sealed field is encrypted with: it binds the field to its table, column and row."""
    return f"{table}/{column}/{uid}".encode()


def unseal(key: DataKey | None, table: str, column: str, uid: str, blob: bytes) -> str:
    """A stored free-text field as text: UTF-8 in a plain store, AES-GCM under ``key`` in an encrypted one."""
    if key is None:
        try:
            return bytes(blob).decode("utf-8")
        except UnicodeDecodeError as err:
            raise DamagedDataError(f"{table} row {uid}: the stored {column} is damaged ({err})") from None
    from levelhead.crypto import DecryptionError

    try:
        return key.decrypt(bytes(blob), sealed_aad(table, column, uid))
    except (DecryptionError, UnicodeDecodeError) as err:
        raise DamagedDataError(f"{table} row {uid}: the stored {column} is damaged ({err})") from None


def stored_situation(key: DataKey | None, uid: str, blob: bytes) -> Situation:
    """The ``settings`` row's situation fields."""
    text = unseal(key, "settings", "situation", uid, blob)
    try:
        return situation_from_mapping(json.loads(text))
    except (ConfigError, ValueError) as err:
        raise DamagedDataError(f"the stored situation does not read back: {err}") from None


def stored_agreement(
    key: DataKey | None, id: int, uid: str, kind: str, details: bytes, created_at: datetime,
    ended_at: datetime | None, end_reason: bytes | None,
) -> StoredAgreement:  # fmt: skip
    """One ``agreements`` row."""
    text = unseal(key, "agreements", "details", uid, details)
    try:
        plain = json.loads(text)
    except ValueError:
        raise DamagedDataError(f"agreements row {uid}: the details are not JSON") from None
    reason = None if end_reason is None else unseal(key, "agreements", "end_reason", uid, end_reason)
    return StoredAgreement(id, uid, kind, plain, created_at, ended_at, reason)


def stored_message(key: DataKey | None, uid: str, at: datetime, offset: int, direction: str, blob: bytes) -> Message:
    """One ``messages`` row as the engine's Message, in the offset it was written with."""
    if direction not in ("me", "them"):
        raise DamagedDataError(f"messages row {uid}: direction {direction!r}")
    sender: Literal["me", "them"] = "me" if direction == "me" else "them"
    return Message(local_time(at, offset), sender, unseal(key, "messages", "text", uid, blob))


def local_time(at: datetime, offset: int) -> datetime:
    """A stored message time in the UTC offset (seconds) it was written with."""
    return at.astimezone(timezone(timedelta(seconds=offset)))


def situation_view(base: Situation, active: Sequence[StoredAgreement], newest_first: Iterable[Message]) -> Situation:
    """What a check reads: the stored fields, the agreements in force, and the history oldest first."""
    return Situation(**{name: getattr(base, name) for name in SITUATION_FIELDS},
                     agreements=merge_agreements(active), history=tuple(reversed(list(newest_first))))  # fmt: skip


def describe_agreement(kind: str, details: dict[str, Any]) -> str:
    """One line a person reads, e.g. "no contact until Wed 30 Dec 2026 (except children's emergencies)"."""
    if kind == "no-contact":
        except_ = details.get("except") or []
        tail = f" (except {', '.join(except_)})" if except_ else ""
        return f"no contact until {_describe_date(details['until'])}{tail}"
    if kind == "window":
        channel = f" by {details['channel']}" if details.get("channel") else ""
        purpose = f" for the {details['purpose']}" if details.get("purpose") else ""
        return f"contact {details['days']} {details['from']}-{details['to']}{channel}{purpose}"
    if kind == "off-limits":
        topics = details["topics"]
        return "off limits: " + (topics if isinstance(topics, str) else ", ".join(topics))
    if kind == "channels":
        return "only by " + " or ".join(details["channels"])
    if kind == "no-visits":
        return "no visits to their home or work"
    if kind == "no-family":
        return "no contacting their family or friends"
    if kind == "friendship":
        return "staying friends" if details["friendship"] else "not staying friends"
    return f"no social media contact until {_describe_date(details['until'])}"


def _describe_date(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%a %d %b %Y")
    except ValueError:
        return value
