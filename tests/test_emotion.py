"""The emotion seam: lexicon scoring, the scorer strategy and its switch, the tone-model adapter, phrase matching."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead import emotion
from levelhead.emotion import (
    EMOTIONS,
    LexiconScorer,
    ModelScorer,
    PhraseMatcher,
    SentenceEmotion,
    sentence_emotions,
)
from levelhead.text import Draft

LEXICON = LexiconScorer()


def read(text: str) -> list[SentenceEmotion]:
    return sentence_emotions(Draft(text), LEXICON)


def only(text: str) -> SentenceEmotion:
    (sentence,) = read(text)
    return sentence


def carried(text: str) -> list[str]:
    return [text[w.start : w.end] for w in only(text).words]


@pytest.fixture(autouse=True)
def _fresh_scorer() -> Iterator[None]:
    emotion.use_scorer(None)
    yield
    emotion.use_scorer(None)


# ----------------------------------------------------------------- the lexicon


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I can't stop crying.", "sadness"),
        ("I'm so angry at you.", "anger"),
        ("I miss you so much.", "longing"),
        ("I still love you.", "love"),
        ("I'm terrified of losing you.", "fear"),
        ("My heart is broken.", "sadness"),
        ("I hate you.", "anger"),
        ("I can't live without you.", "longing"),
    ],
)
def test_names_the_emotion(text: str, expected: str) -> None:
    sentence = only(text)
    assert sentence.emotion == expected
    assert sentence.strength >= 0.6


@pytest.mark.parametrize(
    "text",
    [
        "Emma has a fever. I've scheduled a doctor's appointment for 2 PM tomorrow.",
        "Emma was looking forward to seeing you. When would work better?",
        "Can you pick up Mia from her piano lesson at 4:30 PM at Music Hall on Wednesday?",
        "Thanks for the update - here's what I can do on my end.",
        "Our schedule isn't working for both of us. Can we find something that does?",
        "Don't call or text me for a while.",
        "OK.",
        "I'd love to help with the costumes.",
        "No worries, Saturday works.",
        "Sorry, I'm running ten minutes late.",
        "I hate to ask, but could you take them on Friday?",
        "I'm afraid I can't make Saturday.",
        "I need you to sign the form by Friday.",
        "I was thinking about you picking her up at 4.",
    ],
)
def test_calm_practical_lines_are_neutral(text: str) -> None:
    assert all(s.is_neutral for s in read(text)), read(text)


def test_words_underline_what_carries_it() -> None:
    assert carried("I can't stop crying.") == ["can't stop crying"]
    assert carried("I'm so angry at you.") == ["angry"]


def test_intensifiers_and_downtoners_move_strength() -> None:
    plain = only("I'm upset.").strength
    assert only("I'm so upset.").strength > plain
    assert only("I'm really, really upset.").strength > only("I'm so upset.").strength
    assert only("I'm a bit upset.").strength < plain
    assert only("I miss you so much.").strength > only("I miss you.").strength
    assert only("I'm so angry!!").strength > only("I'm so angry.").strength


def test_negation_cancels() -> None:
    assert only("I'm not angry.").is_neutral
    assert only("I don't miss you.").is_neutral
    assert only("I'm no longer sad about it.").is_neutral
    mixed = only("I'm not angry, just disappointed.")
    assert mixed.emotion == "sadness"
    assert carried("I'm not angry, just disappointed.") == ["disappointed"]


def test_negation_that_intensifies() -> None:
    assert only("I've never been so angry in my life.").strength > only("I'm angry.").strength
    assert only("There is not a single day that I do not miss you.").emotion == "longing"
    assert only("I can't stop crying.").emotion == "sadness"


def test_quotes_reported_speech_and_negated_claims_are_not_the_writer() -> None:
    assert only('She said "I hate you" and slammed the door.').is_neutral
    assert only("I would never say I hate you.").is_neutral
    assert only("She told me I'm furious all the time.").is_neutral


def test_a_third_persons_feelings_weigh_less() -> None:
    assert only("Emma is scared of the dark.").strength < only("I'm scared.").strength
    assert only("The kids miss you.").is_neutral


def test_shouting_reads_as_anger() -> None:
    sentence = only("YOU NEVER EVER LISTEN TO ANYTHING")
    assert sentence.emotion == "anger"
    assert only("Pick-up at 5 PM, OK?").is_neutral


def test_one_result_per_sentence_with_offsets() -> None:
    text = "Pick-up is at 5. I can't stop crying. See you then."
    result = read(text)
    draft = Draft(text)
    assert [(s.start, s.end) for s in result] == [(s.start, s.end) for s in draft.sentences]
    assert [s.emotion for s in result] == ["neutral", "sadness", "neutral"]
    assert result[1].span.start == text.index("I can't")


def test_scores_list_every_emotion_found() -> None:
    sentence = only("I miss you and I'm so angry at myself.")
    names = [name for name, _ in sentence.scores]
    assert {"longing", "anger"} <= set(names)
    assert sentence.score(sentence.emotion) == sentence.strength
    assert sentence.score("fear") == 0.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ILOVEYU'.,!?\n\u2019\"")), max_size=160))
def test_any_text_gives_well_formed_results(text: str) -> None:
    draft = Draft(text)
    result = sentence_emotions(draft, LEXICON)
    assert len(result) == len(draft.sentences)
    for sentence, original in zip(result, draft.sentences, strict=True):
        assert (sentence.start, sentence.end) == (original.start, original.end)
        assert sentence.emotion in (*EMOTIONS, "neutral")
        assert 0.0 <= sentence.strength <= 1.0
        for word in sentence.words:
            assert sentence.start <= word.start < word.end <= sentence.end


# ----------------------------------------------------------------- the lexicon data


def test_lexicon_data_is_well_formed() -> None:
    raw = resources.files("levelhead").joinpath("rules/data/emotion.toml").read_text(encoding="utf-8")
    data = tomllib.loads(raw)
    assert {e["emotion"] for e in data["entries"]} == set(EMOTIONS)
    for entry in data["entries"]:
        assert 0.0 < float(entry["weight"]) <= 1.0
        for pattern in entry["patterns"]:
            assert re.compile(pattern).groups == 0, pattern
            assert pattern == pattern.lower(), pattern


# ----------------------------------------------------------------- choosing the scorer


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "auto"), ("lexicon", "lexicon"), ("MODEL", "model"), (" auto ", "auto"), ("nonsense", "auto")],
)
def test_mode_from_environment(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: str) -> None:
    if value is None:
        monkeypatch.delenv(emotion.ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(emotion.ENV_VAR, value)
    assert emotion.mode() == expected


def test_lexicon_mode_never_loads_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(emotion, "_load_tone_model", boom)
    emotion._scorer_for.cache_clear()
    try:
        assert isinstance(emotion._scorer_for("lexicon"), LexiconScorer)
    finally:
        emotion._scorer_for.cache_clear()


def test_auto_falls_back_to_the_lexicon_without_a_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emotion, "_load_tone_model", lambda: None)
    emotion._scorer_for.cache_clear()
    try:
        assert isinstance(emotion._scorer_for("auto"), LexiconScorer)
        with pytest.warns(RuntimeWarning, match="LEVELHEAD_TONE=model"):
            assert isinstance(emotion._scorer_for("model"), LexiconScorer)
    finally:
        emotion._scorer_for.cache_clear()


def test_auto_uses_the_model_when_it_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeModel({})
    monkeypatch.setattr(emotion, "_load_tone_model", lambda: fake)
    emotion._scorer_for.cache_clear()
    try:
        chosen = emotion._scorer_for("auto")
        assert isinstance(chosen, ModelScorer)
        assert chosen.model is fake
    finally:
        emotion._scorer_for.cache_clear()


def test_a_broken_tone_package_does_not_break_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> Any:
        raise SyntaxError("half-written module")

    monkeypatch.setattr(emotion.importlib, "import_module", broken)
    emotion._load_tone_model.cache_clear()
    try:
        assert emotion._load_tone_model() is None
    finally:
        emotion._load_tone_model.cache_clear()


class CountingScorer:
    name = "counting"

    def __init__(self) -> None:
        self.calls = 0

    def score(self, draft: Draft) -> list[SentenceEmotion]:
        self.calls += 1
        return [SentenceEmotion(s.start, s.end, "fear", 0.9) for s in draft.sentences]


def test_a_plugged_in_scorer_is_used_and_cached() -> None:
    scorer = CountingScorer()
    assert isinstance(scorer, emotion.EmotionScorer)
    emotion.use_scorer(scorer)
    assert emotion.active_scorer() is scorer
    first = sentence_emotions(Draft("One. Two."))
    again = sentence_emotions(Draft("One. Two."))
    assert [s.emotion for s in first] == ["fear", "fear"]
    assert first == again
    assert scorer.calls == 1
    emotion.use_scorer(None)
    assert emotion.active_scorer() is not scorer


# ----------------------------------------------------------------- the tone-model adapter


@dataclass
class FakeScores:
    emotions: dict[str, float]


@dataclass
class FakeWord:
    start: int
    end: int
    text: str
    emotion: str
    weight: float


@dataclass
class FakeModel:
    """Stands in for levelhead.tone's model: probabilities chosen per sentence text."""

    table: dict[str, dict[str, float]]
    explained: list[tuple[str, str]] = field(default_factory=list)

    def score_many(self, texts: list[str]) -> list[FakeScores]:
        return [FakeScores(self.table.get(t, {"neutral": 0.9})) for t in texts]

    def explain(self, text: str, label: str) -> list[FakeWord]:
        self.explained.append((text, label))
        words = [FakeWord(m.start(), m.end(), m.group(), label, 0.1) for m in re.finditer(r"\w+", text)]
        if words:
            words[-1].weight = 3.0
        return words


def model_read(table: dict[str, dict[str, float]], text: str) -> list[SentenceEmotion]:
    return ModelScorer(FakeModel(table)).score(Draft(text))


def test_model_folds_goemotions_labels() -> None:
    assert emotion._fold({"anger": 0.9, "neutral": 0.1})["anger"] == pytest.approx(0.9)
    assert emotion._fold({"grief": 0.95, "neutral": 0.1})["sadness"] == pytest.approx(0.95)
    assert emotion._fold({"desire": 0.9, "neutral": 0.1})["longing"] == pytest.approx(0.9)
    assert emotion._fold({"nervousness": 0.9, "neutral": 0.1})["fear"] == pytest.approx(0.45)
    assert emotion._fold({"admiration": 0.99, "neutral": 0.1})["love"] == pytest.approx(0.495)
    assert emotion._fold({"anger": 0.3, "neutral": 0.6}) == {}
    assert emotion._fold({"joy": 0.9, "gratitude": 0.9}) == {}


def test_model_alone_counts_only_when_confident() -> None:
    text = "That went badly."
    strong = model_read({text: {"sadness": 0.95, "neutral": 0.05}}, text)[0]
    assert strong.emotion == "sadness"
    assert strong.strength == pytest.approx(0.95 * emotion.MODEL_ONLY_FACTOR, abs=1e-3)
    assert [text[w.start : w.end] for w in strong.words] == ["badly"]
    weak = model_read({text: {"sadness": 0.7, "neutral": 0.05}}, text)[0]
    assert weak.is_neutral


def test_model_raises_what_the_lexicon_found() -> None:
    text = "I'm upset."
    lexicon_only = only(text).strength
    blended = model_read({text: {"sadness": 0.99, "neutral": 0.01}}, text)[0]
    assert blended.emotion == "sadness"
    assert lexicon_only < blended.strength < 0.99
    assert [text[w.start : w.end] for w in blended.words] == ["upset"]


def test_model_never_lowers_the_lexicon() -> None:
    text = "I can't stop crying."
    assert model_read({text: {"neutral": 0.99}}, text)[0].strength == only(text).strength


def test_lexicon_neutral_phrases_veto_the_model() -> None:
    text = "Sorry, I'm running ten minutes late."
    assert model_read({text: {"remorse": 0.99, "sadness": 0.99, "neutral": 0.0}}, text)[0].is_neutral


def test_model_without_score_many_uses_sentences() -> None:
    @dataclass
    class Tone:
        start: int
        end: int
        text: str
        scores: FakeScores
        words: list[FakeWord]

    class SentencesOnly:
        def sentences(self, text: str) -> list[Tone]:
            return [Tone(0, len(text), text, FakeScores({"anger": 0.97, "neutral": 0.01}), [])]

    result = ModelScorer(SentencesOnly()).score(Draft("Whatever you say."))
    assert result[0].emotion == "anger"


# ----------------------------------------------------------------- phrase matching

PATTERNS = [
    r"(?:i'm|i am) (?:so |really )?(?:sad|angry)",
    r"miss(?:ed|ing)? you",
    r"(?:can't|cannot) stop (?:crying|thinking about you)",
    r"\w+ times better than you",
    r"you(?:'re| are) (?:the )?(?:worst|best)",
    r"hello\?+",
]


VOCABULARY = (
    "i'm i am so sad miss missed you can't stop crying ten times better than are the worst hello? x you're angry"
).split()


def test_phrase_matcher_finds_each_phrase_with_its_tag() -> None:
    matcher = PhraseMatcher([(p, i) for i, p in enumerate(PATTERNS)], word_edges=True)
    text = "oh i'm so sad. missing you. he's ten times better than you! you are the worst"
    found = [(text[a:b], tag) for a, b, tag in matcher.finditer(text)]
    assert found == [
        ("i'm so sad", 0),
        ("missing you", 1),
        ("ten times better than you", 3),
        ("you are the worst", 4),
    ]


def test_phrase_matcher_respects_word_edges() -> None:
    matcher = PhraseMatcher([(p, i) for i, p in enumerate(PATTERNS)], word_edges=True)
    assert list(matcher.finditer("dismissed youth")) == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(VOCABULARY),
        max_size=14,
    )
)
def test_phrase_matcher_agrees_with_plain_regex(words: list[str]) -> None:
    text = " ".join(words)
    matcher = PhraseMatcher([(p, i) for i, p in enumerate(PATTERNS)], word_edges=True)
    plain = [re.compile(rf"(?<![\w'])(?:{p})(?![\w])") for p in PATTERNS]
    spans = []
    for start, end, tag in matcher.finditer(text):
        m = plain[tag].match(text, start)
        assert m is not None and m.end() == end, (text, start, end, tag)
        spans.append((start, end))
    # Every place a phrase matches is reported, or lies inside an earlier match.
    for pattern in plain:
        for position in range(len(text)):
            if pattern.match(text, position):
                assert any(a <= position < b for a, b in spans), (text, position, pattern.pattern)


def test_phrase_matcher_refuses_capturing_groups() -> None:
    with pytest.raises(ValueError, match="capturing group"):
        PhraseMatcher([("(sad|angry)", 0)], word_edges=True)


def _case_texts() -> list[str]:
    import yaml

    texts = []
    for path in sorted((Path(__file__).parent / "rules" / "cases").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        cases = [c for key in ("fail", "pass") for c in data.get(key) or [] if isinstance(c, dict)]
        texts += [c["text"] for c in cases if c.get("text")]
    return texts


def _matchers() -> list[tuple[str, PhraseMatcher]]:
    from levelhead.rules import _attachment

    lexicon = emotion._lexicon()
    found = [("lexicon", lexicon.phrases), ("neutral", lexicon.neutral)]
    for name in ("attachment_neediness", "attachment_false_hope", "attachment_chasing", "attachment_probing",
                 "attachment_topics"):  # fmt: skip
        found.append((name, _attachment._book(name, None).matcher))
    return found


def test_lazy_buckets_match_exactly_as_the_one_big_alternation() -> None:
    """The matcher compiles small buckets on demand; its matches are those of the alternation it stands for."""
    from levelhead.text import Draft

    texts = _case_texts()
    texts += [" ".join(texts[i : i + 6]) for i in range(0, len(texts), 6)]
    folded = [Draft(t).folded for t in texts]
    for name, matcher in _matchers():
        reference = matcher.reference_pattern()
        for text in folded:
            want = [(m.start(), m.end(), matcher.tags[m.lastindex - 1])
                    for m in reference.finditer(text) if m.end() > m.start() and m.lastindex]  # fmt: skip
            assert list(matcher._bucket_finditer(text)) == want, (name, text)
            assert list(matcher.finditer(text)) == want, (name, text)
