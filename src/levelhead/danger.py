"""Finding danger in text: self-harm, threats, and the other person's threats or stalking.

The safety rules (SF01 to SF03) call these helpers on a draft; incoming-message
triage calls :func:`incoming_threats` on the other person's message with the
same phrase data. Everything is data in ``rules/data/safety_*.toml`` plus a few
checks that patterns cannot do well on their own:

- whose words they are: quotes and reported speech ("he said ...") are someone
  else's, except a quote of the writer's own thought ("I keep thinking 'what's
  the point'");
- negation: "I would never hurt myself" and "I'd never take the kids from you"
  are not what they deny. A negated self-harm mention still counts when the
  sentence reassures in a way that shows the thought is there ("I'm not going to
  kill myself, don't worry", "not yet", "I promise");
- the subject: "won't stop calling me" is a report about them only when the
  writer is not the one who won't stop.

Speed: a word-level pre-test (see below) skips every pattern whose required
words are not in the draft, so a typical check runs a handful of regexes;
patterns are compiled on first use.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from levelhead import regexcache, tablecache
from levelhead.datafiles import read_toml
from levelhead.diagnostics import Span
from levelhead.text import Draft, quoted_ranges

SELF_HARM = "safety_self_harm"
THREAT = "safety_threat"
REPORTED = "safety_reported"
INCOMING = "safety_incoming"
_FILES = (SELF_HARM, THREAT, REPORTED, INCOMING)
_MACRO_FILE = "safety_macros"
_MACRO = regexcache.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True, slots=True)
class DangerSpan:
    """Where something dangerous was said, what kind it is, and a short description.

    ``category`` is ``self-harm``, ``threat`` (the writer's own), ``reported``
    (the other person's, as the writer tells it), ``quoted`` (their words quoted)
    or ``incoming`` (words in their own message); ``kind`` is the phrase group
    (``violence``, ``custody``, ``monitoring_report`` ...). ``reassured`` marks a
    negated self-harm mention that still counts because of a reassurance.
    """

    start: int
    end: int
    text: str
    category: str
    kind: str
    message: str
    reassured: bool = False

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One safety pattern, macros expanded, with the words a match must contain."""

    source: str  # the pattern with its macros expanded
    # Pre-test: every match contains, for each tuple, one of its keys (see ``required_keys``); empty: always run.
    keys: tuple[tuple[str, ...], ...]

    @property
    def regex(self) -> re.Pattern[str]:
        """Compiled on first use: most patterns never run in a given process."""
        return _compile(self.source)


@cache
def _compile(source: str) -> re.Pattern[str]:
    return regexcache.compile(source)


@dataclass(frozen=True, slots=True)
class _Group:
    """A named group of safety patterns and the message its findings carry."""

    name: str
    message: str
    patterns: tuple[_Pattern, ...]
    other_subject: bool


def _read(name: str) -> dict[str, object]:
    return read_toml(f"rules/data/{name}.toml")


@cache
def _macros() -> dict[str, str]:
    table = _read(_MACRO_FILE).get("macros", {})
    assert isinstance(table, dict)
    macros = {str(k): str(v) for k, v in table.items()}
    for _ in range(4):  # macros may use macros; a few passes settle every nesting used
        macros = {k: expand(v, macros) for k, v in macros.items()}
    return macros


def expand(pattern: str, macros: dict[str, str] | None = None) -> str:
    """Replace ``{{name}}`` in ``pattern`` with the macro's text (unknown names are an error)."""
    table = _macros() if macros is None else macros

    def sub(m: re.Match[str]) -> str:
        if m.group(1) not in table:
            raise KeyError(f"unknown macro {{{{{m.group(1)}}}}} in safety phrase data")
        return f"(?:{table[m.group(1)]})"

    return _MACRO.sub(sub, pattern)


@tablecache.kept
def groups(name: str) -> tuple[_Group, ...]:
    """The phrase groups of ``rules/data/NAME.toml`` (macros expanded, pre-test keys attached), read once."""
    data = _read(name).get("groups", {})
    assert isinstance(data, dict)
    stored = _stored_keys()
    found = []
    for group, spec in data.items():
        patterns = []
        for raw in spec["patterns"]:
            text = expand(raw)
            keys = stored.get(source_id(text))
            patterns.append(_Pattern(text, keys if keys is not None else required_keys(text)))
        found.append(_Group(group, str(spec.get("message", "")), tuple(patterns), bool(spec.get("other_subject"))))
    return tuple(found)


# The pre-test keys are derived from the patterns (below); deriving them for
# every pattern at start-up takes a noticeable fraction of a second, so they are
# stored in rules/data/safety_keys.toml, one entry per pattern, by the id of its
# text. A pattern without an entry (edited since) gets its keys derived when
# loaded, so the file can only make things faster, never wrong; a test checks
# that it is current. Regenerate with: python -m levelhead.danger
_KEYS_FILE = "safety_keys"
_KEYS_VERSION = "2"
_SET_SEP, _KEY_SEP = "\x1e", "\x1f"  # between key sets, between the keys of a set (one TOML string per pattern)


def source_id(source: str) -> str:
    """A short, stable id for an expanded pattern (and the key derivation version)."""
    import hashlib  # only where keys are derived or checked, not on a warm check

    return hashlib.sha256(f"{_KEYS_VERSION}\n{source}".encode()).hexdigest()[:20]


@cache
def _stored_keys() -> dict[str, tuple[tuple[str, ...], ...]]:
    try:
        data = _read(_KEYS_FILE).get("keys", {})
    except (FileNotFoundError, ValueError):  # missing or not TOML (TOMLDecodeError is a ValueError)
        return {}
    assert isinstance(data, dict)
    return {str(k): tuple(tuple(ks.split(_KEY_SEP)) for ks in str(v).split(_SET_SEP) if ks) for k, v in data.items()}


def keys_file_text() -> str:
    """The contents of rules/data/safety_keys.toml for the current phrase data."""
    import json  # TOML basic strings are written as JSON strings; only when regenerating the file

    lines = [
        "# Generated by `python -m levelhead.danger` from the safety phrase files; do not edit.",
        "# Pre-test keys per pattern (see levelhead/danger.py): a stale or missing entry is only slower.",
        "",
        "[keys]",
    ]
    seen = set()
    for name in _FILES:
        for raw in _raw_patterns(name):
            text = expand(raw)
            pid = source_id(text)
            if pid in seen:
                continue
            seen.add(pid)
            keys = _SET_SEP.join(_KEY_SEP.join(ks) for ks in required_keys(text))
            lines.append(f"{pid} = {json.dumps(keys)}")
    return "\n".join(lines) + "\n"


def _raw_patterns(name: str) -> list[str]:
    data = _read(name).get("groups", {})
    assert isinstance(data, dict)
    return [str(p) for spec in data.values() for p in spec["patterns"]]


# --- a cheap pre-test: the words every match of a pattern must contain ---------------------
#
# Most drafts contain none of the danger words, and running some 270 patterns
# over every draft is slow. So each pattern gets, derived from the pattern
# itself, the literal text that any match must contain: sets like {"myself"},
# {"said", "told me", ...} and {"kill", "hurt", ...}, of which every match holds
# one string each. A string that is a whole word there (between non-word
# characters or at a \b) becomes a word key, tested against the set of the
# draft's words; otherwise a substring key, tested with ``in``. A pattern runs
# only when its keys are present: the same findings as running every pattern.

_MIN_KEY = 3
_MAX_SETS = 3
_EDGE = "\x00"  # marks a word boundary (\b, ^, $) inside a literal run
_WORD_RUN = regexcache.compile(r"\w+")
# Words that nearly every message contains: useless as a pre-test, so never used as one.
_COMMON = frozenset(
    "you your the and for not that this with have will what are was can but all just get got out now one"
    " our his her him she they them then when who how why from about would could should there here"
    " know like want said say see let make take keep come tell give time day way back need too also any"
    " don won didn doesn isn off even some more much really".split()
)


def required_keys(pattern: str) -> tuple[tuple[str, ...], ...]:
    """For each required literal set of ``pattern`` (at most three, the most selective), its pre-test keys.

    A key is a word (``"kids"``) or, prefixed with ``"~"``, a substring (``"~suicid"``).
    """
    try:
        from re import _constants as sre_constants  # type: ignore[attr-defined]
        from re import _parser as sre_parser  # type: ignore[attr-defined]

        found = _factors(list(sre_parser.parse(pattern).data), sre_constants)
    except Exception:  # an interpreter without these internals: no pre-test, still correct
        return ()
    keyed: set[tuple[str, ...]] = set()
    for required in found:
        if len(required) == 1:
            # One literal: each whole word in it is required on its own ("unless i do something").
            (literal,) = required
            words = _whole_words(literal)
            if words:
                keyed.update((w,) for w in words)
                continue
        keys = [_key(literal) for literal in required]
        if all(keys):
            keyed.add(tuple(sorted({k for k in keys if k})))
    return tuple(sorted(keyed, key=lambda ks: (_weakness(ks), ks))[:_MAX_SETS])


def _whole_words(literal: str) -> list[str]:
    """Words of at least three letters that the literal run holds whole (bounded on both sides)."""
    text = literal.replace(_EDGE, " ")
    return [
        m.group()
        for m in _WORD_RUN.finditer(text)
        if m.start() > 0 and m.end() < len(text) and len(m.group()) >= _MIN_KEY
    ]


def _weakness(keys: tuple[str, ...]) -> tuple[int, int, int]:
    """Sort key: sets with common words, then sets with substring keys, then bigger sets come later."""
    common = sum(k.lstrip("~").strip() in _COMMON for k in keys)
    return (common, sum(k.startswith("~") for k in keys), len(keys))


def _key(literal: str) -> str | None:
    """The best pre-test key for a literal run (with boundary marks), or None when it has no useful one."""
    words = _whole_words(literal)
    if words:
        return max(words, key=lambda w: (w not in _COMMON, len(w)))
    core = literal.replace(_EDGE, "")
    if len(re.sub(r"\W", "", core)) < _MIN_KEY:
        return None
    return "~" + core


def _factors(items: list[tuple[Any, Any]], c: Any, left: bool = False, right: bool = False) -> list[frozenset[str]]:
    """Every required literal set of a sequence of parsed regex items (a match satisfies all of them).

    ``left`` and ``right`` say whether whatever comes just before and just after
    the sequence is always a word boundary; boundaries are kept in the literals
    as ``_EDGE`` marks, so whole words can be told from parts of words.
    """
    found: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run and set(run) != {_EDGE}:
            found.append(frozenset({"".join(run)}))
        run.clear()

    for i, (op, av) in enumerate(items):
        if op is c.LITERAL:
            if not run and _ends_edge(items[:i], c, left):
                run.append(_EDGE)
            run.append(chr(av))
            if _starts_edge(items[i + 1 :], c, right):
                run.append(_EDGE)
        elif op is c.AT:
            if _is_boundary(av, c):
                run.append(_EDGE)
        else:
            flush()
            before = _ends_edge(items[:i], c, left)
            after = _starts_edge(items[i + 1 :], c, right)
            if op is c.SUBPATTERN:
                found.extend(_factors(list(av[-1].data), c, before, after))
            elif op is c.BRANCH:
                best = [_best(_factors(list(alt.data), c, before, after)) for alt in av[1]]
                if best and all(best):
                    found.append(frozenset().union(*(b for b in best if b)))
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) and av[0] >= 1:
                found.extend(_factors(list(av[2].data), c, before, after and av[1] == 1))
    flush()
    return found


def _is_boundary(av: Any, c: Any) -> bool:
    return av in (c.AT_BOUNDARY, c.AT_BEGINNING, c.AT_BEGINNING_STRING, c.AT_END, c.AT_END_STRING)


def _nonword(code: int) -> bool:
    ch = chr(code)
    return not (ch.isalnum() or ch == "_")


def _starts_edge(items: list[tuple[Any, Any]], c: Any, right: bool) -> bool:
    """True when every way of matching ``items`` (then the context) starts at a word boundary or non-word char."""
    return _edge(items, c, right, from_end=False)


def _ends_edge(items: list[tuple[Any, Any]], c: Any, left: bool) -> bool:
    """True when every way of matching ``items`` (after the context) ends at a word boundary or non-word char."""
    return _edge(items, c, left, from_end=True)


def _edge(items: list[tuple[Any, Any]], c: Any, outside: bool, *, from_end: bool) -> bool:
    """The one walk behind both edges: look at the first (or last) item; ``outside`` is what lies beyond."""
    if not items:
        return outside
    (op, av), rest = (items[-1], items[:-1]) if from_end else (items[0], items[1:])
    if op is c.AT:
        return _is_boundary(av, c) or _edge(rest, c, outside, from_end=from_end)
    if op is c.LITERAL:
        return _nonword(av)
    if op is c.IN:
        return _class_is_nonword(av, c)
    if op in (c.ASSERT, c.ASSERT_NOT):
        return _edge(rest, c, outside, from_end=from_end)
    beyond = _edge(rest, c, outside, from_end=from_end)
    if op is c.SUBPATTERN:
        return _edge(list(av[-1].data), c, beyond, from_end=from_end)
    if op is c.BRANCH:
        return all(_edge(list(alt.data), c, beyond, from_end=from_end) for alt in av[1])
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        once = _edge(list(av[2].data), c, beyond, from_end=from_end)
        return once and (av[0] >= 1 or beyond)
    return False


def _class_is_nonword(av: Any, c: Any) -> bool:
    """A character class that holds only spaces or non-word literals."""
    for op, arg in av:
        if op is c.CATEGORY and arg is c.CATEGORY_SPACE:
            continue
        if op is c.LITERAL and _nonword(arg):
            continue
        return False
    return True


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    """The most selective single set: longest shortest string, then fewest strings."""
    if not sets:
        return None
    return max(sets, key=lambda f: (min(min(len(x.replace(_EDGE, "")) for x in f), 6), -len(f)))


@tablecache.kept
def _index() -> tuple[dict[str, list[tuple[int, int]]], dict[str, list[tuple[str, int, int]]], list[int]]:
    """Word keys to (pattern id, set bit); substring keys by their first three characters; each id's full mask."""
    words: dict[str, list[tuple[int, int]]] = {}
    subs: dict[str, list[tuple[str, int, int]]] = {}
    masks: list[int] = []
    for pid, (_, _, pattern) in enumerate(_all_patterns()):
        masks.append((1 << len(pattern.keys)) - 1)
        for bit, keys in enumerate(pattern.keys):
            for key in keys:
                if key.startswith("~"):
                    subs.setdefault(key[1:4], []).append((key[1:], pid, 1 << bit))
                else:
                    words.setdefault(key, []).append((pid, 1 << bit))
    return words, subs, masks


@cache
def _all_patterns() -> tuple[tuple[str, _Group, _Pattern], ...]:
    """Every pattern of every safety phrase file, in file and group order; the position is the pattern's id."""
    return tuple((name, group, p) for name in _FILES for group in groups(name) for p in group.patterns)


@cache
def _ids_of(name: str) -> tuple[int, ...]:
    return tuple(pid for pid, (file, _, _) in enumerate(_all_patterns()) if file == name)


@lru_cache(maxsize=64)
def _runnable(folded: str) -> frozenset[int]:
    """Ids of the patterns whose pre-test passes on ``folded`` (shared by SF01 to SF03)."""
    words, subs, masks = _index()
    seen: dict[int, int] = {}
    for word in set(_WORD_RUN.findall(folded)):
        for pid, bit in words.get(word, ()):
            seen[pid] = seen.get(pid, 0) | bit
    for head, entries in subs.items():
        if head in folded:
            for sub, pid, bit in entries:
                if sub in folded:
                    seen[pid] = seen.get(pid, 0) | bit
    return frozenset(pid for pid, bits in seen.items() if bits == masks[pid]) | _always()


@cache
def _always() -> frozenset[int]:
    """Patterns without a pre-test: they run on every text."""
    return frozenset(pid for pid, (_, _, p) in enumerate(_all_patterns()) if not p.keys)


# --- whose words, negation, subject -------------------------------------------------------

# Someone other than the writer speaking: "he said", "she texted me:", "you told me", "my ex wrote".
_REPORTER = regexcache.compile(
    r"\b(?!(?:i|we|i've|i'd|i'll|i'm|im|me|and|to|who|what|that|it|this|never|not)\b)[a-z]+(?:'s)?\s+"
    r"(?:(?:just|then|also|even|literally|actually|once|always|again|has|had|have)\s+)?"
    r"(?:said|says|told (?:me|us|everyone|everybody|the kids|my \w+|him|her|them)|tells (?:me|us|everyone)"
    r"|texted(?: me)?|messaged(?: me)?|wrote(?: to me)?|writes|emailed(?: me)?|yelled|screamed|shouted"
    r"|threatened(?: me)?|warned(?: me)?|swore|keeps saying|kept saying|keeps telling me|kept telling me"
    r"|was saying|posted|sent(?: me)?(?: this| a (?:text|message))?|replied|answered|asked(?: me)?)"
    r"(?: that)?\s*[,:\-]?\s*"
)
# Where a reported clause stops and the writer speaks again.
_REPORT_END = regexcache.compile(r"[.!?\n;]|\b(?:but|because|cause|so|and|now|which)\s+i\b")
# A quote of the writer's own thought: "I keep thinking 'nobody would miss me'".
_OWN_THOUGHT = regexcache.compile(
    r"\b(?:i|i'm|im|i've|i keep|i kept)\s+(?:\w+\s+){0,2}?"
    r"(?:think|thinking|thought|tell myself|told myself|telling myself|say to myself|wonder|wondering|feel|felt"
    r"|wrote|write|typed|journal(?:ed|led)?)\b[^\"']{0,12}$"
)
# A clause starts after punctuation or a conjunction; negation and subject are read inside it.
_BREAK = regexcache.compile(
    r"[,;:.!?\n()\"]|\s-\s|\b(?:and|but|so|because|cause|cuz|though|although|or|then|unless|while|whereas|since)\b"
)
_NEGATOR = (
    r"(?:\b(?:never|not|no longer|nor|don'?t|doesn'?t|didn'?t|won'?t|wouldn'?t|shouldn'?t|isn'?t|aren'?t|wasn'?t"
    r"|weren'?t|haven'?t|hasn'?t|ain'?t|dont|doesnt|didnt|wont|wouldnt|shouldnt|isnt|arent|wasnt)"
    r"|\bno (?:intention|intentions|plans?|desire|wish|thoughts?|way)(?: at all)?(?: of| to)?)"
)
_FILLER = (
    r"(?:i|i'?m|im|i'?d|i'?ll|am|was|were|would|will|could|should|shall|ever|really|actually|even|seriously"
    r"|honestly|truly|definitely|go|going|gonna|want|wanna|to|plan|planning|planned|on|try|trying|be|do|doing"
    r"|let|myself|think|thinking|about|consider|considering|of|that|in|a|million|years|have|any|anything"
    r"|something|thought|thoughts|intend|intending|feel|feeling|like|say|saying|said|mean|meant|at|all|such"
    r"|thing|so|again|it|ok|okay|hurting|making|make|made|sending|send)"
)
_NEGATED = regexcache.compile(_NEGATOR + r"(?:\s+" + _FILLER + r")*\s*$")
# A reassurance beside a denial suggests the thought is there: then the denial does not clear it.
_REASSURANCE = regexcache.compile(
    r"\b(?:don'?t worry|dont worry|do not worry|no need to worry|not to worry|stop worrying|relax|calm down"
    r"|i promise|promise|yet|for now|not today|not tonight|right now|at the moment|probably|i don'?t think"
    r"|i guess|i think|not sure|maybe|again|these days|this time)\b"
)
_SUBJECT = regexcache.compile(
    r"\b(?:i|i'm|im|i've|i'd|i'll|we|we're|we've|we'll|he|she|they|you|u|he's|she's|they're|you're|my ex"
    r"|someone|somebody|it)\b"
)
_FIRST_PERSON = frozenset({"i", "i'm", "im", "i've", "i'd", "i'll", "we", "we're", "we've", "we'll"})


@lru_cache(maxsize=128)
def _others_words(text: str, folded: str) -> tuple[tuple[int, int], ...]:
    """Ranges holding someone else's words: quotes (not of the writer's own thought) and reported clauses."""
    ranges: list[tuple[int, int]] = []
    for start, end in quoted_ranges(text):
        if not _OWN_THOUGHT.search(folded[max(0, start - 60) : start]):
            ranges.append((start, end))
    for m in _REPORTER.finditer(folded):
        stop = _REPORT_END.search(folded, m.end())
        end = stop.start() if stop else len(folded)
        if end > m.end():
            ranges.append((m.end(), end))
    return tuple(ranges)


def _inside(ranges: Iterable[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in ranges)


def _clause_head(folded: str, start: int) -> str:
    """The words of the clause before ``start`` (after the last comma, full stop or conjunction)."""
    window = folded[max(0, start - 120) : start]
    cut = 0
    for m in _BREAK.finditer(window):
        cut = m.end()
    return window[cut:]


def is_negated(folded: str, start: int) -> bool:
    """True when the words just before ``start`` deny it: "I would never", "I'm not going to", "I don't"."""
    return bool(_NEGATED.search(_clause_head(folded, start)))


def _writer_is_subject(folded: str, start: int) -> bool:
    """True when the last subject before ``start`` in its clause is the writer ("I", "we")."""
    subjects = _SUBJECT.findall(_clause_head(folded, start))
    return bool(subjects) and subjects[-1] in _FIRST_PERSON


def _reassured(draft: Draft, start: int) -> bool:
    """A reassurance in the same sentence or the one before or after it."""
    sentences = draft.sentences
    if not sentences:
        return False
    i = max(0, bisect_right([s.start for s in sentences], start) - 1)
    lo = sentences[max(0, i - 1)].start
    hi = sentences[min(len(sentences) - 1, i + 1)].end
    return bool(_REASSURANCE.search(draft.folded, lo, hi))


def _as_draft(text: Draft | str) -> Draft:
    return text if isinstance(text, Draft) else Draft(text)


def _scan(draft: Draft, name: str) -> tuple[tuple[_Group, int, int], ...]:
    return _scan_folded(draft.folded, name)


@lru_cache(maxsize=256)
def _scan_folded(folded: str, name: str) -> tuple[tuple[_Group, int, int], ...]:
    """Every match of the phrase file ``name`` in ``folded`` (cached: SF02 and SF03 read the same scans)."""
    runnable = _runnable(folded)
    patterns = _all_patterns()
    found: list[tuple[_Group, int, int]] = []
    for pid in _ids_of(name):
        if pid in runnable:
            _, group, p = patterns[pid]
            found.extend((group, m.start(), m.end()) for m in p.regex.finditer(folded) if m.end() > m.start())
    return tuple(found)


def _make(draft: Draft, group: _Group, start: int, end: int, category: str, **kw: bool) -> DangerSpan:
    original = draft.text[start:end]
    return DangerSpan(start, end, original, category, group.name, group.message.replace("{match}", original), **kw)


def _without_overlaps(spans: list[DangerSpan]) -> list[DangerSpan]:
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[DangerSpan] = []
    for s in spans:
        if kept and s.start < kept[-1].end:
            continue
        kept.append(s)
    return kept


# --- the detectors ---------------------------------------------------------------------


def self_harm_spans(text: Draft | str) -> list[DangerSpan]:
    """Self-harm or suicide language in the writer's own voice, explicit or indirect, in reading order.

    Skips someone else's words and plain denials ("I would never hurt myself");
    keeps a denial that comes with a reassurance (``reassured=True``).
    """
    draft = _as_draft(text)
    found: list[DangerSpan] = []
    for group, start, end in _scan(draft, SELF_HARM):
        if _inside(_others_words(draft.text, draft.folded), start, end):
            continue
        if is_negated(draft.folded, start):
            if _reassured(draft, start):
                found.append(_make(draft, group, start, end, "self-harm", reassured=True))
            continue
        found.append(_make(draft, group, start, end, "self-harm"))
    return _without_overlaps(found)


def threat_spans(text: Draft | str) -> list[DangerSpan]:
    """The writer's own threats: violence, harm, exposure, the children as leverage, legal pressure, coercion."""
    draft = _as_draft(text)
    found = [
        _make(draft, group, start, end, "threat")
        for group, start, end in _scan(draft, THREAT)
        if not _inside(_others_words(draft.text, draft.folded), start, end) and not is_negated(draft.folded, start)
    ]
    return _without_overlaps(found)


def reported_threat_spans(text: Draft | str) -> list[DangerSpan]:
    """The other person's threats, violence, monitoring or stalking, as the writer describes or quotes them."""
    draft = _as_draft(text)
    folded = draft.folded
    found: list[DangerSpan] = []
    for group, start, end in _scan(draft, REPORTED):
        if is_negated(folded, start):
            continue
        if group.other_subject and _writer_is_subject(folded, start):
            continue
        found.append(_make(draft, group, start, end, "reported"))
    for name, what in ((THREAT, "a threat"), (SELF_HARM, "words about self-harm")):
        for group, start, end in _scan(draft, name):
            if _inside(_others_words(draft.text, folded), start, end) and not is_negated(folded, start):
                original = draft.text[start:end]
                message = f'You quote {what}: "{original}".'
                found.append(DangerSpan(start, end, original, "quoted", group.name, message))
    return _without_overlaps(found)


def incoming_threats(text: str) -> list[DangerSpan]:
    """Threats, coercion, monitoring and self-harm used as leverage in THEIR message.

    The text is read as the other person's words: "I" is them and "you" is the
    user, so "I know where you live" or "you'll never see the kids again" count.
    Returns span-like objects (``start``, ``end``, ``text``, ``kind``, ``message``).
    """
    draft = Draft(text)
    folded = draft.folded
    found: list[DangerSpan] = []
    for name, category in ((THREAT, "incoming"), (INCOMING, "incoming"), (SELF_HARM, "incoming")):
        for group, start, end in _scan(draft, name):
            if is_negated(folded, start):
                continue
            kind = f"self-harm-{group.name}" if name == SELF_HARM else group.name
            original = draft.text[start:end]
            message = group.message.replace("{match}", original)
            if name == SELF_HARM:
                message = f'"{original}" speaks of self-harm; in their message it can be a crisis, leverage, or both.'
            found.append(DangerSpan(start, end, original, category, kind, message))
    return _without_overlaps(found)


if __name__ == "__main__":  # python -m levelhead.danger: rewrite the stored pre-test keys
    from pathlib import Path

    target = Path(__file__).parent / "rules" / "data" / f"{_KEYS_FILE}.toml"
    target.write_text(keys_file_text(), encoding="utf-8")
    print(f"wrote {target}")
