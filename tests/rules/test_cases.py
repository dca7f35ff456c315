"""Every rule's case file: failing drafts must get the rule's finding, passing drafts must not."""

from __future__ import annotations

import pytest

from levelhead import engine
from levelhead.rule import all_rules, select_rules

from .casefile import Case, all_case_files, load_cases

CASES = [case for path in all_case_files() for case in load_cases(path)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_case(case: Case) -> None:
    rules = select_rules([case.code])
    if case.text is None:
        report = engine.ready(case.situation, now=case.now, select=[case.code])
    else:
        report = engine.check(case.text, case.situation, now=case.now, rules=rules)
    found = [d for d in report.diagnostics if d.code == case.code]
    if not case.expect_fail:
        assert not found, f"{case.code} should not flag {case.text!r}: {[d.message for d in found]}"
        return
    assert found, f"{case.code} should flag {case.text!r}"
    if case.span is not None:
        assert case.text is not None
        spans = [case.text[d.span.start : d.span.end] for d in found if d.span]
        assert case.span in spans, f"expected span {case.span!r}, got {spans!r}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_every_rule_has_enough_cases(rule: type) -> None:
    mine = [c for c in CASES if c.code == rule.code]
    fails = [c for c in mine if c.expect_fail]
    passes = [c for c in mine if not c.expect_fail]
    assert len(fails) >= 3, f"{rule.code} needs at least three failing examples in tests/rules/cases/{rule.code}.yml"
    assert len(passes) >= 3, f"{rule.code} needs at least three passing examples in tests/rules/cases/{rule.code}.yml"


def test_every_rule_family_is_registered() -> None:
    import pkgutil
    import sys

    import levelhead.rules

    families = [m.name for m in pkgutil.iter_modules(levelhead.rules.__path__) if not m.name.startswith("_")]
    missing = [name for name in families if f"levelhead.rules.{name}" not in sys.modules]
    assert not missing, f"add {missing} to the imports in levelhead/rules/__init__.py"
    registered = {rule.__module__ for rule in all_rules()}
    assert registered == {f"levelhead.rules.{name}" for name in families}
