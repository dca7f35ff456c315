"""The shipped tone model: loads, gives known outputs, and keeps its wire contract."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from levelhead import tone
from levelhead.tone import EKMAN, EMOTIONS, GROUPS, ToneModel
from levelhead.tone.features import Vectoriser, tokens
from levelhead.tone.model import MODEL_PATH

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "goemotions"

# Known outputs of the shipped model: top emotion, its probability, and the label sets.
# Regenerate after retraining: print(model.score(text).labels) etc. for these texts.
KNOWN = {
    "Thank you so much, this is wonderful!": (
        "gratitude",
        '{"ekman": ["joy"], "group": ["positive"], "original": ["admiration", "gratitude"]}',
    ),
    "I can't believe you did that again. I'm so angry.": (
        "surprise",
        '{"ekman": ["anger", "surprise"], "group": ["ambiguous", "negative"], '
        '"original": ["anger", "annoyance", "surprise"]}',
    ),
    "I'm scared it will go wrong tomorrow.": (
        "fear",
        '{"ekman": ["fear"], "group": ["negative"], "original": ["fear"]}',
    ),
    "The meeting is at 4pm on Tuesday.": (
        "neutral",
        '{"ekman": ["neutral"], "group": ["neutral"], "original": ["neutral"]}',
    ),
}


@pytest.fixture(scope="module")
def model() -> ToneModel:
    return tone.load()


def test_import_is_cheap() -> None:
    code = "import sys, levelhead.tone; assert 'numpy' not in sys.modules and 'levelhead.tone.model' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_names_and_file() -> None:
    assert len(EMOTIONS) == 28 and EMOTIONS[-1] == "neutral"
    assert MODEL_PATH.stat().st_size < 15_000_000
    if DATA.is_dir():
        for folder, names in (("original", EMOTIONS), ("group", GROUPS), ("ekman", EKMAN)):
            assert tuple((DATA / folder / "labels.txt").read_text(encoding="utf-8").split()) == names


def test_a_fresh_model_loads() -> None:
    # Load time is measured by scripts/bench_tone.py, not asserted here.
    assert ToneModel().score("See you at 5.").labels["original"]


def test_load_is_cached(model: ToneModel) -> None:
    assert tone.load() is model


@pytest.mark.parametrize("text", list(KNOWN))
def test_known_outputs(model: ToneModel, text: str) -> None:
    emotion, expected = KNOWN[text]
    scores = model.score(text)
    assert scores.top(neutral=True)[0] == emotion
    assert json.dumps(scores.to_wire()["labels"], sort_keys=True) == expected
    assert tone.analyse(text) == scores


def test_known_probabilities(model: ToneModel) -> None:
    # Pinned to 3 decimals so a silent change of featuriser or weights fails loudly.
    got = [round(model.score(t).emotions[e], 3) for t, (e, _) in KNOWN.items()]
    assert got == [0.999, 0.675, 0.992, 0.719]


def test_known_group_and_ekman_probabilities(model: ToneModel) -> None:
    # The group/Ekman views come from the stacker over all head logits; pinned like the emotions above.
    thanks, _, scared, meeting = (model.score(text) for text in KNOWN)
    assert (round(thanks.group["positive"], 3), round(thanks.group["negative"], 3)) == (1.0, 0.001)
    assert (round(scared.group["negative"], 3), round(scared.ekman["fear"], 3)) == (0.986, 0.986)
    assert (round(meeting.group["neutral"], 3), round(meeting.group["positive"], 3)) == (0.704, 0.229)


def test_batch_and_single_agree_on_every_view(model: ToneModel) -> None:
    texts = [*KNOWN, "ugh, whatever :( fine."]
    for text, scores in zip(texts, model.score_many(texts), strict=True):
        single = model.score(text)
        for view in ("group", "ekman"):
            assert np.allclose(list(getattr(single, view).values()), list(getattr(scores, view).values()), atol=1e-6)


def test_wire_shape(model: ToneModel) -> None:
    wire = model.score("I miss you, but I am furious about the weekend.").to_wire()
    assert list(wire) == ["emotions", "group", "ekman", "labels"]
    assert tuple(wire["emotions"]) == EMOTIONS and tuple(wire["group"]) == GROUPS and tuple(wire["ekman"]) == EKMAN
    for view in ("emotions", "group", "ekman"):
        assert all(0.0 <= v <= 1.0 and round(v, 4) == v for v in wire[view].values())
    for tax in ("original", "group", "ekman"):
        assert wire["labels"][tax], "label sets are never empty"


def test_batch_equals_single(model: ToneModel) -> None:
    texts = [*KNOWN, "", "!!!", "[NAME] is so sweet 😍😍", "x" * 5000]
    batch = model.score_many(texts)
    for text, scores in zip(texts, batch, strict=True):
        single = model.score(text)
        assert single.labels == scores.labels
        assert np.allclose(list(single.emotions.values()), list(scores.emotions.values()), atol=1e-6)
    assert model.score_many([]) == []


def test_featuriser_paths_agree(model: ToneModel) -> None:
    # Scoring, batch and explanation paths must see the same features and values.
    vec: Vectoriser = model.vectoriser
    texts = ["I don't love this, not at all!!", "SO happy for you sooo much", "Why?! [NAME] never listens."]
    indptr, rows, vals = vec.transform(texts)
    for i, text in enumerate(texts):
        one_rows, one_vals = vec.transform_one(text)
        assert np.array_equal(rows[indptr[i] : indptr[i + 1]], one_rows)
        assert np.allclose(vals[indptr[i] : indptr[i + 1]], one_vals)
        _, a_rows, a_vals, _ = vec.attributed(text)
        summed = {int(r): 0.0 for r in a_rows}
        for r, v in zip(a_rows.tolist(), a_vals.tolist(), strict=True):
            summed[r] += v
        assert sorted(summed) == sorted(one_rows.tolist())
        assert np.allclose([summed[r] for r in one_rows.tolist()], one_vals, atol=1e-6)


def test_negation_is_marked() -> None:
    from levelhead.tone.features import word_features

    text = "I am not happy, ok"
    feats = [f for f, _, _ in word_features(text, tokens(text))]
    assert "neg_happy" in feats and "happy" not in feats and "ok" in feats


def test_sentences_and_explanations(model: ToneModel) -> None:
    text = "Thank you for picking them up.  I'm really angry that you were late again!\nWhatever."
    parts = model.sentences(text)
    assert [p.text for p in parts] == [
        "Thank you for picking them up.",
        "I'm really angry that you were late again!",
        "Whatever.",
    ]
    for part in parts:
        assert text[part.start : part.end] == part.text
        for w in part.words:
            assert part.start <= w.start < w.end <= part.end and text[w.start : w.end] == w.text
            assert w.weight > 0 and w.emotion == part.scores.top()[0]
    assert parts[1].scores.top()[0] in {"anger", "annoyance"}
    assert "angry" in [w.text for w in parts[1].words]
    words = model.explain(text, "gratitude")
    assert words and words[0].text.lower() in {"thank", "you"}
    assert model.explain("", "joy") == []
    with pytest.raises(KeyError):
        model.explain(text, "happiness")


def test_sentences_match_other_paths(model: ToneModel) -> None:
    # sentences() featurises all sentences in one pass; it must agree with scoring and explaining each.
    text = "Ugh, NOT again!! I'm so done with this.\nThanks anyway :) [NAME] was sweet. Why?! ok"
    parts = model.sentences(text)
    assert len(parts) >= 4
    for part, scores in zip(parts, model.score_many([p.text for p in parts]), strict=True):
        assert part.scores.labels == scores.labels
        assert np.allclose(list(part.scores.emotions.values()), list(scores.emotions.values()), atol=1e-5)
        alone = model.explain(part.text, part.scores.top()[0])
        shifted = [(w.start + part.start, w.text, w.weight) for w in alone]
        assert shifted == [(w.start, w.text, w.weight) for w in part.words]
    assert model.sentences("") == [] and model.sentences("   ") == []


def test_run_jsonl_contract() -> None:
    lines = [
        json.dumps({"text": "I love you"}),
        json.dumps({"text": ""}),
        json.dumps({"text": 42}),
        "not json",
        json.dumps(["text"]),
        "",
        json.dumps({"text": "Stop it."}),
    ]
    out = io.StringIO()
    assert tone.run_jsonl(iter(line + "\n" for line in lines), out) == 0
    got = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(got) == len(lines)
    assert [("error" in g) for g in got] == [False, True, True, True, True, True, False]
    assert set(got[0]) == {"emotions", "group", "ekman", "labels"}
    assert "love" in got[0]["labels"]["original"]


def test_run_jsonl_many_lines() -> None:
    lines = [json.dumps({"text": f"message {i}: I am {'happy' if i % 2 else 'sad'}"}) for i in range(5000)]
    out = io.StringIO()
    assert tone.run_jsonl(lines, out) == 0
    got = out.getvalue().splitlines()
    assert len(got) == 5000
    assert "sadness" in json.loads(got[0])["labels"]["ekman"]
