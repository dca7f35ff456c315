"""Reading the triage phrase data (``triage/data/*.toml``), once per process."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``triage/data/NAME.toml``."""
    raw = resources.files("levelhead").joinpath(f"triage/data/{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)
