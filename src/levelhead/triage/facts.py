"""The facts of one ask: when, how much, which items, who and where; and a one-line summary.

Amounts come out as "120 USD" (the "$" sign follows the situation's country);
items, people and places come from the word lists in
``triage/data/facts.toml`` plus names found by their capital letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache

from levelhead.text import fold
from levelhead.triage._data import load
from levelhead.triage.model import Facts
from levelhead.triage.spots import Spots
from levelhead.triage.when import Moment, day_label, find_moment

# Countries that write dates day first.
_DAY_FIRST = frozenset({"GB", "IE", "AU", "NZ"})

_AMOUNT = re.compile(
    r"(?=[$£€\d])(?:(?P<sign>[$£€])\s?(?P<n1>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<d1>\d{1,2}))?(?P<k1>k\b)?"
    r"|(?<![\w.])(?P<n2>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<d2>\d{1,2}))?\s?(?P<word>[a-z]+\b|[€£]))"
)
_PURPOSE = re.compile(
    r"\b(?:for|towards|toward|on)\s+(?:the\s+|her\s+|his\s+|their\s+|our\s+|my\s+|your\s+|a\s+|an\s+)?"
    r"(?P<what>[a-z][a-z' -]{1,40}?)"
    r"(?=\s*(?:[.,;!?]|$|\b(?:and|by|before|on|this|next|last|that|which|you|or|so|because|as)\b))"
)
# Capitalised words that are not names.
_NOT_NAMES = frozenset(
    "i i'm i'll i've i'd ok okay monday tuesday wednesday thursday friday saturday sunday january february march"
    " april may june july august september october november december christmas easter xmas halloween thanksgiving"
    " mr mrs ms dr st hi hey hello dear thanks thank please sorry yes no god omg lol venmo zelle paypal whatsapp"
    " facebook instagram google tesco school the a an and but so if or you your my we they he she it this that"
    " just also can could would will why what when where who how is are was do does did don't can't won't".split()
)
_MONEY_WORDS = re.compile(
    r"\b(?:pay|paying|paid|transfer|half|share|owe|owed|owes|cost|costs|money|refund|split|reimburse|contribute)\b"
)
# A question that wants more than yes or no: "What time...", "Could you let me know when...".
_WH = re.compile(
    r"^\W*(?:(?:and|also|so|ok|okay|just|but|oh|anyway|anyways|right|well)\W+)*"
    r"(?:(?:can|could) (?:you|u) (?:let me know|tell me)\s+|let me know\s+|tell me\s+)?"
    r"(?P<wh>what time|when|what|which|where|who|whose|how)\b"
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:'s)?\b")
_PLACE_BEFORE = re.compile(r"\b(?:at|to|from|near|outside|in)\s+$")


@cache
def _currencies() -> tuple[dict[str, str], dict[str, str]]:
    data = load("facts")
    return {str(k): str(v) for k, v in data["currency"].items()}, {str(k): str(v) for k, v in data["dollar"].items()}


@dataclass(frozen=True, slots=True)
class Amount:
    value: str  # "120", "45.50"
    currency: str  # "USD"
    shown: str  # as written: "$120", "40 euros"

    @property
    def wire(self) -> str:
        return f"{self.value} {self.currency}"


def find_amount(text: str, folded: str, country: str) -> Amount | None:
    """The first sum of money in the ask: "$120" -> 120 USD, "£40" -> 40 GBP, "40 euros" -> 40 EUR."""
    names, dollar = _currencies()
    for m in _AMOUNT.finditer(folded):
        if m.group("sign"):
            sign, number, cents, thousands = m.group("sign"), m.group("n1"), m.group("d1"), m.group("k1")
        else:
            sign, number, cents, thousands = names.get(m.group("word") or ""), m.group("n2"), m.group("d2"), None
            if sign is None:
                continue
        currency = names.get(sign, sign)
        if currency == "$":
            currency = dollar.get(country.upper(), dollar["default"])
        try:
            value = Decimal(number.replace(",", "") + (f".{cents}" if cents else ""))
        except InvalidOperation:
            continue
        if thousands:
            value *= 1000
        shown_value = f"{value:.2f}" if cents else f"{value:.0f}"
        return Amount(shown_value, currency, text[m.start() : m.end()].strip())
    return None


def find_names(text: str, start: int, end: int, sentence_start: int) -> tuple[list[str], list[str]]:
    """Capitalised names in ``text[start:end]``: (people, places). "at Grandma's" is a place."""
    people: list[str] = []
    places: list[str] = []
    for m in _NAME.finditer(text, start, end):
        word = m.group()
        base = word.removesuffix("'s")
        if base.lower() in _NOT_NAMES:
            continue
        # A capital at the start of a sentence is only a name when it is one elsewhere too.
        first = m.start() == sentence_start and not word.endswith("'s")
        if first and not re.search(rf"(?<=[\w,] ){re.escape(base)}\b", text):
            continue
        if _PLACE_BEFORE.search(text[max(0, m.start() - 10) : m.start()]):
            places.append(word)
        else:
            people.append(base)
    return people, places


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True, slots=True)
class Extracted:
    """Facts of one ask plus what the summary and reply line need."""

    facts: Facts
    moment: Moment
    amount: Amount | None
    purpose: str | None
    inherited: bool = False  # the day or time came from the sentence before
    money: bool = False  # the ask is about paying (not only naming a price)
    question: str = ""  # "time" for "what time / when", "open" for other wh-questions, "" for yes/no

    @property
    def kind(self) -> str:
        if self.amount is not None and not self.facts.items and (self.money or not self.timed):
            return "money"
        if self.timed:
            return "time"
        if self.facts.items:
            return "item"
        return "question"

    @property
    def timed(self) -> bool:
        return self.moment.day is not None or self.moment.clock is not None


def extract(
    text: str,
    start: int,
    end: int,
    sentence_start: int,
    received: datetime,
    country: str,
    spots: Spots,
    *,
    context: tuple[int, int] | None = None,
    month: int | None = None,
) -> Extracted:
    """The facts of the ask at ``text[start:end]``, dates resolved against ``received`` (aware).

    ``context``: the sentence before the ask, when it is not an ask itself. An ask that names
    no day or time ("Can you take her?") takes them from it ("The dentist moved to Tuesday at
    4pm."); one about money with no sum ("Please transfer half") takes the sum from it.
    ``month``: the month the message is about, for "the 24th".
    """
    clause = text[start:end]
    folded = fold(clause)
    order = "DMY" if country.upper() in _DAY_FIRST else "MDY"
    moment = find_moment(folded, received, order, month, spots.day_matches_in(start, end), start)
    amount = find_amount(clause, folded, country)
    purpose = None
    if amount is not None:
        at = folded.find(amount.shown.lower())
        found = _PURPOSE.search(folded, max(at, 0)) or _PURPOSE.search(folded)
        purpose = clause[found.start("what") : found.end("what")].strip() if found else None
    inherited = False
    money = bool(_MONEY_WORDS.search(folded))
    if context is not None and ((moment.day is None and moment.clock is None) or amount is None):
        before = fold(text[context[0] : context[1]])
        if moment.day is None and moment.clock is None:
            moment = find_moment(before, received, order, month, spots.day_matches_in(*context), context[0])
            inherited = moment.day is not None or moment.clock is not None
        if amount is None and money:
            amount = find_amount(text[context[0] : context[1]], before, country)
            if amount is not None:
                found = _PURPOSE.search(before)
                purpose = text[context[0] + found.start("what") : context[0] + found.end("what")] if found else None
    items = spots.items.within(start, end)
    people = spots.people.within(start, end)
    places = spots.places.within(start, end)
    names, named_places = find_names(text, start, end, sentence_start)
    zone = received.tzinfo
    when: datetime | date | None = None
    was: datetime | None = None
    if moment.day is not None and moment.clock is not None:
        when = datetime.combine(moment.day, moment.clock, tzinfo=zone)
    elif moment.day is not None:
        when = moment.day
    if moment.was is not None and moment.day is not None:
        was = datetime.combine(moment.day, moment.was, tzinfo=zone)
    facts = Facts(
        when=when,
        amount=amount.wire if amount else None,
        items=_unique(items),
        people=_unique([*names, *people]),
        places=_unique([*places, *named_places]),
        was=was,
    )
    wh = _WH.match(folded)
    question = "" if wh is None else "time" if wh.group("wh") in ("what time", "when") else "open"
    return Extracted(facts, moment, amount, purpose, inherited, money, question)


def summarise(extracted: Extracted, topic: str, clause: str, received: date) -> str:
    """A one-line summary: "return time Sunday 17:00 (was 19:00)", "$120, school trip", "inhaler"."""
    parts: list[str] = []
    moment = extracted.moment
    day = day_label(moment.day, received) if moment.day is not None else ""
    if extracted.kind == "money" and extracted.amount is not None:
        line = extracted.amount.shown + (f", {extracted.purpose}" if extracted.purpose else "")
        parts.append(line + (f" by {day}" if day else ""))
    elif extracted.timed:
        words = [f"{topic} time" if topic and moment.clock else topic, day]
        if moment.clock is not None:
            words.append(f"{moment.clock:%H:%M}")
        line = " ".join(w for w in words if w)
        if moment.was is not None:
            line += f" (was {moment.was:%H:%M})"
        parts.append(line)
    if extracted.facts.items:
        parts.append(", ".join(extracted.facts.items))
        if extracted.amount is not None and extracted.kind != "money":
            parts.append(extracted.amount.shown)
    if not parts:
        short = " ".join(clause.split())
        parts.append(short if len(short) <= 70 else short[:67].rstrip() + "...")
    return "; ".join(parts)
