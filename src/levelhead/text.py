"""Splitting text into sentences and words while keeping character offsets.

Every finding points at characters in the user's own draft, so nothing here
rewrites the text: normalisation (curly quotes, case) happens on a copy of the
same length, and offsets stay valid for the original.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from levelhead import regexcache

# Curly quotes and apostrophes are folded to ASCII, one character for one, so
# patterns can be written once and offsets still point into the original.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": ".",
        "\u00a0": " ",
        "\u202f": " ",
    }
)

_WORD = regexcache.compile(r"\w+(?:['\-]\w+)*")
# A sentence ends at . ! ? (runs of them) or a line break; abbreviations such
# as "p.m." and decimals such as "4.30" are kept whole.
_SENTENCE_END = regexcache.compile(r"[.!?]+[\"')\]]*(?=\s|$)|\n+")
# A full stop after these does not end a sentence ("4:30 p.m. on Sunday", "Dr. Lee").
_ABBREVIATION = regexcache.compile(r"(?:\b[ap]\.m|\bdr|\bmrs?|\bms|\bst)$")
_QUOTED = regexcache.compile(r"\"[^\"\n]{1,400}\"|(?<![\w])'[^'\n]{2,400}'(?![\w])")


def fold(text: str) -> str:
    """Return a lower-cased copy of ``text`` of the same length, quotes folded to ASCII."""
    folded = text.translate(_FOLD).lower()
    # lower() can change length for a few characters (e.g. "İ"); keep offsets safe.
    if len(folded) != len(text):
        folded = "".join(ch.translate(_FOLD).lower()[:1] or " " for ch in text)
    return folded


class Token(NamedTuple):
    """A word and where it sits in the text (a tuple: drafts have many words, and tuples are cheap)."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()


class Sentence(NamedTuple):
    """A sentence (or line) of the draft with its offsets."""

    text: str
    start: int
    end: int


def words(text: str, offset: int = 0) -> list[Token]:
    """The words of ``text`` (letters and digits, inner apostrophes and hyphens kept)."""
    return _words(text, text.translate(_FOLD), offset)


def _words(text: str, translated: str, offset: int = 0) -> list[Token]:
    # Tokens are built with tuple.__new__ (NamedTuple's own __new__ is Python code): a draft has many words.
    new = tuple.__new__
    if offset:
        return [new(Token, (text[a:b], a + offset, b + offset)) for a, b in map(_span, _WORD.finditer(translated))]
    return [new(Token, (text[a:b], a, b)) for a, b in map(_span, _WORD.finditer(translated))]


_span = re.Match.span


def sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences, each trimmed of surrounding space, offsets into ``text``."""
    return _sentences(text, text.translate(_FOLD).lower())


def _sentences(text: str, folded: str) -> list[Sentence]:
    result: list[Sentence] = []
    start = 0
    for m in _SENTENCE_END.finditer(folded):
        if m.group()[0] == "." and _ABBREVIATION.search(folded, max(0, m.start() - 4), m.start()):
            continue
        end = m.end() if m.group().strip() else m.start()
        _append_trimmed(text, start, end, result)
        start = m.end()
    _append_trimmed(text, start, len(text), result)
    return result


def _append_trimmed(text: str, start: int, end: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(text[start:end], start, end))


def quoted_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges inside quotation marks: words someone else said or wrote."""
    return _quoted_ranges(text.translate(_FOLD))


def _quoted_ranges(translated: str) -> list[tuple[int, int]]:
    if '"' not in translated and "'" not in translated:
        return []
    return [m.span() for m in _QUOTED.finditer(translated)]


def reported_speech_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges that report another person's words: quotes, and "she said you never listen"."""
    return _reported_speech_ranges(text, text.translate(_FOLD), fold(text))


def _reported_speech_ranges(text: str, translated: str, folded: str) -> list[tuple[int, int]]:
    ranges = _quoted_ranges(translated)
    # _REPORTED needs one of its verbs: most drafts have none, and a substring test is cheaper than the scan.
    if not any(verb in folded for verb in _REPORTING_VERBS):
        return ranges
    for m in _REPORTED.finditer(folded):
        # The reported clause runs to the end of its sentence.
        stop = _SENTENCE_END.search(folded, m.end())
        ranges.append((m.end(), stop.start() if stop else len(text)))
    return ranges


_REPORTED = regexcache.compile(
    r"\b(?:he|she|they|someone|somebody|people|the (?:judge|mediator|therapist|court|teacher|kids|children)"
    r"|my (?:mum|mom|dad|friend|sister|brother|lawyer|therapist))\s+"
    r"(?:said|says|told me|wrote|claimed|claims|keeps saying|kept saying|was saying|yelled|shouted|asked)"
    r"(?:\s+that)?\s*[,:]?\s*"
)
_REPORTING_VERBS = ("said", "says", "told me", "wrote", "claim", "saying", "yelled", "shouted", "asked")


@dataclass(frozen=True)
class Draft:
    """A message being checked, with the views of it that rules share."""

    text: str

    @cached_property
    def _translated(self) -> str:
        """``text`` with quotes folded (case kept): the one ``translate`` the views below share."""
        return self.text.translate(_FOLD)

    @cached_property
    def _lowered(self) -> str:
        return self._translated.lower()

    @cached_property
    def folded(self) -> str:
        """Lower-cased, quote-folded copy with the same offsets as ``text``."""
        lowered = self._lowered
        return lowered if len(lowered) == len(self.text) else fold(self.text)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return _sentences(self.text, self._lowered)

    @cached_property
    def words(self) -> list[Token]:
        return _words(self.text, self._translated)

    @cached_property
    def word_count(self) -> int:
        return len(self.words)

    @cached_property
    def reported(self) -> list[tuple[int, int]]:
        """Ranges holding someone else's words, which rules about the user's own voice skip."""
        return _reported_speech_ranges(self.text, self._translated, self.folded)

    def is_reported(self, start: int, end: int) -> bool:
        """True when ``start:end`` lies inside a quote or reported speech."""
        return any(a <= start and end <= b for a, b in self.reported)

    @cached_property
    def _sentence_starts(self) -> list[int]:
        return [s.start for s in self.sentences]

    def sentence_at(self, offset: int) -> Sentence | None:
        """The sentence holding ``offset``, if any (found by bisection: drafts can be long)."""
        index = bisect.bisect_right(self._sentence_starts, offset) - 1
        if index >= 0 and offset < self.sentences[index].end:
            return self.sentences[index]
        return None

    @cached_property
    def paragraphs(self) -> int:
        return len([p for p in re.split(r"\n\s*\n", self.text) if p.strip()])
