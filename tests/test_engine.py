"""The engine: verdict aggregation, waits with an until, selection, and drafts of any shape."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import levelhead
from levelhead.diagnostics import Diagnostic, Severity, Verdict
from levelhead.engine import DraftError, decide
from levelhead.rule import RuleError, select_rules

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _d(verdict: Verdict, severity: Severity = Severity.ERROR, until: datetime | None = None) -> Diagnostic:
    return Diagnostic("TN99", "x", "m", None, severity, verdict, until=until)


def test_most_severe_verdict_wins() -> None:
    assert decide([]) is Verdict.SEND
    assert decide([_d(Verdict.REVISE), _d(Verdict.WAIT)]) is Verdict.WAIT
    assert decide([_d(Verdict.DONT_SEND), _d(Verdict.SAFETY), _d(Verdict.WAIT)]) is Verdict.SAFETY
    assert decide([_d(Verdict.REVISE, Severity.WARNING)]) is Verdict.REVISE


def test_info_never_changes_the_verdict() -> None:
    assert decide([_d(Verdict.DONT_SEND, Severity.INFO)]) is Verdict.SEND


def test_verdict_order() -> None:
    order = [Verdict.SEND, Verdict.REVISE, Verdict.WAIT, Verdict.DONT_SEND, Verdict.SAFETY]
    assert sorted(order, key=lambda v: v.rank) == order


def test_empty_and_oversized_drafts() -> None:
    with pytest.raises(DraftError):
        levelhead.check("  \n ")
    with pytest.raises(DraftError):
        levelhead.check("a" * 100_001)


def test_safety_rules_cannot_be_ignored() -> None:
    codes = {r.code for r in select_rules(ignore=["SF", "safety", "ALL"])}
    assert {"SF01", "SF02", "SF03", "SF04"} <= codes


def test_unknown_selector_and_option() -> None:
    with pytest.raises(RuleError):
        select_rules(select=["QQ"])
    with pytest.raises(RuleError):
        select_rules(settings={"TN07": {"loudness": 3}})
    with pytest.raises(RuleError):
        select_rules(settings={"TN07": {"min_caps_words": "many"}})
    with pytest.raises(RuleError):
        select_rules(settings={"TN07": {"min_caps_words": 500}})


def test_wait_carries_until() -> None:
    later = NOW + timedelta(hours=5)
    report = levelhead.ready(levelhead.Situation(goal="logistics", mood="angry", timezone="UTC"), now=NOW)
    if report.verdict is Verdict.WAIT:
        assert report.until is not None and report.until > NOW
    assert later > NOW


def test_python_api_returns_typed_results() -> None:
    report = levelhead.check("Can I pick up my books Saturday at 10?", levelhead.Situation(goal="logistics"), now=NOW)
    assert isinstance(report, levelhead.Report)
    assert report.verdict is levelhead.Verdict.SEND
    wire = report.to_wire()
    assert wire["schema"] == 1 and wire["verdict"] == "send"


def test_naive_now_is_read_in_the_users_zone() -> None:
    situation = levelhead.Situation(goal="logistics", timezone="Europe/London")
    report = levelhead.check("Pick-up at 5 on Sunday?", situation, now=datetime(2026, 11, 20, 12, 0))
    assert report.verdict in set(Verdict)


_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),
    min_size=1,
    max_size=400,
).filter(lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(text=_TEXT, goal=st.sampled_from(["logistics", "closure", "friendship", "reconciliation", "none", None]))
def test_any_draft_gives_a_verdict_and_valid_spans(text: str, goal: str | None) -> None:
    report = levelhead.check(text, levelhead.Situation(goal=goal, timezone="UTC"), now=NOW)
    assert report.verdict in set(Verdict)
    for d in report.diagnostics:
        if d.span is not None:
            assert 0 <= d.span.start < d.span.end <= len(text)
        for s in d.suggestions:
            if s.span is not None:
                assert 0 <= s.span.start <= s.span.end <= len(text)
    if report.verdict is Verdict.SAFETY:
        assert report.resources


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            ["you", "never", "always", "I", "miss", "kids", "Saturday", "at", "5", "PM", "!!!", "please", "call",
             "said", '"', "'", "not", "would", "hate", "love", "pick", "up", "money", "$40", "\n", "AGAIN", "?"]
        ),
        min_size=1,
        max_size=80,
    )
)  # fmt: skip
def test_word_soup_never_crashes(words: list[str]) -> None:
    text = " ".join(words)
    if text.strip():
        report = levelhead.check(text, levelhead.Situation(goal="logistics", timezone="UTC"), now=NOW)
        assert report.verdict in set(Verdict)


def test_a_failing_rule_does_not_hide_safety_help() -> None:
    from collections.abc import Iterator
    from typing import ClassVar

    from levelhead.engine import RuleFailure
    from levelhead.rule import REGISTRY, Rule

    class Broken(Rule):
        """A rule that always fails, for this test.

        ## What it flags
        Nothing. ## Why it matters
        Test. ## Example
        None. ## Instead
        None.
        """

        code: ClassVar[str] = "TN98"
        name: ClassVar[str] = "broken"

        def check(self, draft, situation, now) -> Iterator[Diagnostic]:  # type: ignore[no-untyped-def]
            raise RuntimeError("model file missing")

    try:
        rules = [*select_rules(select=["SF"]), Broken()]
        situation = levelhead.Situation(goal="logistics", abuse_history=True, timezone="UTC")
        with pytest.warns(RuleFailure):
            report = levelhead.check("Can we talk about the kids?", situation, now=NOW, rules=rules)
        assert report.verdict is Verdict.SAFETY
        assert report.resources
    finally:
        REGISTRY.pop("TN98", None)
