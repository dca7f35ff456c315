"""Pace and proportion statistics over the conversation history, for the PC rules.

"Mirror their energy and response time": these functions measure how long
their messages are, how long they usually take to answer, how many of my
messages are waiting for an answer, and how often I have written about
something other than logistics. They are pure functions over
``situation.history`` (a tuple of ``Message``, oldest first) and never raise on
odd input: an empty history, messages after ``now``, empty texts or naive
timestamps (read in ``now``'s zone, else UTC) all give a sensible answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from itertools import pairwise

from levelhead.situation import Message
from levelhead.text import words

# A message of mine sent this long after their last one starts a new contact
# rather than answering it (used to tell check-ins from replies).
REPLY_WINDOW = timedelta(hours=24)


def median(values: Iterable[float]) -> float | None:
    """The median (the mean of the middle two for an even count), or None for no values.

    Written out rather than taken from ``statistics``, whose import (fractions, decimal) costs a
    one-off ``levelhead check`` more than all its medians together.
    """
    items = sorted(values)
    middle = len(items) // 2
    if not items:
        return None
    return float(items[middle]) if len(items) % 2 else (items[middle - 1] + items[middle]) / 2


@lru_cache(maxsize=4096)
def word_count(text: str) -> int:
    return len(words(text))


def _aware(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone or UTC)


# The rules of one check all ask for the same history up to the same moment: remember the last answer.
_last: tuple[tuple[Message, ...], datetime | None, tuple[Message, ...]] | None = None


def timeline(history: Iterable[Message], now: datetime | None = None) -> list[Message]:
    """The history in time order (stable), up to and including ``now`` when given, timestamps made aware."""
    global _last
    last = _last
    if last is not None and last[0] is history and last[1] == now:
        return list(last[2])
    items = _timeline(history, now)
    if isinstance(history, tuple):
        _last = (history, now, tuple(items))
    return items


def _timeline(history: Iterable[Message], now: datetime | None) -> list[Message]:
    zone = now.tzinfo if now is not None else None
    items = [m if m.at.tzinfo is not None else Message(_aware(m.at, zone), m.sender, m.text) for m in history]
    if any(b.at < a.at for a, b in pairwise(items)):
        items.sort(key=lambda m: m.at)
    if now is not None:
        limit = _aware(now, None)
        items = [m for m in items if m.at <= limit]
    return items


def last_from(history: Iterable[Message], sender: str, now: datetime | None = None) -> Message | None:
    """The latest message from ``sender`` ("me" or "them"), or None."""
    for message in reversed(timeline(history, now)):
        if message.sender == sender:
            return message
    return None


def median_length(
    history: Iterable[Message], sender: str = "them", last_n: int = 5, now: datetime | None = None
) -> float | None:
    """Median word count of the last ``last_n`` non-empty messages from ``sender``; None without any."""
    lengths: list[int] = []
    for message in reversed(timeline(history, now)):
        if len(lengths) >= last_n:
            break
        if message.sender == sender and (n := word_count(message.text)) > 0:
            lengths.append(n)
    return median(lengths)


def their_median_length(history: Iterable[Message], last_n: int = 5, now: datetime | None = None) -> float | None:
    """Median word count of their last ``last_n`` messages (empty ones, e.g. photos, skipped)."""
    return median_length(history, "them", last_n, now)


def reply_delays(history: Iterable[Message], responder: str = "them", now: datetime | None = None) -> list[timedelta]:
    """How long ``responder`` took to answer, once per turn: from the other side's latest message to the reply."""
    return [delay for _, delay in timed_reply_delays(history, responder, now)]


def timed_reply_delays(
    history: Iterable[Message], responder: str = "them", now: datetime | None = None
) -> list[tuple[datetime, timedelta]]:
    """Like :func:`reply_delays`, with the time of each reply: ``(replied at, delay)``."""
    delays: list[tuple[datetime, timedelta]] = []
    previous: Message | None = None
    for message in timeline(history, now):
        if previous is not None and message.sender == responder and previous.sender != responder:
            delays.append((message.at, message.at - previous.at))
        previous = message
    return delays


def median_delay(delays: Sequence[timedelta]) -> timedelta | None:
    value = median(d.total_seconds() for d in delays)
    return None if value is None else timedelta(seconds=value)


def their_median_reply_delay(
    history: Iterable[Message], last_n: int = 10, now: datetime | None = None
) -> timedelta | None:
    """The median of their last ``last_n`` reply delays to my messages; None when they never replied."""
    delays = reply_delays(history, "them", now)
    return median_delay(delays[-last_n:]) if last_n > 0 else None


def my_median_reply_delay(
    history: Iterable[Message], last_n: int = 10, now: datetime | None = None
) -> timedelta | None:
    """The median of my last ``last_n`` reply delays to their messages."""
    delays = reply_delays(history, "me", now)
    return median_delay(delays[-last_n:]) if last_n > 0 else None


def unanswered(history: Iterable[Message], now: datetime | None = None) -> list[Message]:
    """My messages since their last one (all of mine if they never wrote), oldest first."""
    items = timeline(history, now)
    streak: list[Message] = []
    for message in reversed(items):
        if message.sender != "me":
            break
        streak.append(message)
    streak.reverse()
    return streak


def unanswered_streak(history: Iterable[Message], now: datetime | None = None) -> int:
    """How many messages I have sent since their last reply."""
    return len(unanswered(history, now))


def is_check_in(message: Message, previous: Message | None) -> bool:
    """A message of mine that is not about logistics and does not answer a recent message of theirs."""
    from levelhead.logistics import analyse_text  # here: its phrase tables are a cost only this function needs

    if message.sender != "me" or analyse_text(message.text).is_logistics:
        return False
    answers_them = previous is not None and previous.sender == "them" and message.at - previous.at <= REPLY_WINDOW
    return not answers_them


def recent_check_ins(history: Iterable[Message], now: datetime, days: float = 7) -> list[Message]:
    """My non-logistics contacts in the ``days`` before ``now``, oldest first; prompt replies to them excluded."""
    items = timeline(history, now)
    since = _aware(now, None) - timedelta(days=days)
    found: list[Message] = []
    for i, message in enumerate(items):
        if message.at <= since:
            continue
        if is_check_in(message, items[i - 1] if i else None):
            found.append(message)
    return found


def describe_delay(delay: timedelta) -> str:
    """A duration in words, rounded: "12 minutes", "about 3 hours", "about 2 days"."""
    seconds = max(0.0, delay.total_seconds())
    minutes = seconds / 60
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        n = round(minutes)
        return f"{n} minute{'s' if n != 1 else ''}"
    hours = minutes / 60
    if hours < 36:
        n = round(hours)
        return "about an hour" if n == 1 else f"about {n} hours"
    n = round(hours / 24)
    return f"about {n} days"


def describe_moment(moment: datetime, now: datetime) -> str:
    """A moment relative to ``now``, in ``now``'s zone: "today at 19:30", "tomorrow at 09:00", "Monday at 19:30"."""
    local = _aware(moment, now.tzinfo).astimezone(now.tzinfo) if now.tzinfo else moment
    days = (local.date() - now.date()).days
    clock = f"{local:%H:%M}"
    if days == 0:
        return f"today at {clock}"
    if days == 1:
        return f"tomorrow at {clock}"
    if 1 < days < 7:
        return f"{local:%A} at {clock}"
    return f"{local:%A} {local.day} {local:%B %Y} at {clock}"


def describe_date(day: date) -> str:
    """A date in words: "Wednesday 30 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


# --- whole-history figures (levelhead stats / report) ------------------------------------------------

# A message after this long a silence starts a new conversation: its sender initiated it.
CONVERSATION_GAP = timedelta(hours=6)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def initiations(history: Iterable[Message], gap: timedelta = CONVERSATION_GAP) -> list[Message]:
    """The messages that start a conversation: the first one, and each after ``gap`` or more of silence."""
    starts: list[Message] = []
    previous: Message | None = None
    for message in timeline(history):
        if previous is None or message.at - previous.at >= gap:
            starts.append(message)
        previous = message
    return starts


def runs(history: Iterable[Message]) -> list[tuple[str, int]]:
    """Consecutive messages from one side, in order: ``(sender, how many)``; the last run may still be open."""
    found: list[tuple[str, int]] = []
    for message in timeline(history):
        if found and found[-1][0] == message.sender:
            found[-1] = (message.sender, found[-1][1] + 1)
        else:
            found.append((message.sender, 1))
    return found
