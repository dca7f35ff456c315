"""The reply: whether one is needed, not before when, and a brief, informative, friendly, firm skeleton.

The skeleton answers only the asks (placeholders where only the user knows),
says nothing about the bait or any threat, and closes the exchange. Every
skeleton is checked with levelhead's own engine under the goal ``logistics``;
should that check ever find something, a plainer skeleton is used instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache, lru_cache

from levelhead import pace_stats
from levelhead.situation import Goal, Situation
from levelhead.triage._data import load
from levelhead.triage.facts import Extracted
from levelhead.triage.when import day_label

# After a heated message and with no history to mirror: a short cool-off before answering.
COOL_OFF = timedelta(hours=1)
# Mirroring their pace never asks the user to wait longer than this.
MAX_WAIT = timedelta(hours=24)
# And the reply should reach them this long before the earliest time an ask names.
BEFORE_ASK = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class AskLine:
    """What the composer needs from one ask."""

    extracted: Extracted
    topic: str  # "return", "pick-up", ... or ""
    received_day: datetime
    asked: bool = True  # phrased as a question (else a request: "Bring the coat on Sunday.")


@cache
def _templates() -> dict[str, object]:
    return load("reply")


@cache
def _topics() -> tuple[tuple[str, re.Pattern[str]], ...]:
    topics = _templates()["topics"]
    assert isinstance(topics, dict)
    return tuple((str(name), re.compile(str(pattern))) for name, pattern in topics.items())


def topic_of(folded_clause: str) -> str:
    """What a timed ask is about: "return", "pick-up", "handover", "appointment" ... or ""."""
    for name, pattern in _topics():
        if pattern.search(folded_clause):
            return name
    return ""


def _line(ask: AskLine) -> str:
    """One line answering one ask: what it is about, when, and the placeholder only the user can fill.

    "Return on Sunday at 17:00 instead of 19:00: [yes/no]."
    "The $120 for the school trip: [yes/no], [amount] by [date]."
    "The inhaler and coat for Sunday: [yes/no]."
    """
    spec = _templates()
    answers, generic = spec["answers"], spec["generic"]
    assert isinstance(answers, dict) and isinstance(generic, dict)
    extracted = ask.extracted
    facts, moment, kind = extracted.facts, extracted.moment, extracted.kind
    day = day_label(moment.day, ask.received_day.date()) if moment.day else ""
    when = f" on {day}" if day else ""
    if moment.clock:
        when += f" at {moment.clock:%H:%M}"
    if moment.was and moment.clock:
        when += f" instead of {moment.was:%H:%M}"
    items = " and ".join(facts.items[:2])
    if extracted.question:
        answer = answers["time"] if extracted.question == "time" else answers["open"]
    elif kind == "money":
        answer = answers["money"] if day else answers["money_when"]
    elif kind == "item" and not extracted.question and not ask.asked:
        answer = answers["item_request"]
    else:
        answer = answers["yes_no"]
    if kind == "money" and extracted.amount is not None:
        purpose = f" for the {extracted.purpose}" if extracted.purpose else ""
        subject = f"the {extracted.amount.shown}{purpose}" + (f" by {day}" if day else "")
    elif ask.topic:
        subject = (ask.topic + when if when else f"the {ask.topic}") + (f", with the {items}" if items else "")
    elif items:
        clock = f" at {moment.clock:%H:%M}" if moment.clock else ""
        subject = f"the {items}" + (f" for {day}" if day else "") + clock
    elif extracted.question and facts.places:
        subject = facts.places[0] + when  # "Ballet on Wednesday: [time]."
    elif when:
        subject = when.strip()
    else:
        places = [*facts.places, *facts.people]
        subject = f"about {places[0]}" if places else str(generic["question" if ask.asked else "request"])
    line = f"{subject}: {answer}."
    return line[0].upper() + line[1:]


def compose(asks: Sequence[AskLine]) -> str:
    """The full skeleton: opening, one line per ask, closing ("" when nothing asks anything)."""
    if not asks:
        return ""
    body = _unique([_line(a) for a in asks])
    return "\n".join([str(_templates()["opening"]), *body, str(_templates()["closing"])])


def plain(asks: Sequence[AskLine]) -> str:
    """The plainer skeleton: a bare opening, one placeholder per ask, a short closing."""
    if not asks:
        return ""
    spec = _templates()["plain"]
    assert isinstance(spec, dict)
    body = [f"{n}. {spec['line']}" for n in range(1, len(asks) + 1)] if len(asks) > 1 else [str(spec["line"])]
    return "\n".join(line for line in [str(spec["opening"]), *body, str(spec["closing"])] if line)


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))


def checked(skeleton: str, country: str, timezone: str | None) -> str:
    """The verdict levelhead's own check gives the skeleton under the goal ``logistics``."""
    if not skeleton:
        return "send"
    return _verdict(skeleton, country, timezone)


@lru_cache(maxsize=512)
def _verdict(skeleton: str, country: str, timezone: str | None) -> str:
    from levelhead import engine

    # The content is what is checked: no history, no agreements, at midday (timing rules have
    # their own say when the user checks the finished reply).
    situation = Situation(goal=Goal.LOGISTICS, country=country, timezone=timezone)
    noon = datetime.combine(datetime(2026, 1, 5).date(), time(12, 0))
    return engine.check(skeleton, situation, now=noon).verdict.label


def choose(asks: Sequence[AskLine], country: str, timezone: str | None) -> tuple[str, str]:
    """The first skeleton that checks as ``send``: the full one, else the plain one; with its verdict."""
    full = compose(asks)
    verdict = checked(full, country, timezone)
    if verdict == "send":
        return full, verdict
    simple = plain(asks)
    return simple, checked(simple, country, timezone)


def not_before(
    situation: Situation,
    received: datetime,
    now: datetime,
    *,
    heated: bool,
    urgent: bool,
    earliest: datetime | None,
) -> tuple[datetime | None, str]:
    """When replying would mirror their pace, and why; None when there is no reason to wait."""
    if urgent:
        return None, "It reads as urgent: answer the practical part when you are ready."
    typical = pace_stats.their_median_reply_delay(situation.history, now=received) if situation.history else None
    if typical is not None:
        wait = min(typical, MAX_WAIT)
        why = f"They usually take {pace_stats.describe_delay(typical)} to reply; mirroring that keeps the pace even."
    elif heated:
        wait = COOL_OFF
        why = "A heated message can wait a little: a short cool-off makes the reply easier to keep brief."
    else:
        return None, "Nothing calls for waiting; reply when it suits you."
    moment = received + wait
    if earliest is not None and moment > earliest - BEFORE_ASK:
        moment = max(received, earliest - BEFORE_ASK)
        why += " It should still reach them well before the time they named."
    if moment <= now:
        return None, "Enough time has passed: reply when it suits you."
    return moment, why
