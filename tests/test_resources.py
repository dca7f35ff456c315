"""Safety resources: every number pinned, in one data file, selectable by country."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from levelhead.safety import countries, resources_for, resources_for_codes

PINNED = {
    "US": {
        "National Domestic Violence Hotline": "call 1-800-799-7233 (TTY 1-800-787-3224) or text START to 88788",
        "988 Suicide & Crisis Lifeline": "call or text 988",
        "Emergency services": "call 911",
    },
    "GB": {
        "National Domestic Abuse Helpline (Refuge)": "call 0808 2000 247, free, 24 hours",
        "Samaritans": "call 116 123, free, 24 hours",
        "Emergency services": "call 999",
    },
    "CA": {"9-8-8 Suicide Crisis Helpline": "call or text 988", "Emergency services": "call 911"},
    "AU": {
        "1800RESPECT": "call 1800 737 732, 24 hours",
        "Lifeline": "call 13 11 14, 24 hours",
        "Emergency services": "call 000",
    },
    "IE": {
        "Women's Aid National Freephone Helpline": "call 1800 341 900, 24 hours",
        "Samaritans": "call 116 123, free, 24 hours",
        "Emergency services": "call 112 or 999",
    },
    "NZ": {
        "Women's Refuge crisis line": "call 0800 733 843 (0800 REFUGE), 24 hours",
        "1737, Need to talk?": "call or text 1737",
        "Emergency services": "call 111",
    },
}


@pytest.mark.parametrize("country", sorted(PINNED))
def test_every_number_is_pinned(country: str) -> None:
    assert {r.name: r.contact for r in resources_for(country)} == PINNED[country]


def test_no_unpinned_country() -> None:
    assert set(countries()) == set(PINNED)


def test_us_comes_first_and_is_the_default_order() -> None:
    names = [r.name for r in resources_for("US")]
    assert names[0] == "National Domestic Violence Hotline"


def test_resources_follow_the_finding() -> None:
    crisis = [r.name for r in resources_for_codes("US", ["SF01"])]
    assert crisis == ["988 Suicide & Crisis Lifeline", "Emergency services"]
    abuse = [r.name for r in resources_for_codes("US", ["SF04"])]
    assert "National Domestic Violence Hotline" in abuse and "Emergency services" in abuse
    assert resources_for_codes("US", ["TN01"]) == ()


def test_numbers_live_only_in_the_data_file() -> None:
    """No phone-number-like text in the source outside resources.toml."""
    src = Path(__file__).resolve().parent.parent / "src" / "levelhead"
    phone = re.compile(r"\b\d{3}[- ]\d{3}[- ]\d{4}\b|\b0800 ?\d{3}|\b1-800")
    for path in src.rglob("*.py"):
        assert not phone.search(path.read_text(encoding="utf-8")), f"phone-number-like text in {path}"
