"""TN01, TN04, TN08, TN09: blame, the past, insults and pressure aimed at the other person.

The phrases live in ``rules/data/blame*.toml``. Those files extend the plain
phrase format (see ``levelhead.phrases``) with shared ``[macros]`` (``{you}``,
``{youre}``, ``{cant}`` ... defined in ``blame.toml``), per-group flags and
``[markers]`` (context patterns a rule reads around a match). Each file is
compiled once, on first use, and indexed by the first word a match can start
with, so a check tries only the patterns that can begin at each word of the draft.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from levelhead import regexcache, tablecache
from levelhead.datafiles import read_toml
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion
from levelhead.phrases import is_own_voice
from levelhead.rewrite import as_request, i_statement
from levelhead.rule import Option, Rule
from levelhead.rules._alternation import named_alternation
from levelhead.situation import Goal, Situation
from levelhead.text import Draft, Sentence

_MACRO = regexcache.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class _Group:
    """A group of blame phrases, its message, and which matches it skips."""

    name: str
    message: str
    self_check: bool = False  # skip matches the user aims at themself ("I'm such an idiot")
    untargeted: bool = False  # strong language not aimed at them
    softenable: bool = False  # may be a plain logistics request


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """A blame phrase found in a draft: its span, text and group."""

    start: int
    end: int
    text: str
    group: _Group

    @property
    def message(self) -> str:
        return self.group.message.replace("{match}", self.text)


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One blame pattern's group, and whether a condition before it cancels it."""

    group: _Group
    conditional: bool  # written with {nif}: skipped after "if", "when", "do", ... (a condition or a question)


class _Table:
    """Every pattern of a data file, indexed by the word (or the first characters) a match starts with.

    A draft is scanned for the indexed words in one pass, and at each of them only the
    patterns that can begin there are tried, so a check costs a few regex calls per draft
    instead of every pattern at every position. A pattern whose first word cannot be worked
    out is indexed by its first one or two characters, and one whose start is unknown is
    tried everywhere. Patterns that start with some of the same words share one regex, and
    each shared regex is compiled the first time a draft needs it.
    """

    def __init__(
        self, patterns: list[tuple[str, tuple[str, frozenset[str]], _Pattern]], markers: Mapping[str, re.Pattern[str]]
    ) -> None:
        self.patterns = tuple(p for _, _, p in patterns)
        self.markers = markers
        buckets: dict[tuple[str, frozenset[str]], list[int]] = {}
        for i, (_, (mode, keys), _) in enumerate(patterns):
            # Share a regex with earlier patterns that start with some of the same words, while the
            # words the shared regex is tried at stay few: one regex call per word, not one per pattern.
            for sig in list(buckets):
                if sig[0] == mode and mode != "anywhere" and sig[1] & keys and len(sig[1] | keys) <= _BUCKET_KEYS:
                    merged = [*buckets.pop(sig), i]
                    buckets[(mode, sig[1] | keys)] = sorted({*buckets.get((mode, sig[1] | keys), []), *merged})
                    break
            else:
                buckets.setdefault((mode, keys), []).append(i)
        signatures = sorted(buckets, key=lambda sig: buckets[sig][0])  # bucket number = reading order of the file
        self._items = [[(f"p{i}", patterns[i][0]) for i in buckets[sig]] for sig in signatures]
        # Written out now, as the table is built once and kept between runs (levelhead.tablecache).
        self._sources = [named_alternation(items) for items in self._items]
        self._compiled: list[re.Pattern[str] | None] = [None] * len(signatures)
        by: dict[str, dict[str, list[int]]] = {"word": {}, "two": {}, "one": {}}
        for number, (mode, keys) in enumerate(signatures):
            for key in keys if mode in by else ():
                by[mode].setdefault(key, []).append(number)
        ones, twos, words = by["one"], by["two"], by["word"]
        # The regexes to try at a word: its own, then those for its first two characters and its first one.
        self._lookup: dict[str, tuple[int, ...]] = {
            **{o: tuple(ones[o]) for o in ones},
            **{t: tuple(sorted({*twos[t], *ones.get(t[:1], [])})) for t in twos},
            **{w: tuple(sorted({*words[w], *twos.get(w[:2], []), *ones.get(w[:1], [])})) for w in words},
        }
        # Where to look: one scan for the indexed words (whole words) and leading characters, as a trie.
        self._trigger = regexcache.compile(r"(?<![a-z0-9\-])(?<![a-z0-9]')" + _trie(set(words), set(twos) | set(ones)))
        self._anywhere = tuple(n for n, (mode, _) in enumerate(signatures) if mode not in by)

    def _regex(self, number: int) -> re.Pattern[str]:
        regex = self._compiled[number]
        if regex is None:
            regex = self._compiled[number] = regexcache.compile(self._source(number))
        return regex

    def _source(self, number: int) -> str:
        """Bucket ``number`` as one alternation, group pN naming pattern N. Starts that neighbouring patterns
        share (most begin with "\\b(?:you|u) ") are written once, so a match reads them once (see _alternation)."""
        return self._sources[number]

    def scan(self, draft: Draft, start: int, end: int) -> Iterator[tuple[int, int, _Pattern]]:
        """Non-overlapping matches in ``start:end`` of the folded draft, in reading order, as (start, end, pattern)."""
        text = draft.folded
        found: list[tuple[int, int, int]] = []
        resume = start
        lookup, compiled = self._lookup, self._compiled
        for hit in self._trigger.finditer(text, start, end):
            p = hit.start()
            if p < resume:
                continue
            # Of the patterns that match here, the one written first in the data file wins.
            best: tuple[int, int] | None = None
            for number in lookup[hit.group()]:
                m = (compiled[number] or self._regex(number)).match(text, p, end)
                if m and m.end() > p and m.lastgroup:
                    index = int(m.lastgroup[1:])
                    if best is None or index < best[0]:
                        best = (index, m.end())
            if best is not None:
                found.append((p, best[1], best[0]))
                resume = best[1]
        if self._anywhere:
            for number in self._anywhere:
                for m in self._regex(number).finditer(text, start, end):
                    if m.end() > m.start() and m.lastgroup:
                        found.append((m.start(), m.end(), int(m.lastgroup[1:])))
            found.sort()
        last = -1
        for a, b, i in found:
            if a >= last:
                last = b
                yield a, b, self.patterns[i]


def _trie(words: set[str], prefixes: set[str]) -> str:
    """A regex for any of ``words`` as a whole word or ``prefixes`` at the start of a word, longest first."""
    tree: dict[str, Any] = {}
    for key, kind in [*((w, "word") for w in words), *((p, "prefix") for p in prefixes)]:
        node = tree
        for ch in key:
            node = node.setdefault(ch, {})
        node.setdefault("", set()).add(kind)

    def build(node: dict[str, Any]) -> str:
        options = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        ends = node.get("", set())
        if "word" in ends:
            options.append(r"(?![a-z0-9'])")
        if "prefix" in ends:
            options.append("")
        if len(options) == 1:
            return options[0]
        return "(?:" + "|".join(options) + ")"

    return build(tree) if tree else "(?!)"


# A "word" for the index: letters, digits, apostrophes (the draft's words, cut at a hyphen).
_WORD_RUN = regexcache.compile(r"[a-z0-9']+")
_END = "\x00"  # in _first's strings: the first word ends here
_DEPTH = 24  # how many characters of the first word _first looks at
_MAX_STARTS = 400  # beyond this many possible starts, _first gives up on the rest of the word
_BUCKET_KEYS = 64  # patterns share a compiled regex while it starts with at most this many different words


def _parse(regex: str) -> Any:
    """The parse tree of ``regex`` from the standard library's parser, or None where it is unavailable."""
    try:
        parser: Any = importlib.import_module("re._parser")
        return parser.parse(regex, 0)
    except (ImportError, AttributeError, re.error):
        return None


def _index_keys(regex: str) -> tuple[str, frozenset[str]]:
    """How to index ``regex``: by whole first words, by two or one leading characters, or "anywhere"."""
    tree = _parse(regex)
    if tree is None:
        return "anywhere", frozenset()
    starts = _first(list(tree.data), _DEPTH, 0)
    if not starts or "" in starts:
        return "anywhere", frozenset()
    if all(s.endswith(_END) and len(s) > 1 for s in starts):
        return "word", frozenset(s[:-1] for s in starts)
    heads = {s.rstrip(_END) for s in starts}
    if all(len(h) >= 2 for h in heads):
        return "two", frozenset(h[:2] for h in heads)
    if any(not _WORD_RUN.match(h) for h in heads):
        return "anywhere", frozenset()  # starts with a mark (an emoji): not at a word, so scanned everywhere
    return "one", frozenset(h[:1] for h in heads)


def _first(items: list[Any], k: int, depth: int) -> set[str]:
    """The possible starts of a match of the parsed ``items``, up to the end of the first word.

    A string ending in ``_END`` is a complete first word; any other string is a prefix the
    match starts with but may run on from (the empty string: nothing is known).
    """
    if k == 0 or not items or depth > 60:
        return {""}
    op, av = items[0]
    rest = items[1:]
    name = str(op)
    if name == "AT" and str(av) == "AT_BOUNDARY" and k < _DEPTH:
        return {_END}  # a word boundary after letters: the first word ends here
    if name in ("AT", "ASSERT", "ASSERT_NOT"):
        return _first(rest, k, depth + 1)
    if name in ("LITERAL", "IN"):
        chars = {chr(av)} if name == "LITERAL" else _class_chars(av)
        if chars is None:
            spaces = name == "IN" and all(str(o) == "CATEGORY" and str(v) == "CATEGORY_SPACE" for o, v in av)
            return {_END} if spaces and k < _DEPTH else {""}
        out: set[str] = set()
        tails = _first(rest, k - 1, depth + 1) if any(_WORD_RUN.fullmatch(c) for c in chars) else set()
        for c in chars:
            if _WORD_RUN.fullmatch(c):
                out |= {c + t for t in tails}
            else:
                out.add(_END if k < _DEPTH else c)
            if len(out) > _MAX_STARTS:
                return {""}  # too many to index ("[0-9]+"): known only as far as the characters before it
        return out
    if name in ("SUBPATTERN", "ATOMIC_GROUP"):
        inner = av[-1] if name == "SUBPATTERN" else av
        return _first(list(inner) + rest, k, depth + 1)
    if name == "BRANCH":
        result: set[str] = set()
        for alternative in av[1]:
            result |= _first(list(alternative) + rest, k, depth + 1)
        return result if len(result) <= _MAX_STARTS * 4 else {""}
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        low, high, sub = av
        once = list(sub) + ([(op, (0, high - 1, sub))] if high > 1 else []) + rest
        got = _first(once, k, depth + 1)
        return got | _first(rest, k, depth + 1) if low == 0 else got
    return {""}


def _class_chars(items: list[Any]) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            chars.add(chr(av))
        elif name == "RANGE" and av[1] - av[0] < 12:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return chars


def _read(name: str) -> dict[str, Any]:
    return read_toml(f"rules/data/{name}.toml")


def _expand(pattern: str, macros: Mapping[str, str], where: str) -> str:
    for _ in range(6):
        expanded = _MACRO.sub(lambda m: macros.get(m.group(1), m.group(0)), pattern)
        if expanded == pattern:
            break
        pattern = expanded
    unknown = _MACRO.search(pattern)
    if unknown:
        raise ValueError(f"{where}: unknown macro {unknown.group()}")
    return pattern


# Working out the index keys parses every pattern, which takes most of a command-line check's start-up;
# so the keys are stored in rules/data/blame_keys.toml by the id of each expanded pattern. A pattern
# without an entry (edited since) gets its keys worked out when loaded: the file can only make start-up
# faster, never change a match. `scripts/gen_docs.py` writes it (and `--check`s it in CI).
_KEYS_FILE = "blame_keys"
_KEYS_VERSION = "1"
_FILES = ("blame", "blame_past", "blame_insult", "blame_pressure")


def _pattern_id(regex: str) -> str:
    import hashlib  # only where keys are derived or checked, not on a warm check

    return hashlib.sha256(f"{_KEYS_VERSION}\n{regex}".encode()).hexdigest()[:20]


@functools.cache
def _stored_keys() -> dict[str, tuple[str, frozenset[str]]]:
    try:
        data = _read(_KEYS_FILE).get("keys", {})
    except (FileNotFoundError, ValueError):  # missing or not TOML (TOMLDecodeError is a ValueError)
        return {}
    stored: dict[str, tuple[str, frozenset[str]]] = {}
    for pid, value in data.items():
        mode, *keys = str(value).split("\x1f")
        stored[str(pid)] = (mode, frozenset(keys))
    return stored


def _expanded(name: str) -> tuple[dict[str, Any], dict[str, str], list[tuple[str, str, str]]]:
    """The file's data, its macros, and (group, raw, expanded regex) for every pattern."""
    data = _read(name)
    raw_macros = {**_read("blame").get("macros", {}), **data.get("macros", {}), "nif": ""}
    macros = {k: _expand(v, raw_macros, f"{name}.macros.{k}") for k, v in raw_macros.items()}
    patterns = [
        (group, raw, _expand(raw, macros, f"{name}.{group}"))
        for group, spec in data.get("groups", {}).items()
        for raw in spec["patterns"]
    ]
    return data, macros, patterns


def _derived_keys(name: str, raw_by_regex: Mapping[str, str], macros: Mapping[str, str]) -> dict[str, Any]:
    """Index keys worked out from the patterns themselves (slow: parses each one)."""
    skeletons = {k: _skeleton(v) for k, v in macros.items()}
    return {regex: _index_keys(_expand(raw, skeletons, name)) for regex, raw in raw_by_regex.items()}


def keys_file_text() -> str:
    """The contents of rules/data/blame_keys.toml for the current phrase data."""
    lines = [
        "# Generated by `python scripts/gen_docs.py` from the blame phrase files; do not edit.",
        "# Index keys per pattern (see levelhead/rules/blame.py): a stale or missing entry is only slower.",
        "",
        "[keys]",
    ]
    seen: set[str] = set()
    for name in _FILES:
        _, macros, patterns = _expanded(name)
        derived = _derived_keys(name, {regex: raw for _, raw, regex in patterns}, macros)
        for _, _, regex in patterns:
            pid = _pattern_id(regex)
            if pid in seen:
                continue
            seen.add(pid)
            mode, keys = derived[regex]
            lines.append(f"{pid} = {json.dumps(chr(0x1F).join([mode, *sorted(keys)]))}")
    return "\n".join(lines) + "\n"


def _load(name: str) -> _Table:
    """Compile ``rules/data/NAME.toml`` with the shared macros of ``blame.toml``."""
    data, macros, expanded = _expanded(name)
    stored = _stored_keys()
    missing = {regex: raw for _, raw, regex in expanded if _pattern_id(regex) not in stored}
    derived = _derived_keys(name, missing, macros) if missing else {}
    patterns: list[tuple[str, tuple[str, frozenset[str]], _Pattern]] = []
    for group, spec in data.get("groups", {}).items():
        info = _Group(
            group,
            spec.get("message", ""),
            self_check=bool(spec.get("self_check", False)),
            untargeted=bool(spec.get("untargeted", False)),
            softenable=bool(spec.get("softenable", False)),
        )
        for raw in spec["patterns"]:
            regex = _expand(raw, macros, f"{name}.{group}")
            keys = derived[regex] if regex in derived else stored[_pattern_id(regex)]
            patterns.append((regex, keys, _Pattern(info, "{nif}" in raw)))
    markers = {
        k: regexcache.compile(_expand(v, macros, f"{name}.markers.{k}")) for k, v in data.get("markers", {}).items()
    }
    return _Table(patterns, markers)


def _skeleton(macro: str) -> str:
    """A long macro reduced to the words it can start with, for working out the index (not for matching)."""
    if len(macro) < 200:
        return macro
    parsed = _parse(macro)
    starts = _first(list(parsed.data), _DEPTH, 0) if parsed is not None else {""}
    if not starts or not all(s.endswith(_END) and len(s) > 1 for s in starts):
        return macro
    return "(?:" + "|".join(re.escape(s[:-1]) for s in sorted(starts)) + r")\b"


@tablecache.kept
def _table(name: str) -> _Table:
    """The compiled, indexed phrases of ``rules/data/NAME.toml``, built once on first use."""
    return _load(name)


# "I'm such an idiot", "she called me a terrible mother": aimed at the user, not at them.
_SELF_BEFORE = regexcache.compile(
    r"\b(?:i'?m|i am|i was|i feel like|i felt like|i'?ve been|i have been|i must be|i must look like|i look like|"
    r"i looked like|i sound like|i'?ll be|i would be|i'd be|feel like|makes? me|made me|call(?:ed|s|ing)? me|me)"
    r"\W+(?:\w+\W+){0,2}$"
)
_SELF_AFTER = regexcache.compile(r"^\W*(?:i am|i was|i'?m|i'?ve been|i have been|am i|was i|of me|me)\b")
# "I'm not saying this is your fault": a negated saying verb a few words back, with no clause break between.
_NEGATED_NEAR = regexcache.compile(
    r"\b(?:not|never|n't|no one|nobody)\s+(?:\w+\s+){0,2}?(?:say|said|saying|says|think|thought|mean|meant|"
    r"claim|claiming|blame|blaming|suggest|suggesting|imply|implying|accuse|accusing)\b[^.!?,;:\n]{0,30}$"
)
# Before a {nif} pattern: a condition or a question, not a claim ("if you can't make it", "do you never...").
_CONDITIONAL = regexcache.compile(
    r"\b(?:if|in case|whether|unless|when|do|did|hope|know|sure|that|even if|but if|so if)\s$"
)
_YOU = regexcache.compile(r"\b(?:you|your|yours|yourself|u|ur)\b")
# Kind uses of "you" that do not make a sentence about them: "I hope you're well", "thank you".
_WARM_YOU = regexcache.compile(
    r"\b(?:thank you|thanks to you|(?:i )?(?:hope|wish) (?:you|u)(?: ?'?re| are)?"
    r"(?: (?:well|okay|ok|happy|the best|all the best|doing (?:well|okay|ok|good|great)))?|you too"
    r"|(?:care about|proud of|grateful to|happy for|rooting for) (?:you|u)|the best for (?:you|u)"
    r"|(?:want|wanted) (?:you|u) to know|let (?:you|u) know|(?:forgive|don'?t blame) (?:you|u)"
    r"|(?:don'?t|do not|never) hold (?:anything|it|this|that) against (?:you|u)"
    r"|(?:you|u) (?:deserve|find) (?:happiness|peace|the best))\b"
)
_I_STATEMENT = regexcache.compile(
    r"^\W*(?:i|i'm|im|i've|i'd|i'll|it hurt me|it still hurts|part of me|honestly,? i|i think i|sometimes i)\b"
    r"|\bi (?:feel|felt|am|'m|still|was|have been|'ve been|miss|wish|hope|need)\b"
)


def _trimmed(draft: Draft, start: int, end: int) -> tuple[int, int]:
    while end > start and draft.text[end - 1] in " \t\n,;:-":
        end -= 1
    while start < end and draft.text[start].isspace():
        start += 1
    return start, end


def _negated(draft: Draft, start: int) -> bool:
    sentence = draft.sentence_at(start)
    return bool(_NEGATED_NEAR.search(draft.folded[(sentence.start if sentence else 0) : start]))


def _aimed_at_self(draft: Draft, start: int, end: int) -> bool:
    sentence = draft.sentence_at(start)
    head = draft.folded[(sentence.start if sentence else 0) : start]
    tail = draft.folded[end : (sentence.end if sentence else len(draft.text))]
    return bool(_SELF_BEFORE.search(head) or _SELF_AFTER.search(tail))


def phrase_hits(draft: Draft, name: str) -> list[PhraseHit]:
    """Matches of the phrase file ``rules/data/NAME.toml`` (one of the blame files) in the user's own voice.

    "Own voice" is the draft writer's: incoming triage passes their message, so the hits are their words.
    """
    return _hits(draft, _table(name))


def phrase_markers(name: str) -> Mapping[str, re.Pattern[str]]:
    """The ``[markers]`` (context patterns) of the phrase file ``rules/data/NAME.toml``."""
    return _table(name).markers


def _hits(draft: Draft, table: _Table, start: int = 0, end: int | None = None) -> list[PhraseHit]:
    """Matches of ``table`` in the user's own voice (not quoted, reported or negated), in reading order."""
    found: list[PhraseHit] = []
    text = draft.folded
    for a, b, pattern in table.scan(draft, start, len(text) if end is None else end):
        a, b = _trimmed(draft, a, b)
        if a >= b:
            continue
        if pattern.conditional and _CONDITIONAL.search(text, max(0, a - 12), a):
            continue
        if not is_own_voice(draft, a, b) or _negated(draft, a):
            continue
        if pattern.group.self_check and _aimed_at_self(draft, a, b):
            continue
        found.append(PhraseHit(a, b, draft.text[a:b], pattern.group))
    return found


def _sentence_span(sentence: Sentence | None) -> Span | None:
    return Span(sentence.start, sentence.end) if sentence else None


def _leave_out(draft: Draft, sentence: Sentence | None) -> list[Suggestion]:
    """Offer to drop the sentence, when the draft still says something without it."""
    if sentence is None or len(draft.sentences) < 2:
        return []
    return [Suggestion("Leave this sentence out", "", Applicability.UNSAFE, Span(sentence.start, sentence.end))]


def _blame_free(draft: Draft, sentence: Sentence) -> bool:
    return not _hits(draft, _table("blame"), sentence.start, sentence.end)


class AccusatoryYou(Rule):
    """Blame framed as "you": "you always", "you never", "your fault", "you made me".

    ## What it flags
    Sentences that put the problem on the other person: sweeping "you always /
    you never", "you made me", "that's on you", "you don't care", "you're
    the one who...", "you can't manage", blaming questions ("why didn't you
    tell me?"), "that's not what we agreed", sarcastic digs ("whatever works
    for you, like usual", "congratulations on ruining..."), labels ("you're
    being so selfish"), and blame dressed as an I-statement: "I feel ignored
    by you", "I feel like you don't care", "you make me feel...".

    Words inside quotes, reported speech ("she said you never listen") and
    negated claims ("I'd never say you always lie") are not counted. A true
    I-statement ("I feel worried when pick-up runs late; could we agree on
    5 PM?") is not flagged. It applies under every goal, closure included.

    ## Why it matters
    An accusatory "you" puts them on the defensive, and a defensive reader
    answers the accusation instead of the request. Shifting from "you"
    statements to "I" statements is the foundation of calm communication with
    an ex.

    ## Example
    "You keep changing the weekend plans!"

    ## Instead
    Say what you feel, about what, and what you ask: "I feel frustrated when
    the weekend plans change; could we agree on a plan that works for both of us?"
    The suggestion rewrites the flagged sentence this way; read it before
    taking it, since it changes the wording.
    """

    code: ClassVar[str] = "TN01"
    name: ClassVar[str] = "accusatory-you"
    options = {
        "disguised": Option(True, 'also flag blame phrased as an I-statement ("I feel ignored by you")'),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        if situation.goal is Goal.LOGISTICS:
            note = (
                'Focus on logistics, not blame: an accusing "you" invites a defence instead of an answer. '
                "An I-statement says what you feel, about what, and what you ask."
            )
        elif situation.goal is Goal.CLOSURE:
            note = (
                "Closure comes more easily from naming your own feelings than their faults: say what you feel, "
                'about what, and what you would like, without the accusing "you".'
            )
        else:
            note = (
                'Shifting from accusatory "you" statements to "I" statements keeps them from getting defensive: '
                "say what you feel, about what, and what you ask."
            )
        offered: set[int] = set()
        for hit in _hits(draft, _table("blame")):
            if hit.group.name == "disguised" and not self.settings["disguised"]:
                continue
            sentence = draft.sentence_at(hit.start)
            suggestions: list[Suggestion] = []
            if sentence is not None and sentence.start not in offered:
                offered.add(sentence.start)
                suggestions.append(
                    Suggestion(
                        "Say it as an I-statement",
                        i_statement(sentence.text),
                        Applicability.UNSAFE,
                        _sentence_span(sentence),
                    )
                )
            yield self.finding(
                hit.message, Span(hit.start, hit.end), note=note, severity=Severity.WARNING, suggestions=suggestions
            )


class RelitigatingPast(Rule):
    """Re-opening old arguments: "remember when you", "you cheated", "after what you did".

    ## What it flags
    Lines that take the conversation back to old hurts: what they did then
    ("you cheated", "you left me for...", "after what you did"), grudges
    ("I still can't get over what you did", "I'll never forgive..."), the
    breakup itself ("why did we split?", "what went wrong between us",
    "if you hadn't..., we'd still be together"), verdicts on the relationship
    ("being with you was a mistake") and "remember when you..." or "back when
    we were together, you..." memories.

    A light memory with no grievance in it ("remember when you taught her to
    ride a bike?") is reported as advice only, since a positive memory can
    suit a friendship. Under the `closure` goal, an I-statement about your own
    feelings with no blame in it ("I'm still sad about how things ended") is
    advice only too; anything that names what they did still counts.

    ## Why it matters
    Bringing up the past or re-litigating old arguments reopens wounds for
    both of you. They learn to link hearing from you with stress, and the
    message you actually need answered gets lost.

    ## Example
    "Remember when you left me alone at the hospital? That's why I can't trust
    you with the kids."

    ## Instead
    Keep to what needs deciding now. If closure is the goal, say how you feel
    today without going back over who did what: "I'm still sad about how
    things ended, and I'm working on moving forward."
    """

    code: ClassVar[str] = "TN04"
    name: ClassVar[str] = "relitigating-past"
    options = {
        "soften_closure": Option(
            True, "under the closure goal, report blame-free I-statements about your own feelings as advice only"
        ),
        "light_memories_info": Option(
            True, 'report "remember when you..." memories that carry no grievance as advice only'
        ),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        grievance = _table("blame_past").markers["grievance"]
        note = (
            "Bringing up the past or re-opening old arguments reopens wounds for both of you, and makes contact "
            "with you feel like a source of stress."
        )
        for hit in _hits(draft, _table("blame_past")):
            sentence = draft.sentence_at(hit.start)
            said = draft.folded[sentence.start : sentence.end] if sentence else hit.text.lower()
            severity = Severity.WARNING
            this_note = note
            if hit.group.name == "recall" and self.settings["light_memories_info"] and not grievance.search(said):
                severity = Severity.INFO
                this_note = (
                    "A light, positive memory can suit a friendship; check that it does not reopen anything, "
                    "and that it fits what you want from this contact."
                )
            elif (
                situation.goal is Goal.CLOSURE
                and self.settings["soften_closure"]
                and sentence is not None
                and self._own_feelings(draft, hit, sentence)
            ):
                severity = Severity.INFO
                this_note = (
                    "For closure, naming your own feelings is fine; keeping it to how you feel now, rather than "
                    "what happened, keeps old arguments closed."
                )
            suggestions = [
                *(_leave_out(draft, sentence) if severity is not Severity.INFO else []),
                Suggestion("Keep to the present", self._advice(situation), Applicability.DISPLAY_ONLY),
            ]
            yield self.finding(
                hit.message, Span(hit.start, hit.end), note=this_note, severity=severity, suggestions=suggestions
            )

    @staticmethod
    def _own_feelings(draft: Draft, hit: PhraseHit, sentence: Sentence) -> bool:
        """An I-statement about the user's own feelings that names nothing they did."""
        said = draft.folded[sentence.start : sentence.end]
        return (
            hit.group.name in ("grudge", "breakup")
            and not _YOU.search(_WARM_YOU.sub(" ", said))
            and bool(_I_STATEMENT.search(said))
            and not said.rstrip().endswith("?")
            and _blame_free(draft, sentence)
        )

    @staticmethod
    def _advice(situation: Situation) -> str:
        if situation.goal is Goal.LOGISTICS:
            return "Keep this message to the practical point (what, when, where); the past can wait for another time."
        if situation.goal is Goal.CLOSURE:
            return (
                "Say how you feel now without going back over who did what: "
                "\"I'm still sad about how things ended, and I'm working on moving forward.\""
            )
        return "Say what you would like from this contact now, rather than what happened then."


class Insult(Rule):
    """Name-calling, contempt, sarcasm or swearing aimed at them.

    ## What it flags
    Labels and names ("you're useless", "you idiot", "terrible parent",
    "pathetic"), contempt ("you disgust me", "I've met someone far better
    than you", "ten times the person you could ever be"), sarcasm ("real
    mature", "congratulations on ruining...", "father of the year") and
    swearing at them ("your f***ing phone", "f*** you").

    Strong language that is not aimed at them ("this traffic is shit") is
    advice only, and can be turned off. Insults the user aims at themself
    ("I'm such an idiot, I forgot the form") are not counted, nor are quotes
    and reported speech. It applies under every goal.

    ## Why it matters
    The goal is to conduct yourself in a way that keeps their respect and your
    own. An insult or a sarcastic dig hands them a reason to stop reading, and
    in a co-parenting or legal setting it is the line that gets quoted back.

    ## Example
    "Real mature. You're a terrible parent and everyone can see it."

    ## Instead
    Leave the label out and say the practical point or the request: "The
    pick-up was missed today. Can we confirm Thursday at 5?"
    """

    code: ClassVar[str] = "TN08"
    name: ClassVar[str] = "insult"
    options = {
        "untargeted_profanity": Option(
            True, "report strong language that is not aimed at them as advice only (false: ignore it)"
        ),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        note = (
            "Communicating with dignity keeps their respect and your own; a put-down gives them a reason to stop "
            "listening, and it is the line that gets remembered."
        )
        for hit in _hits(draft, _table("blame_insult")):
            sentence = draft.sentence_at(hit.start)
            if hit.group.untargeted:
                if not self.settings["untargeted_profanity"]:
                    continue
                yield self.finding(
                    hit.message,
                    Span(hit.start, hit.end),
                    note="In a message to an ex, even swearing about something else can read as anger.",
                    severity=Severity.INFO,
                )
                continue
            suggestions = [
                *_leave_out(draft, sentence),
                Suggestion(
                    "Say the point without the label",
                    "Say what happened and what you are asking for, without describing them: "
                    '"The pick-up was missed today. Can we confirm Thursday at 5?"',
                    Applicability.DISPLAY_ONLY,
                ),
            ]
            yield self.finding(
                hit.message, Span(hit.start, hit.end), note=note, severity=Severity.WARNING, suggestions=suggestions
            )


class Pressure(Rule):
    """Demands, ultimatums and guilt: "you need to answer me", "or else", "after everything I did for you".

    ## What it flags
    Orders ("you need to answer me", "you have to", "I demand an
    explanation"), ultimatums and threats ("or else", "keep it up and...",
    "if you don't..., I'll tell everyone"), guilt ("after everything I did for
    you", "if you really loved me", "you owe me", "why can't you do this one
    simple thing for me?") and messages sent through others ("tell your dad
    he's the reason we fight").

    A plain logistics request phrased as "you need to" or "you have to"
    ("You need to sign the school form by Friday") is advice only: it names an
    item or a time and carries no pressure. Threats of harm or exposure are
    also flagged by the safety rule SF02. It applies under every goal.

    ## Why it matters
    Pressure pushes them further away. A short, polite, direct request leaves
    them room to say yes, and is far more likely to get an answer than an
    order, a deadline with a threat, or guilt.

    ## Example
    "After everything I did for you, you need to answer me tonight or else."

    ## Instead
    Ask once, plainly, with what and by when, and leave the choice with them:
    "Could you let me know by Friday whether Saturday works?"
    """

    code: ClassVar[str] = "TN09"
    name: ClassVar[str] = "pressure"
    options = {
        "logistics_info": Option(
            True, 'report plain logistics requests phrased as "you need to / have to" as advice only'
        ),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        logistics = _table("blame_pressure").markers["logistics"]
        pushy = _table("blame_pressure").markers["pressure"]
        note = (
            "A short, polite and direct request is more likely to get an answer; pressure and guilt tend to push "
            "them further away."
        )
        for hit in _hits(draft, _table("blame_pressure")):
            sentence = draft.sentence_at(hit.start)
            said = draft.folded[sentence.start : sentence.end] if sentence else hit.text.lower()
            severity = Severity.WARNING
            this_note = note
            # The order's own words ("answer", "now") are judged by the group; look for pressure around them.
            offset = sentence.start if sentence else hit.start
            around = said[: hit.start - offset] + " " + said[hit.end - offset :]
            if (
                hit.group.softenable
                and self.settings["logistics_info"]
                and logistics.search(said)
                and not pushy.search(around)
            ):
                severity = Severity.INFO
                this_note = (
                    "This reads as a practical request; phrasing it as a question can make it easier to agree to."
                )
            suggestions: list[Suggestion] = []
            request = as_request(sentence.text) if sentence is not None and hit.group.softenable else None
            if request:
                suggestions.append(
                    Suggestion("Ask it as a request", request, Applicability.UNSAFE, _sentence_span(sentence))
                )
            elif hit.group.name == "triangulation":
                suggestions.append(
                    Suggestion(
                        "Speak to them directly",
                        "Keep the children and family out of it, and say what you need to them directly, once.",
                        Applicability.DISPLAY_ONLY,
                    )
                )
            else:
                suggestions.append(
                    Suggestion(
                        "Ask once, plainly",
                        "Say what you are asking for and by when, and leave the choice with them: "
                        '"Could you let me know by Friday whether Saturday works?"',
                        Applicability.DISPLAY_ONLY,
                    )
                )
            yield self.finding(
                hit.message, Span(hit.start, hit.end), note=this_note, severity=severity, suggestions=suggestions
            )
