"""Telegram, SMS Backup & Restore, Signal, Messenger/Instagram, iMessage, generic CSV/JSONL."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from levelhead.history import ImportFailed, detect_kind, parse_file
from levelhead.history.sms import phone_key

from .conftest import FIXTURES

THREAD = FIXTURES / "messenger" / "messages" / "inbox" / "zoepark_123"
IG_THREAD = FIXTURES / "instagram" / "your_instagram_activity" / "messages" / "inbox" / "zoe_456"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("telegram_single.json", "telegram"),
        ("telegram_full.json", "telegram"),
        ("sms_backup.xml", "sms"),
        ("signal.txt", "signal"),
        ("signal.jsonl", "signal"),
        ("generic.csv", "csv"),
        ("generic.jsonl", "jsonl"),
        ("whatsapp_android_us.txt", "whatsapp"),
        ("whatsapp_ios_de.txt", "whatsapp"),
    ],
)
def test_detect_kind(name: str, kind: str) -> None:
    assert detect_kind(FIXTURES / name) == kind


def test_detect_meta_and_sqlite(chat_db: Path) -> None:
    assert detect_kind(THREAD) == "messenger"
    assert detect_kind(THREAD / "message_2.json") == "messenger"
    assert detect_kind(IG_THREAD) == "instagram"
    assert detect_kind(chat_db) == "imessage"


# -- Telegram ----------------------------------------------------------------------------------


def test_telegram_single_chat() -> None:
    chat = parse_file(FIXTURES / "telegram_single.json", tz="UTC")  # personal chat: the peer's id tells who is who
    m = chat.messages
    assert chat.participants == ["Alex", "Sam Taylor"]
    assert m[0].kind == "system" and m[0].direction == "system" and "phone call" in m[0].text
    assert m[1].text == "see you at https://x.example!"  # entities joined as they are
    assert m[1].at == datetime(2025, 11, 1, 19, 30, tzinfo=UTC)  # from date_unixtime
    assert m[2].edited and m[2].direction == "me"
    assert m[3].kind == "media" and m[3].text == "caption"
    assert m[4].kind == "media" and m[4].sender == "Alex"  # integer from_id of older exports
    assert m[5].direction == "them"


def test_telegram_date_without_unixtime_uses_tz() -> None:
    chat = parse_file(FIXTURES / "telegram_single.json", tz="America/New_York")
    assert chat.messages[5].at == datetime(2025, 11, 1, 23, 35, tzinfo=UTC)


def test_telegram_full_export_needs_contact() -> None:
    with pytest.raises(ImportFailed, match=r"Sam Taylor \(id 4242\), Book club \(id 777\)"):
        parse_file(FIXTURES / "telegram_full.json")
    group = parse_file(FIXTURES / "telegram_full.json", contact="777")
    assert group.participants == ["Alex", "Deleted Account", "José"]  # cp1252 mojibake repaired, from null
    assert [m.direction for m in group.messages] == ["other", "other", "me"]
    one = parse_file(FIXTURES / "telegram_full.json", contact="sam taylor")
    assert len(one.messages) == 2


# -- SMS ---------------------------------------------------------------------------------------


def test_sms_threads_surrogates_and_mms() -> None:
    with pytest.raises(ImportFailed, match="several threads"):
        parse_file(FIXTURES / "sms_backup.xml")
    chat = parse_file(FIXTURES / "sms_backup.xml", contact="+44 (0)7700 900123")
    m = chat.messages
    assert chat.participants == ["Me", "Sam"]
    assert m[0].text == "Hi 😀 see you\ntomorrow"  # split surrogates joined, &#10; kept
    assert m[0].at == datetime(2025, 11, 1, 19, 30, tzinfo=UTC)  # epoch milliseconds
    assert m[1].direction == "me" and m[1].text == "ok & thanks"
    assert m[2].kind == "media" and m[2].text == "the kids 👍"  # SMIL skipped, image marks media
    assert m[3].direction == "me"
    assert m[4].text == ""  # "null" means empty
    assert "a draft never sent" not in {x.text for x in m}
    by_name = parse_file(FIXTURES / "sms_backup.xml", contact="Sam", me="Robin")
    assert by_name.participants == ["Robin", "Sam"]


def test_sms_call_log_and_truncation(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="call log"):
        parse_file(FIXTURES / "sms_calls.xml")
    data = (FIXTURES / "sms_backup.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFailed, match=r"line \d+, column \d+"):
        parse_file(cut, contact="Sam")


def test_phone_keys() -> None:
    assert phone_key("+44 7700 900123") == phone_key("07700900123") == phone_key("(0)7700-900123")
    assert phone_key("AMAZON") == "amazon"


# -- Signal ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["signal.txt", "signal.jsonl"])
def test_signal(name: str) -> None:
    chat = parse_file(FIXTURES / name, tz="UTC")
    m = chat.messages
    assert chat.participants == ["Me", "Sam"]
    assert [x.direction for x in m] == ["them", "me", "them"]
    assert m[1].at == datetime(2025, 11, 1, 19, 31, 5, tzinfo=UTC)
    assert m[2].kind == "media"
    if name == "signal.txt":
        assert m[1].text == "yes, two lines\nsecond line"


# -- Messenger / Instagram ---------------------------------------------------------------------


@pytest.mark.parametrize("target", [THREAD, THREAD / "message_1.json", THREAD / "message_2.json"])
def test_messenger_parts_and_mojibake(target: Path) -> None:
    chat = parse_file(target, me="Alex Doe")
    m = chat.messages
    assert chat.kind == "messenger"
    assert chat.participants == ["Alex Doe", "Zoë Park"]
    assert [x.text for x in m[:2]] == ["oldest", "older, from part 2"]  # part 2 is older, all parts read
    assert m[2].text == "Café at 5? 😀"
    assert [x.kind for x in m[3:]] == ["media", "deleted", "system"]
    assert m[5].direction == "system"
    assert chat.sha256 == parse_file(THREAD, me="Alex Doe").sha256  # same thread, same hash


def test_instagram() -> None:
    chat = parse_file(IG_THREAD, me="Alex Doe")
    assert chat.kind == "instagram"
    assert chat.messages[0].text == "¿Qué tal?"
    assert chat.messages[1].kind == "media"


# -- iMessage ----------------------------------------------------------------------------------


def test_imessage(chat_db: Path) -> None:
    with pytest.raises(ImportFailed, match="several chats"):
        parse_file(chat_db)
    before = chat_db.read_bytes()
    chat = parse_file(chat_db, contact="07700 900123")
    m = chat.messages
    assert chat.participants == ["+447700900123", "Me"]
    assert m[0].at == datetime(2025, 11, 1, 19, 30, tzinfo=UTC)  # nanoseconds since 2001
    assert [x.direction for x in m[:2]] == ["them", "me"]
    assert m[2].text == "only in the blob"  # attributedBody fallback
    assert "Loved" not in " ".join(x.text for x in m)  # tapbacks are not messages
    assert [x.kind for x in m[3:]] == ["media", "text", "deleted"]
    assert m[4].edited
    assert chat_db.read_bytes() == before  # opened read-only
    pat = parse_file(chat_db, contact="Pat")
    assert pat.messages[0].at == datetime(2025, 11, 1, 19, 30, tzinfo=UTC)  # old databases: seconds


def test_imessage_not_a_chat_db(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ImportFailed, match="not an iMessage database"):
        parse_file(path, kind="imessage")


# -- generic -----------------------------------------------------------------------------------


def test_generic_csv_and_jsonl() -> None:
    csv_chat = parse_file(FIXTURES / "generic.csv")
    assert [m.direction for m in csv_chat.messages] == ["them", "me", "them"]
    assert csv_chat.messages[0].at == datetime(2025, 11, 1, 18, 30, tzinfo=UTC)  # offset honoured
    assert csv_chat.messages[1].text == "two\nlines"
    assert csv_chat.messages[2].at == datetime(2025, 11, 1, 19, 32, tzinfo=UTC)  # epoch ms
    with pytest.raises(ImportFailed, match="pass --me"):
        parse_file(FIXTURES / "generic.jsonl")
    chat = parse_file(FIXTURES / "generic.jsonl", me="Alex")
    assert [m.direction for m in chat.messages] == ["them", "system", "me"]
    assert chat.messages[2].edited


def test_generic_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("timestamp,sender,text\n2025-01-01T00:00:00Z,Sam,ok\nnot a time,Sam,x\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="line 3"):
        parse_file(path, me="Sam")
    path.write_text("when,who\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="line 1"):
        parse_file(path)
