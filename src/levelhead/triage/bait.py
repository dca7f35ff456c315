"""Bait in their message: accusations, insults, sarcasm, old arguments, generalisations, guilt.

The phrases are the rule engine's own (TN01, TN04, TN08, TN09 read
``rules/data/blame*.toml`` through ``levelhead.rules.blame``): in a draft they
find the user's blame aimed at the ex, and in an incoming message the same
words are the ex's blame aimed at the user. ``triage/data/bait.toml`` maps
each table group to a bait kind and adds a few incoming-only phrasings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property

from levelhead.diagnostics import Span

# The blame rules' compiled tables and their voice-aware matcher (quotes, negation, "if you ...").
from levelhead.rules.blame import phrase_hits, phrase_markers
from levelhead.text import Draft, quoted_ranges
from levelhead.triage._data import load
from levelhead.triage._regex import WORD_START, alternatives
from levelhead.triage.model import BAIT_KINDS, Bait


class TheirMessage(Draft):
    """Their message as a draft for the phrase tables.

    For the user's own draft, reported speech ("she said you never listen") is
    someone else's claim and is skipped. In their message, "the kids said you
    forgot the inhaler again" is still their accusation of the reader, so only
    words in quotation marks count as someone else's.
    """

    @cached_property
    def reported(self) -> list[tuple[int, int]]:
        return quoted_ranges(self.text)


@dataclass(frozen=True, slots=True)
class _Spec:
    tables: dict[str, dict[str, str]]  # table -> group -> kind
    messages: dict[str, str]  # kind -> message with {match}
    extra: re.Pattern[str]  # the incoming-only phrasings, one named group per kind


@cache
def _spec() -> _Spec:
    data = load("bait")
    messages = {kind: str(spec["message"]) for kind, spec in data["kinds"].items()}
    tables = {table: {group: str(kind) for group, kind in groups.items()} for table, groups in data["tables"].items()}
    # One pass for every kind; each phrase starts at a word, which lets the engine skip other positions.
    kinds = "|".join(f"(?P<{kind}>{alternatives(patterns)})" for kind, patterns in data["extra"].items())
    extra = re.compile(WORD_START + "(?:" + kinds + ")")
    unknown = {*messages, *(k for g in tables.values() for k in g.values()), *data["extra"]} - set(BAIT_KINDS)
    if unknown:
        raise ValueError(f"triage/data/bait.toml: unknown bait kind(s) {sorted(unknown)}")
    return _Spec(tables, messages, extra)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and text[end - 1] in " \t\n,;:-.":
        end -= 1
    while start < end and text[start].isspace():
        start += 1
    return start, end


def find_bait(draft: TheirMessage) -> list[Bait]:
    """Every bait span of their message, in reading order, without overlaps."""
    spec = _spec()
    found: list[tuple[int, int, str]] = []
    for table_name, groups in spec.tables.items():
        grievance = phrase_markers(table_name).get("grievance")
        for hit in phrase_hits(draft, table_name):
            kind = groups.get(hit.group.name)
            if kind is None or hit.group.untargeted:
                continue
            if hit.group.name == "recall" and grievance is not None:
                sentence = draft.sentence_at(hit.start)
                said = draft.folded[sentence.start : sentence.end] if sentence else hit.text.lower()
                if not grievance.search(said):
                    continue  # a light memory ("remember when you taught her to swim") is no bait
            found.append((*_trim(draft.text, hit.start, hit.end), kind))
    quotes = draft.reported
    for m in spec.extra.finditer(draft.folded):
        start, end = _trim(draft.text, m.start(), m.end())
        if start < end and m.lastgroup and not any(a <= start and end <= b for a, b in quotes):
            found.append((start, end, m.lastgroup))
    return [
        Bait(
            Span(start, end), draft.text[start:end], kind, spec.messages[kind].replace("{match}", draft.text[start:end])
        )
        for start, end, kind in _without_overlaps(found)
    ]


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Longest first at each start; a span overlapping a kept one is merged into it (the first kind stays)."""
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if kept and start < kept[-1][1]:
            last = kept[-1]
            kept[-1] = (last[0], max(last[1], end), last[2])
            continue
        kept.append((start, end, kind))
    return kept
