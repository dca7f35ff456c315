"""PC01-PC06: proportion and pace. Keep it short, mirror their length and response time, ask clearly.

From seed 003: "Keep It Concise and Clear", "Mirror Their Energy and Response
Time" ("If they take 24 hours to reply with a single sentence, you should not
reply in 2 minutes with five paragraphs"), and "Focus on Logistics".
The history statistics live in ``levelhead.pace_stats``; the practical-content
detection in ``levelhead.logistics``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import ClassVar

from levelhead import pace_stats, regexcache
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion, Verdict
from levelhead.logistics import analyse, analyse_text, logistics_core
from levelhead.rule import Need, Option, Rule
from levelhead.situation import Channel, Goal, Situation
from levelhead.text import Draft

_CONCISE_NOTE = (
    "Less is more: a short, polite, direct message is easier to answer than a long one, "
    "and it respects their time and space."
)
_MIRROR_NOTE = (
    "Mirroring their energy and response time keeps you from coming across as eager; "
    "matching their pace tends to keep things calm."
)
_TEMPLATE = "One or two sentences: what, when, where."
_PARAGRAPH_BREAK = regexcache.compile(r"\n[ \t]*\n\s*")
_CHANNEL_WORDS = {Channel.TEXT: "text", Channel.SOCIAL: "message", Channel.EMAIL: "email"}


def _trim_suggestion(draft: Draft, limit: int) -> Suggestion:
    """The practical core as an (unsafe) replacement for the whole draft, else the template."""
    core = logistics_core(draft)
    size = len(core.split())
    if core and size <= limit and size < draft.word_count:
        return Suggestion("Keep only the practical part", core, Applicability.UNSAFE)
    return Suggestion("Trim it to the practical point", _TEMPLATE, Applicability.DISPLAY_ONLY)


class TooLong(Rule):
    """The draft is long, or has several paragraphs, for the channel it goes by.

    ## What it flags
    A text or social-media message over `text_words` words (default 60), or a
    text of more than `text_paragraphs` paragraphs once it is over half that
    length; an email over `email_words` words (default 250). Calls and
    in-person talks are not counted. The span starts at the first word past
    the limit (or at the second paragraph).

    ## Why it matters
    "Keep It Concise and Clear": a short, polite, direct message is far more
    effective than a long, rambling paragraph. A wall of text can read as
    emotional even when each line is calm, and it is harder to answer.

    ## Example
    A 120-word text that explains the week, the feelings behind it, and
    finally asks whether Saturday pick-up can move to 10.

    ## Instead
    Keep the practical core: "Can we move Saturday's pick-up to 10 AM?" When
    the draft has a practical core it is offered as a replacement (unsafe:
    read it before taking it); otherwise the advice is one or two sentences:
    what, when, where.
    """

    code: ClassVar[str] = "PC01"
    name: ClassVar[str] = "too-long"
    options = {
        "text_words": Option(60, "words a text or social-media message may have (15-500)", 15, 500),
        "email_words": Option(250, "words an email may have (50-3000)", 50, 3000),
        "text_paragraphs": Option(1, "paragraphs a text may have once it is over half the word limit (1-10)", 1, 10),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None or situation.channel in (Channel.CALL, Channel.IN_PERSON):
            return
        email = situation.channel is Channel.EMAIL
        limit: int = self.settings["email_words" if email else "text_words"]
        n = draft.word_count
        end = len(draft.text.rstrip())
        what = _CHANNEL_WORDS.get(situation.channel, "message")
        if n > limit:
            start = draft.words[limit].start
            message = f"At {n} words, this is long for a {what}; about {limit} words or fewer reads more easily."
        elif not email and n > limit // 2 and draft.paragraphs > self.settings["text_paragraphs"]:
            breaks = list(_PARAGRAPH_BREAK.finditer(draft.text.strip()))
            lead = len(draft.text) - len(draft.text.lstrip())
            k: int = self.settings["text_paragraphs"]
            start = lead + breaks[k - 1].end() if len(breaks) >= k else 0
            message = f"This {what} runs to {draft.paragraphs} paragraphs; one short paragraph is easier to take in."
        else:
            return
        if start >= end:
            start = 0
        yield self.finding(
            message,
            Span(start, end),
            note=_CONCISE_NOTE,
            severity=Severity.WARNING,
            suggestions=[_trim_suggestion(draft, limit)],
        )


class LongerThanTheirs(Rule):
    """The draft is much longer than their recent messages; says what length would mirror theirs.

    ## What it flags
    A draft over `min_words` words (default 25) and more than `ratio` times
    (default 3) the median length of their last `last_n` messages (default
    5; empty messages such as photos are skipped). Needs the conversation
    history; without any message from them it stays silent.

    ## Why it matters
    "Mirror Their Energy": if they reply with a single sentence, five
    paragraphs back reads as eager or anxious, however calm the words are.

    ## Example
    They wrote "Fine, Saturday works." (3 words) and "Ok." The draft runs to
    90 words.

    ## Instead
    Aim for about their length: "Great, see you Saturday at 10." The message
    states the target ("about 4 words"), and a practical core of the draft is
    offered when there is one.
    """

    code: ClassVar[str] = "PC02"
    name: ClassVar[str] = "longer-than-theirs"
    needs = frozenset({Need.DRAFT, Need.HISTORY})
    options = {
        "last_n": Option(5, "how many of their latest messages to take the median over (1-50)", 1, 50),
        "ratio": Option(3.0, "how many times their median length counts as much longer (1.5-20)", 1.5, 20.0),
        "min_words": Option(25, "drafts of this many words or fewer never count as long (5-500)", 5, 500),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None or not situation.history:
            return
        typical = pace_stats.their_median_length(situation.history, self.settings["last_n"], now)
        if typical is None:
            return
        n = draft.word_count
        if n <= self.settings["min_words"] or n <= self.settings["ratio"] * typical:
            return
        target = max(1, round(typical))
        words_label = "word" if target == 1 else "words"
        limit = max(round(typical * self.settings["ratio"]), self.settings["min_words"])
        yield self.finding(
            f"This draft is {n} words; their recent messages run about {target} {words_label}. "
            f"A reply of about {target} {words_label} would mirror theirs.",
            Span(0, len(draft.text.rstrip())),
            note=_MIRROR_NOTE,
            severity=Severity.WARNING,
            suggestions=[_trim_suggestion(draft, limit)],
        )


class FasterThanTheirs(Rule):
    """Replying much sooner than they usually take; says the earliest time that mirrors their pace.

    ## What it flags
    The last message is theirs, they usually take a while to answer you (the
    median of their last `last_n` reply delays, at least `min_replies` of
    them, is `min_delay_minutes` or more), and replying now would come sooner
    than `fraction` (default 0.5) of that usual delay after their message.
    Runs in readiness checks too: replying is the moment it is about. An
    urgent message (theirs or the draft: hospital, accident, emergency) is
    never held back.

    ## Why it matters
    "Mirror Their Energy and Response Time": if they take 24 hours to reply,
    answering in 2 minutes can read as eager or anxious and shifts the
    balance of the exchange.

    ## Example
    They usually answer after about a day; their message came 5 minutes ago.

    ## Instead
    Wait until the time in the message (their message time plus half their
    usual delay), then send a reply of about their length.
    """

    code: ClassVar[str] = "PC03"
    name: ClassVar[str] = "faster-than-theirs"
    needs = frozenset({Need.HISTORY, Need.CLOCK})
    verdict = Verdict.WAIT
    options = {
        "fraction": Option(0.5, "share of their usual reply delay to wait after their message (0.1-1.0)", 0.1, 1.0),
        "min_delay_minutes": Option(10, "their usual delay must be at least this many minutes (1-10080)", 1, 10080),
        "min_replies": Option(2, "replies of theirs needed to know their pace (1-50)", 1, 50),
        "last_n": Option(10, "how many of their latest reply delays to take the median over (1-100)", 1, 100),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        items = pace_stats.timeline(situation.history, now)
        if not items or items[-1].sender != "them":
            return
        theirs = items[-1]
        if analyse_text(theirs.text).urgent or (draft is not None and analyse(draft).urgent):
            return
        delays = pace_stats.reply_delays(items, "them")[-self.settings["last_n"] :]
        typical = pace_stats.median_delay(delays)
        if len(delays) < self.settings["min_replies"] or typical is None:
            return
        if typical < timedelta(minutes=self.settings["min_delay_minutes"]):
            return
        earliest = theirs.at + typical * self.settings["fraction"]
        if now >= earliest:
            return
        until = earliest.astimezone(now.tzinfo)
        yield self.finding(
            f"They usually take {pace_stats.describe_delay(typical)} to reply; their last message came "
            f"{pace_stats.describe_delay(now - theirs.at)} ago. Replying from "
            f"{pace_stats.describe_moment(until, now)} would mirror their pace.",
            note=_MIRROR_NOTE,
            severity=Severity.WARNING,
            until=until,
        )


class UnansweredStreak(Rule):
    """You have already sent several messages with no reply: wait before sending another.

    ## What it flags
    `max_unanswered` (default 2, range 1-10) or more of your messages since
    their last reply (or since the start, if they have not written). The wait
    runs until `wait_days` (default 3) after your latest message; once that
    has passed, an informational note remains. Runs in readiness checks too.
    An urgent draft (hospital, accident, emergency) is never held back.

    ## Why it matters
    Constant check-ins read as "I haven't moved on" and can push them to
    create more distance. Silence is an answer you can give room to; if
    they wish to communicate, they may reach out.

    ## Example
    Two texts on Monday and Tuesday, no reply, and a third drafted on
    Wednesday.

    ## Instead
    Wait until the time given. If something practical truly cannot wait,
    send one short message with the date, time or item it is about.
    """

    code: ClassVar[str] = "PC04"
    name: ClassVar[str] = "unanswered-streak"
    needs = frozenset({Need.HISTORY, Need.CLOCK})
    verdict = Verdict.WAIT
    options = {
        "max_unanswered": Option(2, "unanswered messages of yours that call for a pause (1-10)", 1, 10),
        "wait_days": Option(3, "days to wait after your latest unanswered message (1-30)", 1, 30),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        streak = pace_stats.unanswered(situation.history, now)
        n = len(streak)
        if n < self.settings["max_unanswered"] or (draft is not None and analyse(draft).urgent):
            return
        last = streak[-1]
        replied = any(m.sender == "them" for m in pace_stats.timeline(situation.history, now))
        since = "since their last reply" if replied else "and they have not replied yet"
        until = (last.at + timedelta(days=self.settings["wait_days"])).astimezone(now.tzinfo)
        plural = "message" if n == 1 else "messages"
        if now < until:
            yield self.finding(
                f"You have sent {n} {plural} {since}, the latest {pace_stats.describe_delay(now - last.at)} ago. "
                f"Waiting until {pace_stats.describe_moment(until, now)} gives them room to answer.",
                note="Constant check-ins can feel suffocating; giving them room lets them reach out when ready.",
                severity=Severity.WARNING,
                until=until,
            )
        else:
            yield self.finding(
                f"You have sent {n} {plural} {since}. If you write again, one short practical message may be enough.",
                note="Constant check-ins can feel suffocating; giving them room lets them reach out when ready.",
                severity=Severity.INFO,
            )


class FrequentCheckIns(Rule):
    """Several non-logistics contacts from you in the last few days: let things rest.

    ## What it flags
    `max_check_ins` (default 3, range 2-20) or more of your messages in the
    last `days` days (default 7, range 1-30) that carry no practical matter
    (no date, time, item, money, place, children or documents) and do not
    answer a message of theirs from the day before. The wait runs until
    enough of them fall out of the window. Runs in readiness checks too; a
    practical or urgent draft is not held back.

    ## Why it matters
    "Constant check-ins, lengthy emotional texts, or 'just thinking of you'
    messages" read as continued attachment and can push them to create even
    more distance.

    ## Example
    "How was your day?" on Monday, "Saw this and thought of you" on
    Wednesday, "Hope you're ok" on Thursday, and now another.

    ## Instead
    Let it rest until the time given; when you write, keep to the practical
    matter at hand.
    """

    code: ClassVar[str] = "PC05"
    name: ClassVar[str] = "frequent-check-ins"
    needs = frozenset({Need.HISTORY, Need.CLOCK})
    verdict = Verdict.WAIT
    options = {
        "max_check_ins": Option(3, "non-logistics contacts in the window that call for a pause (2-20)", 2, 20),
        "days": Option(7, "length of the window in days (1-30)", 1, 30),
    }

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is not None:
            info = analyse(draft)
            if info.is_logistics or info.urgent:
                return
        days: int = self.settings["days"]
        limit: int = self.settings["max_check_ins"]
        found = pace_stats.recent_check_ins(situation.history, now, days)
        if len(found) < limit:
            return
        until = (found[len(found) - limit].at + timedelta(days=days)).astimezone(now.tzinfo)
        yield self.finding(
            f"You have reached out {len(found)} times in the last {days} days about something other than "
            f"logistics. Letting things rest until {pace_stats.describe_moment(until, now)} keeps contact from "
            "reading as constant check-ins.",
            note="Frequent check-ins can read as continued attachment; space tends to keep things calmer for both.",
            severity=Severity.WARNING,
            until=until,
        )


class UnclearAsk(Rule):
    """A logistics message with no concrete ask, date, time or item; suggests one.

    ## What it flags
    Under the goal `logistics`, a draft that carries no practical matter: no
    date or time, item, money, place, document, question about the children
    or their schedule, and no concrete request. Contentless openers ("Hi",
    "Hey, what's up?", "Can we talk?", "Are you free tonight?") are the
    typical case. Short acknowledgements ("OK.", "Thanks, that works.") and
    boundary statements ("Don't call or text me for a while.") are complete
    as they are and pass. Under other goals the rule is silent; with no goal
    stated it gives an informational note only.

    ## Why it matters
    "Define Your Goal First" and "Focus on Logistics": a message that names
    what you need and when is easy to answer and keeps the exchange
    low-conflict; an open-ended opener invites a conversation you did not
    plan to have.

    ## Example
    "Hey, can we talk?"

    ## Instead
    Name what you need and when: "Can I collect my books on Saturday at 10?"
    """

    code: ClassVar[str] = "PC06"
    name: ClassVar[str] = "unclear-ask"

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None or situation.goal not in (None, Goal.LOGISTICS):
            return
        info = analyse(draft)
        if info.is_logistics or (not info.opener and (info.acknowledgement or info.boundary)):
            return
        opener = next((s.sentence for s in info.sentences if s.opener), None)
        if opener is not None:
            message = f'"{opener.text}" opens a conversation without saying what it is for.'
            span = Span(opener.start, opener.end)
        else:
            message = "This message has no concrete ask, date, time or item, so it may be hard to answer."
            span = None
        example = (
            "Can you pick the kids up from school on Friday at 3:30?"
            if situation.children
            else "Can I collect my books on Saturday at 10?"
        )
        yield self.finding(
            message,
            span,
            note="Focus on logistics, not emotions: a clear, practical ask is easy to answer and keeps things calm.",
            severity=Severity.WARNING if situation.goal is Goal.LOGISTICS else Severity.INFO,
            suggestions=[
                Suggestion(
                    "Name what you need and when, for example",
                    example,
                    Applicability.DISPLAY_ONLY,
                )
            ],
        )
