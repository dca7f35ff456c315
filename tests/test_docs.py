"""Rule documentation lives in docstrings; every rule has it, and generated docs are current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from levelhead.rule import DOC_SECTIONS, REGISTRY, Need, Rule, all_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_docstring_has_every_section(rule: type[Rule]) -> None:
    doc = rule.documentation()
    for section in DOC_SECTIONS:
        assert section in doc, f"{rule.code} docstring lacks {section!r}"
    assert rule.summary().endswith("."), f"{rule.code}: the summary line should be a sentence"
    assert len(rule.summary()) < 120


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_names_and_families(rule: type[Rule]) -> None:
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.family() in {"readiness", "boundaries", "tone", "pace", "safety"}
    if rule.code.startswith("SF"):
        assert rule.always_on
    if rule.code.startswith("TN"):
        assert Need.DRAFT in rule.needs


def test_every_catalogue_code_exists() -> None:
    all_rules()
    expected = (
        [f"RD0{i}" for i in range(1, 9)]
        + [f"BD0{i}" for i in range(1, 9)]
        + [f"TN{i:02d}" for i in range(1, 11)]
        + [f"PC0{i}" for i in range(1, 8)]
        + [f"SF0{i}" for i in range(1, 5)]
    )
    missing = [code for code in expected if code not in REGISTRY]
    assert not missing, f"rules in the catalogue without code: {missing}"


def test_names_are_unique() -> None:
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


def test_generated_docs_are_current() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_docs.py"), "--check"], capture_output=True)
    assert proc.returncode == 0, proc.stderr.decode()
