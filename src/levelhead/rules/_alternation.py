"""One regex for an ordered list of named patterns, written so that ``re`` reads a shared start once.

``named_alternation([(name, regex), ...])`` matches exactly what
``"|".join(f"(?P<{name}>{regex})" for ...)`` matches, at every position and in
the same order of attempts, and ``Match.lastgroup`` names the same pattern.
Where consecutive patterns begin with the same text that can match in only one
way (``\\b``, a literal character, or a group of literal words none of which
begins another, such as ``(?:you|u)``), that start is written once and the
patterns' rests become its branches: ``\\b(?:you|u) (?:A(?P<p1>)|B(?P<p2>))``.
Trying A then B after the one way the start can match is what the plain
alternation does, so nothing changes but the work: the blame tables have dozens
of patterns starting with ``\\b(?:you|u) ``, and a match at "you" read that
start once per pattern. Each pattern ends in an empty group with its name, so
the name still tells which one matched.

Not a rule module (the leading underscore keeps the registry from importing it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from levelhead import regexcache

_SPECIAL = frozenset("\\.^$*+?{}[]()|")
_QUANTIFIER = frozenset("?*+{")
_NUMBERED_BACKREF = regexcache.compile(r"\\[1-9]|\(\?P=")
# Escapes and character classes, which hide parentheses and bars; then everything but parentheses and bars.
_ESCAPES_AND_CLASSES = regexcache.compile(r"\\.|\[\^?\]?(?:\\.|[^\]\\])*\]", re.DOTALL)
_NOT_STRUCTURE = regexcache.compile(r"[^()|]+")
# A group's content that is only literal words: characters without meaning in a regex, or escaped marks.
_LITERAL_WORDS = regexcache.compile(
    r"(?:[^\\.^$*+?{}\[\]()|]|\\[^A-Za-z0-9_|])+(?:\|(?:[^\\.^$*+?{}\[\]()|]|\\[^A-Za-z0-9_|])+)*"
)
_UNESCAPE = regexcache.compile(r"\\(.)", re.DOTALL)

_Entry = tuple[list[str], str, str]  # (leading tokens, the regex after them, the pattern's name)


def named_alternation(items: Sequence[tuple[str, str]]) -> str:
    """The alternation of ``(name, regex)`` items, shared starts written once (see the module docstring)."""
    if any(_NUMBERED_BACKREF.search(regex) for _, regex in items):
        # A back-reference counts groups, and the name groups move: keep the plain form.
        return "|".join(f"(?P<{name}>{regex})" for name, regex in items)
    return "|".join(_branches([(*_leading_tokens(regex), name) for name, regex in items]))


def _branches(entries: list[_Entry]) -> list[str]:
    """Alternatives for ``entries`` in their order; a run of neighbours with the same first token shares it."""
    out: list[str] = []
    k = 0
    while k < len(entries):
        tokens, rest, name = entries[k]
        if not tokens:
            out.append((f"(?:{rest})" if rest else "") + f"(?P<{name}>)")
            k += 1
            continue
        j = k + 1
        while j < len(entries) and entries[j][0][:1] == tokens[:1]:
            j += 1
        if j == k + 1:
            out.append("".join(tokens) + (f"(?:{rest})" if rest else "") + f"(?P<{name}>)")
        else:
            inner = _branches([(t[1:], r, n) for t, r, n in entries[k:j]])
            out.append(tokens[0] + "(?:" + "|".join(inner) + ")")
        k = j
    return out


def _leading_tokens(regex: str) -> tuple[list[str], str]:
    """The tokens ``regex`` starts with that each match in at most one way, and the regex after them."""
    if _has_top_level_bar(regex):
        return [], regex
    tokens: list[str] = []
    i, n = 0, len(regex)
    while i < n:
        if regex.startswith("(?:", i):
            # A group of literal words holds no parenthesis, so it ends at the first ")".
            end = regex.find(")", i)
            if end < 0 or _plain_words(regex[i + 3 : end]) is None:
                break
            nxt = end + 1
        elif regex.startswith("\\b", i):
            nxt = i + 2
        else:
            literal = _literal_end(regex, i)
            if literal is None:
                break
            nxt = literal
        if _quantified(regex, nxt):
            break
        tokens.append(regex[i:nxt])
        i = nxt
    return tokens, regex[i:]


def _has_top_level_bar(regex: str) -> bool:
    depth = 0
    for c in _NOT_STRUCTURE.sub("", _ESCAPES_AND_CLASSES.sub("", regex)):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
    return False


def _literal_end(regex: str, i: int) -> int | None:
    """The index after the one literal character at ``regex[i]`` (maybe escaped), or None."""
    c = regex[i]
    if c == "\\":
        if i + 1 < len(regex) and not (regex[i + 1].isalnum() or regex[i + 1] == "_"):
            return i + 2
        return None
    return None if c in _SPECIAL else i + 1


def _plain_words(content: str) -> list[str] | None:
    """The words of a group like ``you|u`` when all are literal and none begins another (one way to match)."""
    if not _LITERAL_WORDS.fullmatch(content):
        return None
    words = [_UNESCAPE.sub(r"\1", part) for part in content.split("|")]
    if len(set(words)) < len(words) or any(a != b and b.startswith(a) for a in words for b in words):
        return None
    return words


def _quantified(regex: str, i: int) -> bool:
    return i < len(regex) and regex[i] in _QUANTIFIER
