"""``levelhead import``: read a chat export and store it (``--dry-run``: only print what would be stored).

What is stored: the messages between you and the other person (``me``/``them``), text, media (with the
caption, if any, as text) and deleted ones (empty text, kind ``deleted``): all of them were contacts, and
the reply times count them. System lines are not stored (they are no one's message) and are counted as
skipped. Group chats are refused: levelhead keeps one conversation between two people.

One transaction per file: a file that fails half way stores nothing. Re-importing the same file (same
SHA-256) changes nothing; a later export of the same chat adds only the messages not stored yet.

Kept light: the parsers and the store are imported inside the command.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from levelhead.commands.common import open_store, store_options

if TYPE_CHECKING:
    from levelhead.history import ImportedMessage, ParsedChat
    from levelhead.storage.store import ChatRow, ImportResult, Store

KIND_CHOICES = ("auto", "whatsapp", "telegram", "sms", "signal", "messenger", "instagram", "imessage", "csv", "jsonl")


def _fail(message: str) -> NoReturn:
    click.echo(f"levelhead: error: {' '.join(message.split())}", err=True)
    sys.exit(2)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _ask_me(participants: list[str]) -> str:
    """Ask which participant is the user (only called with a terminal attached)."""
    click.echo("Which of these is you?", err=True)
    for i, name in enumerate(participants, 1):
        click.echo(f"  {i}. {name}", err=True)
    choice: int = click.prompt("Number", type=click.IntRange(1, len(participants)), err=True)
    return participants[choice - 1]


def _group_error(participants: list[str]) -> str:
    return (f"this is a group chat ({len(participants)} people); levelhead keeps the conversation between you "
            "and one person: export your one-to-one chat with them")  # fmt: skip


@click.command(name="import", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(KIND_CHOICES), default="auto", show_default=True, help="Export format.")
@click.option("--me", metavar="NAME", help="Which participant is you (asked for when the export cannot tell).")
@click.option("--contact", metavar="ID", help="The thread to import from files that hold several (number, name, id).")
@click.option("--tz", metavar="ZONE", help="Zone of the export's wall-clock times (default: this machine's).")
@click.option("--date-order", type=click.Choice(("dmy", "mdy", "ymd")), help="Force WhatsApp day/month order.")
@click.option("--dry-run", is_flag=True, help="Parse and print; store nothing.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def import_command(
    file: Path,
    kind: str,
    me: str | None,
    contact: str | None,
    tz: str | None,
    date_order: str | None,
    dry_run: bool,
    fmt: str,
    db: str | None,
    passphrase_file: Path | None,
) -> None:
    """Import a chat export FILE into your store (a Messenger/Instagram thread may be its folder).

    \b
    WhatsApp .txt/.zip, Telegram result.json, SMS Backup & Restore XML, signal-export text or JSON lines,
    Messenger/Instagram message_N.json, macOS chat.db, or generic CSV / JSON lines:
      timestamp  ISO 8601 with offset, or epoch seconds/milliseconds
      sender     and/or direction (me, them, other, system); with only sender, --me says which is you
      text       optional kind (text, media, system, deleted) and edited (true/false)

    \b
    Stored: your messages and theirs (text, media, deleted); system lines are skipped; group chats are
    refused. One transaction per file. Importing the same file again changes nothing; a later export of
    the same chat adds only what is new. Without a store, run `levelhead init` first.

    Exit status: 0 on success, 2 when the file cannot be imported (nothing is stored).
    """
    from levelhead.history import ImportFailed

    if dry_run:
        try:
            chat = _parse(file, kind, me, contact, tz, date_order)
        except ImportFailed as err:
            _fail(f"cannot import {file.name}: {err}")
        _print_dry_run(chat, fmt)
        return
    store = open_store(db, passphrase_file)
    try:
        _import(store, file, kind, me, contact, tz, date_order, fmt)
    finally:
        store.close()


def _parse(file: Path, kind: str, me: str | None, contact: str | None, tz: str | None,
           date_order: str | None) -> ParsedChat:  # fmt: skip
    """Parse the whole file; when the user's side is ambiguous, ask at a terminal (never guess)."""
    from levelhead.history import ImportFailed, parse_file

    try:
        return parse_file(file, kind=kind, me=me, contact=contact, tz=tz, date_order=date_order)
    except ImportFailed as err:
        participants = err.participants if me is None else None
        if participants is None or not _interactive():
            raise
    return parse_file(file, kind=kind, me=_ask_me(participants), contact=contact, tz=tz, date_order=date_order)


def _print_dry_run(chat: ParsedChat, fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(chat.to_wire(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{chat.kind}: {len(chat.messages)} messages, participants: {', '.join(chat.participants)}")
    click.echo(f"sha256 {chat.sha256}")
    for m in chat.messages:
        flag = " (edited)" if m.edited else ""
        body = m.text.replace("\n", " / ") if m.kind == "text" else f"[{m.kind}] {m.text}".rstrip()
        click.echo(f"{m.at:%Y-%m-%d %H:%M} UTC  {m.sender or '-'} ({m.direction}): {body}{flag}")


def _import(store: Store, file: Path, kind: str, me: str | None, contact: str | None, tz: str | None,
            date_order: str | None, fmt: str) -> None:  # fmt: skip
    from levelhead.history import ImportFailed, detect_kind
    from levelhead.storage.errors import StoreError

    try:
        if kind == "auto":
            kind = detect_kind(file)
        if kind == "whatsapp":
            result, participants = _import_whatsapp(store, file, me, tz, date_order)
        else:
            chat = _parse(file, kind, me, contact, tz, date_order)
            if any(m.direction == "other" for m in chat.messages):
                raise ImportFailed(_group_error(chat.participants))
            participants = chat.participants
            result = store.import_chat(_rows(chat.messages), sha256=chat.sha256, kind=chat.kind)
    except ImportFailed as err:
        _fail(f"cannot import {file.name}: {err}; nothing was stored")
    except StoreError as err:
        _fail(f"cannot import {file.name}: {err}")
    _print_result(result, participants, fmt)


def _rows(messages: Iterator[ImportedMessage] | list[ImportedMessage]) -> Iterator[ChatRow]:
    for m in messages:
        yield m.at, m.direction, m.kind, m.text


def _import_whatsapp(store: Store, file: Path, me: str | None, tz: str | None,
                     date_order: str | None) -> tuple[ImportResult, list[str]]:  # fmt: skip
    """WhatsApp streams from the file into the store: memory stays flat for any size of export."""
    from levelhead.history import ImportFailed
    from levelhead.history.model import Clock, resolve_me, resolve_zone, sha256_of
    from levelhead.history.whatsapp import iter_messages

    sha256 = sha256_of([file])
    before = store.find_import(sha256)
    clock = Clock(resolve_zone(tz))
    if before is not None:
        from levelhead.storage.store import ImportResult

        return ImportResult(sha256, before.kind, 0, 0, 0, before.imported_at, already=True), []
    if me is None:  # a first pass finds the authors, so the question lists them all
        authors = sorted({m.sender for m in iter_messages(file, clock, date_order) if m.kind != "system"},
                         key=str.casefold)  # fmt: skip
        if len(authors) > 2:
            raise ImportFailed(_group_error(authors))
        if not _interactive():
            resolve_me(authors, None)  # raises the "pass --me with one of" error
        me = _ask_me(authors)
    side: dict[str, str] = {}

    def direction(sender: str) -> str:
        try:
            resolve_me([sender], me)
        except ImportFailed:
            if "them" in side.values():
                if "me" not in side.values():
                    resolve_me([*side, sender], me)  # two others and no "me" yet: --me names no author
                raise ImportFailed(_group_error([*side, sender])) from None
            return "them"
        return "me"

    def rows() -> Iterator[ChatRow]:
        for m in iter_messages(file, clock, date_order):
            if m.kind == "system":
                yield m.at, "system", m.kind, m.text
                continue
            way = side.get(m.sender)
            if way is None:
                way = side[m.sender] = direction(m.sender)
            yield m.at, way, m.kind, m.text
        if "me" not in side.values():
            resolve_me(list(side), me)  # --me names no author: the "choose one of" error, and a rollback

    result = store.import_chat(rows(), sha256=sha256, kind="whatsapp")
    return result, sorted(side, key=str.casefold)


def _print_result(result: ImportResult, participants: list[str], fmt: str) -> None:
    if fmt == "json":
        doc: dict[str, Any] = {
            "kind": result.kind,
            "sha256": result.sha256,
            "stored": result.stored,
            "skipped_duplicates": result.duplicates,
            "skipped_system": result.skipped,
            "participants": participants,
            "already_imported": result.already,
            "imported_at": result.imported_at.isoformat(),
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    if result.already:
        click.echo(f"already imported on {_day(result.imported_at)}: nothing changed")
        return
    plural = "" if result.stored == 1 else "s"
    click.echo(f"{result.kind}: stored {result.stored:,} new message{plural} between {' and '.join(participants)}")
    if result.duplicates:
        click.echo(f"{result.duplicates:,} were stored already (an earlier export of this chat): skipped")
    if result.skipped:
        click.echo(f"{result.skipped:,} system lines skipped")
    click.echo(f"file sha256 {result.sha256}")


def _day(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


if __name__ == "__main__":
    import_command()
