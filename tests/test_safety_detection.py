"""Danger detection on a labelled set: self-harm, the writer's threats, and the other person's threats.

Every line below was written for this test (none is copied from the dev data).
The set mixes explicit and indirect self-harm, plain negations that must not
fire, negations with a reassurance that must, everyday idioms, threats in the
writer's own words versus threats quoted or reported from the ex, and ordinary
logistics that shares words with threats. Recall and precision are asserted per
detector, and a few lines are pinned individually because getting them wrong
would hurt most.
"""

from __future__ import annotations

import pytest

from levelhead.danger import incoming_threats, reported_threat_spans, self_harm_spans, threat_spans

SH, TH, RP = "self-harm", "threat", "reported"

# (text, the detectors that must fire: SH = self_harm_spans, TH = threat_spans, RP = reported_threat_spans)
LABELLED: list[tuple[str, set[str]]] = [
    # --- self-harm, explicit
    ("If you leave me I will kill myself.", {SH}),
    ("Come home or I'm going to end my life tonight.", {SH}),
    ("i wanna die", {SH}),
    ("I've been thinking about suicide a lot since you left.", {SH}),
    ("I keep hurting myself and I don't know how to stop.", {SH}),
    ("I took a handful of pills last night.", {SH}),
    ("Sometimes I think about jumping off the bridge near work.", {SH}),
    ("im gonna kms", {SH}),
    ("I want to end it all.", {SH}),
    ("Part of me wants to die.", {SH}),
    ("I wish I was dead.", {SH}),
    # --- self-harm, indirect
    ("Honestly I couldn't live without you anymore.", {SH}),
    ("I'd die without you, you know that.", {SH}),
    ("Everyone will be happier once I'm gone.", {SH}),
    ("This pain won't ever stop unless I do something about it.", {SH}),
    ("I can't take any of this anymore.", {SH}),
    ("I can't do this anymore.", {SH}),
    ("I just want to disappear.", {SH}),
    ("There's no reason to keep going.", {SH}),
    ("You'd all be better off without me.", {SH}),
    ("I won't be around for much longer.", {SH}),
    ("No one would even notice if I was gone.", {SH}),
    ("Nobody would miss me anyway.", {SH}),
    ("What's the point of living like this?", {SH}),
    ("I don't want to wake up tomorrow.", {SH}),
    ("I'm just a burden to everyone.", {SH}),
    ("I don't know how much longer I can go on.", {SH}),
    ("I don't think I can keep going.", {SH}),
    ("By the time you read this it won't matter.", {SH}),
    ("I'm scared of what I might do to myself.", {SH}),
    ("Life isn't worth living without you.", {SH}),
    ("I'm tired of being alive.", {SH}),
    ("I keep thinking 'what's the point of anything'.", {SH}),
    ("i dont want to live anymore", {SH}),
    ("Without you there's no reason for me to live.", {SH}),
    ("I've been cutting again.", {SH}),
    ("Life feels pointless without you.", {SH}),
    ("Soon I'll be gone and you can all be happy.", {SH}),
    ("Why should I even keep living?", {SH}),
    ("I might as well be dead.", {SH}),
    ("I don't see the point in living anymore.", {SH}),
    # --- negation: plain denials do not fire, reassuring denials do
    ("I would never hurt myself.", set()),
    ("I'm not suicidal, I'm just tired of the arguing.", set()),
    ("I don't want to die, I want us to be civil.", set()),
    ("I have no intention of hurting myself.", set()),
    ("I'm not going to kill myself, don't worry.", {SH}),
    ("I won't do anything stupid. Not yet anyway.", {SH}),
    # --- idioms and everyday words
    ("This traffic is killing me, I'll be ten minutes late.", set()),
    ("I could kill for a coffee right now.", set()),
    ("The kids are dying to see your show on Friday.", set()),
    ("That joke killed me, thanks for sending it.", set()),
    ("My feet are killing me after the school run.", set()),
    ("I nearly died laughing at the kids' play.", set()),
    ("I've been killing myself trying to make this schedule work.", set()),
    ("I wanted to die of embarrassment at the recital.", set()),
    ("I can't go on Tuesday, can we do Wednesday?", set()),
    ("When I'm gone next week my sister will do pickups.", set()),
    ("I won't be around this weekend, I'm at my mum's.", set()),
    ("I can't take the couch in my car, can you?", set()),
    ("The school run is 5 kms from my place.", set()),
    ("We both know this can't go on like this, we need a better schedule.", set()),
    ("You can't do this anymore, the kids need you on time.", set()),
    ("I'll be gone by the time you drop them off.", set()),
    ("The old schedule is pointless now that school changed.", set()),
    ("My phone died, sorry I missed your call.", set()),
    # --- the writer's own threats
    ("You will regret this, mark my words.", {TH}),
    ("Keep this up and you'll never see the kids again.", {TH}),
    ("Try that again and I'll make sure you never see her.", {TH}),
    ("If you push me on this I'll make sure the court hears all of it.", {TH}),
    ("I'm filing a motion on Monday because of this.", {TH}),
    ("See you in court.", {TH}),
    ("Say no and I'll tell all your friends about the affair.", {TH}),
    ("I'll post those pictures everywhere.", {TH}),
    ("I will post your private photos online.", {TH}),
    ("If you truly loved me you would come back.", {TH}),
    ("After everything I've done for you, this is how you treat me?", {TH}),
    ("Watch your back.", {TH}),
    ("I know where you live now.", {TH}),
    ("I'll burn all your stuff on the lawn.", {TH}),
    ("I'll take the kids and move away, you won't find us.", {TH}),
    ("I'm going to get full custody and you'll get nothing.", {TH}),
    ("You're going to lose the kids over this.", {TH}),
    ("I'll kill him if I see him near my house.", {TH}),
    ("I'll call CPS on you.", {TH}),
    ("Go kill yourself.", {TH}),
    ("Answer me or else.", {TH}),
    ("You owe me this.", {TH}),
    ("I've been tracking your phone for weeks.", {TH}),
    ("I'll make your life a living hell.", {TH}),
    ("Everyone will find out what you did.", {TH}),
    ("I'll tell your boss what you did.", {TH}),
    ("I'm going to send those pics to your new girlfriend.", {TH}),
    ("Keep ignoring me and see what happens.", {TH}),
    ("I'll take the kids and you'll never find us.", {TH}),
    ("You'll pay for this!", {TH}),
    ("I will expose you.", {TH}),
    ("I'll report you to your parole officer.", {TH}),
    ("You have no idea what I'm capable of.", {TH}),
    # --- not threats: denials, logistics that shares the words
    ("I would never take the kids away from you.", set()),
    ("I'll take the kids to school on Monday.", set()),
    ("I'll get you the forms by Friday.", set()),
    ("I'll hit you up later about the weekend.", set()),
    ("You'll pay for the school trip and I'll do the uniform, OK?", set()),
    ("You won't regret coming to the recital, she's so excited.", set()),
    ("I'll tell the kids you're coming Saturday.", set()),
    ("I'll send you the photos from the trip.", set()),
    ("Can you take the kids to the dentist on Friday?", set()),
    ("I'll make sure you have the bags by six.", set()),
    ("My lawyer will send the draft agreement to yours.", set()),
    ("Let's ask the mediator to help with the holiday schedule.", set()),
    ("So you'll pay for it and I'll get the shoes?", set()),
    ("I'll make sure the kids have their homework done.", set()),
    ("I'll tell your mom happy birthday from the kids.", set()),
    ("I'll kill two birds with one stone and grab the groceries too.", set()),
    ("I owe you for the babysitting.", set()),
    # --- the other person's threats, quoted or reported by the writer: not the writer's threat
    ('He said "I\'ll hurt you if you leave".', {RP}),
    ("He said he'd take the kids.", {RP}),
    ("She told me I'd never see my son again.", {RP}),
    ("She keeps showing up at my work.", {RP}),
    ("He tracks my phone.", {RP}),
    ("He threatened me again last night.", {RP}),
    ("You went through my phone while I was asleep.", {RP}),
    ("Please stop showing up at my house.", {RP}),
    ("I found a tracker under my car.", {RP}),
    ("He won't stop calling me, it's forty times a day.", {RP}),
    ("I'm scared of what he'll do when he finds out.", {RP}),
    ("She pushed me down the stairs.", {RP}),
    ('My ex texted me: "you\'ll regret leaving me".', {RP}),
    ("Are you threatening me?", {RP}),
    ("I don't feel safe when you come to the door.", {RP}),
    ("He said he'd kill himself if I didn't come back.", {RP}),
    ("I have a restraining order against him.", {RP}),
    ("He told me to go kill myself.", {RP}),
    ("Someone keeps making new accounts to message me.", {RP}),
    ("She said if I leave she'll kill herself.", {RP}),
    ("He shows up at my apartment every night.", {RP}),
    ("He sends me 50 messages a day.", {RP}),
    ("You keep calling me at 3am even though I asked you not to.", {RP}),
    ("I feel like I'm being watched.", {RP}),
    ("He keeps texting me threats.", {RP}),
    ("He reads my texts.", {RP}),
    # --- not reports of danger
    ("He said he'd take the kids to the zoo on Sunday.", set()),
    ("I'm not threatening you, I just want the schedule fixed.", set()),
    ("He never threatened me, he's just unreliable.", set()),
    ("I won't stop asking until we have a plan.", set()),
    ("Thanks for showing up at my work with the keys.", set()),
    ("Did you check my email about the school trip?", set()),
    ("You're watching the kids on Saturday, right?", set()),
    ("You know where I live, come get your stuff Saturday at 10.", set()),
    ("He's been watching the kids all week.", set()),
    ("She read my message about the trip.", set()),
    ("You hit me with a lot of news at once.", set()),
    ("I'm not making threats, just asking for the schedule.", set()),
    ("I'm scared the kids will be sad about the move.", set()),
    ("Our court order says alternate weekends.", set()),
]

INCOMING: list[tuple[str, bool]] = [
    ("I know where you live.", True),
    ("I know where he lives.", True),
    ("I followed you home on Tuesday.", True),
    ("Sign the form or I'm keeping the kids this weekend.", True),
    ("Let me know by 5 or I'm keeping the kids for dinner.", False),
    ("I followed the recipe you sent.", False),
    ("You'll never see the kids again if you go through with this.", True),
    ("I saw you with him last night.", True),
    ("I'll kill myself if you don't come back.", True),
    ("Answer the phone or else.", True),
    ("Nobody will believe you.", True),
    ("If I can't have you nobody can.", True),
    ("I've been watching you.", True),
    ("I'll post everything online.", True),
    ("You'd better pick up when I call.", True),
    ("Can you pick her up at 4:30 on Wednesday?", False),
    ("I'll take the kids to swimming on Saturday.", False),
    ("I would never hurt you.", False),
    ("OK, see you at six.", False),
    ("Thanks for the update, I can do Thursday.", False),
    ("I saw your message, Friday works.", False),
]

DETECTORS = {SH: self_harm_spans, TH: threat_spans, RP: reported_threat_spans}


def _fired(text: str) -> set[str]:
    return {name for name, detect in DETECTORS.items() if detect(text)}


@pytest.mark.parametrize("detector", [SH, TH, RP])
def test_recall_and_precision(detector: str) -> None:
    tp = fp = fn = 0
    misses, false_alarms = [], []
    for text, expected in LABELLED:
        fired = detector in _fired(text)
        wanted = detector in expected
        if fired and wanted:
            tp += 1
        elif fired:
            fp += 1
            false_alarms.append(text)
        elif wanted:
            fn += 1
            misses.append(text)
    recall = tp / (tp + fn)
    precision = tp / (tp + fp) if tp + fp else 1.0
    assert recall >= 0.95, f"{detector} recall {recall:.2f}; missed {misses}"
    assert precision >= 0.95, f"{detector} precision {precision:.2f}; false alarms {false_alarms}"


@pytest.mark.parametrize(("text", "expected"), LABELLED, ids=[t[:40] for t, _ in LABELLED])
def test_each_labelled_line(text: str, expected: set[str]) -> None:
    assert _fired(text) == expected


def test_incoming_triage_reads_their_words() -> None:
    wrong = [text for text, danger in INCOMING if bool(incoming_threats(text)) != danger]
    assert not wrong, f"incoming_threats wrong on {wrong}"


def test_quoted_threat_is_theirs_not_the_writers() -> None:
    text = 'He texted "I know where you live" at 2am.'
    assert not threat_spans(text)
    found = reported_threat_spans(text)
    assert [s.text for s in found] == ["I know where you live"]
    assert found[0].category == "quoted"
    # The same words as their own message are a threat in incoming triage.
    assert incoming_threats("I know where you live")


def test_plain_denial_is_clear_but_reassurance_is_not() -> None:
    assert not self_harm_spans("I would never hurt myself.")
    reassured = self_harm_spans("I'm not going to kill myself, don't worry.")
    assert reassured and reassured[0].reassured


def test_spans_point_at_the_words() -> None:
    text = "Fine. Things will all be easier once I'm gone."
    (span,) = self_harm_spans(text)
    assert text[span.start : span.end] == span.text
    assert "gone" in span.text


def test_pre_test_never_hides_a_match() -> None:
    """The cheap word pre-test must pass whenever a pattern matches (it only skips patterns that cannot)."""
    from pathlib import Path

    import yaml

    from levelhead import danger
    from levelhead.text import fold

    texts = [t for t, _ in LABELLED] + [t for t, _ in INCOMING]
    for path in sorted((Path(__file__).parent / "rules" / "cases").glob("SF0*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in (data.get("fail") or []) + (data.get("pass") or []):
            text = item if isinstance(item, str) else item.get("text")
            if text:
                texts.append(text)
    patterns = danger._all_patterns()
    for text in texts:
        folded = fold(text)
        runnable = danger._runnable(folded)
        for pid, (_, group, pattern) in enumerate(patterns):
            if pattern.regex.search(folded):
                assert pid in runnable, f"pre-test hid {group.name} {pattern.regex.pattern[:60]!r} on {text!r}"


def test_stored_pre_test_keys_are_current() -> None:
    """rules/data/safety_keys.toml matches the phrase data (regenerate with `python -m levelhead.danger`)."""
    from importlib import resources

    from levelhead import danger

    stored = resources.files("levelhead").joinpath("rules/data/safety_keys.toml").read_text(encoding="utf-8")
    assert stored == danger.keys_file_text(), "safety_keys.toml is stale: run `python -m levelhead.danger`"
    for _, _, pattern in danger._all_patterns():
        assert set(pattern.keys) == set(danger.required_keys(pattern.source))
