"""Safety screens: no false comfort, and no phone numbers except those from the one resources file.

Every SF message, note, suggestion and rule document is collected from real
checks (drafts that trigger SF01 to SF03, and readiness checks with an abuse
history, in every country on file) and read for banned wording. Phone-number
-like text may only come from ``data/resources.toml``.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from levelhead import engine
from levelhead.diagnostics import Diagnostic, Report
from levelhead.render.json import render as render_json
from levelhead.render.text import render as render_text
from levelhead.rule import REGISTRY, all_rules
from levelhead.safety import countries
from levelhead.situation import Situation

SRC = Path(__file__).resolve().parent.parent / "src" / "levelhead"
BANNED = re.compile(
    r"you(?:'re| are) (?:now |completely |totally )?safe|no threats? (?:detected|found)"
    r"|help is (?:on (?:the|its) way|coming)|you(?:'re| are) out of danger|nothing to worry about",
    re.IGNORECASE,
)
# Anything that looks like a phone number or a short code: three or more digits, maybe split by spaces or dashes.
PHONE = re.compile(r"(?<![\w])\+?(?:\d[\- ()]?){2,}\d(?![\w])")
DIGIT = re.compile(r"\d")
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

# Drafts without digits of their own, so any number in the output comes from the resources file.
DRAFTS = [
    "If you walk out on me I will kill myself.",
    "I can't take any of this anymore. Nobody would miss me.",
    "I'm not going to kill myself, don't worry.",
    "You will regret it. Keep it up and you'll never see the kids again.",
    "I'll tell everyone your secret. Watch your back.",
    "If you truly loved me you would come back.",
    'He said "I know where you live" and he keeps showing up at my work.',
    "You went through my phone and I don't feel safe.",
    "Can you pick up the kids on Wednesday afternoon?",
]


def _reports() -> list[Report]:
    reports = []
    for country in sorted(countries()):
        for abuse in (False, True):
            situation = Situation(goal="logistics", country=country, abuse_history=abuse, timezone="UTC")
            reports.append(engine.ready(situation, now=NOW))
            reports.extend(engine.check(text, situation, now=NOW) for text in DRAFTS)
    return reports


REPORTS = _reports()


def _safety_findings() -> list[Diagnostic]:
    return [d for r in REPORTS for d in r.diagnostics if d.code.startswith("SF")]


def _own_words(d: Diagnostic, draft: str | None) -> list[str]:
    """The rule's own wording: message, note and suggestions, with quoted draft words taken out."""
    texts = [d.message, d.note or ""]
    for s in d.suggestions:
        texts.extend([s.title, s.replacement])
    out = []
    for text in texts:
        if draft:
            for quoted in re.findall(r'"([^"]+)"', text):
                if quoted in draft:
                    text = text.replace(f'"{quoted}"', '""')
        out.append(text)
    return out


def _resource_contacts() -> str:
    data = tomllib.loads((SRC / "data" / "resources.toml").read_text(encoding="utf-8"))
    return " ".join(str(r["contact"]) + " " + str(r["name"]) for entry in data.values() for r in entry["resources"])


def test_the_checks_above_do_raise_every_safety_rule() -> None:
    codes = {d.code for d in _safety_findings()}
    assert codes == {"SF01", "SF02", "SF03", "SF04"}


def test_no_banned_wording_in_safety_findings() -> None:
    for report in REPORTS:
        for d in report.diagnostics:
            if d.code.startswith("SF"):
                for text in _own_words(d, report.text):
                    assert not BANNED.search(text), f"{d.code}: banned wording in {text!r}"


def test_no_banned_wording_in_resources_or_rendered_output() -> None:
    for report in REPORTS:
        for r in report.resources:
            assert not BANNED.search(f"{r.name} {r.contact}")
        assert not BANNED.search(render_text(report))
        assert not BANNED.search(render_json(report))


@pytest.mark.parametrize("code", ["SF01", "SF02", "SF03", "SF04"])
def test_no_banned_wording_in_rule_docs(code: str) -> None:
    all_rules()
    assert not BANNED.search(REGISTRY[code].documentation())


def test_safety_wording_has_no_numbers_of_its_own() -> None:
    for report in REPORTS:
        for d in report.diagnostics:
            if d.code.startswith("SF"):
                for text in _own_words(d, report.text):
                    assert not DIGIT.search(text), f"{d.code}: a number in its own wording: {text!r}"


def test_numbers_on_safety_screens_come_from_the_resources_file() -> None:
    contacts = _resource_contacts()
    for report in REPORTS:
        if not report.resources:
            continue
        for number in PHONE.findall(render_text(report)):
            assert number.strip() in contacts, f"{number!r} is not in resources.toml"


def test_resources_follow_the_codes_found() -> None:
    self_harm = engine.check(DRAFTS[0], Situation(goal="logistics"), now=NOW)
    assert any(r.name.startswith("988") for r in self_harm.resources)
    reported = engine.check(DRAFTS[6], Situation(goal="logistics"), now=NOW)
    assert any("Domestic Violence" in r.name for r in reported.resources)
    plain = engine.check(DRAFTS[-1], Situation(goal="logistics"), now=NOW)
    assert not [d for d in plain.diagnostics if d.code.startswith("SF")]


def test_safety_sources_and_data_hold_no_phone_numbers() -> None:
    phone = re.compile(r"\b\d{3}[- ]\d{3}[- ]\d{4}\b|\b0800 ?\d{3}|\b1-800|\b988\b|\b911\b|\b999\b|\b116 ?123\b")
    paths = [SRC / "danger.py", SRC / "rules" / "safety.py", *sorted((SRC / "rules" / "data").glob("safety_*.toml"))]
    for path in paths:
        assert not phone.search(path.read_text(encoding="utf-8")), f"phone-number-like text in {path}"
