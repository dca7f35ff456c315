"""Sentence and word splitting keep offsets into the original text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from levelhead.text import Draft, fold, quoted_ranges, reported_speech_ranges, sentences, words


def test_sentences_keep_offsets() -> None:
    text = "You never listen. I miss you so much, please call me"
    parts = sentences(text)
    assert [p.text for p in parts] == ["You never listen.", "I miss you so much, please call me"]
    for p in parts:
        assert text[p.start : p.end] == p.text


def test_times_and_abbreviations_do_not_split() -> None:
    assert len(sentences("Pick up at 4:30 p.m. on Sunday? Thanks!!")) == 2
    assert len(sentences("It costs 4.50 in total.")) == 1


def test_line_breaks_split() -> None:
    assert [s.text for s in sentences("Hi\n\nCan I get my key back")] == ["Hi", "Can I get my key back"]


def test_curly_quotes_fold_without_moving_offsets() -> None:
    text = "She said “you never listen” and I’m tired"
    assert len(fold(text)) == len(text)
    assert "'m" in fold(text)
    (start, end), = quoted_ranges(text)
    assert text[start:end] == "“you never listen”"


def test_reported_speech() -> None:
    text = "she said you never listen. Fine."
    (start, end), = reported_speech_ranges(text)
    assert text[start:end] == "you never listen"
    draft = Draft(text)
    assert draft.is_reported(9, 25)
    assert not draft.is_reported(27, 31)


def test_words_keep_apostrophes() -> None:
    assert [w.text for w in words("I’m sure it's fine")] == ["I’m", "sure", "it's", "fine"]


@given(st.text(max_size=300))
def test_offsets_always_point_into_the_text(text: str) -> None:
    assert len(fold(text)) == len(text)
    for s in sentences(text):
        assert text[s.start : s.end] == s.text and s.text.strip() == s.text
    for w in words(text):
        assert text[w.start : w.end] == w.text
