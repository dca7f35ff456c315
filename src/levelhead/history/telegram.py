"""Telegram Desktop ``result.json``: one chat, or a full account export (chats under ``chats.list``)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from levelhead.history.model import (
    Clock,
    ImportedMessage,
    ImportFailed,
    Kind,
    ParsedChat,
    finish,
    fix_cp1252_mojibake,
    from_epoch,
    parse_iso,
    resolve_me,
    sha256_of,
)

_MEDIA_KEYS = ("photo", "file", "media_type", "sticker_emoji", "location_information", "contact_information", "poll")


def load_json(path: Path) -> Any:
    """The whole document, or ImportFailed naming the line and column where it breaks."""
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportFailed("the file is empty")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ImportFailed(f"line {line}: not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise ImportFailed(f"line {err.lineno}, column {err.colno}: malformed JSON ({err.msg})") from None


def parse(path: Path, clock: Clock, me: str | None, contact: str | None) -> ParsedChat:
    doc = load_json(path)
    if not isinstance(doc, dict):
        raise ImportFailed("top level: expected a JSON object (Telegram result.json)")
    chat = _pick_chat(doc, contact)
    raw = chat.get("messages")
    if not isinstance(raw, list):
        raise ImportFailed(f"chat {chat.get('name')!r}: 'messages' is not a list")
    messages: list[ImportedMessage] = []
    ids: dict[str, str] = {}  # from_id -> sender label
    for i, item in enumerate(raw):
        msg = _message(item, i, clock, ids)
        if msg is not None:
            messages.append(msg)
    me_label = _me(doc, chat, ids, messages, me)
    return finish("telegram", sha256_of([path]), messages, me_label)


def _pick_chat(doc: dict[str, Any], contact: str | None) -> dict[str, Any]:
    if "messages" in doc:
        return doc
    chats = doc.get("chats")
    listed = chats.get("list") if isinstance(chats, dict) else None
    if not isinstance(listed, list):
        raise ImportFailed("top level: neither a chat ('messages') nor a full export ('chats.list')")
    left = doc.get("left_chats")
    if isinstance(left, dict) and isinstance(left.get("list"), list):
        listed = listed + left["list"]
    candidates = [c for c in listed if isinstance(c, dict) and isinstance(c.get("messages"), list)]
    if contact is not None:
        wanted = contact.strip().casefold()
        found = [c for c in candidates if wanted in {str(c.get("id")).casefold(), _name(c.get("name")).casefold()}]
        if len(found) == 1:
            return found[0]
    elif len(candidates) == 1:
        return candidates[0]
    names = ", ".join(f"{_name(c.get('name')) or '?'} (id {c.get('id')})" for c in candidates) or "none"
    what = f"no single chat matches --contact {contact!r}" if contact else "this export holds several chats"
    raise ImportFailed(f"{what}; pass --contact with a name or id: {names}")


def _name(value: Any) -> str:
    return fix_cp1252_mojibake(value) if isinstance(value, str) else ""


def _text(value: Any, where: str) -> str:
    """A string, or a list of strings and ``{type, text}`` entities joined as they are (no added spaces)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for piece in value:
            if isinstance(piece, str):
                parts.append(piece)
            elif isinstance(piece, dict) and isinstance(piece.get("text", ""), str):
                parts.append(piece.get("text", ""))
            else:
                raise ImportFailed(f"{where}: text entity {str(piece)[:40]!r} is neither a string nor {{type, text}}")
        return "".join(parts)
    if value is None:
        return ""
    raise ImportFailed(f"{where}: 'text' is neither a string nor a list")


def _message(item: Any, i: int, clock: Clock, ids: dict[str, str]) -> ImportedMessage | None:
    if not isinstance(item, dict):
        raise ImportFailed(f"messages[{i}]: expected an object")
    where = f"messages[{i}] (id {item.get('id')})"
    at = _when(item, clock, where)
    text = _text(item.get("text"), where)
    if item.get("type") == "service":
        actor = _name(item.get("actor"))
        action = item.get("action")
        label = action.replace("_", " ") if isinstance(action, str) else "service"
        body = f"{actor} {label}".strip() + (f": {text}" if text else "")
        return ImportedMessage(at, actor, "", "system", body, False)
    if item.get("type", "message") != "message":
        return None
    sender = _name(item.get("from")) or "Deleted Account"
    from_id = item.get("from_id")
    if from_id is not None:
        key = str(from_id) if isinstance(from_id, str) else f"user{from_id}"  # older exports: an integer
        ids.setdefault(key, sender)
    kind: Kind = "media" if any(k in item for k in _MEDIA_KEYS) else "text"
    edited = "edited" in item or "edited_unixtime" in item
    return ImportedMessage(at, sender, "", kind, text, edited)


def _when(item: dict[str, Any], clock: Clock, where: str) -> datetime:
    unix = item.get("date_unixtime")
    if unix is not None:  # UTC epoch seconds, as a string; `date` is the exporting computer's local time
        try:
            return from_epoch(int(str(unix)), where)
        except ValueError:
            raise ImportFailed(f"{where}: date_unixtime {str(unix)[:20]!r} is not a number") from None
    date = item.get("date")
    if not isinstance(date, str):
        raise ImportFailed(f"{where}: no date")
    return parse_iso(date, clock, where)


def _me(doc: dict[str, Any], chat: dict[str, Any], ids: dict[str, str], messages: list[ImportedMessage],
        me: str | None) -> str:  # fmt: skip
    """--me wins; else the account owner of a full export; else, in a personal chat, whoever is not the peer."""
    senders = [m.sender for m in messages if m.kind != "system"]
    if me is not None:
        by_id = ids.get(me.strip()) or ids.get(f"user{me.strip()}")
        return by_id or resolve_me(senders, me)
    info = doc.get("personal_information")
    if isinstance(info, dict) and info.get("user_id") is not None and f"user{info['user_id']}" in ids:
        return ids[f"user{info['user_id']}"]
    if chat.get("type") == "personal_chat" and chat.get("id") is not None:
        peer = f"user{chat['id']}"
        others = {label for key, label in ids.items() if key != peer}
        if peer in ids and len(others) == 1:
            return others.pop()
    return resolve_me(senders, None)

