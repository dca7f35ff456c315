"""The dev set: every skeleton checks as `send` under the goal logistics, the figures reach their targets,
and safety comes first wherever the message carries danger."""

from __future__ import annotations

from datetime import datetime
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from levelhead.engine import check
from levelhead.situation import Situation
from levelhead.triage import triage
from levelhead.triage.render import render

from .conftest import DEVSET, HELDOUT

EVERY = DEVSET + HELDOUT
ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC")
COUNTRIES = ("US", "GB", "CA", "AU", "IE", "NZ")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Europe/London"))  # the skeleton is checked by day


def test_dev_set_is_big_and_varied_enough() -> None:
    assert len(DEVSET) >= 60
    assert len({e["id"] for e in EVERY}) == len(EVERY)
    assert sum(1 for e in DEVSET if e.get("safety")) >= 8
    assert sum(1 for e in DEVSET if not e.get("asks") and not e.get("bait") and not e.get("safety")) >= 5
    assert sum(1 for e in DEVSET if e.get("bait") and not e.get("asks")) >= 10


@pytest.mark.parametrize("entry", EVERY, ids=[e["id"] for e in EVERY])
def test_every_skeleton_checks_send_under_logistics(entry: dict[str, Any], eval_script: ModuleType) -> None:
    result = eval_script.run_entry(entry)
    skeleton = result.reply.skeleton
    assert bool(skeleton) == result.reply.needed
    if skeleton:
        report = check(skeleton, Situation(goal="logistics"), now=NOON)
        assert report.verdict.label == "send", (skeleton, report.to_wire())
        assert skeleton.startswith("Thanks for the message."), "the full skeleton, not the fallback"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    entry=st.sampled_from(EVERY),
    received=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31)),
    zone=st.sampled_from(ZONES),
    country=st.sampled_from(COUNTRIES),
)
def test_skeletons_check_send_whatever_the_date_zone_and_country(
    entry: dict[str, Any], received: datetime, zone: str, country: str
) -> None:
    result = triage(
        entry["text"],
        received=received.replace(tzinfo=ZoneInfo(zone)),
        tz=zone,
        situation=Situation(country=country),
        now=received.replace(tzinfo=ZoneInfo(zone)),
    )
    if result.reply.skeleton:
        noon = received.replace(hour=12, minute=0, tzinfo=ZoneInfo(zone))
        assert check(result.reply.skeleton, Situation(goal="logistics"), now=noon).verdict.label == "send"


def test_figures_reach_the_targets(eval_script: ModuleType) -> None:
    scores = eval_script.evaluate(DEVSET)
    assert scores["asks"].recall >= 0.9, scores["asks"].notes
    assert scores["bait"].precision >= 0.9, scores["bait"].notes


def test_held_out_figures_reach_the_targets(eval_script: ModuleType) -> None:
    scores = eval_script.evaluate(HELDOUT)
    assert scores["asks"].recall >= 0.9, scores["asks"].notes
    assert scores["bait"].precision >= 0.9, scores["bait"].notes


@pytest.mark.parametrize("entry", [e for e in EVERY if e.get("safety")], ids=lambda e: e["id"])
def test_safety_first(entry: dict[str, Any], eval_script: ModuleType) -> None:
    result = eval_script.run_entry(entry)
    assert result.safety, entry["text"]
    assert result.resources
    for finding in result.safety:
        assert finding.text.lower() not in result.reply.skeleton.lower()
        assert not any(a.span.start < finding.span.end and finding.span.start < a.span.end for a in result.asks)
    shown = render(result)
    assert shown.startswith("safety: please look at this first")
    assert shown.index("Help, any time:") < shown.index("needs an answer")
    for banned in ("you are safe", "no threats detected", "help is on the way"):
        assert banned not in shown.lower()
