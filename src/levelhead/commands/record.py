"""``levelhead log``, ``journal``, ``verify`` and ``export``: what goes into the record, and proving it unchanged.

Corrections and deletions (``log correct``, ``log delete``, ``journal delete``) add entries to the record; the
original stays in it, and only leaves the conversation that checks and stats read.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from levelhead.cli import read_text_argument
from levelhead.commands.common import fail, open_store, parse_when, store_call, store_options

if TYPE_CHECKING:
    from levelhead.storage.store import JournalEntry, LoggedMessage

TRUNCATION_NOTE = (
    "A record cut short at its end can only be noticed against a bundle exported earlier "
    "(`levelhead verify OLD_BUNDLE`)."
)


def _moment(at: str | None, tz: str | None) -> datetime:
    try:
        return parse_when(at, tz)
    except click.BadParameter as err:
        fail(err.message)


def _text(text: str, what: str) -> str:
    body = read_text_argument(text)
    if not body.strip():
        fail(f"the {what} is empty: nothing was logged")
    return body


def _one_line(text: str) -> str:
    """A stored text on one line of a terminal: line breaks and control characters become spaces (an imported
    message could hold escape sequences)."""
    return " ".join(text.translate(_CONTROLS).split()) or "(no text)"


_CONTROLS = {c: " " for c in (*range(32), *range(127, 160))}
_REASON = click.option("--reason", metavar="TEXT", help="Why (kept in the record).")


@click.group(name="log")
def log_group() -> None:
    """Log a message you sent or received, so the pace rules and the record know about it; list, correct or
    delete the stored ones."""


def _log(direction: Literal["me", "them"], text: str, at: str | None, tz: str | None, db: str | None,
         passphrase_file: Path | None) -> None:  # fmt: skip
    body = _text(text, "message")
    moment = _moment(at, tz)
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.log_message(direction, body, moment))
    what = "sent" if direction == "me" else "received"
    click.echo(f"Logged a message {what} {moment.astimezone():%a %d %b %Y %H:%M}.")


def _log_command(name: str, direction: Literal["me", "them"], doc: str) -> None:
    """``levelhead log sent`` / ``log received``: the same options, the other direction."""

    @log_group.command(name=name, help=doc)
    @click.argument("text")
    @click.option("--at", metavar="ISO", help="When (default: now).")
    @click.option("--tz", metavar="ZONE", help="Zone of --at when it has no offset (default: this machine's).")
    @store_options
    def command(text: str, at: str | None, tz: str | None, db: str | None, passphrase_file: Path | None) -> None:
        _log(direction, text, at, tz, db, passphrase_file)


_log_command("sent", "me", "Log a message you sent. TEXT, or - to read it from standard input.")
_log_command("received", "them", "Log a message they sent you. TEXT, or - to read it from standard input.")


@log_group.command(name="list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=0), help="How many (0: all).")
@click.option("--all", "show_all", is_flag=True, help="Include corrected and deleted messages, marked as such.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def log_list(limit: int, show_all: bool, fmt: str, db: str | None, passphrase_file: Path | None) -> None:
    """Stored messages, newest first, with their IDs (for `log correct` and `log delete`)."""
    with open_store(db, passphrase_file) as store:
        rows: list[LoggedMessage] = store_call(lambda: store.list_messages(limit + 1 if limit else None, show_all))
    more = bool(limit) and len(rows) > limit
    rows = rows[:limit] if limit else rows
    if fmt == "json":
        click.echo(json.dumps([_message_wire(m) for m in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No messages stored yet: `levelhead log sent TEXT`, `log received TEXT` or `levelhead import FILE`.")
        return
    width = len(str(max(m.id for m in rows)))
    for m in rows:
        who = "you" if m.direction == "me" else "them"
        click.echo(f"{m.id:>{width}}  {m.at.astimezone():%a %d %b %Y %H:%M}  {who:<4}  {m.kind:<7}  "
                   f"{_one_line(m.text)}{_message_note(m)}")  # fmt: skip
    if more:
        click.echo(f"(the newest {limit}: --limit N shows more, --limit 0 all)")


def _message_note(m: LoggedMessage) -> str:
    reason = f": {_one_line(m.reason)}" if m.reason else ""
    if m.status == "deleted":
        return f"  [deleted{reason}]"
    if m.status == "corrected":
        return f"  [corrected by {m.corrected_by}{reason}]"
    return f"  [corrects {m.corrects}]" if m.corrects is not None else ""


def _message_wire(m: LoggedMessage) -> dict[str, Any]:
    return {
        "id": m.id, "at": m.at.isoformat(), "who": "you" if m.direction == "me" else "them", "kind": m.kind,
        "text": m.text, "source": m.source, "status": m.status, "corrects": m.corrects,
        "corrected_by": m.corrected_by, "reason": m.reason, "changed_at": _iso(m.changed_at),
    }  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@log_group.command(name="correct")
@click.argument("message_id", metavar="ID", type=int)
@click.argument("text")
@_REASON
@store_options
def log_correct(message_id: int, text: str, reason: str | None, db: str | None, passphrase_file: Path | None) -> None:
    """Correct message ID: TEXT (or - for standard input) takes its place.

    The correction is a new entry in the record; the original stays there unchanged. Checks, stats and
    reports read the corrected text from now on.
    """
    body = read_text_argument(text)
    if not body.strip():
        fail("the corrected text is empty: nothing was changed")
    with open_store(db, passphrase_file) as store:
        new_id = store_call(lambda: store.correct_message(message_id, body, reason))
    click.echo(f"Corrected: message {new_id} replaces message {message_id}. The record keeps both.")


@log_group.command(name="delete")
@click.argument("message_id", metavar="ID", type=int)
@_REASON
@store_options
def log_delete(message_id: int, reason: str | None, db: str | None, passphrase_file: Path | None) -> None:
    """Take message ID out of the conversation.

    Checks, stats and reports leave it out from now on. A "deleted" entry goes into the record; the message
    itself stays there, so the record still verifies.
    """
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.delete_message(message_id, reason))
    click.echo(f"Deleted message {message_id}. The record keeps it, marked deleted.")


class _JournalGroup(click.Group):
    """``journal delete ID`` is a subcommand; anything else (a note, options, nothing) goes to writing or listing."""

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                            list[str]]:  # fmt: skip
        if args and args[0] in self.commands:
            return super().resolve_command(ctx, args)
        return "", journal_write, args

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        journal_write.format_options(ctx, formatter)  # the options of writing and listing notes
        self.format_commands(ctx, formatter)


class _NoteCommand(click.Command):
    """Writing or listing notes: ``levelhead journal [OPTIONS] [TEXT]`` (it runs under the journal group)."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        path = ctx.parent.command_path if ctx.parent is not None else ctx.command_path
        formatter.write_usage(path, " ".join(self.collect_usage_pieces(ctx)))


@click.group(name="journal", cls=_JournalGroup, invoke_without_command=True, subcommand_metavar="[TEXT] | delete ID",
             context_settings={"ignore_unknown_options": True})  # fmt: skip
@click.pass_context
def journal_command(ctx: click.Context) -> None:
    """Write a private note (TEXT, or - for standard input); without TEXT, list your notes.

    \b
    levelhead journal "Held back tonight."     write a note (--at ISO: when)
    levelhead journal [--all] [--format json]  list them (--all: with the deleted ones)
    levelhead journal delete ID [--reason ...] take a note out (the record keeps it)
    """
    if ctx.invoked_subcommand is None:  # no arguments: list the notes (parsed, so LEVELHEAD_DB and such apply)
        with journal_write.make_context("", [], parent=ctx) as sub:
            journal_write.invoke(sub)


@click.command(name="journal", cls=_NoteCommand)
@click.argument("text", required=False)
@click.option("--at", metavar="ISO", help="When (default: now).")
@click.option("--all", "show_all", is_flag=True, help="List deleted notes too, marked as such.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def journal_write(
    text: str | None, at: str | None, show_all: bool, fmt: str, db: str | None, passphrase_file: Path | None
) -> None:
    """Write a private note (TEXT, or - for standard input); without TEXT, list your notes."""
    if text is None:
        _journal_list(show_all, fmt, db, passphrase_file)
        return
    body = _text(text, "note")
    moment = _moment(at, None)
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.add_journal(body, moment))
    click.echo("Noted. Choosing not to send is worth writing down.")


def _journal_list(show_all: bool, fmt: str, db: str | None, passphrase_file: Path | None) -> None:
    with open_store(db, passphrase_file) as store:
        entries: list[JournalEntry] = store_call(lambda: store.journal(include_deleted=show_all))
    if fmt == "json":
        rows = [{"id": e.id, "at": e.at.isoformat(), "text": e.text, "deleted_at": _iso(e.deleted_at),
                 "reason": e.reason} for e in entries]  # fmt: skip
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not entries:
        click.echo("No notes yet.")
    for e in entries:
        deleted = f"  [deleted{': ' + _one_line(e.reason) if e.reason else ''}]" if e.deleted_at else ""
        click.echo(f"{e.id:>3}  {e.at.astimezone():%a %d %b %Y %H:%M}  {e.text}{deleted}")


@journal_command.command(name="delete")
@click.argument("entry_id", metavar="ID", type=int)
@_REASON
@store_options
def journal_delete(entry_id: int, reason: str | None, db: str | None, passphrase_file: Path | None) -> None:
    """Take note ID out of your journal. A "deleted" entry goes into the record; the note stays there."""
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.delete_journal(entry_id, reason))
    click.echo(f"Deleted note {entry_id}. The record keeps it, marked deleted.")


@click.command(name="verify")
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def verify_command(bundle: Path | None, fmt: str, db: str | None, passphrase_file: Path | None) -> None:
    """Check the record: the store's, or an exported BUNDLE (offline, no store needed).

    Exit status: 0 when it is intact ("ok"); 1 when its content was altered (the first bad entry is named);
    2 when the bundle does not read as a bundle, or the store cannot be opened.
    """
    from levelhead.record import verify_bundle

    if bundle is not None:
        if not bundle.is_file():
            fail(f"{bundle}: no such file")
        result = verify_bundle(bundle)
    else:
        with open_store(db, passphrase_file) as store:
            result = store_call(store.verify)
    if fmt == "json":
        click.echo(json.dumps({
            "ok": result.ok, "outcome": result.outcome.name.lower(), "message": result.message,
            "entries": result.count, "root": result.root, "first_bad_entry": result.first_bad_entry,
        }))  # fmt: skip
    elif result.ok:
        click.echo(f"ok: {result.count} entries, root {result.root}")
        click.echo(TRUNCATION_NOTE)
    else:
        click.echo(f"{result.outcome.name.lower()}: {result.message}")
    sys.exit(result.exit_code)


@click.group(name="export")
def export_group() -> None:
    """Export the record as a bundle a mediator can verify, or the agreements as a calendar."""


@export_group.command(name="bundle")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@store_options
def export_bundle(file: Path, db: str | None, passphrase_file: Path | None) -> None:
    """Write the record and its checkpoints to FILE (a zip); `levelhead verify FILE` checks it anywhere."""
    with open_store(db, passphrase_file) as store:
        root = store_call(lambda: store.export_bundle(file))
        encrypted = store.encrypted
    click.echo(f"Wrote {file} (record root {root}).")
    if encrypted:
        click.echo("Your store is encrypted, so the bundle holds fingerprints of the texts, not the texts.")


@export_group.command(name="ics")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tz", metavar="ZONE", help="Zone of the contact windows (default: your situation's, else here).")
@store_options
def export_ics(file: Path, tz: str | None, db: str | None, passphrase_file: Path | None) -> None:
    """Write the no-contact end dates and contact windows to FILE as calendar events (.ics)."""
    from levelhead.calendar import agreements_calendar
    from levelhead.config import ConfigError, check_timezone

    with open_store(db, passphrase_file) as store:
        agreements = store_call(lambda: store.agreements(include_ended=False))
        zone = tz or store_call(store.situation).timezone or _machine_zone()
    try:
        check_timezone(zone)
    except ConfigError as err:
        fail(str(err))
    today = datetime.now(UTC).astimezone().date()
    data = agreements_calendar(agreements, zone, today)
    _write_atomic(file, data)
    events = sum(a.kind in ("no-contact", "social-block", "window") for a in agreements)
    click.echo(f"Wrote {file} ({events} event{'s' if events != 1 else ''}, times in {zone}).")


def _machine_zone() -> str:
    import tzlocal

    return tzlocal.get_localzone_name() or "UTC"


def _write_atomic(path: Path, data: bytes) -> None:
    from levelhead.record import write_atomic

    if not path.resolve().parent.is_dir():
        fail(f"cannot write {path}: the folder {path.resolve().parent} does not exist")
    try:
        write_atomic(path, data)
    except OSError as err:
        fail(f"cannot write {path}: {err.strerror or err}")
