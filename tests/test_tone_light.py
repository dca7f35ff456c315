"""The numpy-free reader of the tone model gives what ToneModel gives, and spares a one-off check numpy."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead import emotion
from levelhead.engine import check
from levelhead.tone.light import LightModel
from levelhead.tone.model import ToneModel
from levelhead.tone.types import MODEL_PATH, TAXONOMIES, ToneScores
from tests.rules.casefile import all_case_files, load_cases

CLOSE = 1e-5  # float64 here, float32 in ToneModel

CASES = [c for path in all_case_files() for c in load_cases(path) if c.text]
TEXTS = sorted({c.text for c in CASES if c.text} | {"", "!!!", "ok", "I'm NOT happy... at all?!", "😢 why"})


@pytest.fixture(scope="module")
def light() -> LightModel:
    return LightModel(MODEL_PATH)


@pytest.fixture(scope="module")
def full() -> ToneModel:
    return ToneModel()


def _agree(a: ToneScores, b: ToneScores, thresholds: list[float]) -> None:
    values_a = [*a.emotions.values(), *a.group.values(), *a.ekman.values()]
    values_b = [*b.emotions.values(), *b.group.values(), *b.ekman.values()]
    assert max(abs(x - y) for x, y in zip(values_a, values_b, strict=True)) < CLOSE
    near_a_threshold = any(abs(v - t) < CLOSE for v, t in zip(values_b, thresholds, strict=True))
    if not near_a_threshold:
        assert a.labels == b.labels


def test_scores_agree_on_every_case_file_draft(light: LightModel, full: ToneModel) -> None:
    assert len(TEXTS) > 300
    for text, expected in zip(TEXTS, full.score_many(TEXTS), strict=True):
        _agree(light.score(text), expected, light.thresholds)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCDEF!?.,'😢-")), max_size=80))
def test_scores_agree_on_any_text(text: str) -> None:
    light, full = _models()
    _agree(light.score(text), full.score(text), light.thresholds)


def test_explanations_agree(light: LightModel, full: ToneModel) -> None:
    for text in TEXTS[::7]:
        for taxonomy, labels in TAXONOMIES.items():
            for label in labels[::3]:
                mine = light.explain(text, label, taxonomy=taxonomy)
                theirs = full.explain(text, label, taxonomy=taxonomy)
                assert [(w.start, w.end, w.text) for w in mine] == [(w.start, w.end, w.text) for w in theirs]
                assert all(abs(x.weight - y.weight) <= 1e-3 for x, y in zip(mine, theirs, strict=True))


def test_the_draft_check_gives_the_same_findings(light: LightModel, full: ToneModel) -> None:
    def wires(model: object) -> Iterator[dict[str, object]]:
        emotion.use_scorer(emotion.ModelScorer(model))
        try:
            for case in CASES:
                yield check(case.text or "", case.situation, now=case.now).to_wire()
        finally:
            emotion.use_scorer(None)

    assert list(wires(light)) == list(wires(full))


def test_a_one_off_check_never_imports_numpy() -> None:
    draft = "I miss you so much. Can I pick up the kids at 5 on Saturday?"
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "levelhead", "check", "--no-store", draft],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "TN02" in proc.stdout  # the model (or lexicon) still reads the longing
    assert "numpy" not in proc.stderr


_cached: tuple[LightModel, ToneModel] | None = None


def _models() -> tuple[LightModel, ToneModel]:
    global _cached
    if _cached is None:
        _cached = (LightModel(MODEL_PATH), ToneModel())
    return _cached
