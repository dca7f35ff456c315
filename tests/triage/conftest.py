"""The labelled dev set and the way the eval script triages each message."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parent.parent / "scripts" / "eval_triage.py"


def load_set(name: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((HERE / name).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


DEVSET = load_set("devset.yml")
HELDOUT = load_set("heldout.yml")


@pytest.fixture(scope="session")
def eval_script() -> ModuleType:
    """scripts/eval_triage.py, imported: the tests score the dev set exactly as the script does."""
    spec = importlib.util.spec_from_file_location("eval_triage", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module
