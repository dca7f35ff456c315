"""What a check produces: spans, suggestions, diagnostics, verdicts and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class Span:
    """Character offsets into the draft, end exclusive."""

    start: int
    end: int

    def to_wire(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


class Applicability(StrEnum):
    """How far a suggestion can be trusted to keep the user's meaning (as in ruff)."""

    SAFE = "safe"  # keeps the meaning; applying it is harmless
    UNSAFE = "unsafe"  # a rewrite the user must read before taking it
    DISPLAY_ONLY = "display-only"  # advice or a template, not a drop-in text


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A change the user may take or leave. ``replacement`` replaces ``span`` (or the whole draft when None)."""

    title: str
    replacement: str
    applicability: Applicability
    span: Span | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"title": self.title, "replacement": self.replacement, "applicability": self.applicability.value}


class Severity(StrEnum):
    ERROR = "error"  # the finding decides the verdict
    WARNING = "warning"  # worth changing; still decides the verdict
    INFO = "info"  # advice only; never changes the verdict


class Verdict(Enum):
    """One per check; the most severe wins."""

    SEND = ("send", 0)
    REVISE = ("revise", 1)
    WAIT = ("wait", 2)
    DONT_SEND = ("dont-send", 3)
    SAFETY = ("safety", 4)

    def __init__(self, label: str, rank: int) -> None:
        self.label = label
        self.rank = rank

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about a draft or about the moment it would be sent."""

    code: str
    name: str
    message: str
    span: Span | None
    severity: Severity
    verdict: Verdict
    note: str | None = None
    suggestions: tuple[Suggestion, ...] = ()
    until: datetime | None = None  # for timing findings: the earliest moment this stops applying

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
            "note": self.note,
            "span": self.span.to_wire() if self.span else None,
            "suggestions": [s.to_wire() for s in self.suggestions],
        }


@dataclass(frozen=True, slots=True)
class Resource:
    """A place to get help, from the one resources data file."""

    name: str
    contact: str
    country: str
    kinds: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, str]:
        return {"name": self.name, "contact": self.contact, "country": self.country}


@dataclass(frozen=True, slots=True)
class Report:
    """The outcome of a check: one verdict, its reasons, and help when safety is involved."""

    verdict: Verdict
    diagnostics: tuple[Diagnostic, ...]
    text: str | None = None
    until: datetime | None = None
    resources: tuple[Resource, ...] = field(default=())

    @property
    def codes(self) -> list[str]:
        return [d.code for d in self.diagnostics]

    def to_wire(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "verdict": self.verdict.label,
            "until": self.until.isoformat() if self.until else None,
            "diagnostics": [d.to_wire() for d in self.diagnostics],
            "resources": [r.to_wire() for r in self.resources],
        }
