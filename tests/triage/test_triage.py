"""The triage API: the wire shape, asks and their facts, bait, safety first, and the reply."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from levelhead.engine import check
from levelhead.situation import Message, Situation
from levelhead.triage import BAIT_KINDS, TriageError, reply, triage
from levelhead.triage.bait import TheirMessage, find_bait
from levelhead.triage.facts import find_amount
from levelhead.triage.when import find_moment

LONDON = ZoneInfo("Europe/London")
FRIDAY = datetime(2026, 11, 20, 9, 30, tzinfo=LONDON)
ISSUE = (
    "You ALWAYS do this. The kids said you forgot Emma's inhaler AGAIN. I need them back by 5 on Sunday, "
    "not 7, and you owe me $120 for the school trip."
)


def read(text: str, **kw: object) -> object:
    kw.setdefault("received", FRIDAY)
    kw.setdefault("tz", "Europe/London")
    kw.setdefault("now", FRIDAY)
    return triage(text, **kw)  # type: ignore[arg-type]


def test_issue_example_reads_as_the_issue_describes() -> None:
    result = triage(ISSUE, received=FRIDAY, tz="Europe/London", now=FRIDAY)
    assert [a.summary for a in result.asks] == ["return time Sunday 17:00 (was 19:00)", "$120, school trip"]
    assert result.asks[0].facts.when == datetime(2026, 11, 22, 17, 0, tzinfo=LONDON)
    assert result.asks[1].facts.amount == "120 USD"
    assert [b.kind for b in result.bait] == ["generalisation", "accusation"]
    assert result.safety == ()
    assert result.reply.needed
    skeleton = result.reply.skeleton
    assert "[yes/no]" in skeleton and "17:00" in skeleton and "$120" in skeleton
    assert "always" not in skeleton.lower() and "inhaler" not in skeleton.lower()  # nothing about the bait


def test_wire_has_exactly_the_contract_keys() -> None:
    wire = read(ISSUE).to_wire()  # type: ignore[attr-defined]
    json.dumps(wire)  # plain JSON
    assert set(wire) == {"schema", "safety", "asks", "bait", "reply", "resources"}
    assert wire["schema"] == 1
    assert set(wire["reply"]) == {"needed", "not_before", "skeleton"}
    ask = wire["asks"][0]
    assert {"span", "summary", "facts"} <= set(ask)
    assert {"when", "amount", "items"} <= set(ask["facts"])
    assert set(ask["span"]) == {"start", "end"}
    assert ask["facts"]["when"] == "2026-11-22T17:00:00+00:00"
    for bait in wire["bait"]:
        assert {"span", "kind", "message"} <= set(bait) and bait["kind"] in BAIT_KINDS
    assert ISSUE[ask["span"]["start"] : ask["span"]["end"]] == ask["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("you owe me $120 for the trip", "120 USD"),
        ("it was £40 in the end", "40 GBP"),
        ("send me 40 euros", "40 EUR"),
        ("that's €12.50 each", "12.50 EUR"),
        ("the camp is $1,250 this year", "1250 USD"),
        ("no money here at all", None),
    ],
)
def test_amounts_with_currency(text: str, expected: str | None) -> None:
    found = find_amount(text, text.lower(), "US")
    assert (found.wire if found else None) == expected


def test_dollar_follows_the_country() -> None:
    found = find_amount("e-transfer me $95", "e-transfer me $95", "CA")
    assert found is not None and found.wire == "95 CAD"


@pytest.mark.parametrize(
    ("phrase", "day", "clock", "was"),
    [
        ("back by 5 on sunday, not 7", "2026-11-22", "17:00", "19:00"),
        ("can you do tuesday at 4pm", "2026-11-24", "16:00", None),
        ("at 10 on saturday", "2026-11-21", "10:00", None),
        ("by 8:30 tomorrow", "2026-11-21", "08:30", None),
        ("on the 3rd", "2026-12-03", None, None),
        ("next friday", "2026-11-27", None, None),
        ("on friday at 5:30", "2026-11-20", "17:30", None),  # a Friday message: today
        ("14 january at 10:30", "2027-01-14", "10:30", None),
        ("can you do sat 10am", "2026-11-21", "10:00", None),
        ("pay me by fri", "2026-11-20", None, None),
        ("from 2 to 16 august", "2027-08-16", None, None),  # "2" is a day here, not 14:00
    ],
)
def test_dates_and_times_resolve_against_the_received_time(
    phrase: str, day: str, clock: str | None, was: str | None
) -> None:
    moment = find_moment(phrase, FRIDAY)
    assert moment.day is not None and moment.day.isoformat() == day
    assert (f"{moment.clock:%H:%M}" if moment.clock else None) == clock
    assert (f"{moment.was:%H:%M}" if moment.was else None) == was


@pytest.mark.parametrize("text", ["I sat in the car for an hour.", "The sun was out all day."])
def test_short_day_names_that_are_words_are_not_days(text: str) -> None:
    moment = find_moment(text.lower(), FRIDAY)
    assert moment.day is None


def test_the_24th_takes_the_month_the_message_names() -> None:
    result = read("You ruined Christmas last year. I want the kids from the 24th to the 26th.")
    assert result.asks[0].facts.when.isoformat() == "2026-12-24"  # type: ignore[attr-defined]


def test_an_ask_takes_its_time_from_the_sentence_before() -> None:
    result = read("Emma's dentist appointment got moved to Tuesday at 4pm. Can you take her?")
    (ask,) = result.asks  # type: ignore[attr-defined]
    assert ask.facts.when == datetime(2026, 11, 24, 16, 0, tzinfo=LONDON)
    assert ask.summary == "appointment time Tuesday 16:00"


def test_items_people_and_places() -> None:
    result = read("Can you bring back Sam's blue coat and his inhaler to the station on Sunday?")
    (ask,) = result.asks  # type: ignore[attr-defined]
    assert ask.facts.items == ("coat", "inhaler")
    assert "Sam" in ask.facts.people
    assert "the station" in ask.facts.places


def test_neutral_message_needs_no_reply() -> None:
    result = read("Thanks for having them this weekend. They had a great time at the farm.")
    assert result.asks == () and result.bait == () and result.safety == ()  # type: ignore[attr-defined]
    assert not result.reply.needed and result.reply.skeleton == ""  # type: ignore[attr-defined]
    assert result.reply.not_before is None  # type: ignore[attr-defined]


def test_all_bait_no_ask() -> None:
    result = read("You always do whatever you want. Whatever works for you, as usual.")
    assert result.asks == ()  # type: ignore[attr-defined]
    assert {b.kind for b in result.bait} == {"generalisation", "sarcasm"}  # type: ignore[attr-defined]
    assert not result.reply.needed  # type: ignore[attr-defined]


def test_reported_blame_in_their_message_is_still_bait() -> None:
    # For the user's own draft, "she said you never listen" is someone else's words; here it is theirs.
    kinds = {b.kind for b in find_bait(TheirMessage("My mum said you were late again last week."))}
    assert kinds


def test_bait_messages_are_calm_and_name_the_words() -> None:
    for bait in read(ISSUE).bait:  # type: ignore[attr-defined]
        assert f'"{bait.text}"' in bait.message
        assert "!" not in bait.message and "you should" not in bait.message.lower()


def test_rhetorical_questions_are_not_asks() -> None:
    result = read("Why do you never answer your phone?? Seriously? Are you picking them up Saturday or not?")
    assert [a.facts.when.isoformat() for a in result.asks] == ["2026-11-21"]  # type: ignore[attr-defined]


# --- safety first -------------------------------------------------------------------------


def test_threat_leads_and_the_skeleton_leaves_it_alone() -> None:
    text = "I know where you work. Can you have the kids back at 6 on Sunday?"
    result = read(text, situation=Situation(country="GB"))
    assert [s.code for s in result.safety] == ["SF03"]  # type: ignore[attr-defined]
    assert result.resources and all(r.country == "GB" for r in result.resources)  # type: ignore[attr-defined]
    skeleton = result.reply.skeleton.lower()  # type: ignore[attr-defined]
    assert "work" not in skeleton and "know where" not in skeleton
    assert "18:00" in skeleton  # the practical ask is still answered
    assert result.to_wire()["safety"][0]["span"] == {"start": 0, "end": text.index(".")}  # type: ignore[attr-defined]


def test_threat_with_only_a_controlling_question_gets_no_skeleton() -> None:
    result = read("I checked your location, you weren't at work. Where were you?")
    assert result.safety and result.asks == ()  # type: ignore[attr-defined]
    assert not result.reply.needed and result.reply.skeleton == ""  # type: ignore[attr-defined]


def test_their_self_harm_words_are_sf01_with_crisis_lines() -> None:
    result = read("I can't do this anymore. Maybe everyone would be better off without me.")
    assert {s.code for s in result.safety} == {"SF01"}  # type: ignore[attr-defined]
    contacts = " ".join(r.contact for r in result.resources)  # type: ignore[attr-defined]
    assert "988" in contacts


def test_guilt_trip_is_bait_not_a_safety_finding() -> None:
    result = read("After everything I've done for you, you can't even have them one extra night?")
    assert result.safety == ()  # type: ignore[attr-defined]
    assert "guilt" in {b.kind for b in result.bait}  # type: ignore[attr-defined]


def test_abuse_history_brings_resources_even_without_a_threat() -> None:
    result = read("Can you pick them up at 4 on Friday?", situation=Situation(abuse_history=True))
    assert result.resources and result.abuse_history  # type: ignore[attr-defined]


# --- the reply ----------------------------------------------------------------------------


def test_skeleton_checks_send_under_logistics() -> None:
    result = read(ISSUE)
    report = check(result.reply.skeleton, Situation(goal="logistics"), now=FRIDAY)  # type: ignore[attr-defined]
    assert report.verdict.label == "send", report.to_wire()


def test_falls_back_to_the_plain_skeleton(monkeypatch: pytest.MonkeyPatch) -> None:
    full = read(ISSUE).reply.skeleton  # type: ignore[attr-defined]
    monkeypatch.setattr(
        reply, "_verdict", lambda skeleton, *_: "send" if skeleton.startswith("Thanks for your") else "revise"
    )
    result = read(ISSUE)
    assert result.reply.skeleton != full  # type: ignore[attr-defined]
    assert result.reply.skeleton.splitlines() == ["Thanks for your message.", "1. [your answer]", "2. [your answer]"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("count", [1, 2, 5])
def test_plain_skeleton_checks_send(count: int) -> None:
    plain = reply.plain([None] * count)  # type: ignore[list-item]  # the plain form does not read the facts
    assert check(plain, Situation(goal="logistics"), now=FRIDAY).verdict.label == "send"


def test_heated_message_without_history_gets_a_short_cool_off() -> None:
    result = read(ISSUE)
    assert result.reply.not_before == FRIDAY + reply.COOL_OFF  # type: ignore[attr-defined]


def test_calm_message_without_history_has_no_wait() -> None:
    result = read("Can you pick the kids up from school at 3:30 on Thursday?")
    assert result.reply.needed and result.reply.not_before is None  # type: ignore[attr-defined]


def test_not_before_mirrors_their_pace_from_the_history() -> None:
    start = FRIDAY - timedelta(days=10)
    history = []
    for day in range(4):  # I write, they answer six hours later
        mine = start + timedelta(days=2 * day)
        history.append(Message(mine, "me", "Can I have them Saturday?"))
        history.append(Message(mine + timedelta(hours=6), "them", "Fine."))
    result = read("Can you do pick-up at 5 on Monday?", situation=Situation(history=tuple(history)))
    assert result.reply.not_before == FRIDAY + timedelta(hours=6)  # type: ignore[attr-defined]
    assert "6 hours" in result.reply.why  # type: ignore[attr-defined]


def test_urgent_message_is_not_held_back() -> None:
    result = read("Noah has a temperature of 39 and he's at the hospital. Come now.")
    assert result.reply.needed and result.reply.not_before is None  # type: ignore[attr-defined]


def test_wait_stops_before_the_time_they_named() -> None:
    soon = FRIDAY.replace(hour=11)
    result = read("You never listen. Can you pick them up at 12:30 today?", received=soon, now=soon)
    assert result.reply.not_before is None or result.reply.not_before <= soon + timedelta(hours=1)  # type: ignore[attr-defined]


# --- input errors -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n "])
def test_empty_message_is_an_error(text: str) -> None:
    with pytest.raises(TriageError, match="empty"):
        triage(text)


def test_unknown_zone_is_an_error() -> None:
    with pytest.raises(TriageError, match="time zone"):
        triage("Can you pick them up at 5?", tz="Mars/Olympus")


def test_naive_received_is_read_in_the_zone() -> None:
    result = triage("Can you pick them up at 5?", received=datetime(2026, 7, 1, 9, 0), tz="Europe/London")
    assert result.received.utcoffset() == timedelta(hours=1)
    assert result.asks[0].facts.when == datetime(2026, 7, 1, 17, 0, tzinfo=LONDON)


def test_possessive_day_is_a_day() -> None:
    result = read("Can we make Wednesday's pick-up 5:30 instead of 5?")
    (ask,) = result.asks  # type: ignore[attr-defined]
    assert ask.facts.when == datetime(2026, 11, 25, 17, 30, tzinfo=LONDON)
    assert ask.summary == "pick-up time Wednesday 17:30 (was 17:00)"


def test_phrase_data_keeps_the_shapes_the_code_relies_on() -> None:
    import re

    from levelhead.triage._data import load

    for patterns in load("bait")["extra"].values():
        for pattern in patterns:
            assert pattern.startswith("\\b") and re.compile(pattern).groups == 0, pattern
    for pattern in load("asks")["requests"]:
        assert re.match(r"\^|\\b|\(\?:\^", pattern), pattern


def test_feelings_marks_emotional_sentences() -> None:
    result = triage(
        "I'm so stressed and scared, I can't cope. The car broke down.",
        received=FRIDAY,
        tz="Europe/London",
        now=FRIDAY,
        feelings=True,
    )
    assert "emotional" in result.sentences[0].roles


def test_resources_render_like_the_check_report() -> None:
    wire = read("I know where you work.").to_wire()  # type: ignore[attr-defined]
    assert wire["resources"] and all(set(r) == {"name", "contact", "country"} for r in wire["resources"])
