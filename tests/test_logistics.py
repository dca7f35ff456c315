"""levelhead.logistics: which sentences carry a practical matter, concrete asks, the trimmed core."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead import engine, logistics
from levelhead.diagnostics import Severity
from levelhead.situation import Situation
from levelhead.text import Draft

PRACTICAL = [
    ("Could you bring Noah's swim bag on Thursday?", {"date", "items"}),
    ("I'll have him ready at 8 tomorrow.", {"time", "soon"}),
    ("The landlord wants the keys back by the 30th.", {"items", "date"}),
    ("I've paid my half of the orthodontist bill.", {"money", "places"}),
    ("Can you sign the consent form for the trip?", {"documents"}),
    ("How is she settling in at the new school?", {"children", "places"}),
    ("I can do the 5:30 handover.", {"time", "handover"}),
    ("Please send $40 for the school trip.", {"money"}),
    ("He broke his arm and we're at the hospital.", {"urgent"}),
]

NOT_PRACTICAL = [
    "hey you, how's it going?",
    "Thinking of you today",
    "We need to talk.",
    "u up?",
    "I can't stop thinking about how things ended.",
    "Things will get better, I promise.",
    "I'm sick of this.",
    "I miss you so much.",
]


@pytest.mark.parametrize(("text", "kinds"), PRACTICAL)
def test_practical_sentences_and_their_kinds(text: str, kinds: set[str]) -> None:
    draft = Draft(text)
    sentences = logistics.logistics_sentences(draft)
    assert sentences, text
    found = set().union(*(info.kinds for info in logistics.analyse(draft).sentences))
    assert kinds <= found, (text, found)


@pytest.mark.parametrize("text", NOT_PRACTICAL)
def test_no_practical_matter(text: str) -> None:
    draft = Draft(text)
    assert logistics.logistics_sentences(draft) == []
    assert not logistics.has_concrete_ask(draft)
    assert not logistics.is_logistics(draft)


@pytest.mark.parametrize(
    "text",
    [
        "Can I collect my books on Saturday at 10?",
        "Are you able to take Leo to practice Tuesday?",
        "What time is pick-up?",
    ],
)
def test_concrete_asks(text: str) -> None:
    assert logistics.has_concrete_ask(Draft(text))


@pytest.mark.parametrize("text", ["The dentist moved his appointment to Tuesday.", "Can we talk?", "How are you?"])
def test_not_concrete_asks(text: str) -> None:
    assert not logistics.has_concrete_ask(Draft(text))


def test_openers_are_contentless_even_with_a_time() -> None:
    info = logistics.analyse(Draft("Are you free tonight?"))
    assert info.opener and not info.is_logistics


@pytest.mark.parametrize(
    "text", ["Okay, noted.", "Thanks, that works for me.", "Sounds good, see you then.", "No problem."]
)
def test_acknowledgements(text: str) -> None:
    assert logistics.analyse(Draft(text)).acknowledgement


@pytest.mark.parametrize("text", ["No one gets me like you do.", "Okay so I've been thinking about us a lot " * 3])
def test_not_acknowledgements(text: str) -> None:
    assert not logistics.analyse(Draft(text)).acknowledgement


@pytest.mark.parametrize(
    "text",
    [
        "Please stop texting me for now.",
        "I need some space.",
        "I won't be discussing this further.",
        "Only contact me about the kids.",
    ],
)
def test_boundary_statements(text: str) -> None:
    assert logistics.analyse(Draft(text)).boundary


def test_urgent() -> None:
    assert logistics.is_urgent(Draft("Leo is in the hospital, come now."))
    assert not logistics.is_urgent(Draft("I'm missing you so much."))


def test_core_keeps_calm_practical_sentences_and_drops_greetings() -> None:
    draft = Draft(
        "Hi Sam, just confirming Saturday at 10 for the handover. I can't believe you forgot again! "
        "I've been so tired lately. Leo needs his swim bag."
    )
    assert logistics.logistics_core(draft) == "Confirming Saturday at 10 for the handover. Leo needs his swim bag."


def test_core_is_empty_without_practical_matter() -> None:
    assert logistics.logistics_core(Draft("I miss you.")) == ""


def test_core_falls_back_to_charged_practical_sentences() -> None:
    assert logistics.logistics_core(Draft("You always forget his bag!")) == "You always forget his bag!"


def test_word_phrase_syntax() -> None:
    phrases = logistics.WordPhrases(
        [
            ("gap", "pick ~2 up"),
            ("opt", "the big? dog"),
            ("num", "at # !percent"),
            ("poss", "*'s stuff"),
        ]
    )

    def tags(text: str) -> set[str]:
        return {tag for tag, _, _ in phrases.find(logistics.tokens(Draft(text)))}

    assert tags("pick the kids up") == {"gap"}
    assert tags("pick all of the kids up") == set()
    assert tags("the dog") == tags("the big dog") == {"opt"}
    assert tags("at 5") == {"num"}
    assert tags("at 5 percent") == set()
    assert tags("mia's stuff") == {"poss"}


def test_phrases_must_start_with_a_word() -> None:
    with pytest.raises(ValueError):
        logistics.WordPhrases([("bad", "big? dog")])


def test_spans_point_into_the_text() -> None:
    draft = Draft("Hi. Can you grab Leo's coat at 4:30 on Friday?")
    for tag, start, end in logistics._compiled().phrases.find(logistics.tokens(draft)):
        assert draft.text[start:end].strip() == draft.text[start:end], tag


def test_unclear_ask_is_info_when_no_goal_is_stated() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    report = engine.check("Got a sec?", Situation(timezone="UTC"), now=now, select=["PC06"])
    found = [d for d in report.diagnostics if d.code == "PC06"]
    assert found and all(d.severity is Severity.INFO for d in found)
    assert report.verdict.label == "send"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_analysed_without_error(text: str) -> None:
    draft = Draft(text)
    info = logistics.analyse(draft)
    assert len(info.sentences) == len(draft.sentences)
    core = logistics.logistics_core(draft)
    assert bool(core) == info.is_logistics or not core
    for sentence in logistics.logistics_sentences(draft):
        assert draft.text[sentence.start : sentence.end] == sentence.text


SOUP = [
    *"pick up the kids at 5 on Friday hey you miss ! ? . $ 4:30 your mom tonight I'll come over ' not".split(),
    "\n\n",
    '"',
]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(SOUP),
        max_size=60,
    )
)
def test_word_soup_is_analysed_without_error(parts: list[str]) -> None:
    draft = Draft(" ".join(parts))
    info = logistics.analyse(draft)
    assert all(kind in logistics.KINDS for s in info.sentences for kind in s.kinds)


def test_too_long_offers_the_practical_core_as_an_unsafe_rewrite() -> None:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    text = (
        "I've been thinking a lot about how the last few months went and honestly it has been hard on me, "
        "harder than I expected, and I keep wondering whether we handled any of it well. "
        "Anyway, can you take Leo to swim practice on Thursday at 5:30? "
        "I know it is a lot to ask and I hope you understand where I am coming from with all of this."
    )
    report = engine.check(text, Situation(goal="logistics", timezone="UTC"), now=now, select=["PC01"])
    (finding,) = [d for d in report.diagnostics if d.code == "PC01"]
    (suggestion,) = finding.suggestions
    assert suggestion.applicability.value == "unsafe"
    assert suggestion.replacement == "Can you take Leo to swim practice on Thursday at 5:30?"
