"""Label names and the result types of the tone model (stdlib only, cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
