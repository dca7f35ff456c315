"""Load rule case files: tests/rules/cases/CODE.yml.

Format:

    rule: TN07
    situation: {goal: logistics}        # optional defaults for every case (config-file keys)
    now: "2026-11-20T12:00:00+00:00"   # optional default moment
    fail:
      - "I'll do it AGAIN"              # a draft that must get a TN07 finding
      - text: "hello???"
        span: "???"                     # the finding must cover exactly this substring
        situation: {goal: closure}
        history: [{at: ..., from: them, text: ...}]
        now: "..."
      - ready: true                     # a readiness check (no draft)
        situation: {mood: angry}
    pass:
      - "Pick-up at 4 PM is fine."      # must not get a TN07 finding
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from levelhead.config import parse_moment, situation_from_mapping
from levelhead.situation import Message, Situation

CASES_DIR = Path(__file__).parent / "cases"
DEFAULT_NOW = "2026-11-20T12:00:00+00:00"


@dataclass(frozen=True)
class Case:
    code: str
    expect_fail: bool
    text: str | None
    situation: Situation
    now: datetime
    span: str | None
    label: str

    @property
    def id(self) -> str:
        return f"{self.code}-{'fail' if self.expect_fail else 'pass'}-{self.label}"


def load_cases(path: Path) -> list[Case]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    code = data["rule"]
    base = dict(data.get("situation") or {})
    cases = []
    for kind in ("fail", "pass"):
        for i, raw in enumerate(data.get(kind) or [], 1):
            item: dict[str, Any] = {"text": raw} if isinstance(raw, str) else dict(raw)
            merged = {**base, **(item.get("situation") or {})}
            situation = situation_from_mapping(merged, Situation(timezone="UTC"))
            history = tuple(
                Message(parse_moment(str(h["at"])), h["from"], h.get("text", "")) for h in item.get("history") or []
            )
            if history:
                situation = replace(situation, history=tuple(sorted(history, key=lambda m: m.at)))
            now = parse_moment(str(item.get("now") or data.get("now") or DEFAULT_NOW))
            text = None if item.get("ready") else item["text"]
            cases.append(Case(code, kind == "fail", text, situation, now, item.get("span"), str(i)))
    return cases


def all_case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yml"))
