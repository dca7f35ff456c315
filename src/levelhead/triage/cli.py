"""``levelhead triage``: read their message, safety first, and draft a brief reply skeleton."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from levelhead.commands.common import fail, store_options, stored_situation


@click.command(name="triage")
@click.argument("text")
@click.option("--received", metavar="ISO", help="When their message arrived (default: now); its dates count from then.")
@click.option(
    "--tz", metavar="ZONE", help="Your time zone, e.g. Europe/London (default: the store's, else this computer's)."
)
@click.option("--country", metavar="CC", help="Where you are, for help resources (default: the store's, else US).")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def triage_command(
    text: str,
    received: str | None,
    tz: str | None,
    country: str | None,
    fmt: str,
    db: str | None,
    passphrase_file: Path | None,
) -> None:
    """Read their message: what needs an answer, what is bait, and a reply skeleton.

    TEXT is their message, or - to read it from standard input. When a levelhead
    store exists, its situation and history shape the advice on when to reply.

    Exit status: 0 when the message was read, 2 for a usage or input error.
    """
    from dataclasses import replace
    from datetime import UTC, datetime

    from levelhead.config import ConfigError, check_country, check_timezone, parse_moment
    from levelhead.situation import Situation
    from levelhead.triage import TriageError, triage
    from levelhead.triage.render import render

    if text == "-":
        text = _read_stdin()
    try:
        zone = check_timezone(tz) if tz else None
        place = check_country(country) if country else None
        # Without an offset it is read in your zone (--tz, else the store's), by triage() itself.
        arrived = parse_moment(received, "--received") if received is not None else None
    except ConfigError as err:
        fail(str(err))
    moment = arrived if arrived is None or arrived.tzinfo else arrived.astimezone()
    stored, _ = stored_situation(db, passphrase_file, moment or datetime.now(UTC), unused="your store")
    situation = stored or Situation()
    if place:
        situation = replace(situation, country=place)
    if zone:
        situation = replace(situation, timezone=zone)
    try:
        result = triage(text, received=arrived, tz=situation.timezone, situation=situation)
    except TriageError as err:
        fail(str(err))
    if fmt == "json":
        click.echo(json.dumps(result.to_wire(), ensure_ascii=False, indent=2))
    else:
        colour = sys.stdout.isatty()
        click.echo(render(result, click.style if colour else _no_style), color=colour)


def _no_style(text: str, **_: object) -> str:
    return text


def _read_stdin() -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        fail(f"the message on standard input is not UTF-8 text (byte {err.start})")
