"""What a triage produces: safety findings, asks with their facts, bait, the reply, and its wire form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from levelhead.diagnostics import Resource, Span

SCHEMA_VERSION = 1
BAIT_KINDS = ("accusation", "insult", "sarcasm", "relitigation", "generalisation", "guilt")


class TriageError(ValueError):
    """A message that cannot be triaged (empty, too long) or a bad setting; the text is shown to the user."""


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    """Danger in their message: ``SF03`` for threats, coercion, monitoring, stalking; ``SF01`` for self-harm."""

    code: str
    span: Span
    text: str
    kind: str  # the phrase group of levelhead.danger ("violence", "watching", "self-harm-explicit" ...)
    message: str

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "span": self.span.to_wire(),
            "message": self.message,
            "kind": self.kind,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Facts:
    """The practical content of one ask.

    ``when`` is an aware date-time when a clock time was given, a date when
    only the day was, else None; ``was`` is the time they want changed from
    ("by 5, not 7"); ``amount`` reads like "120 USD".
    """

    when: datetime | date | None = None
    amount: str | None = None
    items: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    was: datetime | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "when": self.when.isoformat() if self.when is not None else None,
            "amount": self.amount,
            "items": list(self.items),
            "people": list(self.people),
            "places": list(self.places),
            "was": self.was.isoformat() if self.was is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Ask:
    """Something their message asks the reader to answer, decide, bring, pay or do."""

    span: Span
    text: str
    kind: str  # "time", "money", "item" or "question": what the reply line answers
    summary: str  # e.g. "return time Sunday 17:00 (was 19:00)", "$120, school trip"
    facts: Facts

    def to_wire(self) -> dict[str, Any]:
        return {
            "span": self.span.to_wire(),
            "summary": self.summary,
            "facts": self.facts.to_wire(),
            "kind": self.kind,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Bait:
    """Words that need no answer: an accusation, insult, sarcasm, old argument, generalisation or guilt."""

    span: Span
    text: str
    kind: str  # one of BAIT_KINDS
    message: str

    def to_wire(self) -> dict[str, Any]:
        return {"span": self.span.to_wire(), "kind": self.kind, "message": self.message, "text": self.text}


@dataclass(frozen=True, slots=True)
class SentenceRole:
    """One sentence of their message and what it does: ask, information, bait, emotional, threat, self-harm."""

    span: Span
    text: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Reply:
    """Whether to answer, not before when, and a skeleton the user edits freely.

    ``why`` says in words where ``not_before`` comes from; ``verdict`` is what
    levelhead's own check said about the skeleton (goal: logistics).
    """

    needed: bool
    not_before: datetime | None
    skeleton: str
    why: str = ""
    verdict: str = "send"

    def to_wire(self) -> dict[str, Any]:
        return {
            "needed": self.needed,
            "not_before": self.not_before.isoformat() if self.not_before is not None else None,
            "skeleton": self.skeleton,
        }


@dataclass(frozen=True, slots=True)
class Triage:
    """The reading of one incoming message: safety first, then asks, bait and the reply."""

    text: str
    received: datetime
    safety: tuple[SafetyFinding, ...]
    asks: tuple[Ask, ...]
    bait: tuple[Bait, ...]
    reply: Reply
    resources: tuple[Resource, ...] = ()
    sentences: tuple[SentenceRole, ...] = field(default=())
    abuse_history: bool = False

    @property
    def has_danger(self) -> bool:
        return bool(self.safety)

    def to_wire(self) -> dict[str, Any]:
        """The JSON form (``schema`` 1) of ``levelhead triage --format json`` and the API."""
        return {
            "schema": SCHEMA_VERSION,
            "safety": [s.to_wire() for s in self.safety],
            "asks": [a.to_wire() for a in self.asks],
            "bait": [b.to_wire() for b in self.bait],
            "reply": self.reply.to_wire(),
            "resources": [r.to_wire() for r in self.resources],
        }
