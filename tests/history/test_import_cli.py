"""The `import` command: --dry-run output, exit status 2 with one line on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from levelhead.history.cli import import_command

from .conftest import FIXTURES

SRC = Path(__file__).resolve().parents[2] / "src"


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(import_command, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_dry_run_json_contract() -> None:
    code, out, err = _invoke(str(FIXTURES / "whatsapp_android_us.txt"), "--me", "Alex", "--tz", "UTC",
                             "--dry-run", "--format", "json")  # fmt: skip
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["kind"] == "whatsapp" and doc["participants"] == ["Alex", "Team 10:30 🏃 Sam"]
    first = doc["messages"][1]
    assert first == {"at": "2025-11-02T21:16:00+00:00", "sender": "Alex", "from": "me", "kind": "text",
                     "text": "hey, can we talk about the weekend?", "edited": False}  # fmt: skip


def test_dry_run_text_and_contact() -> None:
    code, out, _ = _invoke(str(FIXTURES / "sms_backup.xml"), "--contact", "07700900123", "--dry-run")
    assert code == 0 and "sms: 5 messages" in out and "Sam (them)" in out


def test_failures_are_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01\x02 binary")
    for args in (
        [str(bad), "--kind", "whatsapp", "--dry-run"],
        [str(FIXTURES / "whatsapp_ambiguous.txt"), "--me", "Alex", "--dry-run"],
        [str(FIXTURES / "whatsapp_android_us.txt"), "--dry-run"],
        [str(tmp_path / "missing.txt"), "--dry-run"],
        [str(FIXTURES / "whatsapp_android_us.txt"), "--tz", "Mars/Olympus", "--me", "Alex", "--dry-run"],
    ):
        code, out, err = _invoke(*args)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("levelhead: error: ")


def test_without_dry_run_needs_the_store(tmp_path: Path) -> None:
    code, out, err = _invoke(str(FIXTURES / "signal.txt"), "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 2 and out == "" and "levelhead init" in err and err.count("\n") == 1
