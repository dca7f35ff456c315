"""TN07: capital letters and runs of punctuation that read as shouting."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import ClassVar

from levelhead import regexcache
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion
from levelhead.rule import Option, Rule
from levelhead.situation import Situation
from levelhead.text import Draft

# Words that are written in capitals anyway: abbreviations, times, names of things.
_ALLOWED_CAPS = frozenset(
    "I OK AM PM A.M P.M TV ID PDF DVD USA UK US EU NHS GP ER ICU ASAP FYI ETA RSVP DOB SSN PTA PE IT "
    "BBQ DIY ATM PIN CV HR TBD TBC ADHD COVID MRI CT UTC GMT EST PST DM DMS IG FB PJ PJS ENT GCSE SAT ACT".split()
)
_CAPS_WORD = regexcache.compile(r"\b[A-Z][A-Z']*[A-Z]\b")
_PUNCT_RUN = regexcache.compile(r"[!?]{3,}|(?:[!?][!?]+)(?=\s*$)")


class Shouting(Rule):
    """Capital letters or repeated !!! and ??? that read as shouting.

    ## What it flags
    A run of words in capitals ("YOU NEVER LISTEN"), a single word stressed in
    capitals ("AGAIN"), or punctuation repeated three times or more ("!!!", "???").
    Abbreviations such as OK, PM, ASAP or ID are not counted.

    ## Why it matters
    In a text, capitals and stacked punctuation read as raised voice. The other
    person answers the volume instead of the message, which works against a
    calm, clear exchange.

    ## Example
    "I guess I'll do it AGAIN since you can't manage!!!"

    ## Instead
    Write it in ordinary case with one full stop or question mark: "I can do
    pick-up on Saturday."
    """

    code: ClassVar[str] = "TN07"
    name: ClassVar[str] = "shouting"
    options = {
        "min_caps_words": Option(1, "capitalised words (of two letters or more) that count as shouting", 1, 20),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        caps = [m for m in _CAPS_WORD.finditer(draft.text) if m.group().replace("'", "") not in _ALLOWED_CAPS]
        # A draft written entirely in capitals with caps lock still flags, but as one finding.
        for run in _runs(draft.text, caps):
            start, end = run
            if sum(1 for m in caps if start <= m.start() < end) < self.settings["min_caps_words"]:
                continue
            original = draft.text[start:end]
            calm = original.lower()
            if start == 0 or draft.text[:start].rstrip()[-1:] in ".!?":
                calm = calm[:1].upper() + calm[1:]
            calm = re.sub(r"\bi\b", "I", calm)
            yield self.finding(
                f'"{original}" is in capitals, which reads as shouting.',
                Span(start, end),
                note="Ordinary case keeps the attention on what you are asking, not on the volume.",
                severity=Severity.WARNING,
                suggestions=[Suggestion("Write it in ordinary case", calm, Applicability.SAFE, Span(start, end))],
            )
        for m in _PUNCT_RUN.finditer(draft.text):
            mark = "?" if "?" in m.group() else "!"
            yield self.finding(
                f'"{m.group()}" stacks punctuation, which reads as raised voice.',
                Span(m.start(), m.end()),
                note="One mark says the same thing more calmly.",
                severity=Severity.WARNING,
                suggestions=[Suggestion(f'Use a single "{mark}"', mark, Applicability.SAFE, Span(m.start(), m.end()))],
            )


def _runs(text: str, matches: list[re.Match[str]]) -> list[tuple[int, int]]:
    """Merge capitalised words separated only by spaces and punctuation into runs."""
    runs: list[tuple[int, int]] = []
    for m in matches:
        if runs and not re.search(r"[a-z0-9]", text[runs[-1][1] : m.start()]):
            runs[-1] = (runs[-1][0], m.end())
        else:
            runs.append((m.start(), m.end()))
    return runs
