"""The situation a check reads: who ended it, the goal, the mood, agreements and history.

Plain frozen data with no I/O: the CLI, the config file, storage and the web app
all build a ``Situation`` and hand it to the same engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal


class Goal(StrEnum):
    LOGISTICS = "logistics"
    CLOSURE = "closure"
    FRIENDSHIP = "friendship"
    RECONCILIATION = "reconciliation"
    NONE = "none"


class Mood(StrEnum):
    CALM = "calm"
    ANGRY = "angry"
    LONELY = "lonely"
    NOSTALGIC = "nostalgic"
    SAD = "sad"
    ANXIOUS = "anxious"
    HOPEFUL = "hopeful"


class EndedBy(StrEnum):
    ME = "me"
    THEM = "them"
    MUTUAL = "mutual"


class Channel(StrEnum):
    TEXT = "text"
    CALL = "call"
    EMAIL = "email"
    IN_PERSON = "in-person"
    SOCIAL = "social"


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_days(spec: str) -> frozenset[int]:
    """Parse ``mon-fri``, ``sat,sun``, ``mon-sun`` or ``daily`` into weekday numbers (Monday = 0)."""
    spec = spec.strip().lower()
    if spec in {"daily", "every day", "all", "*"}:
        return frozenset(range(7))
    days: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        if not part:
            continue
        if "-" in part:
            first, last = part.split("-", 1)
            a, b = _weekday(first), _weekday(last)
            span = range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)]
            days.update(span)
        else:
            days.add(_weekday(part))
    if not days:
        raise ValueError(f"no weekdays in {spec!r}")
    return frozenset(days)


def _weekday(name: str) -> int:
    key = name[:3]
    if key not in WEEKDAYS:
        raise ValueError(f"unknown weekday {name!r} (use mon, tue, wed, thu, fri, sat, sun)")
    return WEEKDAYS.index(key)


def format_days(days: frozenset[int]) -> str:
    if days == frozenset(range(7)):
        return "every day"
    ordered = sorted(days)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{WEEKDAYS[ordered[0]].title()}-{WEEKDAYS[ordered[-1]].title()}"
    return ", ".join(WEEKDAYS[d].title() for d in ordered)


@dataclass(frozen=True, slots=True)
class ContactWindow:
    """An agreed time for contact, e.g. the goodnight call 19:30 to 20:00 on school nights."""

    days: frozenset[int]
    start: time
    end: time
    channel: Channel | None = None
    purpose: str = ""

    def contains(self, moment: datetime) -> bool:
        """True when ``moment`` (local time) is inside this window; windows may cross midnight."""
        t = moment.time().replace(tzinfo=None)
        day = moment.weekday()
        if self.start <= self.end:
            return day in self.days and self.start <= t < self.end
        if t >= self.start:
            return day in self.days
        return t < self.end and (day - 1) % 7 in self.days

    def next_start(self, moment: datetime) -> datetime:
        """The next time (local, same tzinfo as ``moment``) this window opens after ``moment``."""
        for offset in range(8):
            day = moment.date() + timedelta(days=offset)
            if day.weekday() not in self.days:
                continue
            opening = datetime.combine(day, self.start, tzinfo=moment.tzinfo)
            if opening > moment:
                return opening
        raise ValueError("contact window has no days")

    def describe(self) -> str:
        what = f"{self.purpose} " if self.purpose else ""
        how = f" ({self.channel.value})" if self.channel else ""
        return f"{what}{format_days(self.days)} {self.start:%H:%M}-{self.end:%H:%M}{how}".strip()


@dataclass(frozen=True, slots=True)
class Agreements:
    """What the two of them agreed. Empty means nothing recorded."""

    no_contact_until: date | None = None
    no_contact_except: tuple[str, ...] = ()
    windows: tuple[ContactWindow, ...] = ()
    channels: frozenset[Channel] = frozenset()  # empty: no channel restriction recorded
    off_limits: tuple[str, ...] = ()
    no_visits: bool = False
    no_family_contact: bool = False
    friendship: bool | None = None  # None: not discussed
    social_block_until: date | None = None

    @property
    def recorded(self) -> bool:
        return self != Agreements()


@dataclass(frozen=True, slots=True)
class Message:
    """One message of the conversation history."""

    at: datetime  # aware
    sender: Literal["me", "them"]
    text: str


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything about the moment that a rule may read besides the draft itself."""

    goal: Goal | None = None  # None: not stated (``none`` is the explicit "no goal")
    mood: Mood | None = None
    broke_up: date | None = None
    ended_by: EndedBy | None = None
    children: int = 0
    asked_for_space: bool = False
    new_partner: bool = False
    abuse_history: bool = False
    timezone: str | None = None  # IANA name; None: the machine's zone
    country: str = "US"
    channel: Channel = Channel.TEXT
    agreements: Agreements = field(default_factory=Agreements)
    history: tuple[Message, ...] = ()

    def __post_init__(self) -> None:
        # Accept plain strings from callers of the Python API ("logistics"), store the enums.
        for attr, enum in (("goal", Goal), ("mood", Mood), ("ended_by", EndedBy), ("channel", Channel)):
            value = getattr(self, attr)
            if value is not None and not isinstance(value, enum):
                object.__setattr__(self, attr, enum(value))

    @property
    def is_logistics(self) -> bool:
        return self.goal is Goal.LOGISTICS
