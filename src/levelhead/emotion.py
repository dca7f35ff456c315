"""The emotion seam: which feeling each sentence of a draft carries, and how strongly.

Rules ask one question, ``sentence_emotions(draft)``, and get one
``SentenceEmotion`` per sentence: the dominant emotion (anger, sadness,
longing, love, fear, or neutral), a strength in [0, 1] and the words that
carry it. Who answers is a strategy behind the ``EmotionScorer`` protocol:

* ``LexiconScorer`` (the default, always available): a hand-built phrase
  lexicon (``rules/data/emotion.toml``) with intensifiers ("so", "really",
  "so much"), downtoners ("a bit"), negation ("I'm not angry"), shouting and
  "!!", quotes and reported speech skipped, and feelings of a third person
  ("Emma is scared of the dark") weighed lower than the writer's own.
* ``ModelScorer``: the trained tone model in ``levelhead.tone`` when it is
  installed and its model file loads. GoEmotions labels are folded into our
  five emotions (see ``GOEMOTIONS``) and blended conservatively with the
  lexicon: the model never lowers what the phrases found, can raise it, and
  adds confident readings the phrases missed (see ``ModelScorer``).

``LEVELHEAD_TONE`` picks the scorer: ``lexicon``, ``model`` or ``auto`` (the
default: the model when it loads, else the lexicon). The model is loaded
lazily, once; results are cached per draft text, so several rules asking
about the same draft cost one scoring. The lexicon compiles on first use
(a few tenths of a second, once per process).

Strength scale (shared by both scorers, and by the thresholds in TN02/PC07):
about 0.3-0.45 faint ("worried"), 0.5-0.6 clear ("I'm upset", "I miss you"),
0.7-0.8 strong ("furious", "heartbroken", "I love you"), 0.85 and up extreme
("I can't stop crying", "I can't live without you", "I hate you").
"""

from __future__ import annotations

import importlib
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, Literal, Protocol, runtime_checkable

from levelhead import regexcache, tablecache
from levelhead.datafiles import read_toml
from levelhead.diagnostics import Span
from levelhead.phrases import is_own_voice
from levelhead.text import Draft, Sentence

EmotionName = Literal["anger", "sadness", "longing", "love", "fear", "neutral"]
EMOTIONS: Final[tuple[EmotionName, ...]] = ("anger", "sadness", "longing", "love", "fear")
NEUTRAL: Final = "neutral"
MODES: Final = ("auto", "lexicon", "model")
ENV_VAR: Final = "LEVELHEAD_TONE"

# Below this a sentence is called neutral.
FLOOR: Final = 0.2

# GoEmotions labels folded into our five emotions (the tone model's vocabulary).
GOEMOTIONS: Final[Mapping[EmotionName, tuple[str, ...]]] = {
    "anger": ("anger", "annoyance", "disapproval", "disgust"),
    "sadness": ("sadness", "grief", "disappointment", "remorse"),
    "longing": ("desire",),
    "love": ("love", "caring", "admiration"),
    "fear": ("fear", "nervousness"),
}
_LABEL_TO_EMOTION: Final[dict[str, EmotionName]] = {
    label: emotion for emotion, labels in GOEMOTIONS.items() for label in labels
}


@dataclass(frozen=True, slots=True)
class SentenceEmotion:
    """The feeling one sentence carries: its span, dominant emotion, strength and the words behind it."""

    start: int
    end: int
    emotion: EmotionName
    strength: float
    words: tuple[Span, ...] = ()
    scores: tuple[tuple[EmotionName, float], ...] = ()  # every emotion found, strongest first

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    @property
    def is_neutral(self) -> bool:
        return self.emotion == NEUTRAL

    def score(self, emotion: str) -> float:
        """The strength of ``emotion`` in this sentence (0.0 when absent)."""
        for name, value in self.scores:
            if name == emotion:
                return value
        return 0.0


@runtime_checkable
class EmotionScorer(Protocol):
    """Anything that can read the emotions of a draft, sentence by sentence."""

    name: str

    def score(self, draft: Draft) -> list[SentenceEmotion]:
        """One ``SentenceEmotion`` per sentence of ``draft.sentences``, in order."""
        ...


# ----------------------------------------------------------------- fast phrase matching
#
# A lexicon of hundreds of regex phrases joined as one alternation is slow in
# Python's ``re``: every alternative is tried at every word start. Here each
# phrase is expanded until it starts with literal text ("(?:i'm|i am) sad"
# becomes "i'm sad" and "i am sad"), the literal prefixes are merged into a
# trie, and the whole list compiles to one regex whose branches begin with
# distinct literal characters, which ``re`` rejects cheaply. An empty marker
# group ends each phrase, so a match tells which entry it came from.

_REGEX_SPECIAL = frozenset("\\.^$*+?{}[]()|")
_QUANTIFIERS = frozenset("?*+{")
_MAX_VARIANTS = 32  # expansions per phrase before it is kept whole
_HEX_ESCAPE = regexcache.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


def _skip_class(p: str, j: int) -> int:
    """Index just past the character class that opens at ``p[j] == '['``."""
    n = len(p)
    j += 1
    if j < n and p[j] == "^":
        j += 1
    if j < n and p[j] == "]":
        j += 1
    while j < n and p[j] != "]":
        j += 2 if p[j] == "\\" else 1
    return j + 1


def _group_end(p: str, i: int) -> int:
    """Index of the ')' that closes the group opening at ``p[i] == '('``."""
    depth, j, n = 0, i, len(p)
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _skip_class(p, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    raise ValueError(f"unbalanced parentheses in {p!r}")


def _split_top(p: str) -> list[str]:
    """``p`` split at its top-level ``|``."""
    parts: list[str] = []
    depth, j, start, n = 0, 0, 0, len(p)
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _skip_class(p, j)
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(p[start:j])
            start = j + 1
        j += 1
    parts.append(p[start:])
    return parts


def _has_capturing_group(p: str) -> bool:
    """True when ``p`` opens a plain ``(`` group (checked by scanning: compiling every phrase is slow)."""
    j, n = 0, len(p)
    while j < n:
        c = p[j]
        if c == "\\":
            j += 2
            continue
        if c == "[":
            j = _skip_class(p, j)
            continue
        if c == "(" and p[j + 1 : j + 2] != "?":
            return True
        if c == "(" and p[j + 1 : j + 3] in ("?P", "?<") and p[j + 1 : j + 4] not in ("?<=", "?<!"):
            return True
        j += 1
    return False


def _expand(p: str, edge: bool, budget: list[int]) -> list[tuple[str, bool]]:
    """Variants of ``p`` that start with literal text where possible; ``edge``: a leading \\b was taken off."""
    if p.startswith("\\b"):
        return _expand(p[2:], True, budget)
    if not p.startswith("(?:"):
        return [(p, edge)]
    end = _group_end(p, 0)
    content, after = p[3:end], p[end + 1 :]
    branches = _split_top(content)
    if after[:1] == "?":
        rest = after[2:] if after[1:2] == "?" else after[1:]
        options = [b + rest for b in branches] + [rest]
    elif after[:1] in ("*", "+", "{"):
        return [(p, edge)]
    else:
        options = [b + after for b in branches]
    budget[0] -= len(options)
    if budget[0] < 0:
        return [(p, edge)]
    out: list[tuple[str, bool]] = []
    for option in options:
        out.extend(_expand(option, edge, budget))
    return out


def _literal_prefix(p: str) -> tuple[str, str]:
    """The literal text ``p`` must start with, and the regex after it."""
    out: list[str] = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            escape = _HEX_ESCAPE.match(p, i)
            if escape:
                literal, nxt = chr(int(next(g for g in escape.groups() if g), 16)), escape.end()
            elif i + 1 >= n or p[i + 1].isalnum():
                break
            else:
                literal, nxt = p[i + 1], i + 2
        elif c in _REGEX_SPECIAL:
            break
        else:
            literal, nxt = c, i + 1
        if nxt < n and p[nxt] in _QUANTIFIERS:
            break
        out.append(literal)
        i = nxt
    return "".join(out), p[i:]


@dataclass
class _TrieNode:
    """One node of the first-words trie that picks candidate phrases."""

    children: dict[str, _TrieNode]
    tails: list[tuple[str, int]]


class PhraseMatcher:
    """Many regex phrases, each with an integer tag, matched in one fast pass.

    ``word_edges``: every phrase must start and end at a word edge (the
    emotion lexicon); otherwise phrases carry their own ``\\b`` (phrase files).
    Matching is leftmost-first and non-overlapping, as one alternation would
    be, with longer literal prefixes tried first. Phrases must not contain
    capturing groups.

    Compiling a lexicon of thousands of phrases as one regex costs more than a
    whole check, and a command-line check pays it on every run. So the phrases
    are kept in small buckets by the first characters of their literal prefix,
    and a bucket is compiled the first time a text has a word that starts
    with those characters: a short draft compiles a few dozen small regexes.
    Each phrase has a rank, its place in the one big alternation (see
    :meth:`reference_pattern`); at a position the lowest-ranked match wins,
    exactly as that alternation would choose.
    """

    _KEY = 3  # characters of the literal prefix that name its bucket
    _WARM_CALLS = 16  # texts matched through buckets before the whole alternation is compiled
    _LONG_TEXT = 4000  # characters: a text this long scans faster with the whole alternation, even once

    def __init__(self, entries: Iterable[tuple[str, int]], *, word_edges: bool) -> None:
        self._start_edge = {True: r"(?<![\w'])" if word_edges else r"(?<!\w)", False: ""}
        self._end_edge = r"(?![\w])" if word_edges else ""
        roots = {True: _TrieNode({}, []), False: _TrieNode({}, [])}
        generic: dict[bool, list[tuple[str, int]]] = {True: [], False: []}
        for pattern, tag in entries:
            if _has_capturing_group(pattern):
                raise ValueError(f"phrase {pattern!r} has a capturing group; use (?:...)")
            for alternative in _split_top(pattern):
                for variant, edge in _expand(alternative, False, [_MAX_VARIANTS]):
                    prefix, tail = _literal_prefix(variant)
                    edged = edge or word_edges
                    if edge and not word_edges and prefix and not (prefix[0].isalnum() or prefix[0] == "_"):
                        # "\b" before a non-word character means something else: keep the phrase as written.
                        generic[False].append(("\\b" + variant, tag))
                    elif not prefix:
                        generic[edged].append((variant, tag))
                    else:
                        node = roots[edged]
                        for ch in prefix:
                            node = node.children.setdefault(ch, _TrieNode({}, []))
                        node.tails.append((tail, tag))
        # Ranks follow the big alternation: per part (edged, then not), its generic phrases, then the trie
        # depth-first (children in character order, a node's own phrases after its children).
        self.tags: list[int] = []
        self._generic: dict[bool, tuple[str, list[int]]] = {}
        buckets: dict[tuple[bool, str], list[tuple[str, str, int]]] = {}  # (edged, key) -> (prefix, tail, rank)
        for edged in (True, False):
            ranks = []
            alternatives = []
            for variant, tag in generic[edged]:
                ranks.append(len(self.tags))
                self.tags.append(tag)
                alternatives.append(f"(?:{variant}){self._end_edge}()")
            if alternatives:
                self._generic[edged] = (self._start_edge[edged] + "(?:" + "|".join(alternatives) + ")", ranks)
            for prefix, tail, tag in _depth_first(roots[edged], ""):
                buckets.setdefault((edged, prefix[: self._KEY]), []).append((prefix, tail, len(self.tags)))
                self.tags.append(tag)
        self._bucket_items = buckets
        # Every bucket's regex source, written out now: the matcher is built once and kept between runs
        # (levelhead.tablecache), while a draft would otherwise pay for writing out each bucket it touches.
        self._bucket_sources = {key: self._bucket_source(key) for key in buckets}
        self._calls = 0
        self._full: re.Pattern[str] | None = None
        self._buckets: dict[tuple[bool, str], tuple[re.Pattern[str], list[int]]] = {}
        self._generic_compiled: dict[bool, tuple[re.Pattern[str], list[int]]] = {}
        # Where a phrase of each part can start: at a word edge (edged) or anywhere, on a character that
        # begins one of its literal prefixes.
        self._triggers: dict[bool, re.Pattern[str] | None] = {}
        for edged in (True, False):
            heads = sorted({key[0] for e, key in buckets if e is edged})
            self._triggers[edged] = (
                re.compile(self._start_edge[edged] + "[" + "".join(_class_char(c) for c in heads) + "]")
                if heads else None
            )  # fmt: skip

    def _bucket(self, key: tuple[bool, str]) -> tuple[re.Pattern[str], list[int]]:
        found = self._buckets.get(key)
        if found is None:
            source, ranks = self._bucket_sources[key]
            found = self._buckets[key] = (regexcache.compile(source), ranks)
        return found

    def _bucket_source(self, key: tuple[bool, str]) -> tuple[str, list[int]]:
        root = _TrieNode({}, [])
        for prefix, tail, rank in self._bucket_items[key]:
            node = root
            for ch in prefix:
                node = node.children.setdefault(ch, _TrieNode({}, []))
            node.tails.append((tail, rank))
        ranks: list[int] = []
        source = "|".join(_serialise(root, self._end_edge, ranks))
        return f"{self._start_edge[key[0]]}(?:{source})", ranks

    def _generic_regex(self, edged: bool) -> tuple[re.Pattern[str], list[int]] | None:
        if edged not in self._generic:
            return None
        found = self._generic_compiled.get(edged)
        if found is None:
            source, ranks = self._generic[edged]
            found = self._generic_compiled[edged] = (regexcache.compile(source), ranks)
        return found

    def reference_pattern(self) -> re.Pattern[str]:
        """The one big alternation this matcher stands for (slow to compile; for tests)."""
        parts = []
        rank_of_marker: list[int] = []
        for edged in (True, False):
            alternatives = []
            if edged in self._generic:
                source, ranks = self._generic[edged]
                alternatives.append(source[len(self._start_edge[edged]) + 3 : -1])
                rank_of_marker.extend(ranks)
            root = _TrieNode({}, [])
            for (e, _), items in self._bucket_items.items():
                if e is not edged:
                    continue
                for prefix, tail, rank in items:
                    node = root
                    for ch in prefix:
                        node = node.children.setdefault(ch, _TrieNode({}, []))
                    node.tails.append((tail, rank))
            alternatives.extend(_serialise(root, self._end_edge, rank_of_marker))
            if alternatives:
                parts.append(self._start_edge[edged] + "(?:" + "|".join(alternatives) + ")")
        assert rank_of_marker == sorted(rank_of_marker)
        return regexcache.compile("|".join(parts) if parts else r"(?!)")

    def finditer(self, text: str) -> Iterator[tuple[int, int, int]]:
        """(start, end, tag) of every match in ``text``, in order.

        The first few short texts go through the buckets; after that (a server, a batch), or for a long
        text, the one big alternation is compiled once and used instead: its scan runs in C.
        """
        if self._full is None:
            self._calls += 1
            if self._calls > self._WARM_CALLS or len(text) > self._LONG_TEXT:
                self._full = self.reference_pattern()
        if self._full is not None:
            tags = self.tags
            for m in self._full.finditer(text):
                if m.end() > m.start() and m.lastindex:
                    yield m.start(), m.end(), tags[m.lastindex - 1]
            return
        yield from self._bucket_finditer(text)

    def _bucket_finditer(self, text: str) -> Iterator[tuple[int, int, int]]:
        starts = sorted(
            {(m.start(), edged) for edged, trigger in self._triggers.items() if trigger for m in trigger.finditer(text)}
        )
        generic = {edged: self._generic_regex(edged) for edged in (True, False)}
        next_generic: dict[bool, tuple[int, int, int] | None] = {True: None, False: None}
        searched_from = {True: -1, False: -1}  # where each part's next generic match was looked for
        resume = 0
        i = 0
        tags = self.tags
        while True:
            # The next generic match of each part at or after ``resume``: searched again only once ``resume``
            # has passed it (None: there is none after where it was last searched from).
            for edged, compiled in generic.items():
                if compiled is None:
                    continue
                cached = next_generic[edged]
                if searched_from[edged] < 0 or (cached is not None and cached[0] < resume):
                    next_generic[edged] = _first_nonempty(compiled, text, resume)
                    searched_from[edged] = resume
            while i < len(starts) and starts[i][0] < resume:
                i += 1
            candidates = [g[0] for g in next_generic.values() if g is not None]
            if i < len(starts):
                candidates.append(starts[i][0])
            if not candidates:
                return
            p = min(candidates)
            best: tuple[int, int] | None = None  # (rank, end)
            for edged in (True, False):
                g = next_generic[edged]
                if g is not None and g[0] == p and (best is None or g[2] < best[0]):
                    best = (g[2], g[1])
            while i < len(starts) and starts[i][0] == p:
                edged = starts[i][1]
                for k in range(min(self._KEY, len(text) - p), 0, -1):
                    key = (edged, text[p : p + k])
                    if key not in self._bucket_items:
                        continue
                    regex, ranks = self._bucket(key)
                    m = regex.match(text, p)
                    if m is not None and m.end() > p and m.lastindex:
                        rank = ranks[m.lastindex - 1]
                        if best is None or rank < best[0]:
                            best = (rank, m.end())
                i += 1
            if best is None:
                resume = p + 1
                continue
            yield p, best[1], tags[best[0]]
            resume = best[1]


def _first_nonempty(compiled: tuple[re.Pattern[str], list[int]], text: str, pos: int) -> tuple[int, int, int] | None:
    """(start, end, rank) of the first non-empty match of a generic regex at or after ``pos``."""
    regex, ranks = compiled
    for m in regex.finditer(text, pos):
        if m.end() > m.start() and m.lastindex:
            return m.start(), m.end(), ranks[m.lastindex - 1]
    return None


def _depth_first(node: _TrieNode, prefix: str) -> Iterator[tuple[str, str, int]]:
    """(prefix, tail, tag) of every phrase under ``node``, in the order the serialised trie tries them."""
    for ch in sorted(node.children):
        yield from _depth_first(node.children[ch], prefix + ch)
    for tail, tag in node.tails:
        yield prefix, tail, tag


def _serialise(node: _TrieNode, end_edge: str, ranks: list[int]) -> list[str]:
    """The trie under ``node`` as regex alternatives, each ending in an empty marker group; ``ranks``
    receives each marker's rank (the tails' second item), in marker order."""
    alternatives = []
    for ch in sorted(node.children):
        below = _serialise(node.children[ch], end_edge, ranks)
        inner = below[0] if len(below) == 1 else "(?:" + "|".join(below) + ")"
        alternatives.append(re.escape(ch) + inner)
    for tail, rank in node.tails:
        ranks.append(rank)
        alternatives.append(f"{tail}{end_edge}()")
    return alternatives


def _class_char(c: str) -> str:
    return "\\" + c if c in "\\]^-[" else c


# ----------------------------------------------------------------- the lexicon


@dataclass(frozen=True)
class _Lexicon:
    """The emotion phrase tables and the patterns that scale a hit up or down."""

    buckets: tuple[tuple[EmotionName, float], ...]  # tag -> (emotion, base weight)
    phrases: PhraseMatcher
    neutral: PhraseMatcher
    intensifier_tail: re.Pattern[str]
    intensifier_word: re.Pattern[str]
    after: re.Pattern[str]
    downtoner_tail: re.Pattern[str]
    negator_tail: re.Pattern[str]
    negation_intensifier_tail: re.Pattern[str]
    i_statement_head: re.Pattern[str]
    i_statement_reason: re.Pattern[str]


def _alternation(patterns: Iterable[str]) -> str:
    return "|".join(f"(?:{p})" for p in patterns)


@tablecache.kept
def _lexicon() -> _Lexicon:
    data = read_toml("rules/data/emotion.toml")
    buckets: list[tuple[EmotionName, float]] = []
    entries: list[tuple[str, int]] = []
    # Stronger entries first, so where two phrases start at the same word the stronger is tried first.
    for entry in sorted(data["entries"], key=lambda e: -float(e["weight"])):
        emotion = entry["emotion"]
        if emotion not in EMOTIONS:
            raise ValueError(f"emotion.toml: unknown emotion {emotion!r}")
        buckets.append((emotion, float(entry["weight"])))
        entries.extend((pattern, len(buckets) - 1) for pattern in entry["patterns"])
    mods = data["modifiers"]
    words = r"(?:[\w']+\s+)"
    return _Lexicon(
        buckets=tuple(buckets),
        phrases=PhraseMatcher(entries, word_edges=True),
        neutral=PhraseMatcher(((p, 0) for p in data["neutral"]["patterns"]), word_edges=True),
        intensifier_tail=re.compile(rf"(?:\b(?:{_alternation(mods['intensifiers'])})[\s,]+){{1,3}}{words}?$"),
        intensifier_word=re.compile(rf"\b(?:{_alternation(mods['intensifiers'])})\b"),
        after=re.compile(rf"^[\s,]*(?:{_alternation(mods['after'])})\b"),
        downtoner_tail=re.compile(rf"\b(?:{_alternation(mods['downtoners'])})\s+{words}?$"),
        negator_tail=re.compile(rf"(?:\b(?:{_alternation(mods['negators'])}))\s+{words}{{0,2}}$"),
        i_statement_head=re.compile(mods["i_statement_head"]),
        i_statement_reason=re.compile(mods["i_statement_reason"]),
        negation_intensifier_tail=re.compile(rf"\b(?:{_alternation(mods['negation_intensifiers'])})\s+{words}{{0,1}}$"),
    )


# Feelings in the writer's own voice weigh fully; a third person's less.
_FIRST_PERSON = regexcache.compile(r"\b(?:i|i'm|i've|i'd|i'll|im|ive|me|my|mine|myself|we|we're|we've|us|our|ours)\b")
_SECOND_PERSON = regexcache.compile(r"\b(?:you|your|yours|u|ur|you're|youre|ya)\b")
_CLAUSE_BREAK = regexcache.compile(
    r"[,;:\-(]|\b(?:and|but|because|cause|cos|so that|when|while|since|although|though|or)\b"
)
_CAPS_WORD = regexcache.compile(r"\b[A-Z][A-Z']*[A-Z]\b")
_ELONGATED = regexcache.compile(r"([a-z])\1\1")
_WORD_CHARS = regexcache.compile(r"[a-z]")

THIRD_PERSON_FACTOR: Final = 0.5
I_STATEMENT_FACTOR: Final = 0.8
DOWNTONER_FACTOR: Final = 0.75
INTENSIFIER_STEPS: Final = (0.12, 0.08)
AFTER_BOOST: Final = 0.1
EXTRA_HIT_SHARE: Final = 0.15  # each further hit of the same emotion adds this share of its strength
SHOUTED_SENTENCE: Final = 0.6
HEAD_CHARS: Final = 48
MODEL_WORD_MIN: Final = 0.5  # the tone model's word weights are log-odds shares
MODEL_WORD_SHARE: Final = 0.25


@dataclass(frozen=True, slots=True)
class _Hit:
    """Where one emotion phrase matched, which emotion, and how strongly."""

    start: int
    end: int
    emotion: EmotionName
    strength: float


class LexiconScorer:
    """The default scorer: a hand-built phrase lexicon with intensity, negation and voice."""

    name: str = "lexicon"

    def score(self, draft: Draft) -> list[SentenceEmotion]:
        lex = _lexicon()
        text = draft.folded
        found = list(lex.phrases.finditer(text))
        neutral = [(a, b) for a, b, _ in lex.neutral.finditer(text)] if found else []
        kept: list[tuple[int, int, EmotionName, float]] = []
        for start, end, tag in found:
            if any(a <= start and end <= b for a, b in neutral):
                continue
            emotion, weight = lex.buckets[tag]
            kept.append((start, end, emotion, weight))
        by_sentence: dict[int, list[_Hit]] = {}
        sentences = draft.sentences
        for start, end, emotion, weight in kept:
            index = _sentence_index(sentences, start)
            if index is None or not is_own_voice(draft, start, end):
                continue
            strength = self._adjust(draft, sentences[index], start, end, weight, lex)
            if strength > 0:
                by_sentence.setdefault(index, []).append(_Hit(start, end, emotion, strength))
        return [_summarise(draft, s, by_sentence.get(i, [])) for i, s in enumerate(sentences)]

    def neutral_spans(self, draft: Draft) -> list[tuple[int, int]]:
        """Where the draft uses an emotion word without the feeling ("I'd love to", "no worries")."""
        return [(a, b) for a, b, _ in _lexicon().neutral.finditer(draft.folded)]

    @staticmethod
    def _adjust(draft: Draft, sentence: Sentence, start: int, end: int, weight: float, lex: _Lexicon) -> float:
        text = draft.folded
        # Modifiers sit within a few words of the phrase: look at most HEAD_CHARS back.
        head = text[max(sentence.start, start - HEAD_CHARS) : start]
        clause = _CLAUSE_BREAK.split(head)[-1]
        strength = weight
        if lex.negation_intensifier_tail.search(head):
            strength += INTENSIFIER_STEPS[0]
        elif lex.negator_tail.search(clause):
            return 0.0
        # Intensifiers may be repeated across a comma ("really, really sorry"), so they read the whole head.
        tail = lex.intensifier_tail.search(head)
        intensified = bool(tail)
        if tail:
            count = len(lex.intensifier_word.findall(tail.group()))
            strength += sum(INTENSIFIER_STEPS[: min(count, len(INTENSIFIER_STEPS))])
        if lex.after.search(text[end : end + 40]):
            strength += AFTER_BOOST
        if lex.downtoner_tail.search(head):
            strength *= DOWNTONER_FACTOR
        if (
            not intensified
            and lex.i_statement_head.search(text, max(sentence.start, start - HEAD_CHARS), end)
            and lex.i_statement_reason.search(text[end : end + 16])
        ):
            strength *= I_STATEMENT_FACTOR
        sentence_text = text[sentence.start : sentence.end]
        if (
            not _FIRST_PERSON.search(sentence_text)
            and _WORD_CHARS.search(clause)
            and not _SECOND_PERSON.search(clause)
            and not _SECOND_PERSON.search(text, start, end)
        ):
            strength *= THIRD_PERSON_FACTOR
        if _ELONGATED.search(text, max(sentence.start, start - 12), end):
            strength += 0.05
        return min(strength, 1.0)


def _sentence_index(sentences: Sequence[Sentence], offset: int) -> int | None:
    for i, sentence in enumerate(sentences):
        if sentence.start <= offset < sentence.end:
            return i
    return None


def _punctuation_boost(original: str) -> float:
    stripped = original.rstrip()
    if stripped.endswith(("!!", "!?", "?!")):
        return 0.1
    if stripped.endswith("!"):
        return 0.05
    return 0.0


# Capitals that are not shouting: abbreviations, times, the pronoun.
_PLAIN_CAPS = frozenset(
    "OK AM PM TV ID PDF USA UK US EU GP ER ICU ASAP FYI ETA RSVP PE IT DIY ATM PIN CV HR TBD TBC".split()
)


def _caps_boost(sentence: Sentence) -> float:
    """A word stressed in capitals ("AGAIN") raises the heat of the sentence."""
    for m in _CAPS_WORD.finditer(sentence.text):
        if len(m.group()) > 1 and m.group() not in _PLAIN_CAPS:
            return 0.1
    return 0.0


def _shouted(sentence: Sentence) -> tuple[Span, ...]:
    """The capitalised words when a sentence is written (almost) entirely in capitals."""
    caps = [m for m in _CAPS_WORD.finditer(sentence.text) if len(m.group()) > 1 and m.group() not in _PLAIN_CAPS]
    letters = [w for w in re.findall(r"[A-Za-z']+", sentence.text) if len(w) > 1]
    if len(caps) >= 3 and len(caps) >= 0.6 * max(len(letters), 1):
        return tuple(Span(sentence.start + m.start(), sentence.start + m.end()) for m in caps)
    return ()


def _summarise(draft: Draft, sentence: Sentence, hits: list[_Hit]) -> SentenceEmotion:
    if not hits and not _CAPS_WORD.search(sentence.text):
        return SentenceEmotion(sentence.start, sentence.end, NEUTRAL, 0.0)
    totals: dict[EmotionName, float] = {}
    words: dict[EmotionName, list[Span]] = {}
    for emotion in EMOTIONS:
        mine = sorted((h.strength for h in hits if h.emotion == emotion), reverse=True)
        if not mine:
            continue
        totals[emotion] = min(1.0, mine[0] + EXTRA_HIT_SHARE * sum(mine[1:]))
        words[emotion] = [Span(h.start, h.end) for h in hits if h.emotion == emotion]
    shouted = _shouted(sentence)
    if shouted and totals.get("anger", 0.0) < SHOUTED_SENTENCE:
        totals["anger"] = max(totals.get("anger", 0.0), SHOUTED_SENTENCE)
        words["anger"] = sorted({*words.get("anger", []), *shouted}, key=lambda s: s.start)
    boost = _punctuation_boost(sentence.text) + _caps_boost(sentence)
    if boost:
        totals = {e: min(1.0, v + boost) for e, v in totals.items()}
    return _build(sentence.start, sentence.end, totals, words)


def _build(
    start: int, end: int, totals: Mapping[EmotionName, float], words: Mapping[EmotionName, Iterable[Span]]
) -> SentenceEmotion:
    scores = tuple(sorted(((e, round(v, 3)) for e, v in totals.items() if v > 0), key=lambda p: -p[1]))
    if not scores or scores[0][1] < FLOOR:
        return SentenceEmotion(start, end, NEUTRAL, 0.0, (), scores)
    top, strength = scores[0]
    carried = tuple(sorted(set(words.get(top, ())), key=lambda s: (s.start, s.end)))
    return SentenceEmotion(start, end, top, strength, carried, scores)


# ----------------------------------------------------------------- the tone model


class ModelScorer:
    """The trained tone model (``levelhead.tone``), folded to our five emotions and blended with the lexicon.

    GoEmotions was trained on forum comments, and some of its labels fire on
    ordinary polite text ("Sorry, I'm running late" reads as remorse, "Thanks
    so much!" as admiration, "I'd love to help" as love). So the model is used
    conservatively:

    * each emotion takes its strongest *primary* label (anger, sadness, grief,
      fear, love, desire) or half its strongest *secondary* label (annoyance,
      disapproval, disgust, disappointment, remorse, caring, admiration,
      nervousness), and only when that beats the model's own "neutral";
    * where the lexicon found the same emotion, the model can raise it
      ``MODEL_AGREEMENT_WEIGHT`` (0.4) of the way toward its own value;
    * where the lexicon found nothing, a confident model reading (at least
      ``MODEL_ONLY_MIN``, 0.85) counts at ``MODEL_ONLY_FACTOR`` (0.6): 0.9 becomes 0.54,
      enough for the logistics threshold but not the general one, so the
      model adds recall where precision matters least to the user's goal;
    * a sentence holding one of the lexicon's neutral phrases ("I'd love
      to", "sorry I'm late", "no worries") is left to the lexicon.

    Longing has one label in GoEmotions ("desire"), so the lexicon carries most
    of it. The words shown are the lexicon's, or the model's strongest words
    where only the model found the emotion.
    """

    name: str = "model"

    def __init__(self, model: Any, lexicon: LexiconScorer | None = None) -> None:
        self.model = model
        self.lexicon = lexicon or LexiconScorer()

    def score(self, draft: Draft) -> list[SentenceEmotion]:
        base = self.lexicon.score(draft)
        neutral_phrases = self.lexicon.neutral_spans(draft)
        readings = self._readings(draft)
        result = []
        for index, (sentence, lex) in enumerate(zip(draft.sentences, base, strict=True)):
            reading = readings[index]
            if reading is None or any(sentence.start <= a < sentence.end for a, _ in neutral_phrases):
                result.append(lex)
                continue
            model = _fold(reading)
            totals: dict[EmotionName, float] = dict(lex.scores)
            words: dict[EmotionName, set[Span]] = {lex.emotion: set(lex.words)} if not lex.is_neutral else {}
            for emotion, value in model.items():
                mine = totals.get(emotion, 0.0)
                if mine > 0:
                    totals[emotion] = max(mine, mine + (value - mine) * MODEL_AGREEMENT_WEIGHT)
                elif value >= MODEL_ONLY_MIN:
                    totals[emotion] = value * MODEL_ONLY_FACTOR
                    words[emotion] = self._explain(sentence, reading, emotion)
            result.append(_build(sentence.start, sentence.end, totals, words))
        return result

    def _readings(self, draft: Draft) -> list[Mapping[str, float] | None]:
        """The model's label probabilities for each sentence of the draft (None where it gave none)."""
        sentences = draft.sentences
        if hasattr(self.model, "score_many"):
            # One batch, no word explanations (those are asked for only where they are shown).
            scores = self.model.score_many([s.text for s in sentences])
            return [dict(sc.emotions) for sc in scores]
        out: list[Mapping[str, float] | None] = [None] * len(sentences)
        for tone in self.model.sentences(draft.text):
            for i, sentence in enumerate(sentences):
                if tone.start < sentence.end and tone.end > sentence.start and out[i] is None:
                    out[i] = dict(tone.scores.emotions)
        return out

    def _explain(self, sentence: Sentence, reading: Mapping[str, float], emotion: EmotionName) -> set[Span]:
        """The model's strongest words for ``emotion`` in ``sentence`` (empty when it cannot say)."""
        explain = getattr(self.model, "explain", None)
        if explain is None:
            return set()
        label = max(GOEMOTIONS[emotion], key=lambda name: reading.get(name, 0.0))
        weighed = [
            w for w in explain(sentence.text, label) if float(w.weight) > 0 and _WORD_CHARS.search(w.text.lower())
        ]
        strongest = max((float(w.weight) for w in weighed), default=0.0)
        return {
            Span(sentence.start + int(w.start), sentence.start + int(w.end))
            for w in weighed
            if float(w.weight) >= max(MODEL_WORD_MIN, MODEL_WORD_SHARE * strongest)
        }


_PRIMARY_LABELS: Final = frozenset({"anger", "sadness", "grief", "fear", "love", "desire"})
SECONDARY_FACTOR: Final = 0.5
MODEL_ONLY_FACTOR: Final = 0.6
MODEL_ONLY_MIN: Final = 0.85
MODEL_AGREEMENT_WEIGHT: Final = 0.4


def _fold(probs: Mapping[str, float]) -> dict[EmotionName, float]:
    """GoEmotions probabilities folded into our five emotions (primary labels full, secondary at half)."""
    neutral = float(probs.get("neutral", 0.0))
    out: dict[EmotionName, float] = {}
    for emotion, labels in GOEMOTIONS.items():
        value = max(
            (
                float(probs.get(label, 0.0)) * (1.0 if label in _PRIMARY_LABELS else SECONDARY_FACTOR)
                for label in labels
            ),
            default=0.0,
        )
        if value > neutral:
            out[emotion] = min(1.0, value)
    return out


@cache
def _load_tone_model() -> Any | None:
    """The tone model, loaded once; None when the package or its model file is not there."""
    try:
        tone = importlib.import_module("levelhead.tone")
        return tone.load_for_drafts()
    except (ImportError, FileNotFoundError, OSError, AttributeError, ValueError, KeyError, SyntaxError):
        # Not installed, no model file, or a model that does not load: the lexicon carries on alone.
        return None
    except Exception:
        # A broken model must never break a check.
        return None


# ----------------------------------------------------------------- choosing and caching

_override: EmotionScorer | None = None


def mode() -> str:
    """The scorer mode from ``LEVELHEAD_TONE`` (``auto`` when unset or unknown)."""
    value = os.environ.get(ENV_VAR, "auto").strip().lower()
    return value if value in MODES else "auto"


@cache
def _scorer_for(chosen: str) -> EmotionScorer:
    lexicon = LexiconScorer()
    if chosen == "lexicon":
        return lexicon
    model = _load_tone_model()
    if model is None:
        if chosen == "model":
            warnings.warn(
                f"{ENV_VAR}=model but the tone model could not be loaded; using the emotion lexicon",
                RuntimeWarning,
                stacklevel=3,
            )
        return lexicon
    return ModelScorer(model, lexicon)


def active_scorer() -> EmotionScorer:
    """The scorer in use: one set with ``use_scorer``, else the one ``LEVELHEAD_TONE`` picks."""
    return _override if _override is not None else _scorer_for(mode())


def use_scorer(scorer: EmotionScorer | None) -> None:
    """Plug in a scorer for every later call (None goes back to the ``LEVELHEAD_TONE`` choice)."""
    global _override
    _override = scorer
    clear_cache()


_CACHE_SIZE: Final = 256
_cache: dict[tuple[int, str], tuple[EmotionScorer, tuple[SentenceEmotion, ...]]] = {}


def _scored(scorer: EmotionScorer, draft: Draft) -> tuple[SentenceEmotion, ...]:
    """Score once per (scorer, text); the scorer is kept with its entry so its id stays valid."""
    key = (id(scorer), draft.text)
    entry = _cache.get(key)
    if entry is not None and entry[0] is scorer:
        return entry[1]
    result = tuple(scorer.score(draft))
    if len(_cache) >= _CACHE_SIZE:
        _cache.pop(next(iter(_cache)))
    _cache[key] = (scorer, result)
    return result


def clear_cache() -> None:
    """Forget every cached result (after changing the lexicon or the model)."""
    _cache.clear()


def sentence_emotions(draft: Draft, scorer: EmotionScorer | None = None) -> list[SentenceEmotion]:
    """One ``SentenceEmotion`` per sentence of the draft (cached per scorer and text)."""
    return list(_scored(scorer or active_scorer(), draft))


def strongest(draft: Draft, scorer: EmotionScorer | None = None) -> SentenceEmotion | None:
    """The most emotional sentence of the draft, or None when every sentence is neutral."""
    emotional = [s for s in sentence_emotions(draft, scorer) if not s.is_neutral]
    return max(emotional, key=lambda s: s.strength, default=None)


def quote_words(draft: Draft, sentence: SentenceEmotion, limit: int = 3) -> str:
    """The carrying words as a quoted list for messages: '"so angry", "hate"'."""
    seen: list[str] = []
    for span in sentence.words:
        word = draft.text[span.start : span.end]
        if word not in seen:
            seen.append(word)
    return ", ".join(f'"{w}"' for w in seen[:limit])
