"""Shared helpers for the attachment and goal rules (TN02, TN03, TN05, TN06, TN10, PC07).

Not a rule module (the leading underscore keeps the registry from treating it
as one): phrase look-ups in the user's own voice with negation removed, and
what a draft is about (practical arrangements, practical subjects, the
relationship), read from ``rules/data/attachment_topics.toml``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from levelhead import phrases, regexcache, tablecache
from levelhead.datafiles import read_toml
from levelhead.diagnostics import Span
from levelhead.emotion import PhraseMatcher
from levelhead.situation import Goal, Situation
from levelhead.text import Draft

TOPICS = "attachment_topics"

# "I don't miss you", "I'm not thinking of you", "I never said I'd wait for you":
# a negator at most two words before the phrase, in the same clause.
_NEGATED_TAIL = regexcache.compile(
    r"(?:\b(?:not|never|no longer|hardly|barely|nobody|no one)|n't|\b(?:dont|didnt|doesnt|cant|wont|isnt|wasnt|arent))"
    r"\s+(?:[\w']+\s+){0,2}$"
)
_CLAUSE_BREAK = regexcache.compile(r"[,;:()\-]|\b(?:and|but|because|so that|though|although|while|or)\b")


def negated(draft: Draft, start: int) -> bool:
    """True when the words just before ``start`` (same sentence and clause) negate it."""
    sentence = draft.sentence_at(start)
    head = draft.folded[max(sentence.start if sentence else 0, start - 40) : start]
    clause = _CLAUSE_BREAK.split(head)[-1]
    return bool(_NEGATED_TAIL.search(clause))


@dataclass(frozen=True)
class _Book:
    """A phrase file compiled for fast matching: tag -> (group, message)."""

    groups: tuple[tuple[str, str], ...]
    matcher: PhraseMatcher


@tablecache.kept
def _book(name: str, groups: tuple[str, ...] | None) -> _Book:
    data = read_toml(f"rules/data/{name}.toml")
    labels: list[tuple[str, str]] = []
    entries: list[tuple[str, int]] = []
    for group, spec in data.get("groups", {}).items():
        if groups is not None and group not in groups:
            continue
        labels.append((group, spec.get("message", "")))
        entries.extend((pattern, len(labels) - 1) for pattern in spec["patterns"])
    return _Book(tuple(labels), PhraseMatcher(entries, word_edges=False))


def find(
    draft: Draft, name: str, *, own_voice: bool = True, groups: tuple[str, ...] | None = None
) -> tuple[phrases.Hit, ...]:
    """Like ``phrases.find`` (same data format and result), compiled as one trie-shaped regex.

    The whole file is scanned once per draft (cached) and ``groups`` filters the result, so
    several rules asking about the same file cost one scan. Groups whose name ends in
    ``_opening`` count only at the start of a clause ("Miss you.", "Thanks, honey.").
    """
    hits = _scan(draft, name, own_voice, None)
    if groups is None:
        return hits
    return tuple(h for h in hits if h.group in groups)


@lru_cache(maxsize=1024)
def _scan(draft: Draft, name: str, own_voice: bool, subset: tuple[str, ...] | None) -> tuple[phrases.Hit, ...]:
    book = _book(name, subset)
    hits: list[phrases.Hit] = []
    for start, end, tag in book.matcher.finditer(draft.folded):
        group, message = book.groups[tag]
        if group.endswith("_opening") and not opens_clause(draft, start):
            continue
        if own_voice and not phrases.is_own_voice(draft, start, end):
            continue
        original = draft.text[start:end]
        hits.append(phrases.Hit(start, end, original, group, message.replace("{match}", original)))
    return tuple(hits)


def opens_clause(draft: Draft, start: int) -> bool:
    """True when nothing but space stands between ``start`` and the clause's opening punctuation."""
    head = draft.folded[:start].rstrip()
    return not head or head[-1] in ".!?,;:-(\n\"'"


def own_hits(draft: Draft, name: str, groups: tuple[str, ...] | None = None) -> list[phrases.Hit]:
    """Phrase hits in the user's own voice: not quoted, not reported, not negated."""
    return [h for h in find(draft, name, groups=groups) if not negated(draft, h.start)]


def topic_hits(draft: Draft, *groups: str) -> tuple[phrases.Hit, ...]:
    """Where the draft touches the given topic groups (quotes included: a quoted form is still about it)."""
    return _topic_hits(draft, groups)


# The practical groups are read for almost every draft, so they share one scan; the
# relationship groups overlap each other and are scanned on their own, only when asked.
_PRACTICAL_GROUPS = ("arrangement", "practical")


def _topic_hits(draft: Draft, groups: tuple[str, ...]) -> tuple[phrases.Hit, ...]:
    subset = _PRACTICAL_GROUPS if set(groups) <= set(_PRACTICAL_GROUPS) else groups
    hits = _scan(draft, TOPICS, False, subset)
    return hits if subset == groups else tuple(h for h in hits if h.group in groups)


def has_topic(draft: Draft, *groups: str) -> bool:
    return bool(topic_hits(draft, *groups))


def sentence_has_topic(draft: Draft, hit: phrases.Hit, *groups: str) -> bool:
    """True when the sentence holding ``hit`` touches one of the topic groups outside the hit itself."""
    sentence = draft.sentence_at(hit.start)
    if sentence is None:
        return False
    return any(
        sentence.start <= h.start < sentence.end and (h.end <= hit.start or h.start >= hit.end)
        for h in topic_hits(draft, *groups)
    )


def is_practical(draft: Draft) -> bool:
    """The draft names a practical arrangement or subject (children, times, money, belongings...)."""
    return has_topic(draft, "arrangement", "practical")


def friendship_agreed(situation: Situation) -> bool:
    """Goal friendship, and the two of them agreed to be friends."""
    return situation.goal is Goal.FRIENDSHIP and situation.agreements.friendship is True


def span_of(hit: phrases.Hit) -> Span:
    return Span(hit.start, hit.end)


def quoted(texts: Iterable[str], limit: int = 3) -> str:
    """'"a", "b"' for messages, without repeats."""
    seen: list[str] = []
    for text in texts:
        if text not in seen:
            seen.append(text)
    return ", ".join(f'"{t}"' for t in seen[:limit])


def sentence_span(draft: Draft, offset: int) -> Span | None:
    sentence = draft.sentence_at(offset)
    return Span(sentence.start, sentence.end) if sentence else None
