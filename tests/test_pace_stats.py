"""levelhead.pace_stats: lengths, reply delays, unanswered streaks and check-ins over the history."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead import pace_stats
from levelhead.situation import Message

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def msg(hours: float, sender: str, text: str = "ok") -> Message:
    return Message(T0 + timedelta(hours=hours), sender, text)  # type: ignore[arg-type]


HISTORY = (
    msg(0, "me", "Can you do Saturday pick-up at 10?"),
    msg(24, "them", "Maybe."),
    msg(25, "me", "Or Sunday?"),
    msg(27, "me", "Let me know."),
    msg(47, "them", "Sunday is fine for me."),
    msg(48, "them", ""),
    msg(50, "me", "Great, thanks."),
)


def test_median() -> None:
    assert pace_stats.median([]) is None
    assert pace_stats.median([3, 1, 2]) == 2
    assert pace_stats.median([1, 2, 3, 4]) == 2.5


def test_their_median_length_skips_empty_messages() -> None:
    assert pace_stats.their_median_length(HISTORY) == 3  # "Maybe." (1) and "Sunday is fine for me." (5)
    assert pace_stats.their_median_length(HISTORY, last_n=1) == 5
    assert pace_stats.their_median_length(()) is None


def test_reply_delays_measure_from_the_latest_message_of_the_other_side() -> None:
    assert pace_stats.reply_delays(HISTORY, "them") == [timedelta(hours=24), timedelta(hours=20)]
    assert pace_stats.reply_delays(HISTORY, "me") == [timedelta(hours=1), timedelta(hours=2)]
    assert pace_stats.their_median_reply_delay(HISTORY) == timedelta(hours=22)
    assert pace_stats.my_median_reply_delay(HISTORY) == timedelta(hours=1, minutes=30)


def test_unanswered_streak() -> None:
    assert pace_stats.unanswered_streak(HISTORY) == 1
    now = T0 + timedelta(hours=30)  # before their reply at 47h
    assert pace_stats.unanswered_streak(HISTORY, now) == 2
    assert [m.text for m in pace_stats.unanswered(HISTORY, now)] == ["Or Sunday?", "Let me know."]
    assert pace_stats.unanswered_streak((msg(0, "me"), msg(1, "me"))) == 2


def test_last_from() -> None:
    last = pace_stats.last_from(HISTORY, "them")
    assert last is not None and last.at == T0 + timedelta(hours=48)
    assert pace_stats.last_from(HISTORY, "them", now=T0 + timedelta(hours=10)) is None


def test_check_ins_exclude_logistics_and_prompt_replies() -> None:
    history = (
        msg(0, "me", "How was your day?"),
        msg(30, "me", "Can you bring Leo's coat on Friday?"),
        msg(40, "them", "How are you?"),
        msg(41, "me", "Good, you?"),  # answers them within a day
        msg(100, "me", "Thinking of you"),
    )
    now = T0 + timedelta(hours=101)
    found = pace_stats.recent_check_ins(history, now, days=7)
    assert [m.text for m in found] == ["How was your day?", "Thinking of you"]
    assert [m.text for m in pace_stats.recent_check_ins(history, now, days=3)] == ["Thinking of you"]


def test_timeline_sorts_and_cuts_at_now() -> None:
    history = (msg(5, "them"), msg(1, "me"), msg(9, "me"))
    items = pace_stats.timeline(history, T0 + timedelta(hours=6))
    assert [m.at for m in items] == [T0 + timedelta(hours=1), T0 + timedelta(hours=5)]


def test_naive_timestamps_are_read_in_the_zone_of_now() -> None:
    naive = Message(datetime(2026, 11, 1, 9, 0), "them", "Hi")
    now = datetime(2026, 11, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    items = pace_stats.timeline((naive,), now)
    assert items and items[0].at.tzinfo is not None


def test_describe_delay() -> None:
    assert pace_stats.describe_delay(timedelta(seconds=20)) == "under a minute"
    assert pace_stats.describe_delay(timedelta(minutes=1)) == "1 minute"
    assert pace_stats.describe_delay(timedelta(minutes=12)) == "12 minutes"
    assert pace_stats.describe_delay(timedelta(minutes=70)) == "about an hour"
    assert pace_stats.describe_delay(timedelta(hours=20)) == "about 20 hours"
    assert pace_stats.describe_delay(timedelta(days=3, hours=2)) == "about 3 days"


def test_describe_moment() -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)  # a Friday
    assert pace_stats.describe_moment(now.replace(hour=19, minute=30), now) == "today at 19:30"
    assert pace_stats.describe_moment(now + timedelta(days=1), now) == "tomorrow at 12:00"
    assert pace_stats.describe_moment(now + timedelta(days=3), now) == "Monday at 12:00"
    assert pace_stats.describe_moment(now + timedelta(days=10), now) == "Monday 30 November 2026 at 12:00"
    assert pace_stats.describe_date(date(2026, 12, 30)) == "Wednesday 30 December 2026"


ZONES = st.sampled_from([UTC, timezone(timedelta(hours=-5)), ZoneInfo("Europe/London"), None])
MESSAGES = st.builds(
    Message,
    at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=ZONES),
    sender=st.sampled_from(["me", "them"]),
    text=st.one_of(st.text(max_size=80), st.sampled_from(["", "Ok.", "Can you take Leo on Friday at 5?", "miss you"])),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(MESSAGES, max_size=30), st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)))
def test_random_histories_never_crash_and_stay_in_range(history: list[Message], moment: datetime) -> None:
    now = moment.replace(tzinfo=UTC)
    items = pace_stats.timeline(history, now)
    assert all(a.at <= b.at for a, b in pairwise(items))
    assert all(m.at <= now for m in items)

    lengths = [pace_stats.word_count(m.text) for m in items if m.sender == "them"]
    lengths = [n for n in lengths if n > 0]
    typical = pace_stats.their_median_length(history, last_n=50, now=now)
    if lengths:
        assert typical is not None and min(lengths) <= typical <= max(lengths)
    else:
        assert typical is None

    delays = pace_stats.reply_delays(history, "them", now)
    usual = pace_stats.their_median_reply_delay(history, last_n=100, now=now)
    if delays:
        assert usual is not None and min(delays) <= usual <= max(delays)
        assert all(d >= timedelta(0) for d in delays)
    else:
        assert usual is None

    streak = pace_stats.unanswered(history, now)
    assert len(streak) <= len(items) and all(m.sender == "me" for m in streak)
    if streak and len(streak) < len(items):
        assert items[-len(streak) - 1].sender == "them"

    check_ins = pace_stats.recent_check_ins(history, now, days=7)
    assert all(m.sender == "me" and now - timedelta(days=7) < m.at <= now for m in check_ins)
    assert pace_stats.describe_delay(now - items[0].at if items else timedelta(0))


@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), max_size=40))
def test_median_is_the_statistics_median(values: list[float]) -> None:
    assert pace_stats.median(values) == (float(statistics.median(values)) if values else None)
