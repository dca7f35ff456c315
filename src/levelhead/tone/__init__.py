"""How a message reads: GoEmotions emotions, their group and Ekman views, per sentence, with reasons.

Importing this package is cheap: numpy and the model file are loaded on the first ``load()``.
A one-off command that checks a single draft calls ``use_light_reader()`` first, and draft checks
then score with ``LightModel`` (same model file and results, no numpy import; see tone/light.py).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from levelhead.tone.types import EKMAN, EMOTIONS, GROUPS, SentenceTone, ToneScores, WordWeight

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


def run_jsonl(lines: Iterable[str], out: TextIO) -> int:
    """``levelhead tone``: score JSON lines ``{"text": ...}``, one JSON line out per line in (tone/wire.py)."""
    from levelhead.tone import wire  # json and the wire format only for this command, not for every check

    return wire.run_jsonl(lines, out)


_lock = threading.Lock()
_model: ToneModel | None = None
_light_reader = False


def load() -> ToneModel:
    """The shipped model, loaded once and shared."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from levelhead.tone.model import ToneModel

                _model = ToneModel()
    return _model


def use_light_reader(light: bool = True) -> None:
    """Have ``load_for_drafts`` give the numpy-free reader (for a process that checks one draft)."""
    global _light_reader
    _light_reader = light


def load_for_drafts() -> Any:
    """The model the draft check scores sentences with: ``LightModel`` after ``use_light_reader()``."""
    if _light_reader and _model is None:
        return _load_light()
    return load()


@functools.cache
def _load_light() -> Any:
    from levelhead.tone.light import LightModel
    from levelhead.tone.types import MODEL_PATH

    return LightModel(MODEL_PATH)


def analyse(text: str) -> ToneScores:
    """Scores for one text with the shipped model."""
    return load().score(text)


def __getattr__(name: str) -> Any:
    # ToneModel lives with numpy; hand it out on first use so the import above stays cheap.
    if name == "ToneModel":
        from levelhead.tone.model import ToneModel

        return ToneModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
