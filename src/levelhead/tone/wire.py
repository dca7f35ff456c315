"""The body of `levelhead tone`: JSON lines in, one JSON line out per input, in order."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

BATCH = 512  # lines scored together; keeps memory flat for long inputs


def _text_of(line: str) -> str | dict[str, str]:
    """The text to score, or the error object to print for this line."""
    if not line.strip():
        return {"error": "line is empty"}
    try:
        obj: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"line is not JSON: {exc.msg}"}
    if not isinstance(obj, dict) or "text" not in obj:
        return {"error": 'expected an object like {"text": "..."}'}
    text = obj["text"]
    if not isinstance(text, str):
        return {"error": f"text must be a string, got {type(text).__name__}"}
    if not text.strip():
        return {"error": "text is empty"}
    return text


def run_jsonl(lines: Iterable[str], out: TextIO) -> int:
    """Score each JSON line ``{"text": ...}``; bad lines get ``{"error": ...}``. Returns the exit status."""
    from levelhead.tone import load

    model = load()
    pending: list[str | dict[str, str]] = []

    def flush() -> None:
        texts = [p for p in pending if isinstance(p, str)]
        scored = iter(model.score_many(texts))
        for item in pending:
            wire = next(scored).to_wire() if isinstance(item, str) else item
            out.write(json.dumps(wire, ensure_ascii=False) + "\n")
        pending.clear()

    for line in lines:
        # Every line gets an answer, blank ones included, so outputs pair with inputs by position.
        pending.append(_text_of(line))
        if len(pending) >= BATCH:
            flush()
    flush()
    out.flush()
    return 0
