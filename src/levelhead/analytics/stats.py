"""The figures behind ``levelhead stats`` and ``levelhead report``, as one JSON-ready mapping.

Definitions (also in docs/stats.md):

- reply delay: from the other side's latest message to the answer, once per turn (as the PC rules
  measure it, :func:`levelhead.pace_stats.reply_delays`); "recent" counts replies sent in the last
  ``weeks`` weeks.
- length: words (runs of non-space characters) of text messages; media and deleted messages are left
  out (``str.split``: the PC rules' tokenizer is ~50x slower and counts nearly the same).
- initiation: the first message after ``CONVERSATION_GAP`` (6 hours) or more of silence, or the first
  message of all; its sender initiated that conversation.
- streak: messages in a row from one side; the last one is still open (unanswered).
- weeks: ISO weeks (Monday first) in the local zone (the situation's time zone, else this machine's).
- tone: the tone model scores a fixed sample, so any history costs about the same (well under a
  second): at most ``TONE_SAMPLE`` text messages per side and week over the last ``TONE_WEEKS`` weeks
  (the weekly series and the recent shares), and ``TONE_ALL`` per side spread over the whole history
  (the all-time shares). A message is negative when the model's "negative" group label fires, angry
  when its Ekman "anger" label does. Shares of a sample are estimates.
- adherence: each message is held against the agreements in force when it was sent (created before it,
  not ended yet): during a no-contact agreement (before its end date), or outside every agreed contact
  window while windows are agreed.

Everything is computed over columns (:class:`levelhead.storage.bulkread.Conversation`: numpy arrays of
times, sides and kinds) rather than one message at a time, so 100,000 messages cost tens of
milliseconds; tests hold the results to the per-message definitions (pace_stats, one zone conversion
per message).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from levelhead import pace_stats
from levelhead.situation import ContactWindow
from levelhead.storage.bulkread import KINDS, Conversation
from levelhead.storage.view import StoredAgreement, from_micros, merge_agreements, to_micros

if TYPE_CHECKING:
    from levelhead.storage.store import StoredMessage

CONVERSATION_GAP = pace_stats.CONVERSATION_GAP
TONE_SAMPLE = 10  # text messages scored per side and week, over the last TONE_WEEKS weeks
TONE_WEEKS = 52
TONE_ALL = 250  # text messages per side, spread over the whole history, for the all-time shares
SIDES = ("me", "them")
Analytics = dict[str, Any]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
MICROS = 1_000_000
TEXT = KINDS.index("text")


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _delay_figures(delays: Sequence[float]) -> dict[str, Any]:
    return {
        "count": len(delays),
        "median_s": _seconds(pace_stats.median(delays)),
        "p90_s": _seconds(pace_stats.percentile(delays, 90)),
    }


def _length_figures(lengths: Sequence[int]) -> dict[str, Any]:
    return {
        "count": len(lengths),
        "median_words": pace_stats.median(lengths),
        "mean_words": round(sum(lengths) / len(lengths), 1) if lengths else None,
        "p90_words": pace_stats.percentile(lengths, 90),
    }


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week_label(start: date) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


class _Weeks:
    """The local weeks (Monday first) from ``first`` to ``last``, and which one a UTC moment falls in.

    Each week's start (local midnight on its Monday) is turned into UTC microseconds once, so placing
    100,000 moments is one binary search over a few hundred numbers rather than a zone conversion each.
    """

    def __init__(self, first: date, last: date, zone: tzinfo) -> None:
        self.first = first
        self.count = (last - first).days // 7 + 1
        mondays = [first + timedelta(weeks=k) for k in range(1, self.count + 1)]
        self.ends = np.asarray([to_micros(datetime.combine(d, time.min, tzinfo=zone)) for d in mondays], np.int64)

    def of(self, moments: Ints) -> Ints:
        """The week number (0: ``first``) of each moment (UTC microseconds) in the range."""
        index: Ints = np.searchsorted(self.ends, moments, side="right").astype(np.int64)
        return index

    def start(self, k: int) -> date:
        return self.first + timedelta(weeks=k)


def _local_week(micros: int, zone: tzinfo) -> date:
    return _week_start(from_micros(micros).astimezone(zone).date())


def _medians(values: Ints, groups: Ints, count: int) -> list[float | None]:
    """The median of ``values`` (seconds) in each of ``count`` groups; groups ascend with the values' order."""
    bounds = np.searchsorted(groups, np.arange(count + 1)).tolist()
    seconds: list[float] = (values / MICROS).tolist()
    return [pace_stats.median(seconds[a:b]) for a, b in pairwise(bounds)]


def compute(
    messages: Sequence[StoredMessage] | Conversation,
    agreements: Sequence[StoredAgreement] = (),
    *,
    now: datetime,
    weeks: int = 8,
    zone: tzinfo | None = None,
    tone: bool = True,
) -> Analytics:
    """All the figures over ``messages`` (oldest first, as :meth:`Store.history` or :mod:`bulkread` give them).

    Works on columns (one numpy array per field), never on one object per message: 100,000 messages take
    a few tens of milliseconds. Message times are reported in UTC.
    """
    chat = _in_time_order(messages if isinstance(messages, Conversation) else Conversation.of(messages))
    local_zone: tzinfo = zone or now.astimezone().tzinfo or UTC
    since = now - timedelta(weeks=weeks)
    at, is_me = chat.at, chat.from_me
    n = len(at)
    is_them = ~is_me
    recent = at >= to_micros(since)

    calendar: _Weeks | None = None
    week = np.zeros(0, np.int64)
    weekly: list[dict[str, Any]] = []
    if n:
        first = _local_week(int(at[0]), local_zone)
        last = max(_local_week(int(at[-1]), local_zone), _week_start(now.astimezone(local_zone).date()))
        calendar = _Weeks(first, last, local_zone)
        week = calendar.of(at)
        for k in range(calendar.count):
            start = calendar.start(k)
            weekly.append({"week": _week_label(start), "start": start.isoformat()})
        for side, mask in (("me", is_me), ("them", is_them)):
            for row, count in zip(weekly, np.bincount(week[mask], minlength=len(weekly)).tolist(), strict=True):
                row[side] = count
        for row in weekly:
            row["initiated_me"] = row["initiated_them"] = 0

    # A reply: a message from one side right after the other side's; its delay runs from that message.
    gaps = np.diff(at)
    turned = is_me[1:] != is_me[:-1]
    delays: dict[str, Any] = {}
    weekly_delays: dict[str, list[float | None]] = {}
    for side, mask in (("me", is_me), ("them", is_them)):
        replies = np.flatnonzero(turned & mask[1:]) + 1
        waited = gaps[replies - 1]
        # Sorted by numpy first: the median and percentile sort again, which costs nothing on sorted input.
        all_time: list[float] = np.sort(waited / MICROS).tolist()
        in_recent: list[float] = np.sort(waited[recent[replies]] / MICROS).tolist()
        delays[side] = {"all_time": _delay_figures(all_time), "recent": _delay_figures(in_recent)}
        weekly_delays[side] = _medians(waited, week[replies], len(weekly))
    for k, row in enumerate(weekly):
        for side in SIDES:
            row[f"reply_median_s_{side}"] = _seconds(weekly_delays[side][k])

    lengths: dict[str, Any] = {}
    words = np.asarray([len(text.split()) for text in chat.text], np.int64)
    counted = (chat.kind == TEXT) & (words > 0)  # words > 0 exactly when text.strip(): both use str.isspace
    for side, mask in (("me", is_me), ("them", is_them)):
        lengths[side] = {
            "all_time": _length_figures(np.sort(words[counted & mask]).tolist()),
            "recent": _length_figures(np.sort(words[counted & mask & recent]).tolist()),
        }

    starts = np.flatnonzero(np.concatenate([np.ones(min(n, 1), np.bool_), gaps >= _micros(CONVERSATION_GAP)]))
    initiations: dict[str, Any] = {"gap_hours": CONVERSATION_GAP.total_seconds() / 3600, "all_time": {}, "recent": {}}
    for side, mask in (("me", is_me), ("them", is_them)):
        mine_started = starts[mask[starts]]
        initiations["all_time"][side] = len(mine_started)
        initiations["recent"][side] = int(np.count_nonzero(recent[mine_started]))
        for k, count in enumerate(np.bincount(week[mine_started], minlength=len(weekly)).tolist()):
            weekly[k][f"initiated_{side}"] = count

    # Runs of messages from one side: where the side changes, a new run starts.
    run_starts = np.flatnonzero(np.concatenate([np.ones(min(n, 1), np.bool_), turned]))
    run_lengths = np.diff(np.append(run_starts, n))
    run_is_me = is_me[run_starts]
    streaks = {}
    for side, mask in (("me", run_is_me), ("them", ~run_is_me)):
        mine_runs = run_lengths[mask]
        streaks[side] = {
            "longest": int(mine_runs.max(initial=0)),
            "current": int(run_lengths[-1]) if n and bool(mask[-1]) else 0,
            "of_3_or_more": int(np.count_nonzero(mine_runs >= 3)),
        }

    per_week = [row["me"] + row["them"] for row in weekly]
    recent_weeks = per_week[-weeks:] if weeks > 0 else []
    return {
        "generated_at": now.isoformat(),
        "weeks": weeks,
        "since": since.isoformat(),
        "messages": {
            "total": n,
            "me": int(np.count_nonzero(is_me)),
            "them": int(np.count_nonzero(is_them)),
            "media": int(np.count_nonzero(chat.kind == KINDS.index("media"))),
            "deleted": int(np.count_nonzero(chat.kind == KINDS.index("deleted"))),
            "first_at": from_micros(int(at[0])).isoformat() if n else None,
            "last_at": from_micros(int(at[-1])).isoformat() if n else None,
        },
        "reply_delay": delays,
        "length": lengths,
        "initiations": initiations,
        "streaks": streaks,
        "contacts_per_week": {
            "all_time_mean": round(sum(per_week) / len(per_week), 1) if per_week else None,
            "recent_mean": round(sum(recent_weeks) / len(recent_weeks), 1) if recent_weeks else None,
        },
        "weekly": weekly,
        "tone": _tone(chat, counted, week, weekly, recent) if tone else _no_tone("turned off"),
        "adherence": _adherence(chat, agreements, local_zone),
    }


def _micros(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def _in_time_order(chat: Conversation) -> Conversation:
    """The messages sorted by time, ties kept as given (as pace_stats.timeline does); stored ones already are."""
    if np.all(chat.at[1:] >= chat.at[:-1]):
        return chat
    order = np.argsort(chat.at, kind="stable")
    return Conversation(chat.at[order], chat.from_me[order], chat.kind[order], [chat.text[i] for i in order.tolist()])


# --- tone ---------------------------------------------------------------------------------------------------


def _no_tone(why: str) -> dict[str, Any]:
    return {
        "available": False,
        "reason": why,
        "sample_per_week": TONE_SAMPLE,
        "weeks_scored": TONE_WEEKS,
        "sample_all_time": TONE_ALL,
        "weekly": [],
        "all_time": None,
        "recent": None,
    }


def _spread(items: list[int], k: int) -> list[int]:
    """At most ``k`` items spread evenly over ``items`` (deterministic)."""
    if len(items) <= k:
        return items
    step = (len(items) - 1) / (k - 1)
    return [items[round(i * step)] for i in range(k)]


def _tone(chat: Conversation, scored: Bools, week: Ints, weekly: list[dict[str, Any]], recent: Bools) -> dict[str, Any]:
    """The tone figures; ``scored``: the messages the model may read (text messages with words)."""
    if os.environ.get("LEVELHEAD_TONE", "").strip().lower() == "lexicon":
        return _no_tone("LEVELHEAD_TONE=lexicon: the tone model is turned off")
    try:
        from levelhead import tone as tone_package
        from levelhead.tone.types import EKMAN, EMOTIONS, GROUPS

        model = tone_package.load()
    except (ImportError, OSError, ValueError) as err:
        return _no_tone(f"the tone model is not available ({err})")
    # The sample, as positions of text messages: up to TONE_SAMPLE per side in each of the last TONE_WEEKS
    # weeks that have messages, and TONE_ALL per side spread over the whole history.
    first_scored = int(np.searchsorted(week, np.unique(week)[-TONE_WEEKS:][0])) if len(week) else 0
    every: dict[str, list[int]] = {}
    texts: dict[tuple[int, str], list[int]] = {}
    for side, mask in (("me", chat.from_me), ("them", ~chat.from_me)):
        positions = np.flatnonzero(scored & mask)
        every[side] = positions.tolist()
        late = positions[positions >= first_scored]
        weeks_of, starts = np.unique(week[late], return_index=True)
        for k, group in zip(weeks_of.tolist(), np.split(late, starts[1:]) if len(late) else [], strict=True):
            texts[(k, side)] = group.tolist()
    keys = sorted(texts)
    samples = [_spread(texts[key], TONE_SAMPLE) for key in keys] + [_spread(every[s], TONE_ALL) for s in SIDES]
    batch = [chat.text[i] for sample in samples for i in sample]
    negative_col = len(EMOTIONS) + GROUPS.index("negative")
    anger_col = len(EMOTIONS) + len(GROUPS) + EKMAN.index("anger")
    flags: list[tuple[bool, bool]] = []
    if batch:
        # A text reads the same wherever it appears: each distinct text is scored once ("ok", "yes").
        distinct = list(dict.fromkeys(batch))
        row = {text: j for j, text in enumerate(distinct)}
        probs = model.probabilities(distinct)
        thresholds = model.thresholds
        negative = (probs[:, negative_col] >= thresholds[negative_col]).tolist()
        anger = (probs[:, anger_col] >= thresholds[anger_col]).tolist()
        flags = [(negative[j], anger[j]) for j in (row[text] for text in batch)]
    parts: list[list[tuple[bool, bool]]] = []
    for sample in samples:
        parts.append(flags[: len(sample)])
        flags = flags[len(sample) :]

    def shares(part: list[tuple[bool, bool]]) -> dict[str, Any]:
        n = len(part)
        neg, ang = sum(x for x, _ in part), sum(y for _, y in part)
        return {"sampled": n, "negative": round(neg / n, 3) if n else None, "anger": round(ang / n, 3) if n else None}

    recent_weeks = set(week[recent].tolist())
    per_week: dict[int, dict[str, Any]] = {}
    in_recent: dict[str, list[tuple[bool, bool]]] = {side: [] for side in SIDES}
    for (k, side), part in zip(keys, parts, strict=False):
        per_week.setdefault(k, {"week": weekly[k]["week"], "start": weekly[k]["start"]})[side] = shares(part)
        if k in recent_weeks:
            in_recent[side].extend(part)
    overall = dict(zip(SIDES, parts[len(keys) :], strict=True))
    return {
        "available": True,
        "reason": "",
        "sample_per_week": TONE_SAMPLE,
        "weeks_scored": TONE_WEEKS,
        "sample_all_time": TONE_ALL,
        "weekly": [per_week[k] for k in sorted(per_week)],
        "all_time": {side: shares(overall[side]) for side in SIDES},
        "recent": {side: shares(in_recent[side]) for side in SIDES},
    }


# --- adherence ----------------------------------------------------------------------------------------------


def _adherence(chat: Conversation, agreements: Sequence[StoredAgreement], zone: tzinfo) -> dict[str, Any]:
    """Messages during a no-contact agreement, and outside the agreed windows, by side.

    The agreements in force change only at their starts and ends: between two such moments one merged
    view holds, and it is applied to all the messages of that stretch at once.
    """
    at = chat.at
    boundaries = sorted({a.created_at for a in agreements} | {a.ended_at for a in agreements if a.ended_at})
    cuts = [*np.searchsorted(at, np.asarray([to_micros(b) for b in boundaries], np.int64)).tolist(), len(at)]
    during = np.zeros(len(at), np.bool_)
    under = np.zeros(len(at), np.bool_)
    outside = np.zeros(len(at), np.bool_)
    local = _local_micros(at[cuts[0] :], zone) if boundaries else np.zeros(0, np.int64)
    for moment, (lo, hi) in zip(boundaries, pairwise(cuts), strict=True):
        if lo == hi:
            continue
        in_force = merge_agreements([a for a in agreements if a.active_at(moment)])
        here = local[lo - cuts[0] : hi - cuts[0]]
        if in_force.no_contact_until is not None:  # sent before the end date, in local time
            during[lo:hi] = here // DAY < (in_force.no_contact_until - LOCAL_EPOCH.date()).days
        if in_force.windows:
            under[lo:hi] = True
            outside[lo:hi] = ~_in_windows(here, in_force.windows)

    def by_side(mask: Bools) -> dict[str, int]:
        mine = int(np.count_nonzero(mask & chat.from_me))
        return {"me": mine, "them": int(np.count_nonzero(mask)) - mine}

    def first_times(mask: Bools) -> list[str]:
        return [chat.moment(i).isoformat() for i in np.flatnonzero(mask)[:20].tolist()]

    return {
        "agreements": [
            {
                "id": a.id,
                "kind": a.kind,
                "created_at": a.created_at.isoformat(),
                "ended_at": a.ended_at.isoformat() if a.ended_at else None,
            }
            for a in agreements
        ],
        "during_no_contact": by_side(during),
        "outside_windows": by_side(outside),
        "checked_against_windows": by_side(under),
        "first_times": {"during_no_contact": first_times(during), "outside_windows": first_times(outside)},
    }


LOCAL_EPOCH = datetime(1970, 1, 1)  # a Thursday; local times below count microseconds from its midnight
DAY = 86_400 * MICROS


def _offset(micros: int, zone: tzinfo) -> int:
    offset = from_micros(micros).astimezone(zone).utcoffset()
    return 0 if offset is None else _micros(offset)


def _local_micros(at: Ints, zone: tzinfo) -> Ints:
    """The wall-clock time in ``zone`` of each UTC moment, in microseconds since LOCAL_EPOCH.

    A zone's offset changes a couple of times a year, never twice in a day: it is looked up at the
    start of each day (UTC) that has messages and of the day after, and per message only on a day
    where the two differ.
    """
    days, where = np.unique(at // DAY, return_inverse=True)
    where = where.reshape(-1)
    edges = np.unique(np.concatenate([days, days + 1]))  # (np.union1d would import numpy.ma: 30 ms)
    offset_at = np.asarray([_offset(d * DAY, zone) for d in edges.tolist()], np.int64)
    start = offset_at[np.searchsorted(edges, days)]
    end = offset_at[np.searchsorted(edges, days + 1)]
    offsets = start[where]
    for i in np.flatnonzero((start != end)[where]).tolist():
        offsets[i] = _offset(int(at[i]), zone)
    local: Ints = at + offsets
    return local


def _micros_of_day(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * MICROS + moment.microsecond


def _in_windows(local: Ints, windows: Sequence[ContactWindow]) -> Bools:
    """Whether each local time falls in one of the windows, as ContactWindow.contains says.

    Whether a window contains a moment depends on its weekday and time of day, and can change only at
    midnight or at a window's start or end (starts count as inside, ends as outside): ``contains`` is
    asked once for each such stretch of the week, and each moment takes the answer of its stretch.
    """
    cuts = {0} | {_micros_of_day(t) for w in windows for t in (w.start, w.end)}
    starts = sorted(day * DAY + cut for day in range(7) for cut in cuts)  # from LOCAL_EPOCH's weekday on
    answers = np.asarray(
        [any(w.contains(LOCAL_EPOCH + timedelta(microseconds=start)) for w in windows) for start in starts], np.bool_
    )
    stretch = np.searchsorted(np.asarray(starts, np.int64), local % (7 * DAY), side="right") - 1
    result: Bools = answers[stretch]
    return result
