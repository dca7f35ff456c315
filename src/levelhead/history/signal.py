"""Signal, as written by the ``signal-export`` tool: text lines ``[YYYY-MM-DD HH:MM:SS] Sender: body`` in
local time with ``Me`` for outgoing messages, or its JSON-lines variant (one object per message with
``date``, ``sender``, ``body`` and optional ``attachments``/``sticker``/``quote``/``reactions``)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from levelhead.history.model import (
    Clock,
    ImportedMessage,
    ImportFailed,
    Kind,
    ParsedChat,
    clean_name,
    finish,
    from_epoch,
    read_text,
    resolve_me,
    sha256_of,
)

_LINE = re.compile(r"\[(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}(?::\d{2})?)\] ([^\n]*?): ")
_ATTACHMENT = re.compile(r"!?\[[^\]\n]*\]\([^)\n]*\)\s*")  # markdown attachment links in the text output
_OUTGOING = "Me"


def parse(path: Path, clock: Clock, me: str | None) -> ParsedChat:
    text = read_text(path.read_bytes())
    first = text.lstrip().split("\n", 1)[0]
    messages = _from_jsonl(text, clock) if first.startswith("{") else _from_text(text, clock)
    senders = {m.sender for m in messages if m.kind != "system"}
    me_label = resolve_me(senders, me) if me is not None or _OUTGOING not in senders else _OUTGOING
    return finish("signal", sha256_of([path]), messages, me_label)


def _from_text(text: str, clock: Clock) -> list[ImportedMessage]:
    messages: list[ImportedMessage] = []
    current: list[str] | None = None
    head: tuple[datetime, str] | None = None
    for lineno, line in enumerate(text.split("\n"), 1):  # \n only: U+2028 may sit inside a message
        line = line.removesuffix("\r")
        m = _LINE.match(line)
        if m:
            if head is not None and current is not None:
                messages.append(_text_message(*head, current))
            head = (_wall(m[1], m[2], clock, f"line {lineno}"), clean_name(m[3]))
            current = [line[m.end() :]]
        elif current is not None:
            current.append(line)
        elif line.strip():
            raise ImportFailed(f"line {lineno}: expected '[YYYY-MM-DD HH:MM:SS] Sender: text', got {line[:60]!r}")
    if head is None or current is None:
        raise ImportFailed("no Signal messages found")
    messages.append(_text_message(*head, current))
    return messages


def _text_message(at: datetime, sender: str, lines: list[str]) -> ImportedMessage:
    body = "\n".join(lines).rstrip("\n")
    kind: Kind = "text"
    if _ATTACHMENT.match(body):
        kind, body = "media", _ATTACHMENT.sub("", body, count=1)
    return ImportedMessage(at, sender, "", kind, body, False)


def _wall(day: str, time: str, clock: Clock, where: str) -> datetime:
    try:
        naive = datetime.fromisoformat(f"{day}T{time}")
    except ValueError:
        raise ImportFailed(f"{where}: {day} {time} is not a valid time") from None
    try:
        return clock.wall(naive)
    except ImportFailed as err:
        raise ImportFailed(f"{where}: {err}") from None


def _from_jsonl(text: str, clock: Clock) -> list[ImportedMessage]:
    messages = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            item = json.loads(line)
        except ValueError as err:
            raise ImportFailed(f"{where}: malformed JSON ({err})") from None
        if not isinstance(item, dict):
            raise ImportFailed(f"{where}: expected a JSON object")
        messages.append(_json_message(item, clock, where))
    if not messages:
        raise ImportFailed("no Signal messages found")
    return messages


def _json_message(item: dict[str, Any], clock: Clock, where: str) -> ImportedMessage:
    date = item.get("date", item.get("timestamp"))
    if isinstance(date, bool) or date is None:
        raise ImportFailed(f"{where}: no date")
    if isinstance(date, int | float):
        at = from_epoch(date / 1000 if date > 1e11 else date, where)
    elif isinstance(date, str):
        day, _, time = date.replace("T", " ").partition(" ")
        at = _wall(day, time or "00:00", clock, where)
    else:
        raise ImportFailed(f"{where}: date is neither a string nor a number")
    sender = item.get("sender", item.get("from"))
    body = item.get("body", item.get("text")) or ""
    if not isinstance(sender, str) or not sender.strip():
        raise ImportFailed(f"{where}: no sender")
    if not isinstance(body, str):
        raise ImportFailed(f"{where}: body is not a string")
    media = bool(item.get("attachments")) or bool(item.get("sticker"))
    kind: Kind = "media" if media else "text"
    return ImportedMessage(at, clean_name(sender), "", kind, body, False)
