"""Which parts of their message ask for something: questions, requests, demands with a practical point.

A sentence is split into clauses where one sentence holds two asks ("I need
them back by 5, and you owe me $120"); a clause is an ask when it is a real
question or is phrased as a request (``triage/data/asks.toml``). A question
framed by bait ("Why do you always...?") or one that only vents ("Seriously?")
is not an ask (it goes to the bait, or needs nothing) unless it is also a
request that names a day, a time or money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from levelhead.text import Draft, Sentence
from levelhead.triage._data import load
from levelhead.triage._regex import WORD_START, alternatives
from levelhead.triage.model import Bait
from levelhead.triage.spots import Spots

# A clause with fewer words than this and no request form asks nothing ("Well?", "Hello??").
_MIN_QUESTION_WORDS = 3


class Clause(NamedTuple):
    """Part of a sentence that may hold an ask (a tuple: a long message has many)."""

    start: int
    end: int
    sentence: Sentence


@dataclass(frozen=True, slots=True)
class _Patterns:
    split: re.Pattern[str]
    requests: re.Pattern[str]
    rhetorical: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    data = load("asks")
    return _Patterns(
        split=re.compile(
            r"(?:[,;]\s*(?:(?:and|but|also|plus)\s+)?|\s+(?:and|but)\s+(?:also\s+)?)(?=" + data["split_before"] + ")"
        ),
        requests=_at_word_starts(data["requests"]),
        rhetorical=re.compile("|".join(f"(?:{p})" for p in data["rhetorical"])),
    )


def _at_word_starts(patterns: list[str]) -> re.Pattern[str]:
    """One regex for ``patterns``, all of which start at the start of a word.

    Saying so up front (no word character before, a letter next) lets the engine skip the
    other positions at once: about three times faster on long messages.
    """
    return re.compile(WORD_START + "(?:" + alternatives(patterns) + ")")


def clauses(draft: Draft, sentence: Sentence) -> list[Clause]:
    """The clauses of a sentence that may each hold an ask (offsets into the draft)."""
    folded = draft.folded
    # (start, end) of each clause: a cut drops the comma and the "and" between two asks.
    bounds = [[sentence.start, sentence.end]]
    for m in _patterns().split.finditer(folded, sentence.start, sentence.end):
        if m.start() - bounds[-1][0] > 8 and sentence.end - m.end() > 8:
            bounds[-1][1] = m.start()
            bounds.append([m.end(), sentence.end])
    found = []
    for a, b in bounds:
        while b > a and draft.text[b - 1] in " ,;":
            b -= 1
        if b > a:
            found.append(Clause(a, b, sentence))
    return found


def is_ask(draft: Draft, clause: Clause, bait: list[Bait], spots: Spots) -> bool:
    """True when the clause asks the reader to answer, decide, bring, pay or do something.

    A question that vents or opens with bait ("Why can't you ever...?") counts only when it
    is also phrased as a request and names a day, a time or money: the practical point
    under it can be answered and the bait left alone. A request with bait in it ("You need
    to grow up") counts only when it names something concrete. ``bait``: the bait of the
    clause's sentence.
    """
    patterns = _patterns()
    said = draft.folded[clause.start : clause.end].strip()
    sentence_text = draft.folded[clause.sentence.start : clause.sentence.end].rstrip()
    question = said.endswith("?") or (clause.end == clause.sentence.end and sentence_text.endswith("?"))
    covered = _bait_share(clause, bait) if bait else 0.0
    if covered >= _MOSTLY_BAIT:
        return False
    request = bool(patterns.requests.search(said))
    if patterns.rhetorical.search(said) or (question and _opens_with_bait(draft, clause, bait)):
        return request and spots.is_timed(clause.start, clause.end)
    if request:
        return covered == 0 or spots.is_concrete(clause.start, clause.end)
    return question and len(said.split()) >= _MIN_QUESTION_WORDS


_MOSTLY_BAIT = 0.6


def _bait_share(clause: Clause, bait: list[Bait]) -> float:
    covered = sum(max(0, min(b.span.end, clause.end) - max(b.span.start, clause.start)) for b in bait)
    return covered / max(1, clause.end - clause.start)


def _opens_with_bait(draft: Draft, clause: Clause, bait: list[Bait]) -> bool:
    """The clause's first words are bait ("You never pay on time, do you?")."""
    for b in bait:
        opens = clause.start <= b.span.start < clause.end and b.kind != "generalisation"
        if opens and len(draft.folded[clause.start : b.span.start].split()) <= 1:
            return True
    return False
