"""Where a message names items, people, places, days, times and money: found once, read per clause.

The message is split into words once; the word lists of
``triage/data/facts.toml`` are looked up by their first word (a dictionary,
not a long regular expression tried at every character), and the day
pattern is only tried where a word could start a day ("Sunday", "next",
"the", "14th", "12/3", "Christmas"). Asks and facts then look the matches up
by position, so a long message costs one pass, not one per clause.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache

from levelhead.triage._data import load
from levelhead.triage.when import day_starts, day_words

# A clock time or a sum of money ("5pm", "17:30", "by 5", "$120").
_TIMED = re.compile(
    r"(?=[$£€\dab])"  # what every branch starts with: other positions are skipped at once
    r"(?:[$£€]\s?\d|\b\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\b|o'?clock)|\b\d{1,2}[:.]\d{2}\b|\b(?:at|by) \d{1,2}\b)"
)
# Words that start a day phrase only with the right word after them.
_LEADS = frozenset({"the", "this", "next", "coming"})
_LED = frozenset({"weekend", "week", "day"})
# Words as the lists write them: "mum's", "parents'", "after-school", "12/3".
_WORD = re.compile(r"[\w/]+(?:['\-][\w/]+)*'?")


@dataclass(frozen=True, slots=True)
class _List:
    entries: frozenset[tuple[str, ...]]  # each entry as its words
    lengths: dict[str, tuple[int, ...]]  # first word -> the lengths (in words) of its entries, longest first
    not_before: frozenset[str]  # an entry followed by one of these is not a match ("the school trip")


@cache
def _list(section: str) -> _List:
    data = load("facts")[section]
    entries = frozenset(tuple(entry.split()) for entry in data["words"])
    lengths: dict[str, set[int]] = {}
    for words in entries:
        lengths.setdefault(words[0], set()).add(len(words))
    return _List(
        entries,
        {first: tuple(sorted(n, reverse=True)) for first, n in lengths.items()},
        frozenset(str(data.get("not_before", "")).split("|")) - {""},
    )


@dataclass(frozen=True, slots=True)
class Found:
    """The matches of one list or pattern over the message, in order."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    words: tuple[str, ...]

    @classmethod
    def of(cls, matches: list[tuple[int, int, str]]) -> Found:
        matches.sort()
        return cls(tuple(m[0] for m in matches), tuple(m[1] for m in matches), tuple(m[2] for m in matches))

    def within(self, start: int, end: int) -> list[str]:
        """The matched words that lie inside ``start:end``."""
        found = []
        for i in range(bisect_left(self.starts, start), len(self.starts)):
            if self.starts[i] >= end:
                break
            if self.ends[i] <= end:
                found.append(self.words[i])
        return found

    def any(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, start)
        return i < len(self.starts) and self.starts[i] < end and self.ends[i] <= end


@dataclass(frozen=True, slots=True)
class Spots:
    items: Found
    people: Found
    places: Found
    days: Found
    timed: Found
    day_matches: tuple[re.Match[str], ...] = ()

    def day_matches_in(self, start: int, end: int) -> list[re.Match[str]]:
        """The day phrases (as matches on the whole message) inside ``start:end``."""
        return [m for m in self.day_matches if start <= m.start() and m.end() <= end]

    def is_timed(self, start: int, end: int) -> bool:
        """``start:end`` names a day, a clock time or money."""
        return self.days.any(start, end) or self.timed.any(start, end)

    def is_concrete(self, start: int, end: int) -> bool:
        """``start:end`` names an item, a day, a clock time or money."""
        return self.is_timed(start, end) or self.items.any(start, end)


_SECTIONS = ("items", "people", "places")


@cache
def _first_words() -> frozenset[str]:
    return frozenset(word for section in _SECTIONS for word in _list(section).lengths)


@cache
def _day_openers() -> frozenset[str]:
    """Words worth a closer look as the start of a day phrase (besides numbers): the triggers,
    their possessives ("wednesday's pick-up") and the leads ("the", "next")."""
    triggers = day_starts()
    return triggers | {word + "'s" for word in triggers} | _LEADS


def _lookup(words: list[str], tokens: list[re.Match[str]]) -> dict[str, Found]:
    """The entries of the item, people and place lists in the words, longest first, without overlaps."""
    found: dict[str, list[tuple[int, int, str]]] = {section: [] for section in _SECTIONS}
    resume = dict.fromkeys(_SECTIONS, 0)
    firsts = _first_words()
    count = len(words)
    for i in [i for i, word in enumerate(words) if word in firsts]:
        word = words[i]
        for section in _SECTIONS:
            if i < resume[section]:
                continue
            table = _list(section)
            # Longest first; at most one entry of each length can be the words here.
            for n in table.lengths.get(word, ()):
                entry = tuple(words[i : i + n])
                after = words[i + n] if i + n < count else ""
                if i + n <= count and entry in table.entries and after not in table.not_before:
                    found[section].append((tokens[i].start(), tokens[i + n - 1].end(), " ".join(entry)))
                    resume[section] = i + n
                    break
    return {section: Found.of(matches) for section, matches in found.items()}


def spot(folded: str) -> Spots:
    """Every match of the word lists and the day and time patterns in the folded message."""
    tokens = list(_WORD.finditer(folded))
    words = [t.group() for t in tokens]
    days: list[tuple[int, int, str]] = []
    matches: list[re.Match[str]] = []
    pattern, triggers, openers, resume = day_words(), day_starts(), _day_openers(), 0
    # The day pattern is tried only where a day can start: a day word ("wednesday's pick-up" too), a number,
    # or "the", "this", "next" before a day, a week or a number. Most words are none of these.
    for i in [i for i, word in enumerate(words) if word in openers or word[0].isdigit()]:
        word, start = words[i], tokens[i].start()
        if start < resume:
            continue
        if word in _LEADS:
            following = words[i + 1] if i + 1 < len(words) else ""
            if not (following in triggers or following in _LED or following[:1].isdigit()):
                continue
        m = pattern.match(folded, start)
        if m and m.end() > m.start():
            days.append((m.start(), m.end(), m.group()))
            matches.append(m)
            resume = m.end()
    timed = [(m.start(), m.end(), m.group()) for m in _TIMED.finditer(folded)]
    lists = _lookup(words, tokens)
    return Spots(
        items=lists["items"],
        people=lists["people"],
        places=lists["places"],
        days=Found.of(days),
        timed=Found.of(timed),
        day_matches=tuple(matches),
    )
