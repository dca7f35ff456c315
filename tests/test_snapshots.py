"""Snapshots of the rendered output, so wording changes show up in review.

Regenerate after an intended change: LEVELHEAD_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py
The lexicon scorer is used so a retrained tone model does not churn the snapshots.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

from .conftest import Run

SNAPSHOTS = Path(__file__).parent / "snapshots"
NOW = "2026-11-20T12:00:00+00:00"
CASES = {
    "accusation-and-longing": ["check", "You never listen. I miss you so much, please call me", "--goal", "logistics"],
    "calm-logistics": ["check", "Can I pick up my books Saturday at 10?", "--goal", "logistics"],
    "shouting-json": ["check", "Where is Emma's inhaler??? I NEED IT NOW", "--goal", "logistics", "--format", "json"],
    "threat": ["check", "Keep it up and you won't see the kids again", "--goal", "logistics"],
    "ready-lonely-late": ["ready", "--goal", "closure", "--mood", "lonely", "--broke-up", "2026-11-10",
                          "--ended-by", "them", "--now", "2026-11-20T23:30:00+00:00"],
    "ready-abuse-gb": ["ready", "--goal", "logistics", "--abuse-history", "--country", "GB"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CASES))
def test_rendered_output(name: str, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVELHEAD_TONE", "lexicon")
    args = CASES[name]
    if "--now" not in args:
        args = [*args, "--now", NOW]
    proc = run(*args, "--tz", "UTC")
    assert proc.returncode in (0, 1), proc.stderr
    rendered = f"$ levelhead {shlex.join(args)}\nexit {proc.returncode}\n{proc.stdout}"
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("LEVELHEAD_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(rendered, encoding="utf-8")
    assert rendered == path.read_text(encoding="utf-8"), f"rendered output changed; see {path}"
