"""Facebook Messenger and Instagram "Download Your Information" JSON threads.

A thread is a folder of ``message_1.json``, ``message_2.json``... (newest first, and message_2 older
than message_1); it imports from the folder or from any part, always with all its parts. Every string
is mojibake (UTF-8 bytes written as \\u00XX escapes) and is repaired on the way in.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from levelhead.history.model import (
    ImportedMessage,
    ImportFailed,
    Kind,
    ParsedChat,
    finish,
    fix_latin1_mojibake,
    from_epoch,
    resolve_me,
    sha256_of,
)
from levelhead.history.telegram import load_json

_PART = re.compile(r"message_(\d+)\.json", re.IGNORECASE)
_MEDIA_KEYS = ("photos", "videos", "audio_files", "gifs", "files", "sticker")
_SYSTEM_TYPES = {"Subscribe", "Unsubscribe", "Call"}
# Events arrive as ordinary messages whose text starts with the actor ("You" or the sender's name).
_EVENT = re.compile(
    r" (?:named the group |changed the group photo|set (?:the|your|his|her|their) nickname|set the emoji|"
    r"changed the (?:chat )?theme|created the group|added .+ to the group|removed .+ from the group|"
    r"left the group|started a (?:video )?call|joined the (?:video )?call|missed a (?:video )?call)"
)
_NOTICES = ("You are now connected on Messenger", "Say hi to your new connection", "You can now message and call")


def parts(path: Path) -> list[Path]:
    """All parts of the thread, oldest first (highest N first)."""
    folder = path if path.is_dir() else path.parent
    found = [(int(m[1]), p) for p in folder.iterdir() if (m := _PART.fullmatch(p.name)) and p.is_file()]
    if not found:
        raise ImportFailed(f"{folder.name}/ holds no message_N.json files")
    return [p for _, p in sorted(found, reverse=True)]


def parse(path: Path, kind: str, me: str | None) -> ParsedChat:
    files = parts(path) if path.is_dir() or _PART.fullmatch(path.name) else [path]
    participants: dict[str, None] = {}
    messages: list[ImportedMessage] = []
    for part in files:
        doc = _load(part)
        for i, person in enumerate(doc.get("participants") or []):
            name = person.get("name") if isinstance(person, dict) else None
            if not isinstance(name, str):
                raise ImportFailed(f"{part.name}: participants[{i}] has no name")
            participants.setdefault(fix_latin1_mojibake(name))
        raw = doc.get("messages")
        if not isinstance(raw, list):
            raise ImportFailed(f"{part.name}: 'messages' is not a list")
        messages.extend(_message(item, f"{part.name}: messages[{i}]") for i, item in enumerate(raw))
    senders = dict.fromkeys([*participants, *(m.sender for m in messages if m.kind != "system")])
    me_label = resolve_me(senders, me)
    # sha256 of every part's bytes, in the order message_1, message_2, ... (stable whichever part was named)
    return finish(kind, sha256_of(reversed(files)), messages, me_label)


def _load(part: Path) -> dict[str, Any]:
    try:
        doc = load_json(part)
    except ImportFailed as err:
        raise ImportFailed(f"{part.name}: {err}") from None
    if not isinstance(doc, dict):
        raise ImportFailed(f"{part.name}: top level is not a JSON object")
    return doc


def _message(item: Any, where: str) -> ImportedMessage:
    if not isinstance(item, dict):
        raise ImportFailed(f"{where}: expected an object")
    sender = item.get("sender_name")
    stamp = item.get("timestamp_ms")
    if not isinstance(sender, str):
        raise ImportFailed(f"{where}: no sender_name")
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        raise ImportFailed(f"{where}: timestamp_ms is not a number")
    content = item.get("content")
    text = fix_latin1_mojibake(content) if isinstance(content, str) else ""
    kind: Kind = "text"
    if item.get("is_unsent"):
        kind, text = "deleted", ""
    elif item.get("type") in _SYSTEM_TYPES or _is_event(text, fix_latin1_mojibake(sender)):
        kind = "system"
    elif any(item.get(k) for k in _MEDIA_KEYS) or (not text and item.get("share")):
        kind = "media"
    edited = bool(item.get("is_edited") or item.get("edited"))
    return ImportedMessage(from_epoch(stamp / 1000, where), fix_latin1_mojibake(sender), "", kind, text, edited)


def _is_event(text: str, sender: str) -> bool:
    if text.startswith(_NOTICES):
        return True
    return any(text.startswith(actor) and _EVENT.match(text, len(actor)) for actor in ("You", sender) if actor)
