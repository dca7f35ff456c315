"""Shared fixtures: run the real command line in a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty working folder and user config dir, so no real settings leak in."""
    (tmp_path / "config").mkdir()
    return tmp_path


@pytest.fixture
def run(home: Path) -> Run:
    """Run ``levelhead ARGS`` as a user would, in ``home``; returns the completed process."""

    def _run(
        *args: str, input: str | bytes | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        inherited = {k: v for k, v in os.environ.items() if k not in ("LEVELHEAD_DB", "LEVELHEAD_PASSPHRASE")}
        env = {
            **inherited,
            "XDG_CONFIG_HOME": str(home / "config"),
            "LEVELHEAD_HOME": str(home / "data"),
            **(env or {}),
        }
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
        env.pop("NO_COLOR", None)
        text = not isinstance(input, bytes)
        proc = subprocess.run(
            [sys.executable, "-m", "levelhead", *args],
            input=input,
            capture_output=True,
            text=text,
            cwd=home,
            env=env,
            timeout=120,
        )
        if not text:
            proc.stdout = proc.stdout.decode("utf-8", "replace")
            proc.stderr = proc.stderr.decode("utf-8", "replace")
        return proc  # type: ignore[return-value]

    return _run
