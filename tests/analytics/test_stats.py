"""The analytics: hand-checked figures, documented keys, the stats and report commands."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from levelhead.analytics import compute
from levelhead.analytics.cli import report_command, stats_command
from levelhead.storage import Store
from levelhead.storage.store import StoredMessage
from levelhead.storage.view import StoredAgreement

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def _m(minutes: float, side: str, text: str = "see you at five", kind: str = "text") -> StoredMessage:
    return StoredMessage(T0 + timedelta(minutes=minutes), side, kind, text)


CHAT = [
    _m(0, "me", "can you take the kids on saturday"),  # starts a conversation
    _m(30, "them", "yes"),  # their reply: 30 min
    _m(40, "me", "thanks"),  # my reply: 10 min
    _m(60 * 24, "me", "did the papers arrive"),  # a new conversation (after 6 h), started by me
    _m(60 * 24 + 5, "me", "the school ones"),
    _m(60 * 24 + 6, "me", "", kind="media"),
    _m(60 * 24 * 3, "them", "yes they did, all of them"),  # their reply after ~2 days, and an initiation
    _m(60 * 24 * 3 + 1, "them", "", kind="deleted"),
]


def test_figures_by_hand() -> None:
    now = T0 + timedelta(days=7)
    data = compute(CHAT, now=now, weeks=1, tone=False)
    assert data["messages"] == {"total": 8, "me": 5, "them": 3, "media": 1, "deleted": 1,
                                "first_at": CHAT[0].at.isoformat(), "last_at": CHAT[-1].at.isoformat()}  # fmt: skip
    them = data["reply_delay"]["them"]["all_time"]
    assert them["count"] == 2 and them["median_s"] == (30 * 60 + (60 * 24 * 3 - (60 * 24 + 6)) * 60) / 2
    assert data["reply_delay"]["me"]["all_time"] == {"count": 1, "median_s": 600.0, "p90_s": 600.0}
    assert data["initiations"]["all_time"] == {"me": 2, "them": 1} and data["initiations"]["gap_hours"] == 6
    assert data["streaks"]["me"] == {"longest": 4, "current": 0, "of_3_or_more": 1}  # "thanks" and the next day
    assert data["streaks"]["them"]["current"] == 2
    lengths = data["length"]["them"]["all_time"]
    assert lengths["count"] == 2 and lengths["median_words"] == 3.5  # "yes" (1) and a 6-word message
    assert [w["week"] for w in data["weekly"]] == ["2026-W10", "2026-W11"]
    assert data["weekly"][0]["me"] == 5 and data["weekly"][0]["initiated_them"] == 1
    assert data["tone"]["available"] is False


def test_recent_means_the_last_weeks() -> None:
    late = [_m(60 * 24 * 70, "me", "hello again"), _m(60 * 24 * 70 + 90, "them", "hi")]
    data = compute([*CHAT, *late], now=T0 + timedelta(days=71), weeks=2, tone=False)
    assert data["reply_delay"]["them"]["recent"] == {"count": 1, "median_s": 5400.0, "p90_s": 5400.0}
    assert data["initiations"]["recent"] == {"me": 1, "them": 0}
    assert data["length"]["me"]["recent"]["count"] == 1


def test_adherence_uses_the_agreements_in_force_then() -> None:
    window = StoredAgreement(1, "a", "window", {"days": "mon-fri", "from": "19:00", "to": "20:00"},
                             created_at=T0 + timedelta(minutes=35), ended_at=T0 + timedelta(days=2))  # fmt: skip
    no_contact = StoredAgreement(2, "b", "no-contact", {"until": date(2026, 3, 5)}, created_at=T0 + timedelta(days=2))
    data = compute(CHAT, [window, no_contact], now=T0 + timedelta(days=7), tone=False, zone=UTC)
    adherence = data["adherence"]
    # Under the window agreement (after 09:35 on day 0, before day 2): "thanks" and the three on day 1.
    assert adherence["checked_against_windows"] == {"me": 4, "them": 0}
    assert adherence["outside_windows"] == {"me": 4, "them": 0}
    # No contact from day 2 until 5 March: their two messages on 5 March are on the end date, not before.
    assert adherence["during_no_contact"] == {"me": 0, "them": 0}
    early = compute(CHAT, [no_contact], now=T0 + timedelta(days=7), tone=False, zone=UTC)
    assert early["adherence"]["during_no_contact"] == {"me": 0, "them": 0}
    strict = StoredAgreement(3, "c", "no-contact", {"until": date(2026, 3, 9)}, created_at=T0 + timedelta(days=2))
    assert compute(CHAT, [strict], now=T0 + timedelta(days=7), tone=False)["adherence"]["during_no_contact"] == {
        "me": 0, "them": 2}  # fmt: skip


def test_tone_is_sampled_and_reported() -> None:
    from levelhead import tone as tone_package

    try:
        tone_package.load()
    except (ImportError, OSError, ValueError) as err:
        pytest.skip(f"the tone model does not load here: {err}")
    angry = [
        _m(i * 60, "them" if i % 2 else "me", "I hate you, this is your fault and I am furious") for i in range(60)
    ]
    data = compute(angry, now=T0 + timedelta(days=3), tone=True)
    tone = data["tone"]
    assert tone["available"], tone["reason"]
    assert tone["weekly"][0]["them"]["sampled"] == tone["sample_per_week"]
    assert tone["all_time"]["them"]["sampled"] == 30 and tone["all_time"]["them"]["negative"] > 0.5


def test_empty_history() -> None:
    data = compute([], now=T0, tone=True)
    assert (
        data["messages"]["total"] == 0 and data["weekly"] == [] and data["reply_delay"]["me"]["all_time"]["count"] == 0
    )


def _documented_keys() -> set[str]:
    text = (ROOT / "docs" / "stats.md").read_text(encoding="utf-8")
    section = text.split("## JSON keys", 1)[1]
    return {word for span in re.findall(r"`([^`]+)`", section) for word in re.findall(r"[a-z_0-9]+", span)}


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_every_json_key_is_documented() -> None:
    window = StoredAgreement(1, "a", "window", {"days": "mon-fri", "from": "19:00", "to": "20:00"}, created_at=T0)
    data = compute(CHAT, [window], now=T0 + timedelta(days=7), tone=True)
    missing = {k for k in _keys(data) if k not in ("me", "them")} - _documented_keys()
    assert not missing, f"keys missing from docs/stats.md: {sorted(missing)}"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'levelhead.db'}"
    with Store.open(url) as store:
        store.init()
        rows = [(m.at, m.direction, m.kind, m.text) for m in CHAT]
        store.import_chat(rows, sha256="1" * 64, kind="csv")
    return url


def test_stats_command(db: str) -> None:
    result = CliRunner().invoke(stats_command, ["--db", db, "--format", "json", "--no-tone"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["messages"]["total"] == len(CHAT)
    text = CliRunner().invoke(stats_command, ["--db", db, "--no-tone"])
    assert text.exit_code == 0 and "Reply time" in text.stdout and "Who starts" in text.stdout


def test_report_is_one_offline_page_without_text(db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(report_command, [str(out), "--db", db])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count("<svg") >= 3 and 'name="viewport"' in page and "<table" in page
    assert "<script" not in page and not re.search(r"(src|href)=\"https?:", page)
    assert all(m.text not in page for m in CHAT if m.text)
    CliRunner().invoke(report_command, [str(out), "--db", db, "--include-text"])
    assert "can you take the kids on saturday" in out.read_text(encoding="utf-8")


def test_commands_without_a_store_say_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(stats_command, ["--db", f"sqlite:///{tmp_path / 'none.db'}"])
    assert result.exit_code == 2 and "levelhead init" in result.stderr
