"""`levelhead import` into the store: one transaction per file, re-import changes nothing, overlaps merge."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from levelhead.history.cli import import_command
from levelhead.storage import Store

from ..storage.conftest import FAST_KDF
from .conftest import FIXTURES

WA = FIXTURES / "whatsapp_android_us.txt"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'levelhead.db'}"
    with Store.open(url) as store:
        store.init()
    yield url


def _invoke(*args: str) -> tuple[int, str, str]:
    if args and not args[0].endswith("_us.txt") and args[0].endswith(".txt"):
        args = (*args, "--date-order", "dmy")  # the made-up chats below write day first
    result = CliRunner().invoke(import_command, list(args))
    return result.exit_code, result.stdout, result.stderr


def _state(url: str, passphrase: str | None = None) -> tuple[int, tuple[int, str]]:
    with Store.open(url, passphrase) as store:
        return store.message_count(), store.record_root()


def _export(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


CHAT = [
    "03/11/2025, 08:00 - Alex: morning, pickup at 5?",
    "03/11/2025, 08:00 - Alex: ok",
    "03/11/2025, 08:00 - Alex: ok",  # the same text twice in the same minute: two messages
    "03/11/2025, 08:30 - Sam: yes 5 works",
    "03/11/2025, 09:00 - Sam: <Media omitted>",
    "04/11/2025, 19:00 - Alex: thanks for today",
    "04/11/2025, 21:15 - Sam: np",
    "25/11/2025, 10:00 - Alex: dentist is on friday",
]


def test_import_stores_and_summarises(db: str) -> None:
    code, out, err = _invoke(str(WA), "--me", "Alex", "--tz", "UTC", "--db", db, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "whatsapp" and doc["stored"] == 8 and doc["skipped_duplicates"] == 0
    assert doc["participants"] == ["Alex", "Team 10:30 🏃 Sam"] and doc["skipped_system"] == 2
    with Store.open(db) as store:
        history = store.history()
        assert [m.kind for m in history].count("media") == 2 and [m.kind for m in history].count("deleted") == 1
        assert {m.direction for m in history} == {"me", "them"}
        assert store.verify().ok
        assert store.imports()[0].sha256 == doc["sha256"] and store.imports()[0].stored == 8


def test_reimport_changes_nothing(db: str) -> None:
    assert _invoke(str(WA), "--me", "Alex", "--tz", "UTC", "--db", db)[0] == 0
    before = _state(db)
    code, out, _ = _invoke(str(WA), "--me", "Alex", "--tz", "UTC", "--db", db)
    assert code == 0 and out.startswith("already imported on ") and out.rstrip().endswith("nothing changed")
    assert _state(db) == before


def test_overlapping_exports_merge_without_duplicates(db: str, tmp_path: Path) -> None:
    first = _export(tmp_path / "a.txt", CHAT[:5])
    later = _export(tmp_path / "b.txt", CHAT[1:])  # a later export: overlaps, then new messages
    assert _invoke(str(first), "--me", "Alex", "--tz", "UTC", "--db", db)[0] == 0
    code, out, err = _invoke(str(later), "--me", "Alex", "--tz", "UTC", "--db", db, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["stored"] == 3 and doc["skipped_duplicates"] == 4
    with Store.open(db) as store:
        texts = [m.text for m in store.history()]
        assert texts.count("ok") == 2 and len(texts) == len(CHAT)
        assert store.verify().ok


def test_encrypted_store_fingerprints_reveal_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secret.db'}"
    with Store.open(url) as store:
        store.init(encrypt=True, passphrase="pass phrase", kdf=FAST_KDF)
    secret = tmp_path / "pass"
    secret.write_text("pass phrase\n")
    chat = _export(tmp_path / "chat.txt", CHAT)
    code, _, err = _invoke(str(chat), "--me", "Alex", "--tz", "UTC", "--db", url, "--passphrase-file", str(secret))
    assert code == 0, err
    plain = f"sqlite:///{tmp_path / 'plain.db'}"
    with Store.open(plain) as store:
        store.init()
    assert _invoke(str(chat), "--me", "Alex", "--tz", "UTC", "--db", plain)[0] == 0
    import sqlite3

    def prints(path: Path) -> set[str]:
        with sqlite3.connect(path) as con:
            return {row[0] for row in con.execute("SELECT fingerprint FROM messages")}

    secret_prints, plain_prints = prints(tmp_path / "secret.db"), prints(tmp_path / "plain.db")
    assert len(secret_prints) == len(CHAT) and not secret_prints & plain_prints
    assert _state(url, "pass phrase")[0] == len(CHAT)


def test_other_formats_store_too(db: str) -> None:
    code, out, err = _invoke(str(FIXTURES / "telegram_single.json"), "--me", "Alex", "--db", db, "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "telegram" and doc["stored"] > 0
    assert _invoke(str(FIXTURES / "sms_backup.xml"), "--contact", "07700900123", "--db", db)[0] == 0


def test_ambiguous_side_without_a_terminal_names_me(db: str) -> None:
    before = _state(db)
    code, out, err = _invoke(str(WA), "--tz", "UTC", "--db", db)
    assert code == 2 and out == "" and "--me" in err and "'Alex'" in err and err.count("\n") == 1
    assert _state(db) == before


def test_me_that_is_no_author_stores_nothing(db: str) -> None:
    before = _state(db)
    code, out, err = _invoke(str(WA), "--tz", "UTC", "--me", "Robin", "--db", db)
    assert code == 2 and out == "" and "not a participant" in err and err.count("\n") == 1
    assert _state(db) == before


def test_group_chats_are_refused(db: str, tmp_path: Path) -> None:
    group = _export(tmp_path / "g.txt", [*CHAT[:4], "05/11/2025, 10:00 - Kim: hi all"])
    before = _state(db)
    code, out, err = _invoke(str(group), "--me", "Alex", "--tz", "UTC", "--db", db)
    assert code == 2 and out == "" and "group chat" in err and err.count("\n") == 1
    assert _state(db) == before


def test_bad_input_stores_nothing(db: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.txt"
    broken.write_bytes("\n".join(CHAT).encode() + b"\n03/11/2025, 10:00 - Sam: \xff\xfe bad bytes\n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02 binary")
    before = _state(db)
    for args in ([str(broken), "--me", "Alex"], [str(binary), "--kind", "whatsapp", "--me", "Alex"],
                 [str(tmp_path / "missing.txt")]):  # fmt: skip
        code, out, err = _invoke(*args, "--tz", "UTC", "--db", db)
        assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("levelhead: error: ")
    assert "line 9" in _invoke(str(broken), "--me", "Alex", "--tz", "UTC", "--db", db)[2]
    assert _state(db) == before


def test_without_a_store_it_says_to_init(run: object, home: Path) -> None:
    proc = run("import", str(WA), "--me", "Alex", "--tz", "UTC")  # type: ignore[operator]
    assert proc.returncode == 2 and proc.stdout == "" and "levelhead init" in proc.stderr
    assert not (home / "data" / "levelhead.db").exists()


def test_ambiguous_side_at_a_terminal_is_asked(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("levelhead.history.cli._interactive", lambda: True)
    result = CliRunner().invoke(import_command, [str(WA), "--tz", "UTC", "--db", db, "--format", "json"], input="1\n")
    assert result.exit_code == 0, result.output
    assert "Which of these is you?" in result.stderr and "1. Alex" in result.stderr
    assert json.loads(result.stdout)["stored"] == 8
    with Store.open(db) as store:
        assert {m.text for m in store.history() if m.direction == "me"} >= {"hey, can we talk about the weekend?"}
