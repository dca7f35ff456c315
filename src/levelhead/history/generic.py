"""Generic CSV and JSON lines, for every other app.

Columns (CSV header) or keys (one JSON object a line):

- ``timestamp``: ISO 8601 with an offset, or epoch seconds / milliseconds (naive ISO times are read in
  ``--tz``);
- ``sender`` and/or ``direction`` (``me``, ``them``, ``other``, ``system``): with only ``sender``,
  ``--me`` says which sender is you;
- ``text``; optional ``kind`` (text, media, system, deleted) and ``edited`` (true/false, 1/0).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from levelhead.history.model import (
    Clock,
    ImportedMessage,
    ImportFailed,
    Kind,
    ParsedChat,
    finish,
    from_epoch,
    parse_iso,
    read_text,
    resolve_me,
    sha256_of,
)

SCHEMA = __doc__.split("\n\n", 1)[1].strip() if __doc__ else ""
_KINDS = {"text", "media", "system", "deleted"}
_DIRECTIONS = {"me", "them", "other", "system"}
_TRUE = {"true", "1", "yes", "y"}


def parse(path: Path, fmt: str, clock: Clock, me: str | None) -> ParsedChat:
    text = read_text(path.read_bytes())
    rows = _csv_rows(text) if fmt == "csv" else _jsonl_rows(text)
    pending = [(where, _row(row, clock, where)) for where, row in rows]
    if not pending:
        raise ImportFailed("no messages found")
    senders = {m.sender for _, (m, d) in pending if d is None and m.kind != "system"}
    named_me = {m.sender for _, (m, d) in pending if d == "me" and m.sender}
    if me is not None:
        me_label = resolve_me(senders | named_me, me)
    elif len(named_me) > 1:
        raise ImportFailed(f"rows with direction 'me' name different senders: {', '.join(sorted(named_me))}")
    elif named_me or any(d == "me" for _, (_, d) in pending):
        me_label = named_me.pop() if named_me else "Me"  # the file says which rows are yours
    else:
        me_label = resolve_me(senders, None)  # only senders: ask, never guess
    messages = []
    for _, (msg, direction) in pending:
        if direction == "me":
            msg.sender = me_label
        elif direction == "system":
            msg.kind = "system"
        messages.append(msg)
    return finish(fmt, sha256_of([path]), messages, me_label)


def _csv_rows(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        fields = {f.strip().lower() for f in reader.fieldnames or []}
        if "timestamp" not in fields or "text" not in fields or not fields & {"sender", "direction"}:
            raise ImportFailed("line 1: the CSV header needs timestamp, text and sender or direction columns")
        for row in reader:
            clean = {(k or "").strip().lower(): v for k, v in row.items()}
            if None in row.values() or "" in clean:
                raise ImportFailed(f"line {reader.line_num}: wrong number of columns")
            yield f"line {reader.line_num}", clean
    except csv.Error as err:
        raise ImportFailed(f"line {reader.line_num}: malformed CSV ({err})") from None


def _jsonl_rows(text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as err:
            raise ImportFailed(f"line {lineno}: malformed JSON ({err})") from None
        if not isinstance(item, dict):
            raise ImportFailed(f"line {lineno}: expected a JSON object")
        yield f"line {lineno}", item


def _row(row: dict[str, Any], clock: Clock, where: str) -> tuple[ImportedMessage, str | None]:
    at = _timestamp(row.get("timestamp"), clock, where)
    direction = _str(row.get("direction"), where, "direction").lower() or None
    if direction is not None and direction not in _DIRECTIONS:
        raise ImportFailed(f"{where}: direction must be one of me, them, other, system")
    sender = _str(row.get("sender"), where, "sender").strip()
    if not sender and direction is None:
        raise ImportFailed(f"{where}: needs a sender or a direction")
    kind = _str(row.get("kind"), where, "kind").lower() or "text"
    if kind not in _KINDS:
        raise ImportFailed(f"{where}: kind must be one of text, media, system, deleted")
    edited = row.get("edited")
    flag = edited if isinstance(edited, bool) else str(edited or "").strip().lower() in _TRUE
    text = _str(row.get("text"), where, "text")
    label = sender or ("" if direction in {"me", "system"} else direction or "")
    return ImportedMessage(at, label, "", cast(Kind, kind), text, flag), direction


def _str(value: Any, where: str, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ImportFailed(f"{where}: {key} must be a string")
    return value


def _timestamp(value: Any, clock: Clock, where: str) -> datetime:
    if isinstance(value, bool) or value is None or value == "":
        raise ImportFailed(f"{where}: no timestamp")
    if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        value = float(value)
    if isinstance(value, int | float):
        return from_epoch(value / 1000 if abs(value) > 1e11 else value, where)
    if not isinstance(value, str):
        raise ImportFailed(f"{where}: timestamp must be ISO 8601 or epoch seconds")
    return parse_iso(value, clock, where)
