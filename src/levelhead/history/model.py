"""What an import yields, and the small helpers every format parser shares.

Parsers build ``ImportedMessage`` objects (mutable, slotted: a million of them must be cheap), then
``finish`` decides who the user is and sets each message's direction.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Direction = Literal["me", "them", "other", "system", ""]
Kind = Literal["text", "media", "system", "deleted"]

# Invisible direction marks that WhatsApp and phones wrap around names and markers.
_BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))
_MIN_YEAR, _MAX_YEAR = 1970, 2199
_AT = attrgetter("at")


class ImportFailed(ValueError):
    """A chat export that cannot be imported; the message names the line or element at fault.

    ``participants``: set when the only problem is not knowing which participant is the user, so a caller
    can ask (and parse again with ``me=``).
    """

    def __init__(self, message: str, participants: list[str] | None = None) -> None:
        super().__init__(message)
        self.participants = participants


@dataclass(slots=True)
class ImportedMessage:
    at: datetime  # aware, UTC
    sender: str
    direction: Direction
    kind: Kind
    text: str
    edited: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "sender": self.sender,
            "from": self.direction,
            "kind": self.kind,
            "text": self.text,
            "edited": self.edited,
        }


@dataclass(slots=True)
class ParsedChat:
    kind: str
    sha256: str
    participants: list[str]
    messages: list[ImportedMessage]

    def to_wire(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sha256": self.sha256,
            "participants": list(self.participants),
            "messages": [m.to_wire() for m in self.messages],
        }


def sha256_of(paths: Iterable[Path]) -> str:
    """SHA-256 of the original bytes (several parts are hashed in the order given)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def read_text(raw: bytes) -> str:
    """Decode an export's bytes as UTF-8 (a BOM is allowed); an empty or undecodable file is an import error."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ImportFailed(f"line {line}: not UTF-8 text") from None
    if not text.strip():
        raise ImportFailed("the file is empty")
    return text


def clean_name(name: str) -> str:
    """A display name without direction marks or stray spaces, NFC-normalised."""
    return unicodedata.normalize("NFC", name.translate(_BIDI)).strip()


def _name_key(name: str) -> str:
    return clean_name(name).lstrip("~").replace("\u202f", " ").replace("\xa0", " ").strip().casefold()


def resolve_me(participants: Iterable[str], me: str | None) -> str:
    """The participant who is the user: ``--me`` must name one of them; never guessed."""
    names = sorted(set(participants), key=str.casefold)
    listed = ", ".join(repr(n) for n in names) or "(none)"
    if me is None:
        raise ImportFailed(f"cannot tell which participant is you; pass --me with one of: {listed}", names or None)
    wanted = _name_key(me)
    for name in names:
        if _name_key(name) == wanted:
            return name
    raise ImportFailed(f"--me {me!r} is not a participant; choose one of: {listed}")


def finish(
    kind: str, sha256: str, messages: list[ImportedMessage], me_label: str | Callable[[list[str]], str]
) -> ParsedChat:
    """Sort (stably: exports can go back in time), settle who is the user, set directions.

    ``me_label`` is the user's sender label, or a function choosing it from the senders.
    """
    messages.sort(key=_AT)
    senders = sorted({m.sender for m in messages if m.kind != "system"}, key=str.casefold)
    label = me_label if isinstance(me_label, str) else me_label(senders)
    participants = senders if label in senders else sorted([*senders, label], key=str.casefold)
    group = len(participants) > 2
    them: Direction = "other" if group else "them"
    for m in messages:
        if m.kind == "system":
            m.direction = "system"
        elif m.sender == label:
            m.direction = "me"
        else:
            m.direction = them
    return ParsedChat(kind, sha256, participants, messages)


def resolve_zone(tz: str | tzinfo | None) -> tzinfo | None:
    """A zone for wall-clock exports; None means this machine's local time (via the C library)."""
    if isinstance(tz, tzinfo):
        return tz
    if tz is None:
        name = os.environ.get("TZ", "").lstrip(":")
        if not name:
            try:
                target = str(Path("/etc/localtime").resolve())
            except OSError:
                target = ""
            name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        if not name:
            return None
        try:  # a TZ the C library reads but zoneinfo does not (a POSIX rule like "EST5EDT,M3.2.0,M11.1.0")
            return resolve_zone(name)
        except ImportFailed:
            return None
    if tz.upper() in {"UTC", "Z", "ETC/UTC"}:
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ImportFailed(f"unknown time zone {tz!r} (use a name like Europe/London or UTC)") from None


class Clock:
    """Turns the phone's wall-clock times into UTC; caches each day's offset, the hot path for WhatsApp."""

    def __init__(self, zone: tzinfo | None) -> None:
        self.zone = zone
        self._days: dict[tuple[int, int, int], timedelta | None] = {}

    def exact(self, naive: datetime) -> datetime:
        if self.zone is None:
            return naive.astimezone(UTC)
        return naive.replace(tzinfo=self.zone).astimezone(UTC)

    def day_offset(self, y: int, mo: int, d: int) -> timedelta | None:
        """The day's UTC offset, or None when it changes during the day (DST)."""
        key = (y, mo, d)
        if key not in self._days:
            start = datetime(y, mo, d)
            end = start.replace(hour=23, minute=59, second=59)
            first = start - self.exact(start).replace(tzinfo=None)
            last = end - self.exact(end).replace(tzinfo=None)
            self._days[key] = first if first == last else None
        return self._days[key]

    def utc(self, y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
        off = self.day_offset(y, mo, d)
        if off is None:
            return self.exact(datetime(y, mo, d, h, mi, s, us))
        return datetime(y, mo, d, h, mi, s, us, tzinfo=UTC) - off

    def wall(self, naive: datetime) -> datetime:
        check_year(naive.year, "")
        return self.utc(naive.year, naive.month, naive.day, naive.hour, naive.minute, naive.second, naive.microsecond)


def check_year(year: int, where: str) -> None:
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ImportFailed(f"{where}year {year} is out of range".lstrip())


def from_epoch(seconds: float, where: str) -> datetime:
    """An aware UTC instant from epoch seconds, refusing absurd values."""
    try:
        at = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ImportFailed(f"{where}: timestamp {seconds!r} is out of range") from None
    check_year(at.year, f"{where}: ")
    return at


def parse_iso(value: str, clock: Clock, where: str) -> datetime:
    """ISO 8601 with an offset, or a naive wall-clock time in the user's zone."""
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ImportFailed(f"{where}: {value[:40]!r} is not an ISO 8601 time") from None
    check_year(at.year, f"{where}: ")
    if at.tzinfo is None:
        return clock.wall(at)
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise ImportFailed(f"{where}: {value[:40]!r} is out of range") from None


def fix_latin1_mojibake(text: str) -> str:
    """Undo UTF-8 bytes written as \\u00XX escapes (Facebook's exports); leaves proper text alone."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return text


def fix_cp1252_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 (old Telegram names); real text almost never survives the round trip."""
    if text.isascii():
        return text
    try:
        return text.encode("cp1252").decode("utf-8")
    except UnicodeError:
        return text
