"""``levelhead park`` and ``levelhead drafts``: the cool-off. A draft waits; when it is due, it is checked again
against the situation and agreements as they are then."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from levelhead.cli import emit_report, read_text_argument, run_check, situation_options
from levelhead.commands.common import fail, open_store, parse_duration, parse_when, store_call, store_options
from levelhead.pace_stats import describe_moment

DEFAULT_COOL_OFF = "12h"


@click.command(name="park")
@click.argument("text")
@click.option("--for", "wait", metavar="DURATION", help=f"How long to wait: 30m, 12h, 2d (default {DEFAULT_COOL_OFF}).")
@click.option("--until", metavar="ISO", help="Wait until this time instead (read in your time zone without offset).")
@store_options
def park_command(text: str, wait: str | None, until: str | None, db: str | None, passphrase_file: Path | None) -> None:
    """Park a draft for a cool-off. TEXT is the draft, or - to read it from standard input."""
    if wait and until:
        fail("give --for or --until, not both")
    if text == "-":
        text = read_text_argument("-")
    if not text.strip():
        fail("the draft is empty: there is nothing to park")
    now = datetime.now(UTC)
    try:
        due = parse_when(until, what="--until") if until else now + parse_duration(wait or DEFAULT_COOL_OFF)
    except click.BadParameter as err:
        fail(err.message)
    if due <= now:
        fail("--until is already past: pick a later time")
    with open_store(db, passphrase_file) as store:
        number = store_call(lambda: store.park_draft(text, due, now))
    local_now = now.astimezone()
    click.echo(f"Parked draft {number} until {describe_moment(due.astimezone(), local_now)}.")
    click.echo(f"`levelhead drafts` lists it; `levelhead drafts recheck {number}` checks it again when it is due.")


@click.group(name="drafts", invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Include drafts marked sent.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
@click.pass_context
def drafts_group(ctx: click.Context, show_all: bool, fmt: str, db: str | None, passphrase_file: Path | None) -> None:
    """Parked drafts, the ones due now first. Subcommands: recheck, sent, discard."""
    if ctx.invoked_subcommand is not None:
        return
    now = datetime.now(UTC)
    with open_store(db, passphrase_file) as store:
        drafts = store_call(lambda: store.drafts(None if show_all else "parked"))
    drafts.sort(key=lambda d: (not d.is_due(now), d.due_at, d.id))  # due first, then soonest
    if fmt == "json":
        rows = [{"id": d.id, "text": d.text, "status": d.status, "due_at": d.due_at.isoformat(),
                 "created_at": d.created_at.isoformat(), "due": d.is_due(now)} for d in drafts]  # fmt: skip
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not drafts:
        click.echo("No parked drafts.")
        return
    local_now = now.astimezone()
    for d in drafts:
        if d.status != "parked":
            when = d.status
        else:
            when = "due now" if d.is_due(now) else f"due {describe_moment(d.due_at.astimezone(), local_now)}"
        first = " ".join(d.text.split())
        click.echo(f"{d.id:>3}  {when}: {first[:70] + '...' if len(first) > 70 else first}")


@drafts_group.command(name="recheck")
@click.argument("draft_id", metavar="ID", type=int)
@situation_options
def drafts_recheck(draft_id: int, **options: Any) -> None:
    """Check parked draft ID again, against the situation and agreements as they are now."""
    with open_store(options["db"], options["passphrase_file"]) as store:
        found = [d for d in store_call(lambda: store.drafts(None)) if d.id == draft_id]
    if not found:
        fail(f"no draft {draft_id} (see `levelhead drafts`)")
    draft = found[0]
    now = datetime.now(UTC)
    if not draft.is_due(now) and not options["now"]:
        click.echo(f"Draft {draft_id} is parked until {describe_moment(draft.due_at.astimezone(), now.astimezone())};"
                   " here is how it reads now.", err=True)  # fmt: skip
    emit_report(run_check(draft.text, options), options["fmt"])


@drafts_group.command(name="sent")
@click.argument("draft_id", metavar="ID", type=int)
@click.option("--at", metavar="ISO", help="When you sent it (default: now).")
@store_options
def drafts_sent(draft_id: int, at: str | None, db: str | None, passphrase_file: Path | None) -> None:
    """Mark draft ID as sent and log it as a message you sent."""
    try:
        moment = parse_when(at)
    except click.BadParameter as err:
        fail(err.message)
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.send_draft(draft_id, moment))  # "no parked draft N" when there is none
    click.echo(f"Draft {draft_id} logged as sent.")


@drafts_group.command(name="discard")
@click.argument("draft_id", metavar="ID", type=int)
@store_options
def drafts_discard(draft_id: int, db: str | None, passphrase_file: Path | None) -> None:
    """Delete draft ID for good (drafts are not part of the record)."""
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.delete_draft(draft_id))
    click.echo(f"Draft {draft_id} deleted.")
