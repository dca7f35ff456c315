"""BD01-BD08: the boundaries the two of them agreed (no-contact, windows, channels, topics, visits, family).

From seed 000: "These rules should be respected by both parties", and
"Breaking rules you established together can lead to some sticky situations
and potentially sour the relationship". Every rule reads
``situation.agreements`` and stays silent when the agreement it checks was not
recorded. Phrase data: ``rules/data/boundary_*.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any, ClassVar

from levelhead import regexcache, tablecache
from levelhead.diagnostics import Applicability, Diagnostic, Severity, Span, Suggestion, Verdict
from levelhead.logistics import SentenceInfo, Tokens, analyse, is_timed, load_data, tokens
from levelhead.pace_stats import describe_date, describe_moment
from levelhead.rule import Need, Rule
from levelhead.situation import Channel, ContactWindow, Goal, Situation
from levelhead.text import Draft

_AGREED_NOTE = (
    "You set these rules together; keeping them shows respect, and breaking them can sour things between you."
)
_CHANNEL_NAMES = {
    Channel.TEXT: "text",
    Channel.CALL: "phone calls",
    Channel.EMAIL: "email",
    Channel.IN_PERSON: "meeting in person",
    Channel.SOCIAL: "social media",
}
_THIS_CONTACT = {
    Channel.TEXT: "a text",
    Channel.CALL: "a phone call",
    Channel.EMAIL: "an email",
    Channel.IN_PERSON: "in person",
    Channel.SOCIAL: "through social media",
}
# "I won't come over", "I don't think we can be friends": the words after a
# nearby negation are not a proposal.
_NEGATED = regexcache.compile(
    r"(?:\bnot|n't|\bnever|\bno longer|\bcannot|\bdont|\bwont|\bcant|\bdidnt|\bwouldnt|\bshouldnt)"
    r"\W+(?:[\w']+\W+){0,4}$"
)
# "I'd never say your new boyfriend ...": as in phrases.is_own_voice, a negated saying verb.
_NEGATED_CLAIM = regexcache.compile(
    r"\b(?:never|not|n't|no one|nobody)\s+(?:\w+\s+){0,2}?"
    r"(?:say|said|saying|says|think|thought|thinking|mean|meant|claim|claiming|call|calling|believe|suggest|suggesting)"
    r"\b(?:\s+that)?\W*$"
)
HEAD_CHARS = 120  # how far back a negation is looked for
MAX_CANDIDATES = 64  # matches examined per phrase group
MAX_FINDINGS = 20  # findings per rule and draft
# Marker kinds that make a sentence a practical arrangement rather than a social plan.
_PRACTICAL_KINDS = frozenset({"children", "handover", "documents", "money", "items", "household"})


# --- data -------------------------------------------------------------------


_PLAIN_ALTERNATION = regexcache.compile(r"^\(\?:([a-z' |\-]+)\)$")


def _trie(words: Iterable[str]) -> str:
    """One regex for a set of plain phrases, factored by shared prefixes ("i'll|i will" -> "i(?:'ll| will)").

    The same strings match, but a position that starts with none of the phrases fails at its first character
    instead of once per phrase, which keeps long phrase lists fast.
    """
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + build(root) + ")"


@cache
def _variable(value: str) -> str:
    plain = _PLAIN_ALTERNATION.match(value)
    return _trie(plain.group(1).split("|")) if plain else value


def _expand(pattern: str, variables: Mapping[str, str]) -> str:
    for key, value in variables.items():
        pattern = pattern.replace("{" + key + "}", _variable(value))
    return pattern


def _combine(patterns: Iterable[str], variables: Mapping[str, str] | None = None) -> str:
    return "|".join(f"(?:{_expand(p, variables or {})})" for p in patterns)


@cache
def _compiled(source: str) -> re.Pattern[str]:
    return regexcache.compile(source)


@dataclass(frozen=True)
class _Group:
    """A boundary phrase group, its pattern source, and the words that can trigger it."""

    name: str
    source: str
    triggers: frozenset[str] | None  # the pattern can only match when one of these words is in the draft

    @property
    def pattern(self) -> re.Pattern[str]:
        """Compiled the first time a draft has one of its trigger words (start-up stays short)."""
        return _compiled(self.source)


@tablecache.kept
def _groups(name: str) -> tuple[_Group, ...]:
    """The phrase groups of ``rules/data/NAME.toml``, ``{var}`` placeholders filled from its [vars]."""
    data = load_data(name)
    variables = data.get("vars", {})
    return tuple(
        _Group(
            group, _combine(spec["patterns"], variables), frozenset(spec["triggers"]) if "triggers" in spec else None
        )
        for group, spec in data["groups"].items()
    )


@dataclass(frozen=True, slots=True)
class _Hit:
    """A boundary phrase found in a draft: its span and group."""

    start: int
    end: int
    group: str


def _find(draft: Draft, name: str) -> list[_Hit]:
    """Non-overlapping matches in the user's own voice, in reading order; negated ones dropped.

    Where matches overlap, the group listed first in the data file wins, then the earlier and longer match.
    """
    toks = tokens(draft)
    hits: list[tuple[int, _Hit]] = []
    for rank, spec in enumerate(_groups(name)):
        matches = (
            m
            for start, end in _scan_ranges(draft, toks, spec.triggers)
            for m in spec.pattern.finditer(draft.folded, start, end)
        )
        for n, m in enumerate(matches):
            if n >= MAX_CANDIDATES:  # a pathological draft repeating a phrase thousands of times
                break
            start, end = m.span()
            while end > start and draft.folded[end - 1].isspace():
                end -= 1
            if end <= start or not _own_voice(draft, start, end):
                continue
            hits.append((rank, _Hit(start, end, spec.name)))
    hits.sort(key=lambda item: (item[0], item[1].start, item[1].start - item[1].end))
    kept: list[_Hit] = []
    for _, hit in hits:
        if all(hit.end <= k.start or k.end <= hit.start for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)[:MAX_FINDINGS]


def _scan_ranges(draft: Draft, toks: Tokens, triggers: frozenset[str] | None) -> list[tuple[int, int]]:
    """Where a group's pattern can match: the whole draft, or only the sentences holding a trigger word."""
    if triggers is None:
        return [(0, len(draft.folded))]
    if triggers.isdisjoint(toks.vocabulary):
        return []
    ranges: list[tuple[int, int]] = []
    for word, start in zip(toks.words, toks.starts, strict=True):
        if word in triggers and not (ranges and start < ranges[-1][1]):
            sentence = draft.sentence_at(start)
            ranges.append((sentence.start, sentence.end) if sentence else (0, len(draft.folded)))
    return ranges


def _own_voice(draft: Draft, start: int, end: int, *, negation: bool = True) -> bool:
    """False inside quotes or reported speech, and (with ``negation``) just after "not", "never", "n't"."""
    if draft.is_reported(start, end):
        return False
    sentence = draft.sentence_at(start)
    head = draft.folded[max(sentence.start if sentence else 0, start - HEAD_CHARS) : start]
    return not (_NEGATED.search(head) or _NEGATED_CLAIM.search(head)) if negation else not _NEGATED_CLAIM.search(head)


def _sentence_info(draft: Draft, offset: int) -> SentenceInfo | None:
    for info in analyse(draft).sentences:
        if info.sentence.start <= offset < info.sentence.end:
            return info
    return None


def _quote(draft: Draft, hit: _Hit) -> str:
    return draft.text[hit.start : hit.end]


def _midnight(day: date, now: datetime) -> datetime:
    return datetime.combine(day, time(), tzinfo=now.tzinfo)


# --- topics (BD04) -----------------------------------------------------------

_TOPIC_SPLIT = regexcache.compile(r"\s*(?:,|;|/|&|\+|\band\b|\bor\b)\s*")
_TOPIC_STOP = frozenset(
    "the a an my your our his her their its about any of to in on with for from at by talk talking talks discuss "
    "discussing discussion mention mentioning mentions bring bringing up topic topics subject subjects no not don't "
    "dont anything everything something stuff things thing issue issues matter matters each other other we us you "
    "me i".split()
)


def _stem_pattern(word: str) -> str:
    """A light stem of ``word`` as a regex that also matches its plural and -ed/-ing forms."""
    w = word.lower().strip("'")
    if w.endswith("'s"):
        w = w[:-2]
    base, trimmed = w, False
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and not w.endswith("ss"):
            base, trimmed = w[: -len(suffix)] + replacement, suffix in ("ing", "ed")
            break
    if base.endswith("y") and len(base) > 3:
        return rf"\b{re.escape(base[:-1])}(?:y|ies|ied|ying)\b"
    e = "e?" if trimmed else ""
    return rf"\b{re.escape(base)}{e}(?:s|es|ed|ing|'s)?\b"


@cache
def topic_pattern(topic: str) -> re.Pattern[str] | None:
    """The pattern for one agreed off-limits topic: known topic words, else the topic's own words stemmed."""
    topics = load_data("boundary_topics").get("topics", {})
    patterns: list[str] = []
    own_words = False  # the user's own words: never written to the start-up cache (it is not encrypted)
    for part in _TOPIC_SPLIT.split(topic.lower()):
        part = part.strip(" .'\"!?-")
        if not part:
            continue
        known = [spec for spec in topics.values() if any(_compiled(a).search(part) for a in spec["aliases"])]
        if known:
            for spec in known:
                patterns.extend(spec["patterns"])
            continue
        for word in re.findall(r"[\w']+", part):
            if word not in _TOPIC_STOP and len(word) > 1:
                patterns.append(_stem_pattern(word))
                own_words = True
    if not patterns:
        return None
    return re.compile(_combine(patterns)) if own_words else _compiled(_combine(patterns))


# --- exceptions (BD01) -------------------------------------------------------

_PERSON = regexcache.compile(
    r"\b(?!(?:I|I'm|I've|I'll|I'd|My|The|Your|Hi|Hey|Hello|Please|This|That|It|It's|We|You|Can|Could|Is|Are|Just|"
    r"So|And|But|Ok|Okay|Sorry|Urgent|Emergency|Call|Text|Now|Today|Tonight|There|Our|He|She|They|If|When|What)\b)"
    r"[A-Z][a-z]+(?:'s)?\b"
)
_THIRD_PERSON = regexcache.compile(r"\b(?:he|she|they|him|her|them|he's|she's|they're)\b")


@dataclass(frozen=True)
class _Exception:
    """What an agreement's exception allows: urgency, subjects, children or practical matters."""

    urgency: re.Pattern[str] | None
    subjects: tuple[re.Pattern[str], ...]
    children: bool  # the exception is about the children
    practical: bool  # any practical matter counts ("logistics")


@cache
def _exception(text: str) -> _Exception | None:
    categories = load_data("boundary_exceptions").get("categories", {})
    lower = text.lower()
    urgency: list[str] = []
    subjects: list[re.Pattern[str]] = []
    children = practical = False
    covered: list[tuple[int, int]] = []
    for name, spec in categories.items():
        found = [m for a in spec["aliases"] for m in re.finditer(a, lower)]
        if not found:
            continue
        covered.extend(m.span() for m in found)
        if spec.get("urgency"):
            urgency.extend(spec["patterns"])
        else:
            subjects.append(_compiled(_combine(spec["patterns"])))
            children = children or name == "children"
            practical = practical or bool(spec.get("practical"))
    for m in re.finditer(r"[\w']+", lower):
        inside = any(a <= m.start() < b for a, b in covered)
        if not inside and m.group() not in _TOPIC_STOP and len(m.group()) > 2:
            subjects.append(re.compile(_stem_pattern(m.group())))
    if not urgency and not subjects:
        return None
    return _Exception(_compiled(_combine(urgency)) if urgency else None, tuple(subjects), children, practical)


def matches_exception(draft: Draft, exceptions: Iterable[str]) -> str | None:
    """The first agreed exception the draft is clearly about ("children's emergencies" + "Emma is in hospital")."""
    for text in exceptions:
        spec = _exception(text)
        if spec is None:
            continue
        if spec.urgency is not None and not spec.urgency.search(draft.folded):
            continue
        if not spec.subjects or any(p.search(draft.folded) for p in spec.subjects):
            return text
        if spec.practical and analyse(draft).is_logistics:
            return text
        # "Emma is in hospital": an urgent draft about a named person or he/she counts for the children.
        if (
            spec.urgency is not None
            and spec.children
            and (_PERSON.search(draft.text) or _THIRD_PERSON.search(draft.folded))
        ):
            return text
    return None


# --- rules ---------------------------------------------------------------------


class NoContactPeriod(Rule):
    """An agreed no-contact period is still running; drafts about an agreed exception pass.

    ## What it flags
    Today is before the `no_contact_until` date you agreed. Runs in readiness
    checks too. A draft that is clearly about one of the agreed exceptions
    (`no_contact_except`, e.g. "children's emergencies") passes: for an
    emergency exception the draft must carry urgent words (hospital,
    accident, missing, emergency) and, when the exception names a subject
    (the children, legal matters), be about that subject. An exception for
    "logistics" or "practical matters" lets through any draft that carries a
    practical matter (a date, time, item, money, the children, documents).

    ## Why it matters
    A no-contact period for a month or two is one of the most common
    boundaries after a breakup. Breaking a rule you set together can sour the
    relationship and undo the space it was meant to give you both.

    ## Example
    No contact until 30 December, and on 20 November: "Just wanted to see how
    you're doing."

    ## Instead
    Wait until the date in the message. If an agreed exception applies, say
    only that: "Emma is in hospital with a broken arm; we're at St Mary's."
    """

    code: ClassVar[str] = "BD01"
    name: ClassVar[str] = "no-contact-period"
    needs = frozenset({Need.AGREEMENTS, Need.CLOCK})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        agreed = situation.agreements
        if agreed.no_contact_until is None or now.date() >= agreed.no_contact_until:
            return
        if draft is not None and matches_exception(draft, agreed.no_contact_except):
            return
        exceptions = agreed.no_contact_except
        extra = f" (agreed exceptions: {', '.join(exceptions)})" if exceptions else ""
        yield self.finding(
            f"You agreed on no contact until {describe_date(agreed.no_contact_until)}{extra}.",
            note=_AGREED_NOTE + " A no-contact period gives you both room to process.",
            until=_midnight(agreed.no_contact_until, now),
        )


class OutsideContactWindow(Rule):
    """Now is outside every agreed contact window; says when the next one opens.

    ## What it flags
    Contact windows are recorded (e.g. goodnight calls 19:30-20:00 on school
    nights) and now is inside none of those that apply. A window that names
    a channel applies to that channel only; a window without a channel applies
    to every channel. If no window applies to the channel you are using, the
    rule is silent. Runs in readiness checks too. An urgent draft (hospital,
    accident, emergency) is not held back.

    ## Why it matters
    Calling to say goodnight when the children went to bed an hour and a half
    ago is not within the agreed contact period. Keeping to the windows makes
    contact predictable and low-conflict for everyone.

    ## Example
    Goodnight calls agreed for 19:30-20:00 on weekdays; it is 21:40 on a
    Thursday.

    ## Instead
    Wait for the next window; the message says when it opens.
    """

    code: ClassVar[str] = "BD02"
    name: ClassVar[str] = "outside-contact-window"
    needs = frozenset({Need.AGREEMENTS, Need.CLOCK})
    verdict = Verdict.WAIT

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        windows = [w for w in situation.agreements.windows if w.channel is None or w.channel is situation.channel]
        if not windows or any(w.contains(now) for w in windows):
            return
        if draft is not None and analyse(draft).urgent:
            return
        openings = [(opening, w) for w in windows if (opening := _next_start(w, now)) is not None]
        if not openings:
            return
        opening, window = min(openings, key=lambda pair: pair[0])
        label = window.purpose or window.describe()
        yield self.finding(
            f"It is outside the contact times you agreed. The next agreed window opens "
            f"{describe_moment(opening, now)} ({label}).",
            note=_AGREED_NOTE + " Agreed windows keep contact predictable and calm.",
            severity=Severity.WARNING,
            until=opening,
        )


def _next_start(window: ContactWindow, now: datetime) -> datetime | None:
    try:
        return window.next_start(now)
    except ValueError:
        return None


class ChannelNotAgreed(Rule):
    """The channel you are about to use is not one you agreed on.

    ## What it flags
    Channels are recorded (e.g. text and email only) and the channel of this
    contact (`channel`: text, call, email, in-person, social) is not among
    them. Runs in readiness checks too. An urgent draft (hospital, accident,
    emergency) is not held back.

    ## Why it matters
    Deciding how you stay in touch (texts, calls, in person) is part of the
    plan you made together. Reaching them another way can feel like pressure
    and breaks what you both agreed.

    ## Example
    You agreed on text and email; you are about to call.

    ## Instead
    Use an agreed channel: put the same practical point in a text.
    """

    code: ClassVar[str] = "BD03"
    name: ClassVar[str] = "channel-not-agreed"
    needs = frozenset({Need.AGREEMENTS})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        allowed = situation.agreements.channels
        if not allowed or situation.channel in allowed:
            return
        if draft is not None and analyse(draft).urgent:
            return
        names = sorted(_CHANNEL_NAMES[c] for c in allowed)
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        yield self.finding(
            f"You agreed to keep in touch by {listed}; this contact would be {_THIS_CONTACT[situation.channel]}.",
            note=_AGREED_NOTE,
        )


class OffLimitsTopic(Rule):
    """The draft touches a topic you agreed to keep out of your messages.

    ## What it flags
    Words that touch an agreed off-limits topic (`off_limits`). Common topics
    are expanded: "new partners" (boyfriend, girlfriend, dating, "are you
    seeing someone", "who is he"), "the past" ("remember when", "back when",
    "we used to", "our relationship"), "family" ("your mom", "your sister"),
    "money", "work", "friends", "health", "sex", "social media", "religion",
    "politics". Any other topic is matched by its own words, lightly stemmed
    ("the house sale" matches "house", "sale", "sold" does not).

    ## Why it matters
    Asking them to keep new relationships to themselves, or agreeing not to
    reopen the past, are boundaries the two of you set. Touching them again
    pours salt in old wounds and breaks the trust the plan depends on.

    ## Example
    Off-limits: new partners. "Is your new boyfriend going to be at the
    recital?"

    ## Instead
    Leave the topic out and keep the practical point: "See you at the recital
    at 6."
    """

    code: ClassVar[str] = "BD04"
    name: ClassVar[str] = "off-limits-topic"
    needs = frozenset({Need.DRAFT, Need.AGREEMENTS})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        seen: set[tuple[int, int]] = set()
        for topic in situation.agreements.off_limits:
            pattern = topic_pattern(topic)
            if pattern is None:
                continue
            for n, m in enumerate(pattern.finditer(draft.folded)):
                start, end = m.span()
                if n >= MAX_CANDIDATES or len(seen) >= MAX_FINDINGS:
                    break
                if end <= start or any(a < end and start < b for a, b in seen):
                    continue
                if not _own_voice(draft, start, end, negation=False):
                    continue
                seen.add((start, end))
                yield self.finding(
                    f'"{draft.text[start:end]}" touches "{topic}", which you agreed to keep out of your messages.',
                    Span(start, end),
                    note=_AGREED_NOTE,
                    suggestions=[
                        Suggestion(
                            "Leave this topic out",
                            "Keep to the practical point and leave this topic out.",
                            Applicability.DISPLAY_ONLY,
                        )
                    ],
                )


class ContactingFamily(Rule):
    """The draft contacts, or asks about contacting, their family; shared-children logistics pass.

    ## What it flags
    With the agreement `no_family_contact`: proposing, asking about or
    reporting contact with their family ("I'll call your sister", "can I
    visit your parents?", "I talked to your dad", "tell your mom ...").
    Practical arrangements about your shared children pass ("your mom can
    pick the kids up at 5", when you have children together). Without that
    agreement, only clear attempts to draw their family into the conflict
    are flagged, as a warning ("tell your mom she's ruining everything",
    "I'll tell your parents what you did"). The rule reads what the draft
    says; it cannot know who the message will be sent to.

    ## Why it matters
    Asking an ex not to contact one's family (unless it is about the
    children) is a common boundary. Drawing family into the conflict widens
    it and is hard to take back.

    ## Example
    "I talked to your mom yesterday and she agrees with me."

    ## Instead
    Keep family out of it; speak to them only about the children, and only
    the practical point.
    """

    code: ClassVar[str] = "BD05"
    name: ClassVar[str] = "contacting-family"
    needs = frozenset({Need.DRAFT, Need.AGREEMENTS})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        agreed = situation.agreements.no_family_contact
        for hit in _find(draft, "boundary_family"):
            quoted = _quote(draft, hit)
            if hit.group == "conflict":
                yield self.finding(
                    f'"{quoted}" draws their family into the conflict.',
                    Span(hit.start, hit.end),
                    note="Bringing family into a disagreement widens it and is hard to take back."
                    + (" You also agreed not to contact their family." if agreed else ""),
                    severity=Severity.ERROR if agreed else Severity.WARNING,
                    verdict=Verdict.DONT_SEND if agreed else Verdict.REVISE,
                )
                continue
            if not agreed or self._about_children(draft, hit, situation):
                continue
            yield self.finding(
                f'"{quoted}" involves contact with their family, which you agreed not to have.',
                Span(hit.start, hit.end),
                note=_AGREED_NOTE + " Contact with their family is only for your shared children.",
            )

    @staticmethod
    def _about_children(draft: Draft, hit: _Hit, situation: Situation) -> bool:
        info = _sentence_info(draft, hit.start)
        return situation.children > 0 and info is not None and bool(info.kinds & {"children", "handover"})


class ShowingUp(Rule):
    """The draft proposes coming to their home or workplace unannounced.

    ## What it flags
    Arriving or being on the way ("I'm outside", "I'm coming over", "open the
    door"): always. Plans to come by ("I'll come by your place", "I'll stop by
    your work", "I'll just show up") when they name no day or time. A
    practical handover that names when it happens passes, also with no visits
    agreed ("I'll drop the uniform off at your house Sunday by 6 PM", "I'll
    leave her jacket at your place tomorrow"). Asking first ("Can I come by?")
    and a visit announced for a given day and time pass, unless you agreed on
    no visits. With the agreement `no_visits` the rule says do not send;
    without it, it is a warning.

    ## Why it matters
    "Letting them know not to show up at your house" is one of the common
    post-breakup boundaries. An unannounced visit takes away their choice
    and can feel threatening, however it is meant.

    ## Example
    "I'm outside, come down."

    ## Instead
    Propose a time and place and let them agree: "Could I drop the boxes off
    on Saturday at 10?"
    """

    code: ClassVar[str] = "BD06"
    name: ClassVar[str] = "showing-up"
    needs = frozenset({Need.DRAFT, Need.AGREEMENTS})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        if draft is None:
            return
        no_visits = situation.agreements.no_visits
        for hit in _find(draft, "boundary_visits"):
            info = _sentence_info(draft, hit.start)
            kinds = info.kinds if info is not None else frozenset()
            handover = bool(kinds & _PRACTICAL_KINDS) and bool(kinds & {"date", "time", "soon"})
            timed = info is not None and is_timed(info)
            quoted = _quote(draft, hit)
            if hit.group == "arrive":
                message = f'"{quoted}" reads as arriving at their place without warning.'
            elif handover or (timed and not no_visits):
                continue
            elif no_visits:
                what = "proposes coming by" if hit.group == "propose" else "asks to come over"
                message = f'"{quoted}" {what}, and you agreed on no visits.'
            elif hit.group == "propose":
                message = f'"{quoted}" proposes coming by without an agreed day or time.'
            else:
                continue
            if no_visits and hit.group == "arrive":
                message += " You agreed on no visits."
            yield self.finding(
                message,
                Span(hit.start, hit.end),
                note="Turning up unannounced takes away their choice; a proposed time they can agree to keeps it calm.",
                severity=Severity.ERROR if no_visits else Severity.WARNING,
                verdict=Verdict.DONT_SEND if no_visits else Verdict.REVISE,
                suggestions=[
                    Suggestion(
                        "Propose a time they can agree to",
                        "Could I drop it off on Saturday at 10?",
                        Applicability.DISPLAY_ONLY,
                    )
                ],
            )


class FriendshipNotAgreed(Rule):
    """The draft proposes hanging out or friendship when friendship is not on the table.

    ## What it flags
    Proposals to hang out ("let's grab coffee", "we should hang out",
    "wanna go for a drink?") or to be friends ("can we still be friends?").
    With `friendship = false` agreed, the rule says do not send. When
    friendship has not been discussed (no agreement), it gives an
    informational note only, whatever the goal: the seeds suggest agreeing
    on it openly first. With `friendship = true` it is silent. Practical
    meetings (about the children, documents, money, belongings) pass.

    ## Why it matters
    "Letting them know if you're open to friendship or not" is part of the
    plan after a breakup. Vague or overly friendly invitations can create a
    fog of false hope and press on a boundary they set.

    ## Example
    Friendship not agreed: "We should grab a drink sometime."

    ## Instead
    Keep to what you agreed. If you would like friendship, ask about it
    directly once, when you are both ready, and accept the answer.
    """

    code: ClassVar[str] = "BD07"
    name: ClassVar[str] = "friendship-not-agreed"
    needs = frozenset({Need.DRAFT, Need.AGREEMENTS})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        friendship = situation.agreements.friendship
        if draft is None or friendship is True:
            return
        for hit in _find(draft, "boundary_friendship"):
            info = _sentence_info(draft, hit.start)
            if info is not None and info.kinds & _PRACTICAL_KINDS:
                continue
            quoted = _quote(draft, hit)
            if friendship is False:
                yield self.finding(
                    f'"{quoted}" proposes spending time together, and you agreed friendship is not on the table.',
                    Span(hit.start, hit.end),
                    note=_AGREED_NOTE + " Friendly invitations can give false hope.",
                )
            else:
                goal_note = "" if situation.goal is Goal.FRIENDSHIP else " It may also read as more than you intend."
                yield self.finding(
                    f'"{quoted}" proposes spending time together; friendship has not been agreed between you yet.',
                    Span(hit.start, hit.end),
                    note="Agreeing openly whether you are both open to friendship avoids false hope." + goal_note,
                    severity=Severity.INFO,
                )


class SocialMediaBlock(Rule):
    """Contact through social media during an agreed social-media block.

    ## What it flags
    Before the `social_block_until` date: a contact whose channel is `social`,
    or a draft that mentions contacting them on social media (DMs, comments,
    tagging, following, friend requests, "unblock me"). Runs in readiness
    checks too (for the channel).

    ## Why it matters
    Blocking or muting each other on social media for some time is a
    common, healthy boundary after a breakup. Reaching round it reopens the
    contact the block was meant to pause.

    ## Example
    Block until 15 January: "I'll DM you on Instagram about it."

    ## Instead
    Wait until the block ends, or use an agreed channel for practical
    matters only.
    """

    code: ClassVar[str] = "BD08"
    name: ClassVar[str] = "social-media-block"
    needs = frozenset({Need.AGREEMENTS, Need.CLOCK})
    verdict = Verdict.DONT_SEND

    def check(self, draft: Draft | None, situation: Situation, now: datetime) -> Iterator[Diagnostic]:
        until = situation.agreements.social_block_until
        if until is None or now.date() >= until:
            return
        when = describe_date(until)
        note = _AGREED_NOTE + " A break from each other's social media gives you both space."
        if situation.channel is Channel.SOCIAL:
            yield self.finding(
                f"You agreed to stay off each other's social media until {when}.",
                note=note,
                until=_midnight(until, now),
            )
            return
        if draft is None:
            return
        for hit in _find(draft, "boundary_social"):
            yield self.finding(
                f'"{_quote(draft, hit)}" is contact through social media, which you agreed to pause until {when}.',
                Span(hit.start, hit.end),
                note=note,
                until=_midnight(until, now),
            )
