"""Run the rules over a draft (or over the moment, for readiness) and decide one verdict."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from levelhead.diagnostics import Diagnostic, Report, Severity, Verdict
from levelhead.rule import Need, Rule, select_rules
from levelhead.safety import resources_for_codes
from levelhead.situation import Situation
from levelhead.text import Draft

MAX_DRAFT_CHARS = 100_000


class RuleFailure(RuntimeWarning):
    """A rule raised while checking; its findings are missing from the report."""


class DraftError(ValueError):
    """A draft that cannot be checked (empty, or too large); the message is shown to the user."""


def local_now(situation: Situation, now: datetime | None = None) -> datetime:
    """``now`` (or the clock) as an aware time in the situation's zone."""
    zone = ZoneInfo(situation.timezone) if situation.timezone else None
    if now is None:
        return datetime.now(zone).astimezone(zone) if zone else datetime.now().astimezone()
    if now.tzinfo is None:
        now = now.replace(tzinfo=zone) if zone else now.astimezone()
    return now.astimezone(zone) if zone else now


def check(
    text: str,
    situation: Situation | None = None,
    *,
    now: datetime | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    rules: Sequence[Rule] | None = None,
) -> Report:
    """Check a draft against the situation; returns one verdict with its reasons."""
    if not isinstance(text, str):
        raise DraftError("the draft must be text")
    if not text.strip():
        raise DraftError("the draft is empty: write the message first, then check it")
    if len(text) > MAX_DRAFT_CHARS:
        raise DraftError(f"the draft is {len(text):,} characters; levelhead checks up to {MAX_DRAFT_CHARS:,}")
    situation = situation or Situation()
    chosen = rules if rules is not None else _rules_for(tuple(select), tuple(ignore), settings)
    return _run(Draft(text.replace("\x00", "\ufffd")), situation, local_now(situation, now), chosen)


def ready(
    situation: Situation,
    *,
    now: datetime | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    settings: Mapping[str, Mapping[str, Any]] | None = None,
) -> Report:
    """Should the user reach out at all, now? Runs every rule that does not need a draft."""
    chosen = [r for r in _rules_for(tuple(select), tuple(ignore), settings) if Need.DRAFT not in r.needs]
    return _run(None, situation, local_now(situation, now), chosen)


def _rules_for(
    select: tuple[str, ...], ignore: tuple[str, ...], settings: Mapping[str, Mapping[str, Any]] | None
) -> Sequence[Rule]:
    # Rules hold only their settings, so the default set is built once and shared.
    if not select and not ignore and not settings:
        return _default_rules()
    return select_rules(select, ignore, settings)


@cache
def _default_rules() -> tuple[Rule, ...]:
    return tuple(select_rules())


def _run(draft: Draft | None, situation: Situation, now: datetime, rules: Sequence[Rule]) -> Report:
    found: list[Diagnostic] = []
    # Safety rules run first and on their own, so their findings and the help
    # resources still show if another rule (or the tone model) fails.
    for rule in sorted(rules, key=lambda r: not r.always_on):
        if draft is None and Need.DRAFT in rule.needs:
            continue
        if rule.always_on:
            found.extend(rule.check(draft, situation, now))
            continue
        try:
            found.extend(rule.check(draft, situation, now))
        except Exception as err:  # a broken rule must not hide safety help or the other findings
            warnings.warn(f"{rule.code} could not run: {err!r}", RuleFailure, stacklevel=1)
    found.sort(key=_order)
    verdict = decide(found)
    safety_codes = [d.code for d in found if d.verdict is Verdict.SAFETY]
    return Report(
        verdict=verdict,
        diagnostics=tuple(found),
        text=draft.text if draft else None,
        until=_until(found) if verdict is Verdict.WAIT else None,
        resources=resources_for_codes(situation.country, safety_codes),
    )


def decide(diagnostics: Iterable[Diagnostic]) -> Verdict:
    """The most severe verdict among findings that count (info never changes the verdict)."""
    verdict = Verdict.SEND
    for d in diagnostics:
        if d.severity is not Severity.INFO and d.verdict.rank > verdict.rank:
            verdict = d.verdict
    return verdict


def _until(diagnostics: Iterable[Diagnostic]) -> datetime | None:
    """When every timing finding has passed: the latest ``until`` among the waits."""
    times = [d.until for d in diagnostics if d.verdict is Verdict.WAIT and d.until and d.severity is not Severity.INFO]
    return max(times) if times else None


def _order(d: Diagnostic) -> tuple[int, int, int, str]:
    # Safety first, then the most severe; within that, in reading order.
    return (-d.verdict.rank, d.span.start if d.span else -1, 0 if d.severity is Severity.ERROR else 1, d.code)
