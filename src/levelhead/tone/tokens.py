"""Tokens and feature strings of a message: the model's view of text, with no numeric dependency.

Shared by the numpy vectoriser (``levelhead.tone.features``, training and batch scoring) and the
light reader (``levelhead.tone.light``, one message in a fresh process), so both see the same features.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from levelhead import regexcache
from levelhead.text import fold

CHAR_NGRAMS = (2, 5)
NEGATION_SCOPE = 3  # words after a negator that get marked

_TOKEN = regexcache.compile(
    r"\[(?:name|religion)\]"  # GoEmotions masks, kept as one token
    r"|[^\W_]+(?:['\-][^\W_]+)*"  # words with inner apostrophes and hyphens
    r"|[!?]+"  # runs of ! and ? carry intensity
    r"|[^\w\s]",  # any other symbol or emoji, one at a time
    re.UNICODE,
)
_NEGATORS = frozenset(
    "not no never nothing nobody none neither nor without hardly cannot cant dont wont isnt arent wasnt "
    "werent doesnt didnt couldnt shouldnt wouldnt aint nope".split()
)
_SCOPE_END = frozenset('.,;:!?()[]"')
_ELONGATED = regexcache.compile(r"([^\W\d_])\1\1")


@dataclass(frozen=True, slots=True)
class Tok:
    """A token: its normalised form and where it sits in the original text."""

    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Tok]:
    """Tokens of ``text`` (lower-cased, quotes folded), offsets into ``text``."""
    folded = fold(text)
    return [Tok(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(folded)]


def _punct_norm(norm: str) -> str:
    if len(norm) > 1 and norm[0] in "!?":
        has_q, has_x = "?" in norm, "!" in norm
        return "?!" if has_q and has_x else norm[:2]
    return norm


def word_features(text: str, toks: list[Tok]) -> Iterator[tuple[str, int, int]]:
    """Word-block features as (feature, first token index, last token index)."""
    marked: list[str] = []
    scope = 0
    for tok in toks:
        norm = _punct_norm(tok.norm)
        if norm[0] in _SCOPE_END:
            scope = 0
            marked.append(norm)
            continue
        marked.append("neg_" + norm if scope > 0 else norm)
        scope = max(scope - 1, 0)
        if norm in _NEGATORS or norm.endswith("n't"):
            scope = NEGATION_SCOPE
    for i, tok in enumerate(toks):
        yield marked[i], i, i
        if i:
            yield marked[i - 1] + " " + marked[i], i - 1, i
        raw = text[tok.start : tok.end]
        if len(raw) >= 3 and raw.isupper():
            yield "<caps>", i, i
        if _ELONGATED.search(tok.norm):
            yield "<elong>", i, i


def char_features(norm: str) -> list[str]:
    """Character n-grams of one token, padded with spaces so word edges count."""
    padded = " " + norm + " "
    lo, hi = CHAR_NGRAMS
    size = len(padded)
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(size - n + 1)]
