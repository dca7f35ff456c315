"""Shared paths for the importer tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NS_2001 = 978_307_200


def build_chat_db(path: Path) -> Path:
    """A tiny macOS chat.db: two chats, tapbacks, an attributedBody-only message, nanosecond dates."""
    con = sqlite3.connect(path)
    con.executescript(
        """
        CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT, service TEXT);
        CREATE TABLE chat (ROWID INTEGER PRIMARY KEY, chat_identifier TEXT, display_name TEXT);
        CREATE TABLE chat_handle_join (chat_id INTEGER, handle_id INTEGER);
        CREATE TABLE chat_message_join (chat_id INTEGER, message_id INTEGER, message_date INTEGER);
        CREATE TABLE message (ROWID INTEGER PRIMARY KEY, guid TEXT, text TEXT, attributedBody BLOB,
            handle_id INTEGER, date INTEGER, is_from_me INTEGER, associated_message_type INTEGER DEFAULT 0,
            cache_has_attachments INTEGER DEFAULT 0, item_type INTEGER DEFAULT 0, date_edited INTEGER DEFAULT 0,
            date_retracted INTEGER DEFAULT 0);
        INSERT INTO handle VALUES (1, '+447700900123', 'iMessage'), (2, 'pat@example.com', 'iMessage');
        INSERT INTO chat VALUES (1, '+447700900123', ''), (2, 'pat@example.com', 'Pat');
        INSERT INTO chat_handle_join VALUES (1, 1), (2, 2);
        """
    )
    base = 1762025400 - NS_2001  # 2025-11-01T19:30:00Z in Apple seconds
    body = b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject"
    body += b"\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84\x01+\x10only in the blob\x86\x84"
    rows = [
        (1, "hi from Sam", None, 1, base * 10**9, 0, 0, 0, 0, 0, 0),
        (2, "hi back", None, 0, (base + 60) * 10**9, 1, 0, 0, 0, 0, 0),
        (3, None, body, 1, (base + 120) * 10**9, 0, 0, 0, 0, 0, 0),
        (4, "Loved “hi back”", None, 1, (base + 130) * 10**9, 0, 2000, 0, 0, 0, 0),
        (5, "\ufffc", None, 1, (base + 140) * 10**9, 0, 0, 1, 0, 0, 0),
        (6, "fixed typo", None, 0, (base + 150) * 10**9, 1, 0, 0, 0, 1, 0),
        (7, None, None, 1, (base + 160) * 10**9, 0, 0, 0, 0, 0, 1),
        (8, "other chat", None, 2, base, 0, 0, 0, 0, 0, 0),  # old-style seconds
    ]
    for r in rows:
        con.execute(
            "INSERT INTO message (ROWID, text, attributedBody, handle_id, date, is_from_me, associated_message_type,"
            " cache_has_attachments, item_type, date_edited, date_retracted) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            r,
        )
        con.execute("INSERT INTO chat_message_join VALUES (?, ?, ?)", (2 if r[0] == 8 else 1, r[0], r[4]))
    con.commit()
    con.close()
    return path


@pytest.fixture
def chat_db(tmp_path: Path) -> Path:
    return build_chat_db(tmp_path / "chat.db")
