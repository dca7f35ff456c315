"""Shared fixtures: run the real command line in a clean environment."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
Run = Callable[..., subprocess.CompletedProcess[str]]


def midday_zone(utc_seconds: float) -> str:
    """A POSIX ``TZ`` whose local time is 12:00 at ``utc_seconds`` (offset in (-12 h, +12 h], so the local
    date is the UTC date)."""
    of_day = int(utc_seconds) % 86_400 // 60  # minutes since UTC midnight
    east = 12 * 60 - of_day
    sign = "-" if east >= 0 else "+"  # POSIX counts hours west of UTC: east of it is negative
    return f"<LHT>{sign}{abs(east) // 60:02d}:{abs(east) % 60:02d}"


def pytest_configure(config: pytest.Config) -> None:
    """Every test runs at midday local time (subprocesses and the browser inherit the zone).

    Late-night hours (RD07) and waits pushed out of the night make a check's verdict depend on the time
    of day; a test that means a particular moment passes ``--now``/``now=``, and the others must not
    pass at noon and fail in a CI run at 23:00."""
    os.environ["TZ"] = midday_zone(time.time())
    time.tzset()


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
