"""iMessage: the macOS ``chat.db`` (SQLite), opened read-only and never written.

``date`` counts nanoseconds since 2001-01-01 UTC (seconds in older databases); the body is in ``text``
or, often, only in the ``attributedBody`` typedstream blob. Tapbacks are rows, not messages.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from levelhead.history.model import ImportedMessage, ImportFailed, Kind, ParsedChat, finish, from_epoch, sha256_of
from levelhead.history.sms import phone_key

_APPLE_EPOCH = 978_307_200  # 2001-01-01T00:00:00Z in Unix seconds
_OBJECT = "\ufffc"  # placeholder for an attachment inside the text


def parse(path: Path, me: str | None, contact: str | None) -> ParsedChat:
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise ImportFailed("not an SQLite database (expected macOS chat.db)")
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        con.text_factory = lambda raw: raw.decode("utf-8", "replace")  # a damaged row must not stop the rest
        try:
            messages, me_label = _read(con, contact, me.strip() if me and me.strip() else "Me")
        finally:
            con.close()
    except (sqlite3.Error, UnicodeError) as err:  # a damaged schema can fail to decode in error messages
        raise ImportFailed(f"chat.db cannot be read: {err}") from None
    return finish("imessage", sha256_of([path]), messages, me_label)


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in con.execute(f"PRAGMA table_info({table})")}


def _read(con: sqlite3.Connection, contact: str | None, me_label: str) -> tuple[list[ImportedMessage], str]:
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    missing = {"message", "handle", "chat", "chat_message_join"} - tables
    if missing:
        raise ImportFailed(f"not an iMessage database: no table {', '.join(sorted(missing))}")
    chat_id, handles = _pick_chat(con, contact, "chat_handle_join" in tables)
    cols = _columns(con, "message")
    optional = ("attributedBody", "associated_message_type", "cache_has_attachments", "item_type", "date_edited",
                "date_retracted")  # newer columns; older databases lack some
    extra = ", ".join(f"m.{c}" if c in cols else "NULL" for c in optional)
    query = (
        f"SELECT m.ROWID, m.text, m.date, m.is_from_me, h.id, {extra}"
        " FROM message m JOIN chat_message_join j ON j.message_id = m.ROWID"
        " LEFT JOIN handle h ON h.ROWID = m.handle_id WHERE j.chat_id = ? ORDER BY m.date, m.ROWID"
    )
    fallback = handles[0] if len(handles) == 1 else ""  # old databases: the sender via chat_handle_join
    messages = []
    for row in con.execute(query, (chat_id,)):
        msg = _message(row, me_label, fallback)
        if msg is not None:
            messages.append(msg)
    return messages, me_label


def _pick_chat(con: sqlite3.Connection, contact: str | None, has_chj: bool) -> tuple[int, list[str]]:
    chats: list[tuple[int, str, str, list[str]]] = []
    for rowid, ident, name in con.execute("SELECT ROWID, chat_identifier, display_name FROM chat"):
        handles: list[str] = []
        if has_chj:
            handles = [h for (h,) in con.execute(
                "SELECT h.id FROM chat_handle_join c JOIN handle h ON h.ROWID = c.handle_id WHERE c.chat_id = ?",
                (rowid,))]  # fmt: skip
        chats.append((rowid, str(ident or ""), str(name or ""), handles))
    if contact is not None:
        key = phone_key(contact)
        found = [
            c for c in chats
            if key in {phone_key(c[1]), *map(phone_key, c[3])} or (c[2] and c[2].casefold() == contact.casefold())
        ]  # fmt: skip
    else:
        found = chats
    if len(found) == 1:
        return found[0][0], found[0][3]
    listed = ", ".join(f"{c[2] or c[1]}" for c in chats) or "none"
    what = f"no single chat matches --contact {contact!r}" if contact else "this database holds several chats"
    raise ImportFailed(f"{what}; pass --contact with a number, address or chat name: {listed}")


def _message(row: tuple[object, ...], me_label: str, fallback: str) -> ImportedMessage | None:
    rowid, text, date, from_me, handle, body, assoc, attach, item_type, edited, retracted = row
    where = f"message ROWID {rowid}"
    if isinstance(assoc, int) and 2000 <= assoc <= 3999:  # tapbacks (3000s: removed tapbacks)
        return None
    if not isinstance(date, int | float):
        raise ImportFailed(f"{where}: date is not a number")
    seconds = date / 1e9 if abs(date) > 1e11 else float(date)
    at = from_epoch(_APPLE_EPOCH + seconds, where)
    if not isinstance(text, str) or not text:
        text = typedstream_text(body) if isinstance(body, bytes) else ""
    text = text.replace(_OBJECT, "").strip()
    kind: Kind = "text"
    if retracted:
        kind, text = "deleted", ""
    elif item_type:
        kind = "system"
    elif attach:
        kind = "media"
    sender = me_label if from_me else (str(handle) if handle else fallback or "Unknown")
    return ImportedMessage(at, sender, "", kind, text, bool(edited))


def typedstream_text(blob: bytes) -> str:
    """The first NSString in an NSAttributedString typedstream: after the class name, a "+" marker and a
    length (one byte, or 0x81 + two bytes, or 0x82 + four bytes, little-endian), then UTF-8 text."""
    start = blob.find(b"NSString")
    if start < 0:
        return ""
    plus = blob.find(b"+", start + 8, start + 16)
    if plus < 0 or plus + 1 >= len(blob):
        return ""
    i = plus + 1
    size = blob[i]
    if size == 0x81:
        size, i = int.from_bytes(blob[i + 1 : i + 3], "little"), i + 3
    elif size == 0x82:
        size, i = int.from_bytes(blob[i + 1 : i + 5], "little"), i + 5
    else:
        i += 1
    return blob[i : i + size].decode("utf-8", "replace")
