"""Finding the practical part of a message: dates, times, items, money, places, children, documents.

The seeds ask that contact stay on practical matters ("Focus on logistics, not
emotions"), so several rules need to know which sentences of a draft carry a
practical point, whether the draft asks for something concrete, and what the
draft would be trimmed to its practical core.

Most of the vocabulary is word phrases (``rules/data/logistics_*.toml``),
matched through a dictionary keyed on their first word rather than as long
regular-expression alternations, which keeps the analysis of a 60-word draft
to a fraction of a millisecond; the few regular expressions left (clock times,
numeric dates, amounts) are only tried where a word starts with a digit or at
a currency sign. Everything is pure and cached per draft.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from levelhead import regexcache, tablecache
from levelhead.datafiles import read_toml
from levelhead.text import Draft, Sentence

MARKERS = "logistics_markers"
SHAPES = "logistics_shapes"

# Marker kinds (the groups of logistics_markers.toml).
KINDS = (
    "date", "soon", "time", "handover", "items", "money", "places",
    "children", "documents", "household", "urgent",
)  # fmt: skip
_KIND_SET = frozenset(KINDS)
# Kinds that name a concrete day or time, as a planned handover does.
TIMED_KINDS = frozenset({"date", "time"})

_DIGIT = regexcache.compile(r"[\d$£€]")
_CURRENCY = regexcache.compile(r"[$£€]")
_WORDISH = regexcache.compile(r"[^\W_]+(?:'[^\W_]+)*")
# Words that trail an opener without giving it a practical point ("thinking of you today").
_TRAILING_FILLER = regexcache.compile(
    r"(?:\s+(?:today|tonight|tonite|later|lately|again|now|rn|right now|these days"
    r"|this (?:morning|afternoon|evening|week|weekend)|haha+|lol|lmao|x+|xo+|please|pls))+$"
)
ACK_MAX_WORDS = 25
OPENER_MAX_WORDS = 14


# --- data and word phrases ---------------------------------------------------------


@cache
def load_data(name: str) -> dict[str, Any]:
    """Read ``rules/data/NAME.toml`` once."""
    return read_toml(f"rules/data/{name}.toml")


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of a draft (folded: lower case, straight apostrophes), with their character offsets."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    vocabulary: frozenset[str]


@lru_cache(maxsize=1024)
def tokens(draft: Draft) -> Tokens:
    """The folded words of a draft (cached); the same words as ``draft.words``."""
    folded = draft.folded
    found = draft.words
    words = tuple(folded[t.start : t.end] for t in found)
    return Tokens(words, tuple(t.start for t in found), tuple(t.end for t in found), frozenset(words))


@dataclass(frozen=True, slots=True)
class _Slot:
    """One position of a logistics phrase: the words it accepts, and how."""

    words: frozenset[str] = frozenset()
    optional: bool = False
    gap: int = 0  # > 0: skip up to this many words
    number: bool = False  # "#": a number
    anything: bool = False  # "*": any one word
    possessive: bool = False  # "*'s": a word ending in 's
    negated: bool = False  # "!a|b": the next word (if any) is not one of these; consumes nothing

    def accepts(self, word: str) -> bool:
        return (
            word in self.words
            or self.anything
            or (self.number and word.isdigit())
            or (self.possessive and word.endswith("'s"))
        )


def _parse_slot(spec: str) -> _Slot:
    if spec.startswith("~"):
        return _Slot(gap=int(spec[1:]))
    negated = spec.startswith("!")
    optional = spec.endswith("?")
    spec = spec.strip("!?")
    options = set(spec.split("|"))
    return _Slot(
        words=frozenset(o for o in options if o not in {"#", "*", "*'s"}),
        optional=optional,
        number="#" in options,
        anything="*" in options,
        possessive="*'s" in options,
        negated=negated,
    )


class WordPhrases:
    """Tagged word phrases (see logistics_markers.toml for the syntax), indexed by their first word."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        # Each entry: (tag, the words the next word must be one of, if known, the remaining slots).
        Entry = tuple[str, frozenset[str] | None, tuple[_Slot, ...]]
        self.index: dict[str, list[Entry]] = {}
        self.numbered: list[Entry] = []
        self.possessive: list[Entry] = []
        for tag, entry in entries:
            slots = [_parse_slot(s) for s in entry.split()]
            first, after = slots[0], tuple(slots[1:])
            rest = (tag, _next_words(after), after)
            if first.optional or first.gap or first.anything or first.negated:
                raise ValueError(f"a phrase must start with a required word: {entry!r}")
            for word in first.words:
                self.index.setdefault(word, []).append(rest)
            if first.number:
                self.numbered.append(rest)
            if first.possessive:
                self.possessive.append(rest)

    def find(self, toks: Tokens) -> Iterator[tuple[str, int, int]]:
        """``(tag, start, end)`` character spans of the matches: per starting word, one per tag."""
        words = toks.words
        last = len(words) - 1
        index, numbered, possessive = self.index, self.numbered, self.possessive
        for i, word in enumerate(words):
            candidates = index.get(word)
            if numbered and word.isdigit():
                candidates = [*(candidates or ()), *numbered]
            if possessive and word.endswith("'s"):
                candidates = [*(candidates or ()), *possessive]
            if not candidates:
                continue
            following = words[i + 1] if i < last else ""
            digit = following.isdigit()
            done: set[str] = set()
            for tag, second, rest in candidates:
                if tag in done or (second is not None and following not in second and not (digit and "#" in second)):
                    continue
                end = _match(rest, words, i + 1)
                if end is not None:
                    done.add(tag)
                    yield tag, toks.starts[i], toks.ends[end - 1]


def _next_words(slots: Sequence[_Slot]) -> frozenset[str] | None:
    """The words the next word must be one of for ``slots`` to match ("#" standing for a number), if that is known."""
    allowed: set[str] = set()
    for slot in slots:
        if slot.gap or slot.anything or slot.possessive or slot.negated:
            return None
        allowed |= slot.words
        if slot.number:
            allowed.add("#")
        if not slot.optional:
            return frozenset(allowed)
    return None  # everything optional: the phrase may end here


def _match(slots: Sequence[_Slot], words: Sequence[str], k: int) -> int | None:
    """The word index just past a match of ``slots`` starting at ``k``, or None."""
    if not slots:
        return k
    slot, rest = slots[0], slots[1:]
    if slot.gap:
        for skip in range(min(slot.gap, len(words) - k) + 1):
            end = _match(rest, words, k + skip)
            if end is not None:
                return end
        return None
    if slot.negated:
        return None if k < len(words) and words[k] in slot.words else _match(rest, words, k)
    if k < len(words) and slot.accepts(words[k]):
        end = _match(rest, words, k + 1)
        if end is not None:
            return end
    return _match(rest, words, k) if slot.optional else None


@dataclass(frozen=True)
class _Compiled:
    """Every word phrase of both data files in one index, and the regular expressions beside them."""

    phrases: WordPhrases
    digits: dict[str, re.Pattern[str]]  # marker kind -> regex run only when the draft has a digit
    shapes: dict[str, re.Pattern[str]]  # opener, ack, ask, greeting: regexes on normalised sentences


def _alternation(patterns: Iterable[str]) -> re.Pattern[str]:
    return regexcache.compile("|".join(f"(?:{p})" for p in patterns))


@tablecache.kept
def _compiled() -> _Compiled:
    entries: list[tuple[str, str]] = []
    digits: dict[str, re.Pattern[str]] = {}
    shapes: dict[str, re.Pattern[str]] = {}
    for name in (MARKERS, SHAPES):
        for group, spec in load_data(name)["groups"].items():
            entries.extend((group, entry) for entry in spec.get("phrases", []))
            if spec.get("digit_patterns"):
                digits[group] = _alternation(spec["digit_patterns"])
            if spec.get("patterns"):
                shapes[group] = _alternation(spec["patterns"])
    return _Compiled(WordPhrases(entries), digits, shapes)


def normalise(text: str) -> str:
    """Folded text reduced to its words and single spaces: ``"Hey, what's up?"`` -> ``"hey what's up"``."""
    return " ".join(_WORDISH.findall(text))


# --- analysis ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentenceInfo:
    """One sentence of a draft and what it carries."""

    sentence: Sentence
    kinds: frozenset[str]  # marker kinds found in it (see KINDS); empty for an opener
    opener: bool  # the whole sentence is a contentless opener ("Hey, what's up?")
    ask: bool  # phrased as a request or a question
    charged: bool  # carries charged wording (kept out of the trimmed core)

    @property
    def practical(self) -> bool:
        """True when the sentence carries a practical matter (any marker)."""
        return bool(self.kinds)

    @property
    def concrete_ask(self) -> bool:
        return self.ask and bool(self.kinds - {"urgent"})


@dataclass(frozen=True, slots=True)
class Analysis:
    """What a draft carries, sentence by sentence, plus whole-draft shapes."""

    sentences: tuple[SentenceInfo, ...]
    acknowledgement: bool  # starts with "OK", "Thanks", "That works" and is short
    boundary: bool  # states a boundary ("Please stop texting me for now.")
    opener: bool  # some sentence is a contentless opener
    urgent: bool  # mentions an emergency (hospital, accident, a missing child)

    @property
    def practical(self) -> tuple[SentenceInfo, ...]:
        return tuple(s for s in self.sentences if s.practical)

    @property
    def has_concrete_ask(self) -> bool:
        return any(s.concrete_ask for s in self.sentences)

    @property
    def is_logistics(self) -> bool:
        """The draft carries a practical matter (a concrete ask always does)."""
        return any(s.practical for s in self.sentences)


def analyse(draft: Draft) -> Analysis:
    """Analyse a draft (cached by its text)."""
    return _analyse(draft)


def analyse_text(text: str) -> Analysis:
    """Analyse a piece of text, e.g. a message from the history."""
    return _analyse(Draft(text))


@lru_cache(maxsize=1024)
def _analyse(draft: Draft) -> Analysis:
    compiled = _compiled()
    folded = draft.folded
    sentences = draft.sentences
    starts = [s.start for s in sentences]
    found: list[set[str]] = [set() for _ in sentences]
    boundary = False

    def place(tag: str, start: int) -> None:
        i = bisect_right(starts, start) - 1
        if i >= 0 and start < sentences[i].end:
            found[i].add(tag)

    for tag, start, _ in compiled.phrases.find(tokens(draft)):
        if tag == "boundary":
            boundary = True
        else:
            place(tag, start)
    if compiled.digits and _DIGIT.search(folded):
        # Digit patterns start at a digit or a currency sign: try them only there.
        toks = tokens(draft)
        spots = [start for word, start in zip(toks.words, toks.starts, strict=True) if word[0].isdigit()]
        spots += [m.start() for m in _CURRENCY.finditer(folded)]
        for tag, pattern in compiled.digits.items():
            for spot in spots:
                if pattern.match(folded, spot):
                    place(tag, spot)
    opener_re, ask_re, ack_re = compiled.shapes["opener"], compiled.shapes["ask"], compiled.shapes["ack"]
    infos: list[SentenceInfo] = []
    for sentence, tags in zip(sentences, found, strict=True):
        raw = folded[sentence.start : sentence.end]
        norm = normalise(raw)
        opener = False
        if norm.count(" ") < OPENER_MAX_WORDS:  # openers are short; long sentences are not tried
            opener = bool(opener_re.search(norm))
            if not opener:
                trimmed = _TRAILING_FILLER.sub("", norm)
                opener = trimmed != norm and bool(opener_re.search(trimmed))
        kinds = frozenset(tags & _KIND_SET)
        infos.append(
            SentenceInfo(
                sentence=sentence,
                kinds=frozenset() if opener else kinds,
                opener=opener,
                ask=raw.rstrip().endswith("?") or bool(ask_re.search(norm)),
                charged="charged" in tags or "!" in raw,
            )
        )
    ack = draft.word_count <= ACK_MAX_WORDS and bool(ack_re.search(normalise(folded)))
    return Analysis(
        sentences=tuple(infos),
        acknowledgement=ack,
        boundary=boundary,
        opener=any(info.opener for info in infos),
        urgent=any("urgent" in tags for tags in found),
    )


def logistics_sentences(draft: Draft) -> list[Sentence]:
    """The sentences of the draft that carry a practical matter, in reading order."""
    return [info.sentence for info in analyse(draft).sentences if info.practical]


def has_concrete_ask(draft: Draft) -> bool:
    """True when some sentence asks for something practical ("Can I collect my books on Saturday?")."""
    return analyse(draft).has_concrete_ask


def is_logistics(draft: Draft) -> bool:
    """True when the draft carries any practical matter (date, time, item, money, place, children, documents)."""
    return analyse(draft).is_logistics


def is_urgent(draft: Draft) -> bool:
    """True when the draft mentions an emergency (hospital, accident, a missing child)."""
    return analyse(draft).urgent


def is_timed(info: SentenceInfo) -> bool:
    """True when a sentence names a concrete day or time ("Sunday by 6 PM")."""
    return bool(info.kinds & TIMED_KINDS)


def logistics_core(draft: Draft) -> str:
    """The trimmed practical core of the draft: its calm practical sentences, greetings dropped.

    Empty when the draft carries no practical matter. Sentences with charged
    wording are left out even when practical; if that leaves nothing, the
    practical sentences are used as they are.
    """
    practical = analyse(draft).practical
    calm = [s for s in practical if not s.charged] or list(practical)
    greeting = _compiled().shapes["greeting"]
    parts: list[str] = []
    for info in calm:
        start, end = info.sentence.start, info.sentence.end
        for _ in range(2):  # "Hi Tom, just confirming ..." -> "Confirming ..."
            m = greeting.match(draft.folded[start:end])
            if not m or not m.end() or start + m.end() >= end:
                break
            start += m.end()
        text = draft.text[start:end].strip()
        if not text:
            continue
        text = text[0].upper() + text[1:]
        if text[-1] not in ".!?\u2026":
            text += "."
        parts.append(text)
    return " ".join(parts)
