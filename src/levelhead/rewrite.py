"""Rewrites offered as suggestions: blame turned into an I-statement, an order into a request.

Both are transformations of the user's own sentence, not templates: the
feeling, the situation and the ask are read from what the sentence is about
(the schedule, lateness, a cancelled plan, money, the children), and names of
children or the item in question are carried over. They change the wording,
so a rule offers them as UNSAFE suggestions that the user reads before taking.

The output never contains "you": an I-statement says what I feel, about what
situation, and what we could do, so it does not itself read as blame.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from levelhead import regexcache
from levelhead.text import fold

__all__ = ["as_request", "i_statement"]


@dataclass(frozen=True, slots=True)
class _Topic:
    """What a blaming sentence is about, and how an I-statement says it."""

    name: str
    cue: re.Pattern[str]
    feeling: str
    when: str  # "{thing}" is replaced by a noun phrase taken from the sentence, when one is found
    ask: str  # "{whom}" is replaced by the child named in the sentence, or "both of us"
    thing: re.Pattern[str] | None = None
    default_thing: str = ""


def _rx(pattern: str) -> re.Pattern[str]:
    return regexcache.compile(pattern)


_DET = r"(?:the|our|your|my|her|his|their|this|that|[a-z]+'s)"

# In priority order: the first topic whose cue appears in the sentence decides.
_TOPICS: tuple[_Topic, ...] = (
    _Topic(
        "cancelled",
        _rx(
            r"\b(?:cancel\w*|last[- ]minute|bail\w*|no[- ]show|stood (?:me|us|her|him|them) up|flak\w*"
            r"|blew (?:it|us|her|him|them) off)\b"
        ),
        "disappointed",
        "plans are cancelled at short notice",
        "agree to give each other at least a day's notice when plans change",
    ),
    _Topic(
        "money",
        _rx(r"\b(?:money|pay\w*|paid|child support|bills?|rent|costs?|expens\w*|fees?|owe\w*|debt|cash)\b|[$£€]"),
        "stressed",
        "payments are uncertain",
        "agree on an amount and a date for the payment",
    ),
    _Topic(
        "late",
        _rx(r"\b(?:late|on time|waiting|wait|kept (?:me|us|her|him|them) waiting|punctual|running behind)\b"),
        "frustrated",
        "{thing} run{s} late",
        "agree on a time that works for {whom}",
        _rx(r"\b(?:pick[- ]?ups?|drop[- ]?offs?|hand[- ]?overs?|exchanges?|collection)\b"),
        "the hand-over",
    ),
    _Topic(
        "agreement",
        _rx(
            r"\b(?:agree\w*|promis\w*|decree|deal|court order|your word|supposed to|violat\w*|arrangement"
            r"|parenting plan)\b"
        ),
        "frustrated",
        "what we agreed doesn't happen",
        "go over what we agreed so it works for {whom}",
    ),
    _Topic(
        "schedule",
        _rx(r"\b(?:schedule|plans?|routine|calendar|timetable|weekends?|rota)\b"),
        "frustrated",
        "{thing} change{s}",
        "agree on a plan that works for {whom}",
        _rx(
            rf"\b{_DET} (?:(?:new|usual|custody|parenting|weekend|holiday|school|bedtime|morning|sleep|visitation"
            r"|access) )?"
            r"(?:schedule|plans?|routine|calendar|timetable|rota)\b"
        ),
        "the schedule",
    ),
    _Topic(
        "informed",
        _rx(
            r"\b(?:tell|told|telling|inform\w*|let me know|sooner|heads[- ]up|warn\w*|update\w*|find out|found out"
            r"|mention\w*)\b"
        ),
        "anxious",
        "I hear about changes late",
        "let each other know as soon as something changes",
    ),
    _Topic(
        "occasion",
        _rx(
            r"\b(?:birthday|christmas|holiday|party|recital|graduation|game|match|concert|play|trip|vacation|thanksgiving|easter|wedding|event)s?\b"
        ),
        "disappointed",
        "{thing} {doesnt} go as planned",
        "plan the next one together so it works for {whom}",
        _rx(
            rf"\b{_DET} (?:[a-z]+'s )?(?:\w+ )?(?:birthday|christmas|holiday|party|recital|graduation|game|match"
            r"|concert|play|trip|vacation|thanksgiving|easter|wedding|event)s?\b"
        ),
        "the day",
    ),
    _Topic(
        "heard",
        _rx(
            r"\b(?:listen\w*|ignor\w*|hear\w*|reply|replies|respond\w*|answer\w*|messages?|texts?|calls?|dismiss\w*|understand\w*)\b"
        ),
        "hurt",
        "I'm not sure I've been heard",
        "find a good time to talk this through",
    ),
    _Topic(
        "children",
        _rx(
            r"\b(?:kids?|children|child|son|daughter|boy|girl|baby|school|homework|teeth|bedtime|sleep|doctor|health|parent\w*)\b"
        ),
        "worried",
        "it's hard to tell what {whom} {needs}",
        "talk together about what would help most",
    ),
    _Topic(
        "care",
        _rx(
            r"\b(?:care\w*|love\w*|respect\w*|appreciat\w*|value\w*|matter\w*|feelings|selfish\w*|yourself|one-sided)\b"
        ),
        "hurt",
        "things feel one-sided",
        "talk about what would feel fair to {whom}",
    ),
    _Topic(
        "mistake",
        _rx(
            r"\b(?:fault|blame\w*|ruin\w*|mess\w*|screw\w*|wrong|right|manage|handle|remind\w*|again|forg[eo]t\w*|mistake|problem)\b"
        ),
        "frustrated",
        "the same problem keeps coming up",
        "work out together what would help next time",
    ),
)
_DEFAULT = _Topic("default", _rx(r"(?!)"), "upset", "things go this way", "find a way forward that works for {whom}")

# Capitalised words that are not names of people.
_NOT_NAMES = frozenset(
    "I I'm I'll I've I'd OK PM AM Mon Tue Wed Thu Fri Sat Sun Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "January February March April May June July August September October November December "
    "Christmas Easter Thanksgiving "
    "God Mom Mum Dad Mommy Daddy Well Oh Wow Seriously Honestly Congratulations Thanks Whatever Why How What When "
    "Where Who You Your Yours Again".split()
)
_NAME = regexcache.compile(r"\b([A-Z][a-z]{1,20})(?:'s)?\b")
_CHILD = regexcache.compile(
    r"\b(our|the|my|your) (kids|children|child|son|daughter|boys|girls|boy|girl|baby|little one|little ones|twins)\b"
)
_POSSESSIVE_YOU = regexcache.compile(r"\b(?:your|ur)\b")


def i_statement(sentence: str) -> str:
    """Turn a blaming sentence into "I feel ... when ...; could we ...?".

    >>> i_statement("You keep changing the weekend plans!")
    'I feel frustrated when the weekend plans change; could we agree on a plan that works for both of us?'
    """
    text = sentence.strip()
    folded = fold(text)
    topic = next((t for t in _TOPICS if t.cue.search(folded)), _DEFAULT)
    whom = _child(text, folded) or "both of us"
    thing = topic.default_thing
    if topic.thing is not None:
        m = topic.thing.search(folded)
        if m:
            thing = _neutral(text[m.start() : m.end()])
    plural = whom.endswith(("s", "children", "both of us"))
    many = bool(re.search(r"(?<!s)s$", thing)) and not thing.endswith("'s")
    when = (
        topic.when.replace("{thing}", thing)
        .replace("{whom}", whom)
        .replace("{needs}", "need" if plural else "needs")
        .replace("{s}", "" if many else "s")
        .replace("{doesnt}", "don't" if many else "doesn't")
    )
    ask = topic.ask.replace("{whom}", whom)
    if whom == "both of us" and topic.name == "children":
        when = "it's hard to tell what the children need"
    return f"I feel {topic.feeling} when {when}; could we {ask}?"


def _child(text: str, folded: str) -> str | None:
    """A child the sentence names ("Emma", "our son"), said from the user's side."""
    m = _CHILD.search(folded)
    if m:
        det = "our" if m.group(1) in ("the", "my", "your", "our") else m.group(1)
        return f"{det} {m.group(2)}"
    for m in _NAME.finditer(text):
        word = m.group(1)
        sentence_start = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1] in ".!?:;\"'(-"
        if word not in _NOT_NAMES and not sentence_start:
            return word
    return None


_NEUTRAL_DET = {"your": "the", "ur": "the", "my": "the", "this": "the", "that": "the"}
_KEEP_LOWER = frozenset({"the", "our", "her", "his", "their"})


def _neutral(original: str) -> str:
    """A noun phrase said from both sides: "your schedule" becomes "the schedule"; names keep their capital."""
    out = []
    for word in original.split():
        low = fold(word)
        if low in _NEUTRAL_DET:
            out.append(_NEUTRAL_DET[low])
        elif word[:1].isupper() and not word.isupper() and low not in _KEEP_LOWER:
            out.append(word)
        else:
            out.append(low)
    return " ".join(out)


_ORDER = regexcache.compile(
    r"^(?P<lead>.*?)\b(?:you|u)(?: ?'d)? "
    r"(?:(?:really|seriously|absolutely|just|still|now|simply|definitely|both|also|then) )*"
    r"(?:need to|needs to|have to|has to|must|got to|gotta|'d better|had better|better)\s+(?P<rest>.+?)\s*[.!?]*$",
    re.IGNORECASE | re.DOTALL,
)
_I_NEED = regexcache.compile(
    r"^(?P<lead>.*?)\bi (?:need|want|expect|require) (?:you|u) to\s+(?P<rest>.+?)\s*[.!?]*$", re.I | re.S
)
_PRESSURE_TAIL = regexcache.compile(
    r"[,;:-]*\s*\b(?:now|right now|immediately|asap|no excuses|for once|already|or else|period|this time)\b[.!?]*\s*$",
    re.I,
)


def as_request(sentence: str) -> str | None:
    """Turn an order ("You need to sign the form by Friday.") into a request ("Could you sign the form by Friday?").

    Returns None when the sentence is not phrased as an order.
    """
    text = sentence.strip()
    m = _ORDER.match(text) or _I_NEED.match(text)
    if not m:
        return None
    rest = m.group("rest")
    while True:
        trimmed = _PRESSURE_TAIL.sub("", rest)
        if trimmed == rest:
            break
        rest = trimmed
    rest = rest.rstrip(" ,;:-!?.")
    if not rest:
        return None
    return f"Could you {rest}?"
