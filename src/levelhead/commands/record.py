"""``levelhead log``, ``journal``, ``verify`` and ``export``: what goes into the record, and proving it unchanged."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import click

from levelhead.cli import read_text_argument
from levelhead.commands.common import fail, open_store, parse_when, store_call, store_options

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


@click.group(name="log")
def log_group() -> None:
    """Log a message you sent or received, so the pace rules and the record know about it."""


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


@click.command(name="journal")
@click.argument("text", required=False)
@click.option("--at", metavar="ISO", help="When (default: now).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def journal_command(
    text: str | None, at: str | None, fmt: str, db: str | None, passphrase_file: Path | None
) -> None:
    """Write a private note (TEXT, or - for standard input); without TEXT, list your notes."""
    if text is None:
        with open_store(db, passphrase_file) as store:
            entries = store_call(store.journal)
        if fmt == "json":
            rows = [{"id": e.id, "at": e.at.isoformat(), "text": e.text} for e in entries]
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        elif not entries:
            click.echo("No notes yet.")
        for e in entries if fmt == "text" else []:
            click.echo(f"{e.at.astimezone():%a %d %b %Y %H:%M}  {e.text}")
        return
    body = _text(text, "note")
    moment = _moment(at, None)
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.add_journal(body, moment))
    click.echo("Noted. Choosing not to send is worth writing down.")


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
