"""RD: readiness. Should the user reach out at all, and is now the time?

These rules read the situation and the clock, not the draft, so they run in a
readiness check (``levelhead ready``) and in every draft check. Their messages
are reasons ("It has been 12 days since the breakup ...") and, for a wait, say
until when. Goal-awareness follows the catalogue: urgent logistics is exempt
from the "too soon" and "who reaches out" rules; reconciliation holds firm.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from levelhead import regexcache
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Suggestion, Verdict
from levelhead.pace_stats import describe_moment
from levelhead.rule import Need, Option, Rule, RuleError
from levelhead.situation import EndedBy, Goal, Mood, Situation
from levelhead.text import Draft

MORNING = time(9, 0)  # a wait that would end at night is pushed to the next morning at this time
NIGHT_START, NIGHT_END = time(22, 0), time(7, 0)
_CLOCK = regexcache.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def in_window(moment: time, start: time, end: time) -> bool:
    """True when ``moment`` is in [start, end); the window may cross midnight."""
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


def next_clock(now: datetime, at: time) -> datetime:
    """The next local time after ``now`` when the clock reads ``at``."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    if candidate <= now:
        candidate = datetime.combine(candidate.date() + timedelta(days=1), at, tzinfo=now.tzinfo)
    return candidate


def out_of_the_night(moment: datetime) -> datetime:
    """``moment``, or the following morning when it falls in the late-night hours."""
    t = moment.time().replace(tzinfo=None)
    if not in_window(t, NIGHT_START, NIGHT_END):
        return moment
    day = moment.date() + timedelta(days=1) if t >= NIGHT_START else moment.date()
    return datetime.combine(day, MORNING, tzinfo=moment.tzinfo)


def parse_clock(rule: str, key: str, value: str) -> time:
    """Parse an ``HH:MM`` option value, or raise RuleError naming the rule and option."""
    m = _CLOCK.fullmatch(value.strip())
    if not m:
        raise RuleError(f"{rule}: option {key!r} must be a time like 22:00 (HH:MM, 24-hour clock), got {value!r}")
    return time(int(m.group(1)), int(m.group(2)))


def _days_since(broke_up: date, now: datetime) -> int:
    return (now.date() - broke_up).days


class TooSoon(Rule):
    """Less than about a month since the breakup, and the contact is not about logistics.

    ## What it flags
    A check when fewer than `days` days (default 30; 30 to 60) have passed
    since the breakup date and the goal is not logistics. It says when that
    period ends (09:00 local time on that day). Urgent logistics (children,
    belongings, money, documents) is exempt. With no goal stated it applies as
    to any general message; for reconciliation it holds firm.

    ## Why it matters
    A month or two without contact gives both of you room to process the
    breakup. Reaching out early, before things have settled, tends to reopen
    the hurt, and to someone trying to move on it can read as not having let go.

    ## Example
    Broke up 12 days ago; goal: closure. Verdict: wait, with the date when 30
    days have passed.

    ## Instead
    Use the time for yourself: friends, routines, a counsellor. If something
    practical cannot wait, set the goal to logistics and keep the message to it.
    """

    code: ClassVar[str] = "RD01"
    name: ClassVar[str] = "too-soon"
    needs = frozenset({Need.CLOCK})
    verdict: ClassVar[Verdict] = Verdict.WAIT
    options = {"days": Option(30, "days after the breakup before non-logistics contact (30 to 60)", 30, 60)}

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        broke_up = situation.broke_up
        if broke_up is None or situation.goal is Goal.LOGISTICS:
            return
        days: int = self.settings["days"]
        since = _days_since(broke_up, now)
        if since < 0 or since >= days:
            return
        until = datetime.combine(broke_up + timedelta(days=days), MORNING, tzinfo=now.tzinfo)
        when = "The breakup was today." if since == 0 else f"It has been {_plural(since, 'day')} since the breakup."
        firm = ""
        if situation.goal is Goal.RECONCILIATION:
            firm = " Reaching out early to win them back usually reads as not having moved on."
        yield self.finding(
            f"{when} Waiting about {days} days before contact that isn't necessary logistics gives you both room "
            f"to settle.{firm} Look again {describe_moment(until, now)}.",
            note="A month or two of no contact helps both of you process the breakup; urgent logistics is exempt.",
            until=until,
        )


class NoGoal(Rule):
    """No practical goal for the contact: define the goal first, or do not initiate.

    ## What it flags
    The goal is `none` (you said there is no practical goal): don't send, in a
    readiness check and a draft check. No goal stated at all: in a readiness
    check this is "define your goal first" (don't send yet); a draft check
    without a goal runs the goal-neutral checks and says nothing here, since
    the draft itself shows what it is for.

    ## Why it matters
    Before typing a single word, ask what outcome you want: arranging things
    for the children, getting your belongings back, closure. Without a clear,
    practical goal, contact tends to reopen things rather than settle them.

    ## Example
    `levelhead ready` with `goal = "none"`, or with no goal given.

    ## Instead
    Name the goal (logistics, closure, friendship or reconciliation) and let
    the message serve only that. If there is none, not reaching out is a choice too.
    """

    code: ClassVar[str] = "RD02"
    name: ClassVar[str] = "no-goal"
    needs = frozenset()
    verdict: ClassVar[Verdict] = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        note = "Define your goal first: without a clear, practical goal, it is better not to initiate contact."
        if situation.goal is Goal.NONE:
            yield self.finding(
                "You said there is no practical goal for this contact. Without one, reaching out tends to reopen "
                "things rather than settle them.",
                note=note,
            )
        elif situation.goal is None and draft is None:
            ask = "What is this contact for: logistics, closure, friendship or reconciliation?"
            yield self.finding(f"No goal is set yet. {ask} Decide that before reaching out.", note=note)


_MOOD_LINES = {
    Mood.ANGRY: "Words written in anger are hard to take back.",
    Mood.LONELY: "Loneliness can make a message ask for more than you mean it to.",
    Mood.NOSTALGIC: "Nostalgia can make the past feel closer than it is.",
    Mood.SAD: "Sadness can make a message carry more than you mean it to.",
    Mood.ANXIOUS: "Anxiety pushes for an answer right now; the message will keep.",
}


class NotCalm(Rule):
    """You feel angry, lonely, nostalgic, sad or anxious: wait until you are calm, and until when.

    ## What it flags
    The mood you report. Angry waits `angry_hours` (default 24; 1 to 72);
    lonely, nostalgic, sad and anxious wait `cool_off_hours` (default 12; 1 to
    72). A wait that would end late at night (22:00 to 07:00) moves to 09:00 the
    next morning. Hopeful, when the goal is reconciliation, gets a note only.
    Calm passes. This applies to every goal, logistics included.

    ## Why it matters
    Never send a text or make a call when you are highly emotional, whether
    angry, lonely or nostalgic. Emotional messages are almost always a mistake;
    wait until you are calm and can think clearly.

    ## Example
    Mood: angry at 15:00. Verdict: wait, until 15:00 tomorrow.

    ## Instead
    Park the draft, do something else for a while (a walk, a friend), and
    check it again when the wait is over.
    """

    code: ClassVar[str] = "RD03"
    name: ClassVar[str] = "not-calm"
    needs = frozenset({Need.CLOCK})
    verdict: ClassVar[Verdict] = Verdict.WAIT
    options = {
        "cool_off_hours": Option(12, "hours to wait when lonely, nostalgic, sad or anxious (1 to 72)", 1, 72),
        "angry_hours": Option(24, "hours to wait when angry (1 to 72)", 1, 72),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        mood = situation.mood
        note = "Wait for emotional neutrality: don't send when angry, lonely or nostalgic; wait until you are calm."
        if mood is Mood.HOPEFUL and situation.goal is Goal.RECONCILIATION:
            yield self.finding(
                "You said you feel hopeful. That is natural; a message sent from hope can ask for more than the "
                "moment allows, so keep it light and leave them room to answer, or not.",
                note=note,
                severity=Severity.INFO,
            )
            return
        if mood is None or mood not in _MOOD_LINES:
            return
        hours: int = self.settings["angry_hours" if mood is Mood.ANGRY else "cool_off_hours"]
        later = (now.astimezone(UTC) + timedelta(hours=hours)).astimezone(now.tzinfo)
        until = out_of_the_night(later)
        pushed = " (moved out of the late-night hours)" if until != later else ""
        yield self.finding(
            f"You said you feel {mood.value}. {_MOOD_LINES[mood]} Waiting about {_plural(hours, 'hour')}, until "
            f"{describe_moment(until, now)}{pushed}, gives the feeling time to settle before you decide.",
            note=note,
            until=until,
        )


class AskedForSpace(Rule):
    """They asked for space or no contact: don't initiate; only necessary logistics.

    ## What it flags
    Your situation says they asked for no contact or for distance. Any goal but
    logistics: don't send. Logistics: a note to keep it to what is necessary.

    ## Why it matters
    Respecting their wish for distance is part of respecting them, and of
    being someone they can trust later. Reaching out anyway tells them their
    boundary did not count.

    ## Example
    `asked_for_space = true`, goal: friendship. Verdict: don't send.

    ## Instead
    Let them choose when to talk. If something practical must be settled,
    keep it brief and to the point, and consider email or a third party.
    """

    code: ClassVar[str] = "RD04"
    name: ClassVar[str] = "asked-for-space"
    needs = frozenset()
    verdict: ClassVar[Verdict] = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if not situation.asked_for_space:
            return
        note = "Respect their wishes: when they ask for distance, only necessary logistics should go through."
        if situation.goal is Goal.LOGISTICS:
            yield self.finding(
                "They asked for space. Keep this to the necessary logistics: brief, practical, nothing more.",
                note=note,
                severity=Severity.INFO,
            )
            return
        yield self.finding(
            "They asked for space. Reaching out for anything other than necessary logistics can tell them their "
            "boundary did not count.",
            note=note,
        )


class InitiatingAfterBeingLeft(Rule):
    """They ended it and you would start contact about more than logistics: let them reach out.

    ## What it flags
    Your situation says they ended the relationship (`ended_by = "them"`) and
    the goal is not logistics. When the history shows their message is the
    latest, within `reply_days` days (default 3; 1 to 30), you are replying, not
    initiating: then it is a note only. For reconciliation it holds firm.

    ## Why it matters
    The one who was broken up with generally should not be the first to
    start deep, meaningful contact. The one who left needs to live with the
    decision; a message from you interrupts that and can read as not having
    moved on.

    ## Example
    `ended_by = "them"`, goal: reconciliation, no message from them recently.
    Verdict: don't send.

    ## Instead
    Keep a period of no contact and let them reach out if they want to. If you
    must communicate for practical reasons, keep it brief and about logistics.
    """

    code: ClassVar[str] = "RD05"
    name: ClassVar[str] = "initiating-after-being-left"
    needs = frozenset({Need.HISTORY, Need.CLOCK})
    verdict: ClassVar[Verdict] = Verdict.DONT_SEND
    options = {
        "reply_days": Option(3, "days their latest message counts as one you are replying to (1 to 30)", 1, 30),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if situation.ended_by is not EndedBy.THEM or situation.goal is Goal.LOGISTICS:
            return
        note = "The one who was left generally should not be the first to start deep contact; let them reach out."
        # Times without a zone (from the Python API) are read in the user's zone.
        past = [(m.at if m.at.tzinfo else m.at.replace(tzinfo=now.tzinfo), m.sender) for m in situation.history]
        past = [(at, sender) for at, sender in past if at <= now]
        latest = max(past, key=lambda item: item[0]) if past else None
        window = timedelta(days=self.settings["reply_days"])
        if latest is not None and latest[1] == "them" and now - latest[0] <= window:
            yield self.finding(
                f"They wrote last ({describe_moment(latest[0].astimezone(now.tzinfo), now)}), so you'd be replying "
                "rather than starting contact. Keep it measured and mirror their pace.",
                note=note,
                severity=Severity.INFO,
            )
            return
        yield self.finding(
            "They ended the relationship, and this contact would be about more than logistics. Starting it "
            "yourself can interrupt their decision and read as not having moved on; let them reach out if they "
            "want to.",
            note=note,
        )


class NewRelationship(Rule):
    """They are in a new relationship: logistics only, no check-ins.

    ## What it flags
    Your situation says they have a new partner, and the goal is not
    logistics (closure, friendship, reconciliation, none, or not stated).

    ## Why it matters
    Contact beyond logistics (check-ins, catching up, "just saying hi") can
    strain their new relationship and keep you attached. Giving the new
    relationship room is part of moving on for both of you.

    ## Example
    `new_partner = true`, goal: friendship. Verdict: don't send.

    ## Instead
    Keep contact to what is practical: the children, belongings, money,
    documents. Let anything more come from them.
    """

    code: ClassVar[str] = "RD06"
    name: ClassVar[str] = "new-relationship"
    needs = frozenset()
    verdict: ClassVar[Verdict] = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if not situation.new_partner or situation.goal is Goal.LOGISTICS:
            return
        yield self.finding(
            "They are in a new relationship. Contact beyond logistics, such as check-ins or catching up, can strain "
            "it and keep you attached; keep to what is practical.",
            note="Once there is a new partner, keep contact to logistics and let anything more come from them.",
        )


class LateNight(Rule):
    """It is late at night: messages sent now are often sent from loneliness; wait for the morning.

    ## What it flags
    A check between `start` (default "22:00") and `end` (default "07:00"),
    local time; the window may cross midnight. It says when the window ends.
    Not flagged inside an agreed contact window (for example a goodnight call
    at 21:30 to 22:15 you both agreed). Both options are HH:MM, 24-hour clock;
    a bad value is an error.

    ## Why it matters
    Late at night is when loneliness and nostalgia are strongest, and a message
    sent then is one of the easiest to regret. Never send when lonely or
    nostalgic; wait until you can think it through.

    ## Example
    Drafting at 23:40. Verdict: wait, until 07:00.

    ## Instead
    Park the draft and read it again in the morning. If it still says what you
    want, it will be just as true then.
    """

    code: ClassVar[str] = "RD07"
    name: ClassVar[str] = "late-night"
    needs = frozenset({Need.CLOCK, Need.AGREEMENTS})
    verdict: ClassVar[Verdict] = Verdict.WAIT
    options = {
        "start": Option("22:00", "when late night starts, HH:MM (24-hour)"),
        "end": Option("07:00", "when late night ends, HH:MM (24-hour)"),
    }

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.start = parse_clock(self.code, "start", self.settings["start"])
        self.end = parse_clock(self.code, "end", self.settings["end"])
        if self.start == self.end:
            raise RuleError(f"{self.code}: options 'start' and 'end' are the same time ({self.settings['start']})")

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if not in_window(now.time().replace(tzinfo=None), self.start, self.end):
            return
        if any(window.contains(now) for window in situation.agreements.windows):
            return
        until = next_clock(now, self.end)
        yield self.finding(
            f"It is {now:%H:%M}, late at night. Messages sent now are more often sent from loneliness or "
            f"nostalgia; look again {describe_moment(until, now)}.",
            note="Never send when lonely or nostalgic: a night-time message is one of the easiest to regret.",
            until=until,
        )


class NoPlanYet(Rule):
    """Weeks after the breakup with children or logistics and no agreements recorded: suggest a plan.

    ## What it flags
    More than `days` days (default 21; 7 to 365) since the breakup, you have
    children together or the goal is logistics, and no agreements are
    recorded (contact windows, channels, no-contact dates, topics, visits).
    This is advice only and never changes the verdict.

    ## Why it matters
    Establishing the game plan in the first few weeks (when and why you'll be
    in contact, how, and what is off limits) makes every later message simpler
    and gives both of you boundaries to rely on.

    ## Example
    Broke up 40 days ago, two children, no agreements recorded.

    ## Instead
    Propose a short plan: "Could we agree how we'll handle contact for now:
    which days and times, by text or email, and how handovers work?" Record
    what you agree so levelhead can check drafts against it.
    """

    code: ClassVar[str] = "RD08"
    name: ClassVar[str] = "no-plan-yet"
    needs = frozenset({Need.AGREEMENTS, Need.CLOCK})
    verdict: ClassVar[Verdict] = Verdict.SEND  # advice only: findings are INFO
    options = {"days": Option(21, "days after the breakup before suggesting a plan (7 to 365)", 7, 365)}

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        broke_up = situation.broke_up
        if broke_up is None or situation.agreements.recorded:
            return
        if situation.children <= 0 and situation.goal is not Goal.LOGISTICS:
            return
        since = _days_since(broke_up, now)
        if since <= self.settings["days"]:
            return
        why = "you have children together" if situation.children > 0 else "there are practical things to settle"
        yield self.finding(
            f"It has been {_plural(since, 'day')} since the breakup, {why}, and no agreements are recorded yet. "
            "Agreeing a simple plan for contact now can make every later message easier.",
            note="Establish the plan in the first few weeks: when and why you'll be in contact, and how.",
            severity=Severity.INFO,
            suggestions=[
                Suggestion(
                    "Propose a plan",
                    "Could we agree how we'll handle contact for now: which days and times, by text or email, "
                    "and how handovers work?",
                    Applicability.DISPLAY_ONLY,
                )
            ],
        )
