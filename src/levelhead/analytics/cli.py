"""``levelhead stats`` and ``levelhead report``: the analytics over the stored history.

Kept light: the store, the tone model and matplotlib load only when a command runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from levelhead.commands.common import (
    PASSPHRASE_ENV,
    ask_passphrase,
    fail,
    given_passphrase,
    interactive,
    store_exists,
    store_options,
)

if TYPE_CHECKING:
    from levelhead.storage.bulkread import StoredHistory
    from levelhead.storage.store import StoredMessage

WEEKS_HELP = "How many recent weeks the 'recent' figures cover."


def load(
    db: str | None, passphrase_file: Path | None, weeks: int, tone: bool = True
) -> tuple[dict[str, Any], StoredHistory]:
    """The analytics, and what they were computed from (the report lists recent messages)."""
    from zoneinfo import ZoneInfo

    from levelhead.analytics import compute

    stored = read_history(db, passphrase_file)
    zone: tzinfo | None = ZoneInfo(stored.timezone) if stored.timezone else None
    data = compute(stored.conversation, stored.agreements, now=datetime.now(UTC), weeks=weeks, zone=zone, tone=tone)
    return data, stored


def read_history(db: str | None, passphrase_file: Path | None) -> StoredHistory:
    """Everything the analytics read, in one bulk read (:mod:`levelhead.storage.bulkread`).

    Errors as every store command gives them: one line, exit 2; an encrypted store asks for its
    passphrase at a terminal when none was given.
    """
    from levelhead.storage import bulkread
    from levelhead.storage.errors import StoreError, WrongPassphraseError

    if not store_exists(db):
        fail("there is no levelhead store here yet: create one with `levelhead init`")
    passphrase = given_passphrase(passphrase_file)
    try:
        try:
            stored = bulkread.read(db, passphrase)
        except WrongPassphraseError:
            if passphrase is not None:
                raise
            if not interactive():
                fail(f"this store is encrypted: set {PASSPHRASE_ENV} or use --passphrase-file")
            stored = bulkread.read(db, ask_passphrase())
    except StoreError as err:
        fail(str(err))
    if stored is None:
        fail("this database has no levelhead store yet: create one with `levelhead init`")
    return stored


def _delay(seconds: float | None) -> str:
    from datetime import timedelta

    from levelhead.pace_stats import describe_delay

    return "-" if seconds is None else describe_delay(timedelta(seconds=seconds))


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"


def render_text(data: dict[str, Any]) -> str:
    """The figures as short plain lines."""
    counts = data["messages"]
    if not counts["total"]:
        return "No messages stored yet: import a chat export with `levelhead import FILE`."
    weeks = data["weeks"]
    lines = [
        f"Messages: {counts['total']:,} (you {counts['me']:,}, them {counts['them']:,}), "
        f"{counts['first_at'][:10]} to {counts['last_at'][:10]}"
    ]
    lines.append("Reply time (median; 9 in 10 within):")
    for side, who in (("me", "you"), ("them", "them")):
        for scope, label in (("recent", f"last {weeks} weeks"), ("all_time", "all time")):
            f = data["reply_delay"][side][scope]
            lines.append(f"  {who:5s} {label:15s} {_delay(f['median_s'])}; {_delay(f['p90_s'])} ({f['count']} replies)")
    lines.append("Length (median words):")
    for side, who in (("me", "you"), ("them", "them")):
        f, r = data["length"][side]["all_time"], data["length"][side]["recent"]
        lines.append(f"  {who:5s} all time {f['median_words'] or '-'}; last {weeks} weeks {r['median_words'] or '-'}")
    ini = data["initiations"]
    lines.append(
        f"Who starts (after {ini['gap_hours']:g} h of quiet): you {ini['all_time']['me']}, "
        f"them {ini['all_time']['them']}; last {weeks} weeks: you {ini['recent']['me']}, them {ini['recent']['them']}"
    )
    st = data["streaks"]
    lines.append(
        f"Messages in a row: your longest {st['me']['longest']}, theirs {st['them']['longest']}; "
        f"waiting for an answer now: {st['me']['current']} of yours"
    )
    per = data["contacts_per_week"]
    lines.append(f"Messages per week: {per['all_time_mean']} on average; last {weeks} weeks {per['recent_mean']}")
    tone = data["tone"]
    if tone["available"]:
        a, r = tone["all_time"], tone["recent"]
        lines.append(
            f"Tone (sampled): read as negative: you {_pct(a['me']['negative'])}, them {_pct(a['them']['negative'])}; "
            f"last {weeks} weeks: you {_pct(r['me']['negative'])}, them {_pct(r['them']['negative'])}"
        )
    else:
        lines.append(f"Tone: not measured ({tone['reason']})")
    adh = data["adherence"]
    if adh["agreements"]:
        nc, ow = adh["during_no_contact"], adh["outside_windows"]
        lines.append(
            f"Agreements: during no-contact you {nc['me']}, them {nc['them']}; outside the agreed windows "
            f"you {ow['me']}, them {ow['them']}"
        )
    return "\n".join(lines)


@click.command(name="stats", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--weeks", type=click.IntRange(1, 520), default=8, show_default=True, help=WEEKS_HELP)
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
@click.option("--no-tone", is_flag=True, help="Skip the tone model.")
@store_options
def stats_command(weeks: int, fmt: str, no_tone: bool, db: str | None, passphrase_file: Path | None) -> None:
    """Pace, length, initiations, streaks, contacts per week, tone and agreement adherence.

    The JSON keys are documented in docs/stats.md.
    """
    data, _ = load(db, passphrase_file, weeks, tone=not no_tone)
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(data))


@click.command(name="report", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--weeks", type=click.IntRange(1, 520), default=8, show_default=True, help=WEEKS_HELP)
@click.option("--include-text", is_flag=True, help="Also show your most recent messages (personal text).")
@store_options
def report_command(output: Path, weeks: int, include_text: bool, db: str | None, passphrase_file: Path | None) -> None:
    """Write OUTPUT: one self-contained HTML page (works offline) with charts and the figures as a table.

    No message text is written unless --include-text is given.
    """
    from levelhead.analytics.report import render_html

    data, stored = load(db, passphrase_file, weeks)
    page = render_html(data, _last_messages(stored, 30) if include_text else None)
    from levelhead.record import write_atomic

    try:
        write_atomic(output, page.encode("utf-8"))  # never a half-written report
    except OSError as err:
        fail(f"cannot write {output}: {err.strerror or err}")
    click.echo(f"wrote {output}")


def _last_messages(stored: StoredHistory, count: int) -> list[StoredMessage]:
    """The last ``count`` stored messages, as the report lists them."""
    from levelhead.storage.store import StoredMessage

    chat = stored.conversation
    return [
        StoredMessage(chat.moment(i), chat.direction(i), chat.kind_name(i), chat.text[i])
        for i in range(max(0, len(chat) - count), len(chat))
    ]
