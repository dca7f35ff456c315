"""How a message reads: GoEmotions emotions, their group and Ekman views, per sentence, with reasons.

Importing this package is cheap: numpy and the model file are loaded on the first ``load()``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from levelhead.tone.types import EKMAN, EMOTIONS, GROUPS, SentenceTone, ToneScores, WordWeight
from levelhead.tone.wire import run_jsonl

if TYPE_CHECKING:
    from levelhead.tone.model import ToneModel

__all__ = [
    "EKMAN",
    "EMOTIONS",
    "GROUPS",
    "SentenceTone",
    "ToneModel",
    "ToneScores",
    "WordWeight",
    "analyse",
    "load",
    "run_jsonl",
]

_lock = threading.Lock()
_model: ToneModel | None = None


def load() -> ToneModel:
    """The shipped model, loaded once and shared."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from levelhead.tone.model import ToneModel

                _model = ToneModel()
    return _model


def analyse(text: str) -> ToneScores:
    """Scores for one text with the shipped model."""
    return load().score(text)


def __getattr__(name: str) -> Any:
    # ToneModel lives with numpy; hand it out on first use so the import above stays cheap.
    if name == "ToneModel":
        from levelhead.tone.model import ToneModel

        return ToneModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
