"""``levelhead import``: read a chat export; with --dry-run, print what would be stored.

Kept light: the parsers are imported inside the command.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

KIND_CHOICES = ("auto", "whatsapp", "telegram", "sms", "signal", "messenger", "instagram", "imessage", "csv", "jsonl")


def _fail(message: str) -> NoReturn:
    click.echo(f"levelhead: error: {' '.join(message.split())}", err=True)
    sys.exit(2)


@click.command(name="import", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(KIND_CHOICES), default="auto", show_default=True, help="Export format.")
@click.option("--me", metavar="NAME", help="Which participant is you (asked for when the export cannot tell).")
@click.option("--contact", metavar="ID", help="The thread to import from files that hold several (number, name, id).")
@click.option("--tz", metavar="ZONE", help="Zone of the export's wall-clock times (default: this machine's).")
@click.option("--date-order", type=click.Choice(("dmy", "mdy", "ymd")), help="Force WhatsApp day/month order.")
@click.option("--dry-run", is_flag=True, help="Parse and print; store nothing.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def import_command(
    file: Path,
    kind: str,
    me: str | None,
    contact: str | None,
    tz: str | None,
    date_order: str | None,
    dry_run: bool,
    fmt: str,
) -> None:
    """Import a chat export FILE (a Messenger/Instagram thread may be its folder).

    \b
    WhatsApp .txt/.zip, Telegram result.json, SMS Backup & Restore XML, signal-export text or JSON lines,
    Messenger/Instagram message_N.json, macOS chat.db, or generic CSV / JSON lines:
      timestamp  ISO 8601 with offset, or epoch seconds/milliseconds
      sender     and/or direction (me, them, other, system); with only sender, --me says which is you
      text       optional kind (text, media, system, deleted) and edited (true/false)

    Exit status: 0 on success, 2 when the file cannot be imported (nothing is stored).
    """
    if not dry_run:
        _fail("imports can be previewed but not stored yet (there is no local store in this version); add --dry-run")
    from levelhead.history import ImportFailed, parse_file

    try:
        chat = parse_file(file, kind=kind, me=me, contact=contact, tz=tz, date_order=date_order)
    except ImportFailed as err:
        _fail(f"cannot import {file.name}: {err}")
    if fmt == "json":
        import json

        click.echo(json.dumps(chat.to_wire(), ensure_ascii=False, indent=2))
        return
    click.echo(f"{chat.kind}: {len(chat.messages)} messages, participants: {', '.join(chat.participants)}")
    click.echo(f"sha256 {chat.sha256}")
    for m in chat.messages:
        flag = " (edited)" if m.edited else ""
        body = m.text.replace("\n", " / ") if m.kind == "text" else f"[{m.kind}] {m.text}".rstrip()
        click.echo(f"{m.at:%Y-%m-%d %H:%M} UTC  {m.sender or '-'} ({m.direction}): {body}{flag}")


if __name__ == "__main__":
    import_command()
