"""Phrase data: most rules are lists of patterns plus a message (as in proselint and Vale).

A data file ``rules/data/NAME.toml`` holds groups of patterns:

    [groups.generalisation]
    message = "\"{match}\" is a sweeping statement ..."
    patterns = ['\\byou (?:always|never)\\b', ...]

Patterns are regular expressions matched against the folded draft (lower case,
curly quotes made straight, same offsets as the original), so they are written
in lower case with straight apostrophes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from levelhead import regexcache, tablecache
from levelhead.datafiles import read_toml
from levelhead.text import Draft

# "I would never say you always lie", "I'm not saying you're lazy": the words
# after a negated saying or thinking verb are not the user's claim.
_NEGATED_CLAIM = regexcache.compile(
    r"\b(?:never|not|n't|no one|nobody)\s+(?:\w+\s+){0,2}?"
    r"(?:say|said|saying|says|think|thought|thinking|mean|meant|claim|claiming|call|calling|believe|suggest|suggesting)"
    r"\b(?:\s+that)?\W*$"
)


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a phrase matched, and the message of its group."""

    start: int
    end: int
    text: str
    group: str
    message: str


@dataclass(frozen=True)
class PhraseGroup:
    """A named group of phrases, compiled into one pattern, and its message."""

    name: str
    message: str
    pattern: re.Pattern[str]


@tablecache.kept
def load(name: str) -> tuple[PhraseGroup, ...]:
    """Read and compile ``rules/data/NAME.toml`` once."""
    data = read_toml(f"rules/data/{name}.toml")
    groups = []
    for group, spec in data.get("groups", {}).items():
        patterns = spec["patterns"]
        combined = "|".join(f"(?:{p})" for p in patterns)
        groups.append(PhraseGroup(group, spec.get("message", ""), regexcache.compile(combined)))
    return tuple(groups)


def find(
    draft: Draft,
    name: str,
    *,
    own_voice: bool = True,
    groups: tuple[str, ...] | None = None,
) -> list[Hit]:
    """Every match of the phrase file ``name`` in the draft, in reading order, without overlaps.

    With ``own_voice`` (the default), matches inside quotes, reported speech or
    a negated "I'd never say ..." are skipped: they are not the user's claim.
    """
    hits: list[Hit] = []
    text = draft.folded
    for group in load(name):
        if groups is not None and group.name not in groups:
            continue
        for m in group.pattern.finditer(text):
            start, end = m.span()
            if start == end:
                continue
            if own_voice and not is_own_voice(draft, start, end):
                continue
            original = draft.text[start:end]
            hits.append(Hit(start, end, original, group.name, group.message.replace("{match}", original)))
    return _without_overlaps(hits)


def is_own_voice(draft: Draft, start: int, end: int) -> bool:
    """False when ``start:end`` quotes or reports someone else, or sits under a negated "I'd never say"."""
    if draft.is_reported(start, end):
        return False
    sentence = draft.sentence_at(start)
    # The negation sits a few words before the claim; a bounded look-back keeps huge drafts fast.
    head = draft.folded[max(sentence.start if sentence else 0, start - 120) : start]
    return not _NEGATED_CLAIM.search(head)


def _without_overlaps(hits: list[Hit]) -> list[Hit]:
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[Hit] = []
    for hit in hits:
        if kept and hit.start < kept[-1].end:
            continue
        kept.append(hit)
    return kept
