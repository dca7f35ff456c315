"""Dates and times in an ask, resolved against when the message was received.

Days ("Sunday", "next Friday", "tomorrow", "3 December", "12/3") are resolved
by ``dateparser`` relative to the received day, preferring the future; clock
times ("by 5", "17:30", "6pm", "not 7") are read here, because a bare "5" in
"back by 5 on Sunday" is a time of day that date libraries read as a month or
a day. dateparser is slow to import and takes a millisecond or two a call,
so it is imported on first use and only ever sees the short day phrases found
below, each resolved once per received day (cached).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cache, lru_cache

from levelhead.triage._data import load

_WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
_WEEKDAY_NAMES = _WEEKDAYS.split("|")
_ABBREVIATED = {
    "tues": "tuesday", "tue": "tuesday", "weds": "wednesday", "wed": "wednesday", "thurs": "thursday",
    "thur": "thursday", "thu": "thursday", "fri": "friday", "sat": "saturday", "sun": "sunday", "mon": "monday",
}  # fmt: skip
# The abbreviations as whole words, in one pass (each expands to a full name no other abbreviation matches).
_ABBREVIATION = re.compile(r"\b(?:" + "|".join(_ABBREVIATED) + r")\b")
_PLURAL_DAY = re.compile(r"(day)s\b")
# "sat", "sun" and "mon" are also words: a day only after "on", "by", "this", "next", "from", "until" or
# before a time ("Sat 10am", "sun morning").
_SHORT_DAYS = (
    r"(?:(?<=\bon\s)|(?<=\bby\s)|(?<=\bthis\s)|(?<=\bnext\s)|(?<=\bfrom\s)|(?<=\buntil\s))(?:sat|sun|mon)\b"
    r"|(?:sat|sun|mon)\b(?=\.?\s*(?:\d|at\b|morning|afternoon|evening|night|pls\b|please\b|\?))"
)


@cache
def _holidays() -> dict[str, tuple[int, int]]:
    return {name: (int(m), int(d)) for name, (m, d) in load("facts")["holidays"].items()}


@cache
def _day_pattern() -> re.Pattern[str]:
    holidays = "|".join(sorted((re.escape(h) for h in _holidays()), key=len, reverse=True))
    return re.compile(
        rf"""\b(?:
            (?P<weekday>(?:(?:this|next|coming)\s+)?(?:(?:{_WEEKDAYS}|tues|tue|weds|wed|thurs|thur|thu|fri)s?|{_SHORT_DAYS}))\b
              (?:\s+(?P<part>morning|afternoon|evening|night))?
          | (?P<relative>(?:the\s+)?day\s+after\s+tomorrow|today|tonight|tomorrow|tmrw|tmr|next\s+week)
          | (?P<weekend>(?:this|next|the|coming)\s+weekend)
          | (?P<monthday>(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?
              | \d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b(?:\s+\d{{4}})?)
          | (?P<ordinal>(?:the\s+)?\d{{1,2}}(?:st|nd|rd|th))
          | (?P<numeric>\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?|\d{{4}}-\d{{2}}-\d{{2}})
          | (?P<holiday>{holidays})
        )\b""",
        re.VERBOSE,
    )


def day_words() -> re.Pattern[str]:
    """Any day phrase ("Sunday", "tomorrow", "3 December", "the 14th"), in folded text."""
    return _day_pattern()


@cache
def day_starts() -> frozenset[str]:
    """The words a day phrase can start with (besides a number): where ``day_words`` is worth trying."""
    words = {*_WEEKDAY_NAMES, *(w + "s" for w in _WEEKDAY_NAMES), *_ABBREVIATED, *_MONTHS.split("|")}
    words |= {"day", "today", "tonight", "tomorrow", "tmrw", "tmr"}
    words |= {h.split()[0] for h in _holidays()}
    return frozenset(words)


_UNITS = (
    r"years?|yrs?|weeks?|days?|months?|hours?|hrs?|minutes?|mins?|kids?|children|people|times|dollars|bucks"
    r"|pounds|quid|euros|percent|%|of\b|st\b|nd\b|rd\b|th\b|/|-"
)
_CLOCK = re.compile(
    rf"""(?<![\d$£€.,:/])(?=[\dabfmnotu])(?:  # the first characters any branch can start with: fast to skip
        (?P<h1>\d{{1,2}})(?:[:.](?P<m1>\d{{2}}))?\s*(?P<ampm>[ap])\.?m\b\.?
      | (?P<h2>\d{{1,2}})[:.](?P<m2>\d{{2}})(?![\d/])
      | (?P<h3>\d{{1,2}})\s*o'?clock\b
      | \b(?:at|by|around|before|after|until|till|til|from|not|than|of|about)\s+(?P<h4>\d{{1,2}})\b
        (?!\s*(?:{_UNITS})|[.,]\d|[:/-]\d|\s*(?:-|to|and|until|till)\s*\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS}))
      | (?P<word>noon|midday|midnight)\b
    )""",
    re.VERBOSE,
)
_CORRECTION = re.compile(r"(?:\bnot|\binstead of|\brather than|\bwas|\bchanged from|\busual(?:ly)?)\s+(?:at\s+)?$")
_EVENING = re.compile(r"\b(?:tonight|evening|night|dinner|bedtime|pm)\b")


@dataclass(frozen=True, slots=True)
class Moment:
    """What an ask says about time: the day, the clock time, and the time it replaces."""

    day: date | None
    clock: time | None
    was: time | None
    day_text: str = ""


def find_moment(
    folded: str,
    received: datetime,
    date_order: str = "MDY",
    month: int | None = None,
    days: Sequence[re.Match[str]] | None = None,
    offset: int = 0,
) -> Moment:
    """The first day phrase and the first clock time of ``folded`` (one ask), resolved against ``received``.

    ``month``: the month the message is about, if it names one ("Christmas", "December"), for "the 24th".
    ``days``: the day phrases already found in the whole message that lie in this ask, whose
    ``folded`` starts at ``offset`` in it (saves looking for them again).
    """
    day: date | None = None
    day_text = ""
    day_span = (0, 0)
    found = days if days is not None else list(_day_pattern().finditer(folded))
    shift = offset if days is not None else 0
    for m in found:
        day = _resolve_day(m, received.date(), _zone_name(received.tzinfo), date_order, month)
        if day is not None:
            day_text, day_span = m.group(0), (m.start() - shift, m.end() - shift)
            break
    clock: time | None = None
    was: time | None = None
    evening = bool(_EVENING.search(folded))
    for m in _CLOCK.finditer(folded):
        if day_span[0] <= m.start() < day_span[1]:
            continue  # the "3" of "the 3rd", the "12" of "12/3"
        value = _clock(m, evening)
        if value is None:
            continue
        hour_at = next(m.start(g) for g in ("h1", "h2", "h3", "h4", "word") if m.group(g))
        if _CORRECTION.search(folded[max(0, hour_at - 20) : hour_at]):
            was = was or value
        elif clock is None:
            clock = value
    if clock is not None and day is None:
        # A time with no day: the next time that clock time comes round.
        day = received.date()
        if datetime.combine(day, clock) <= received.replace(tzinfo=None):
            day += timedelta(days=1)
    return Moment(day, clock, was, day_text)


def _clock(m: re.Match[str], evening: bool) -> time | None:
    if m.group("word"):
        return time(0, 0) if m.group("word") == "midnight" else time(12, 0)
    hour_text = m.group("h1") or m.group("h2") or m.group("h3") or m.group("h4")
    minute_text = m.group("m1") or m.group("m2") or "0"
    hour, minute = int(hour_text), int(minute_text)
    if minute > 59:
        return None
    if m.group("ampm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m.group("ampm") == "p" else 0)
    elif m.group("h2") and hour >= 13:
        if hour > 23:
            return None
    else:
        if not 1 <= hour <= 12:
            return None
        # A bare hour in co-parenting logistics: 1 to 7 is afternoon or evening; 8 to 11 is morning unless
        # the ask speaks of the evening ("at 8 tonight").
        if hour <= 7 or (hour <= 11 and evening):
            hour += 12
    return time(hour % 24, minute)


def _zone_name(zone: tzinfo | None) -> str:
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    name = zone.tzname(None) if zone is not None else None
    return name or "UTC"


def month_named(day_phrases: Iterable[str]) -> int | None:
    """The month the day phrases of a message name (by name or by a holiday), to place "the 24th"."""
    holidays = _holidays()
    for phrase in day_phrases:
        text = " ".join(phrase.split())
        if text in holidays:
            return holidays[text][0]
        name = re.search(rf"\b(?:{_MONTHS})\b", text)
        if (name and not text[0].isalpha()) or (name and re.match(_MONTHS, text)):
            return _month_number(name.group())
    return None


def _month_number(name: str) -> int:
    return [n[:3] for n in _MONTHS.split("|")[:12]].index(name[:3]) + 1


def _resolve_day(m: re.Match[str], base: date, zone: str, date_order: str, month: int | None = None) -> date | None:
    text = " ".join(m.group(0).split())
    if m.group("holiday"):
        month, day = _holidays()[text]
        found = date(base.year, month, day)
        return found if found >= base else date(base.year + 1, month, day)
    if m.group("ordinal"):
        return _next_day_of_month(base, int(re.sub(r"\D", "", text)), month)
    if m.group("weekend"):
        text = "next saturday" if text.startswith("next") else "saturday"
    if m.group("weekday"):
        text = _ABBREVIATION.sub(lambda short: _ABBREVIATED[short.group()], m.group("weekday"))
        text = _PLURAL_DAY.sub(r"\1", text)
        if _WEEKDAY_NAMES[base.weekday()] in text and not text.startswith("next"):
            return base  # "on Friday", written on a Friday, is most often today
    if text in ("tonight",):
        text = "today"
    return _parse_day(text, base, zone, date_order)


def _next_day_of_month(base: date, day: int, named: int | None = None) -> date | None:
    """Resolve "the 14th": in the month the message names, else this month's when still to come, else next month's."""
    year, month = base.year, named or base.month
    if named is not None and named < base.month:
        year += 1
    for _ in range(1 if named else 3):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= base:
            return found
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return None


@lru_cache(maxsize=2048)
def _parse_day(phrase: str, base: date, zone: str, date_order: str) -> date | None:
    """Resolve a day phrase with dateparser, relative to the start of ``base`` and preferring the future."""
    import dateparser  # slow to import: only when a message names a day

    settings = {
        "RELATIVE_BASE": datetime.combine(base, time(0, 0)),
        "PREFER_DATES_FROM": "future",
        "TIMEZONE": zone,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "DATE_ORDER": date_order,
    }
    try:
        parsed: datetime | None = dateparser.parse(phrase, languages=["en"], settings=settings)
    except (ValueError, OverflowError, LookupError):
        return None
    if parsed is None:
        return None
    found = parsed.date()
    if found < base and not re.search(r"\d{4}", phrase):
        # "Sunday" said on a Monday means the coming one; a date with no year means the next one.
        if re.search(_WEEKDAYS, phrase):
            found += timedelta(days=7 * ((base - found).days // 7 + 1))
        else:
            try:
                found = found.replace(year=found.year + 1)
            except ValueError:
                return None
    return found


def day_label(day: date, received: date) -> str:
    """How a summary names a day: its weekday within the coming week, else "Thu 3 Dec"."""
    delta = (day - received).days
    if 0 <= delta < 7:
        return f"{day:%A}"
    return f"{day:%a} {day.day} {day:%b}"
