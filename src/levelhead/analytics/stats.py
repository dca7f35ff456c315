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
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, cast

from levelhead import pace_stats
from levelhead.situation import Message
from levelhead.storage.view import StoredAgreement, merge_agreements

if TYPE_CHECKING:
    from levelhead.storage.store import StoredMessage

CONVERSATION_GAP = pace_stats.CONVERSATION_GAP
TONE_SAMPLE = 10  # text messages scored per side and week, over the last TONE_WEEKS weeks
TONE_WEEKS = 52
TONE_ALL = 250  # text messages per side, spread over the whole history, for the all-time shares
SIDES = ("me", "them")
Analytics = dict[str, Any]


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


def _weeks_of(moments: Sequence[datetime], zone: tzinfo | None) -> list[date]:
    """The local week (its Monday) of each moment, oldest first: one zone conversion per week, not per moment."""
    weeks: list[date] = []
    lo = hi = None
    week = date.min
    for at in moments:
        if lo is None or hi is None or not lo <= at < hi:
            local = at.astimezone(zone)
            week = _week_start(local.date())
            # The week's bounds in UTC, like the moments: comparing within one zone is the fast path.
            lo = datetime.combine(week, datetime.min.time(), tzinfo=zone).astimezone(UTC)
            hi = datetime.combine(week + timedelta(days=7), datetime.min.time(), tzinfo=zone).astimezone(UTC)
        weeks.append(week)
    return weeks


def _week_label(start: date) -> str:
    year, week, _ = start.isocalendar()
    return f"{year}-W{week:02d}"


def compute(
    messages: Sequence[StoredMessage],
    agreements: Sequence[StoredAgreement] = (),
    *,
    now: datetime,
    weeks: int = 8,
    zone: tzinfo | None = None,
    tone: bool = True,
) -> Analytics:
    """All the figures over ``messages`` (oldest first, as :meth:`Store.history` gives them)."""
    zone = zone or now.astimezone().tzinfo
    since = now - timedelta(weeks=weeks)
    # StoredMessage has the at/sender/text that pace_stats reads: no copy of 100,000 messages.
    history = cast("tuple[Message, ...]", tuple(messages))
    local_weeks = _weeks_of([m.at for m in messages], zone)
    recent_from = next((i for i, m in enumerate(messages) if m.at >= since), len(messages))

    weekly: dict[date, dict[str, Any]] = {}
    if local_weeks:
        start, end = local_weeks[0], _week_start(now.astimezone(zone).date())
        end = max(end, local_weeks[-1])
        while start <= end:
            weekly[start] = {
                "week": _week_label(start),
                "start": start.isoformat(),
                "me": 0,
                "them": 0,
                "initiated_me": 0,
                "initiated_them": 0,
            }
            start += timedelta(days=7)
    for m, week in zip(messages, local_weeks, strict=True):
        weekly[week][m.direction] += 1

    delays: dict[str, Any] = {}
    weekly_delays: dict[str, dict[date, list[float]]] = {side: defaultdict(list) for side in SIDES}
    for side in SIDES:
        timed = pace_stats.timed_reply_delays(history, side)
        reply_weeks = _weeks_of([at for at, _ in timed], zone)
        all_time = [d.total_seconds() for _, d in timed]
        recent = [d.total_seconds() for at, d in timed if at >= since]
        for week, (_, d) in zip(reply_weeks, timed, strict=True):
            weekly_delays[side][week].append(d.total_seconds())
        delays[side] = {"all_time": _delay_figures(all_time), "recent": _delay_figures(recent)}
    for week, row in weekly.items():
        for side in SIDES:
            row[f"reply_median_s_{side}"] = _seconds(pace_stats.median(weekly_delays[side].get(week, [])))

    lengths: dict[str, Any] = {}
    for side in SIDES:
        counted = [
            (i, len(m.text.split()))
            for i, m in enumerate(messages)
            if m.direction == side and m.kind == "text" and m.text
        ]
        lengths[side] = {
            "all_time": _length_figures([n for _, n in counted if n]),
            "recent": _length_figures([n for i, n in counted if n and i >= recent_from]),
        }

    starts = pace_stats.initiations(history)
    initiations: dict[str, Any] = {"gap_hours": CONVERSATION_GAP.total_seconds() / 3600, "all_time": {}, "recent": {}}
    for side in SIDES:
        initiations["all_time"][side] = sum(1 for s in starts if s.sender == side)
        initiations["recent"][side] = sum(1 for s in starts if s.sender == side and s.at >= since)
    for first, week in zip(starts, _weeks_of([m.at for m in starts], zone), strict=True):
        weekly[week][f"initiated_{first.sender}"] += 1

    runs = pace_stats.runs(history)
    streaks = {
        side: {
            "longest": max((n for s, n in runs if s == side), default=0),
            "current": runs[-1][1] if runs and runs[-1][0] == side else 0,
            "of_3_or_more": sum(1 for s, n in runs if s == side and n >= 3),
        }
        for side in SIDES
    }

    per_week = [row["me"] + row["them"] for row in weekly.values()]
    recent_weeks = per_week[-weeks:] if weeks > 0 else []
    return {
        "generated_at": now.isoformat(),
        "weeks": weeks,
        "since": since.isoformat(),
        "messages": {
            "total": len(messages),
            "me": sum(1 for m in messages if m.direction == "me"),
            "them": sum(1 for m in messages if m.direction == "them"),
            "media": sum(1 for m in messages if m.kind == "media"),
            "deleted": sum(1 for m in messages if m.kind == "deleted"),
            "first_at": messages[0].at.isoformat() if messages else None,
            "last_at": messages[-1].at.isoformat() if messages else None,
        },
        "reply_delay": delays,
        "length": lengths,
        "initiations": initiations,
        "streaks": streaks,
        "contacts_per_week": {
            "all_time_mean": round(sum(per_week) / len(per_week), 1) if per_week else None,
            "recent_mean": round(sum(recent_weeks) / len(recent_weeks), 1) if recent_weeks else None,
        },
        "weekly": list(weekly.values()),
        "tone": _tone(messages, local_weeks, weekly, since) if tone else _no_tone("turned off"),
        "adherence": _adherence(messages, agreements, zone),
    }


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


def _spread(items: list[str], k: int) -> list[str]:
    """At most ``k`` items spread evenly over ``items`` (deterministic)."""
    if len(items) <= k:
        return items
    step = (len(items) - 1) / (k - 1)
    return [items[round(i * step)] for i in range(k)]


def _tone(
    messages: Sequence[StoredMessage], local_weeks: list[date], weekly: dict[date, dict[str, Any]], since: datetime
) -> dict[str, Any]:
    if os.environ.get("LEVELHEAD_TONE", "").strip().lower() == "lexicon":
        return _no_tone("LEVELHEAD_TONE=lexicon: the tone model is turned off")
    try:
        from levelhead import tone as tone_package
        from levelhead.tone.types import EKMAN, EMOTIONS, GROUPS

        model = tone_package.load()
    except (ImportError, OSError, ValueError) as err:
        return _no_tone(f"the tone model is not available ({err})")
    texts: dict[tuple[date, str], list[str]] = defaultdict(list)
    every: dict[str, list[str]] = {side: [] for side in SIDES}
    weeks_scored = set(sorted(set(local_weeks))[-TONE_WEEKS:])
    recent_weeks = {w for w, m in zip(local_weeks, messages, strict=True) if m.at >= since}
    for m, week in zip(messages, local_weeks, strict=True):
        if m.kind == "text" and m.text.strip():
            every[m.direction].append(m.text)
            if week in weeks_scored:
                texts[(week, m.direction)].append(m.text)
    keys = sorted(texts)
    samples = [_spread(texts[key], TONE_SAMPLE) for key in keys] + [_spread(every[s], TONE_ALL) for s in SIDES]
    batch = [text for sample in samples for text in sample]
    negative_col = len(EMOTIONS) + GROUPS.index("negative")
    anger_col = len(EMOTIONS) + len(GROUPS) + EKMAN.index("anger")
    flags: list[tuple[bool, bool]] = []
    if batch:
        probs = model.probabilities(batch)
        thresholds = model.thresholds
        negative = probs[:, negative_col] >= thresholds[negative_col]
        anger = probs[:, anger_col] >= thresholds[anger_col]
        flags = list(zip(negative.tolist(), anger.tolist(), strict=True))
    parts: list[list[tuple[bool, bool]]] = []
    for sample in samples:
        parts.append(flags[: len(sample)])
        flags = flags[len(sample) :]

    def shares(part: list[tuple[bool, bool]]) -> dict[str, Any]:
        n = len(part)
        neg, ang = sum(x for x, _ in part), sum(y for _, y in part)
        return {"sampled": n, "negative": round(neg / n, 3) if n else None, "anger": round(ang / n, 3) if n else None}

    per_week: dict[date, dict[str, Any]] = {}
    recent: dict[str, list[tuple[bool, bool]]] = {side: [] for side in SIDES}
    for (week, side), part in zip(keys, parts, strict=False):
        per_week.setdefault(week, {"week": weekly[week]["week"], "start": weekly[week]["start"]})[side] = shares(part)
        if week in recent_weeks:
            recent[side].extend(part)
    overall = dict(zip(SIDES, parts[len(keys) :], strict=True))
    return {
        "available": True,
        "reason": "",
        "sample_per_week": TONE_SAMPLE,
        "weeks_scored": TONE_WEEKS,
        "sample_all_time": TONE_ALL,
        "weekly": [per_week[w] for w in sorted(per_week)],
        "all_time": {side: shares(overall[side]) for side in SIDES},
        "recent": {side: shares(recent[side]) for side in SIDES},
    }


# --- adherence ----------------------------------------------------------------------------------------------


def _adherence(
    messages: Sequence[StoredMessage], agreements: Sequence[StoredAgreement], zone: tzinfo | None
) -> dict[str, Any]:
    """Messages during a no-contact agreement, and outside the agreed windows, by side."""
    counts = {key: {"me": 0, "them": 0} for key in ("during_no_contact", "outside_windows", "under_windows")}
    examples: dict[str, list[str]] = {"during_no_contact": [], "outside_windows": []}
    boundaries = sorted({a.created_at for a in agreements} | {a.ended_at for a in agreements if a.ended_at})
    edges = [*boundaries, datetime.max.replace(tzinfo=boundaries[0].tzinfo)] if boundaries else []
    segment = -1
    in_force = merge_agreements([])
    for m in messages:
        if not edges or m.at < edges[0]:
            continue
        while segment + 1 < len(edges) and edges[segment + 1] <= m.at:
            segment += 1
            moment = edges[segment]
            in_force = merge_agreements([a for a in agreements if a.active_at(moment)])
        local = m.at.astimezone(zone)
        until = in_force.no_contact_until
        if until is not None and local.date() < until:
            counts["during_no_contact"][m.direction] += 1
            if len(examples["during_no_contact"]) < 20:
                examples["during_no_contact"].append(m.at.isoformat())
        if in_force.windows:
            counts["under_windows"][m.direction] += 1
            if not any(w.contains(local) for w in in_force.windows):
                counts["outside_windows"][m.direction] += 1
                if len(examples["outside_windows"]) < 20:
                    examples["outside_windows"].append(m.at.isoformat())
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
        "during_no_contact": counts["during_no_contact"],
        "outside_windows": counts["outside_windows"],
        "checked_against_windows": counts["under_windows"],
        "first_times": examples,
    }
