"""Label names and the result types of the tone model (stdlib only, cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("model.npz")  # shipped in the package
FORMAT_VERSION = 2  # of the model file; bumped when its arrays change meaning

# Orders are those of labels.txt in each GoEmotions folder; the model file stores them too.
EMOTIONS: tuple[str, ...] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
GROUPS: tuple[str, ...] = ("ambiguous", "negative", "neutral", "positive")
EKMAN: tuple[str, ...] = ("anger", "disgust", "fear", "joy", "neutral", "sadness", "surprise")
TAXONOMIES: dict[str, tuple[str, ...]] = {"original": EMOTIONS, "group": GROUPS, "ekman": EKMAN}


@dataclass(frozen=True)
class ToneScores:
    """Probabilities per label in each taxonomy, and the predicted label sets (never empty)."""

    emotions: dict[str, float]
    group: dict[str, float]
    ekman: dict[str, float]
    labels: dict[str, list[str]]  # keys "original", "group", "ekman"

    def to_wire(self) -> dict[str, Any]:
        """The `levelhead tone` JSON line for this text."""
        return {
            "emotions": {k: round(v, 4) for k, v in self.emotions.items()},
            "group": {k: round(v, 4) for k, v in self.group.items()},
            "ekman": {k: round(v, 4) for k, v in self.ekman.items()},
            "labels": {k: list(v) for k, v in self.labels.items()},
        }

    def top(self, neutral: bool = False) -> tuple[str, float]:
        """The most likely emotion of the 28, skipping neutral unless asked."""
        items = [(k, v) for k, v in self.emotions.items() if neutral or k != "neutral"]
        return max(items, key=lambda kv: kv[1])


def label_scores(values: list[float], thresholds: list[float]) -> ToneScores:
    """Scores from the 39 head probabilities (the 28 emotions, then group, then Ekman) and their thresholds."""
    views: dict[str, dict[str, float]] = {}
    labels: dict[str, list[str]] = {}
    start = 0
    for tax, names in TAXONOMIES.items():
        end = start + len(names)
        p, th = values[start:end], thresholds[start:end]
        views[tax] = dict(zip(names, p, strict=True))
        chosen = [name for name, v, t in zip(names, p, th, strict=True) if v >= t]
        # Never empty: fall back to the label closest to its own threshold.
        labels[tax] = chosen or [max(zip(names, p, th, strict=True), key=lambda x: x[1] / x[2])[0]]
        start = end
    return ToneScores(views["original"], views["group"], views["ekman"], labels)


@dataclass(frozen=True)
class WordWeight:
    """A word and how much it pushed the text toward ``emotion`` (log-odds contribution)."""

    start: int
    end: int
    text: str
    emotion: str
    weight: float


@dataclass(frozen=True)
class SentenceTone:
    """One sentence's scores; ``words`` explain its top non-neutral emotion."""

    start: int
    end: int
    text: str
    scores: ToneScores
    words: list[WordWeight]
