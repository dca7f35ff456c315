"""Reading the triage phrase data (``triage/data/*.toml``), once per process."""

from __future__ import annotations

from functools import cache
from typing import Any

from levelhead.datafiles import read_toml


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed ``triage/data/NAME.toml``."""
    return read_toml(f"triage/data/{name}.toml")
