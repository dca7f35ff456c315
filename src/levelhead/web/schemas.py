"""Request and response models of the JSON API (they are also its OpenAPI schema).

Response models mirror the library's ``to_wire`` shapes exactly, so
``POST /api/v1/check`` answers the JSON of ``levelhead check --format json``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

GoalName = Literal["logistics", "closure", "friendship", "reconciliation", "none"]
MoodName = Literal["calm", "angry", "lonely", "nostalgic", "sad", "anxious", "hopeful"]
EndedByName = Literal["me", "them", "mutual"]
ChannelName = Literal["text", "call", "email", "in-person", "social"]
VerdictName = Literal["send", "revise", "wait", "dont-send", "safety"]
AgreementKind = Literal[
    "no-contact", "window", "off-limits", "channels", "no-visits", "no-family", "friendship", "social-block"
]
MAX_TEXT = 100_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    """What every refused request answers: one calm sentence (and, for an import, the names to choose from)."""

    error: str
    choices: list[str] | None = None


# --- the situation --------------------------------------------------------------------------------------------------


class SituationFields(Strict):
    """The situation, as ``levelhead check`` flags; every field optional (the stored situation fills the rest)."""

    goal: GoalName | None = None
    mood: MoodName | None = None
    broke_up: date | None = None
    ended_by: EndedByName | None = None
    children: int | None = Field(default=None, ge=0, le=99)
    asked_for_space: bool | None = None
    new_partner: bool | None = None
    abuse_history: bool | None = None
    country: str | None = Field(default=None, max_length=8)
    tz: str | None = Field(default=None, max_length=64, description="IANA time zone, e.g. Europe/London")
    channel: ChannelName | None = None


class Moment(SituationFields):
    now: datetime | None = Field(default=None, description="The moment to check for (default: now)")
    select: list[str] = Field(default_factory=list, max_length=64)
    ignore: list[str] = Field(default_factory=list, max_length=64)


class CheckRequest(Moment):
    text: str = Field(max_length=MAX_TEXT)


class ReadyRequest(Moment):
    pass


class SituationOut(BaseModel):
    goal: GoalName | None
    mood: MoodName | None
    broke_up: date | None
    ended_by: EndedByName | None
    children: int
    asked_for_space: bool
    new_partner: bool
    abuse_history: bool
    tz: str | None
    country: str
    channel: ChannelName
    stored: bool = Field(description="False when there is no store: these are the settings file's values")


# --- reports ---------------------------------------------------------------------------------------------------------


class SpanOut(BaseModel):
    start: int
    end: int


class SuggestionOut(BaseModel):
    title: str
    replacement: str
    applicability: Literal["safe", "unsafe", "display-only"]


class DiagnosticOut(BaseModel):
    code: str
    name: str
    severity: Literal["error", "warning", "info"]
    message: str
    note: str | None
    span: SpanOut | None
    suggestions: list[SuggestionOut]


class ResourceOut(BaseModel):
    name: str
    contact: str
    country: str


class ReportOut(BaseModel):
    """The JSON of ``levelhead check --format json`` (schema version 1)."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: int = Field(alias="schema", serialization_alias="schema")
    verdict: VerdictName
    until: datetime | None
    diagnostics: list[DiagnosticOut]
    resources: list[ResourceOut]


class LastMessage(BaseModel):
    at: datetime
    text: str
    words: int


class Mirror(BaseModel):
    """Their pace, to mirror: the typical length of their messages and how long they take to reply."""

    their_median_words: float | None
    their_median_reply_minutes: float | None
    earliest_reply: datetime | None = Field(description="Their last message's time plus their usual reply delay")


class ComposeOut(BaseModel):
    """What the Compose page shows: the report, where each suggestion applies, and their last message."""

    report: ReportOut
    edits: list[list[SpanOut | None]] = Field(
        description="Per diagnostic, per suggestion: the span the replacement replaces (null: the whole draft)"
    )
    last_message: LastMessage | None
    mirror: Mirror
    warning: str | None = Field(description="Set when the store could not be read: the check ran without it")


# --- tone ------------------------------------------------------------------------------------------------------------


class ToneRequest(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)


class ToneOut(BaseModel):
    emotions: dict[str, float]
    group: dict[str, float]
    ekman: dict[str, float]
    labels: dict[str, list[str]]


# --- their message (triage) -----------------------------------------------------------------------------------------


class TriageRequest(Strict):
    text: str = Field(max_length=MAX_TEXT)
    received: datetime | None = Field(default=None, description="When it arrived (default: now)")
    tz: str | None = Field(default=None, max_length=64)
    country: str | None = Field(default=None, max_length=8)


class SafetyFindingOut(BaseModel):
    code: str
    span: SpanOut
    message: str
    kind: str
    text: str


class FactsOut(BaseModel):
    when: str | None
    amount: str | None
    items: list[str]
    people: list[str]
    places: list[str]
    was: str | None


class AskOut(BaseModel):
    span: SpanOut
    summary: str
    facts: FactsOut
    kind: str
    text: str


class BaitOut(BaseModel):
    span: SpanOut
    kind: str
    message: str
    text: str


class ReplyOut(BaseModel):
    needed: bool
    not_before: datetime | None
    skeleton: str


class TriageOut(BaseModel):
    """The JSON of ``levelhead triage --format json`` (schema version 1): safety first."""

    model_config = ConfigDict(populate_by_name=True)

    schema_: int = Field(alias="schema", serialization_alias="schema")
    safety: list[SafetyFindingOut]
    asks: list[AskOut]
    bait: list[BaitOut]
    reply: ReplyOut
    resources: list[ResourceOut]


# --- agreements ------------------------------------------------------------------------------------------------------


class AgreementIn(Strict):
    kind: AgreementKind
    details: dict[str, Any] = Field(default_factory=dict)


class AgreementOut(BaseModel):
    id: int
    kind: AgreementKind
    details: dict[str, Any]
    description: str
    created_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    active: bool


class EndAgreement(Strict):
    reason: str = Field(default="", max_length=2000)


class NextWindow(BaseModel):
    opens_at: datetime
    description: str
    open_now: bool


class AgreementsOut(BaseModel):
    agreements: list[AgreementOut]
    no_contact_until: date | None
    no_contact_days_left: int | None
    next_window: NextWindow | None


class Created(BaseModel):
    id: int


# --- drafts and messages ---------------------------------------------------------------------------------------------


class ParkRequest(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    hours: float = Field(default=12, gt=0, le=24 * 30, description="Cool-off length in hours")


class DraftOut(BaseModel):
    id: int
    text: str
    due_at: datetime
    created_at: datetime
    status: Literal["parked", "sent", "discarded"]
    due: bool


class DraftStatus(Strict):
    status: Literal["sent", "discarded"]


class RecheckOut(BaseModel):
    draft: DraftOut
    report: ReportOut


class LogMessage(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    direction: Literal["me", "them"] = "me"
    at: datetime | None = None


class Logged(BaseModel):
    stored: int


# --- history and the record ------------------------------------------------------------------------------------------


class ImportOut(BaseModel):
    kind: str
    sha256: str
    participants: list[str]
    stored: int
    duplicates: int = Field(description="Already stored (an overlapping export of the same chat)")
    skipped: int = Field(description="System lines")
    already: bool = Field(description="This very file was imported before; nothing changed")
    imported_at: datetime


class StatsOut(BaseModel):
    """``levelhead stats --format json`` (docs/stats.md): pace, length, initiations, streaks, tone, adherence."""

    model_config = ConfigDict(extra="allow")

    generated_at: datetime
    weeks: int
    messages: dict[str, Any]
    weekly: list[dict[str, Any]]


class VerifyOut(BaseModel):
    ok: bool
    outcome: Literal["ok", "altered", "unreadable"]
    message: str
    count: int
    root: str | None
    first_bad_entry: int | None
    bad_checkpoint: int | None
    note: str


# --- store and settings ----------------------------------------------------------------------------------------------


class StoreOut(BaseModel):
    exists: bool
    encrypted: bool
    location: str
    messages: int
    config_error: str | None


class CreateStore(Strict):
    passphrase: str | None = Field(default=None, min_length=8, max_length=1024)


class ChangePassphrase(Strict):
    old: str = Field(min_length=1, max_length=1024)
    new: str = Field(min_length=8, max_length=1024)


class Done(BaseModel):
    ok: bool


OptionValue = bool | int | float | str


class OptionOut(BaseModel):
    """One rule option (threshold): its value in ``levelhead.toml``, else the default."""

    rule: str
    name: str = Field(description="The rule's name")
    key: str
    value: OptionValue
    default: OptionValue
    type: Literal["bool", "int", "float", "str"]
    minimum: float | None
    maximum: float | None
    help: str


class SettingsOut(BaseModel):
    countries: dict[str, str]
    options: list[OptionOut]
    config_file: str | None = Field(description="The settings file the thresholds are read from and saved to")
    config_exists: bool
    config_error: str | None


class OptionsIn(Strict):
    """Rule options to save in ``levelhead.toml``: ``{"TN02": {"logistics_threshold": 0.4}}``; ``null`` resets
    an option to its default. All are checked first; one that cannot be used is a 400 and nothing is saved."""

    options: dict[str, dict[str, OptionValue | None]] = Field(max_length=64)
