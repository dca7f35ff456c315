"""``levelhead situation`` and ``levelhead agree``: what levelhead remembers about the situation and the agreements."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from levelhead.cli import CHANNELS, GOALS, MOODS
from levelhead.commands.common import fail, open_store, store_call, store_options
from levelhead.storage.view import describe_agreement

_FIELDS = (
    "goal", "mood", "broke_up", "ended_by", "children", "asked_for_space", "new_partner", "abuse_history",
    "timezone", "country", "channel",
)  # fmt: skip


@click.group(name="situation")
def situation_group() -> None:
    """What levelhead remembers about the situation (used by every check)."""


@situation_group.command(name="set")
@click.option("--goal", type=click.Choice(GOALS), help="What contact is usually for.")
@click.option("--mood", type=click.Choice(MOODS), help="How you feel (a check's --mood overrides it).")
@click.option("--broke-up", metavar="DATE", help="When the relationship ended (YYYY-MM-DD).")
@click.option("--ended-by", type=click.Choice(("me", "them", "mutual")), help="Who ended it.")
@click.option("--children", type=click.IntRange(min=0), help="Children you have together.")
@click.option("--asked-for-space/--no-asked-for-space", default=None, help="They asked for no contact or distance.")
@click.option("--new-partner/--no-new-partner", default=None, help="They are in a new relationship.")
@click.option("--abuse-history/--no-abuse-history", default=None, help="The relationship involved abuse.")
@click.option("--tz", metavar="ZONE", help="Your time zone, e.g. Europe/London.")
@click.option("--country", metavar="CC", help="Where you are, for help resources (US, GB, CA, AU, IE, NZ).")
@click.option("--channel", type=click.Choice(CHANNELS), help="How you usually get in touch.")
@click.option("--unset", multiple=True, type=click.Choice(_FIELDS), help="Forget a setting (repeatable).")
@store_options
def situation_set(db: str | None, passphrase_file: Path | None, unset: tuple[str, ...], **values: Any) -> None:
    """Remember the situation; only the settings given change."""
    from levelhead.config import ConfigError, situation_from_mapping

    changes = {("timezone" if k == "tz" else k): v for k, v in values.items() if v is not None}
    overlap = set(changes) & set(unset)
    if overlap:
        fail(f"--unset {', '.join(sorted(overlap))} was given together with a new value for it")
    if not changes and not unset:
        fail("nothing to set: give at least one option (see `levelhead situation set --help`)")
    with open_store(db, passphrase_file) as store:
        current = _mapping(store_call(store.situation))
        for name in unset:
            current.pop(name, None)
        try:
            situation = situation_from_mapping({**current, **changes})
        except ConfigError as err:
            fail(str(err))
        store_call(lambda: store.set_situation(situation))
        click.echo("Saved. " + _describe(_mapping(situation)))


@situation_group.command(name="show")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def situation_show(fmt: str, db: str | None, passphrase_file: Path | None) -> None:
    """Show the remembered situation."""
    with open_store(db, passphrase_file) as store:
        values = _mapping(store_call(store.situation))
    if fmt == "json":
        click.echo(json.dumps(values, indent=2))
    else:
        click.echo(_describe(values) if values else "Nothing is remembered yet: see `levelhead situation set --help`.")


def _mapping(situation: Any) -> dict[str, Any]:
    """The settings that were set: values left at the default (no, 0, US, text) count as not set."""
    from levelhead.situation import Situation

    unset = Situation()
    out: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(situation, name)
        if value == getattr(unset, name):
            continue
        out[name] = value.isoformat() if isinstance(value, date) else getattr(value, "value", value)
    return out


def _describe(values: dict[str, Any]) -> str:
    if not values:
        return "Nothing is remembered."
    return "; ".join(f"{k.replace('_', ' ')}: {_yes_no(v)}" for k, v in values.items())


def _yes_no(value: Any) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


# --- agreements ------------------------------------------------------------------------------------------------------


@click.group(name="agree")
def agree_group() -> None:
    """The agreements you made with them: add, list, end. Each change goes into the record."""


@agree_group.group(name="add")
def agree_add() -> None:
    """Record an agreement (one of the kinds below)."""


def _add(db: str | None, passphrase_file: Path | None, kind: str, details: dict[str, Any]) -> None:
    with open_store(db, passphrase_file) as store:
        number = store_call(lambda: store.add_agreement(kind, details))
    click.echo(f"Added agreement {number}: {describe_agreement(kind, details)}.")


@agree_add.command(name="no-contact")
@click.option("--until", required=True, metavar="DATE", help="The last day of no contact (YYYY-MM-DD).")
@click.option("--except", "exceptions", multiple=True, metavar="TEXT", help="What is still fine (repeatable).")
@store_options
def add_no_contact(until: str, exceptions: tuple[str, ...], db: str | None, passphrase_file: Path | None) -> None:
    """No contact until a date, with agreed exceptions such as the children's emergencies."""
    _add(db, passphrase_file, "no-contact", {"until": until, "except": list(exceptions)})


@agree_add.command(name="window")
@click.option("--days", required=True, metavar="DAYS", help="mon-fri, sat,sun, mon-sun or daily.")
@click.option("--from", "start", required=True, metavar="HH:MM", help="When the window opens.")
@click.option("--to", "end", required=True, metavar="HH:MM", help="When it closes (may be after midnight).")
@click.option("--channel", type=click.Choice(CHANNELS), help="How contact happens in it.")
@click.option("--purpose", metavar="TEXT", help='What it is for, e.g. "goodnight call".')
@store_options
def add_window(
    days: str, start: str, end: str, channel: str | None, purpose: str | None, db: str | None,
    passphrase_file: Path | None,
) -> None:  # fmt: skip
    """A contact window, e.g. the children's goodnight call on school nights."""
    details: dict[str, Any] = {"days": days, "from": start, "to": end}
    if channel:
        details["channel"] = channel
    if purpose:
        details["purpose"] = purpose
    _add(db, passphrase_file, "window", details)


@agree_add.command(name="off-limits")
@click.option("--topic", "topics", multiple=True, required=True, metavar="TEXT", help="A topic (repeatable).")
@store_options
def add_off_limits(topics: tuple[str, ...], db: str | None, passphrase_file: Path | None) -> None:
    """Topics you agreed not to bring up, e.g. new partners."""
    _add(db, passphrase_file, "off-limits", {"topics": list(topics)})


@agree_add.command(name="channels")
@click.option("--channel", "channels", multiple=True, required=True, type=click.Choice(CHANNELS), help="Repeatable.")
@store_options
def add_channels(channels: tuple[str, ...], db: str | None, passphrase_file: Path | None) -> None:
    """The only ways of getting in touch you agreed on."""
    _add(db, passphrase_file, "channels", {"channels": list(channels)})


@agree_add.command(name="no-visits")
@store_options
def add_no_visits(db: str | None, passphrase_file: Path | None) -> None:
    """No turning up at their home or work."""
    _add(db, passphrase_file, "no-visits", {})


@agree_add.command(name="no-family")
@store_options
def add_no_family(db: str | None, passphrase_file: Path | None) -> None:
    """No contacting their family or friends about them."""
    _add(db, passphrase_file, "no-family", {})


@agree_add.command(name="friendship")
@click.option("--yes/--no", "friendship", default=True, help="Whether you agreed to stay friends.")
@store_options
def add_friendship(friendship: bool, db: str | None, passphrase_file: Path | None) -> None:
    """Whether you agreed to stay friends."""
    _add(db, passphrase_file, "friendship", {"friendship": friendship})


@agree_add.command(name="social-block")
@click.option("--until", required=True, metavar="DATE", help="The last day (YYYY-MM-DD).")
@store_options
def add_social_block(until: str, db: str | None, passphrase_file: Path | None) -> None:
    """No following, liking or messaging on social media until a date."""
    _add(db, passphrase_file, "social-block", {"until": until})


@agree_group.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Include ended agreements.")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@store_options
def agree_list(show_all: bool, fmt: str, db: str | None, passphrase_file: Path | None) -> None:
    """The agreements in force (with --all, the ended ones too)."""
    with open_store(db, passphrase_file) as store:
        rows = store_call(lambda: store.agreements(include_ended=show_all))
    if fmt == "json":
        click.echo(json.dumps([_wire(a) for a in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("No agreements recorded." if show_all else "No agreements in force.")
        return
    for a in rows:
        ended = f"  (ended {_day(a.ended_at)}{': ' + a.end_reason if a.end_reason else ''})" if a.ended_at else ""
        click.echo(f"{a.id:>3}  {describe_agreement(a.kind, a.details)}  [since {_day(a.created_at)}]{ended}")


@agree_group.command(name="end")
@click.argument("agreement_id", metavar="ID", type=int)
@click.option("--reason", default="", metavar="TEXT", help="Why it ended (kept in the record).")
@store_options
def agree_end(agreement_id: int, reason: str, db: str | None, passphrase_file: Path | None) -> None:
    """End agreement ID. It stays in the record with its end and reason."""
    with open_store(db, passphrase_file) as store:
        store_call(lambda: store.end_agreement(agreement_id, reason))
    click.echo(f"Agreement {agreement_id} ended.")


def _wire(a: Any) -> dict[str, Any]:
    return {
        "id": a.id, "kind": a.kind, "details": a.details, "summary": describe_agreement(a.kind, a.details),
        "created_at": a.created_at.isoformat(), "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        "end_reason": a.end_reason,
    }  # fmt: skip


def _day(moment: datetime) -> str:
    return moment.astimezone().strftime("%a %d %b %Y")
