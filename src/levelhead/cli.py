"""The ``levelhead`` command: parse, call the library, render.

Kept thin and light to start: the engine, rules and model are imported only
inside the command that needs them.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

GOALS = ("logistics", "closure", "friendship", "reconciliation", "none")
MOODS = ("calm", "angry", "lonely", "nostalgic", "sad", "anxious", "hopeful")
CHANNELS = ("text", "call", "email", "in-person", "social")
F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    click.echo(f"levelhead: error: {message}", err=True)
    sys.exit(2)


def situation_options(func: F) -> F:
    """The options that describe the situation, shared by ``check`` and ``ready``."""
    options = [
        click.option("--goal", type=click.Choice(GOALS), help="What this contact is for."),
        click.option("--mood", type=click.Choice(MOODS), help="How you feel right now."),
        click.option(
            "--situation",
            "situation_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="A TOML settings file (default: levelhead.toml here or in your config folder).",
        ),
        click.option(
            "--history",
            "history_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help='Conversation history as JSON lines: {"at": ISO time with offset, "from": "me"|"them", "text": ...}.',
        ),
        click.option("--broke-up", metavar="DATE", help="When the relationship ended (YYYY-MM-DD)."),
        click.option("--ended-by", type=click.Choice(("me", "them", "mutual")), help="Who ended it."),
        click.option("--children", type=click.IntRange(min=0), help="Children you have together."),
        click.option(
            "--asked-for-space/--no-asked-for-space", default=None, help="They asked for no contact or distance."
        ),
        click.option("--new-partner/--no-new-partner", default=None, help="They are in a new relationship."),
        click.option("--abuse-history/--no-abuse-history", default=None, help="The relationship involved abuse."),
        click.option("--country", metavar="CC", help="Where you are, for help resources (US, GB, CA, AU, IE, NZ)."),
        click.option("--now", metavar="ISO", help="The moment to check for (default: now)."),
        click.option("--tz", metavar="ZONE", help="Your time zone, e.g. Europe/London (default: this machine's)."),
        click.option("--channel", type=click.Choice(CHANNELS), help="How you would send it (default: text)."),
        click.option("--select", multiple=True, metavar="RULES", help="Only these rules (codes, prefixes, names)."),
        click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules (safety rules always run)."),
        click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True),
        click.option(
            "--db",
            metavar="URL",
            envvar="LEVELHEAD_DB",
            help="Read the situation, agreements and history from this database (default: your store, if any).",
        ),
        click.option(
            "--passphrase-file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="The store's passphrase, from this file (or set LEVELHEAD_PASSPHRASE).",
        ),
        click.option("--no-store", is_flag=True, help="Ignore the store: use only the flags and settings file."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _LazyGroup(click.Group):
    """A group whose heavier commands load only when run, so ``levelhead --help`` starts fast."""

    lazy: dict[str, tuple[str, str, str]] = {
        "import": ("levelhead.history.cli", "import_command", "Import a chat export into your store."),
        "triage": ("levelhead.triage.cli", "triage_command", "Read their message: what needs an answer, what is bait."),
        "serve": ("levelhead.web.cli", "serve_command", "Open levelhead in your browser (local only)."),
        "stats": ("levelhead.analytics.cli", "stats_command", "Pace, length, initiations, streaks, tone, adherence."),
        "report": ("levelhead.analytics.cli", "report_command", "Write the analytics as one HTML file with charts."),
        "init": ("levelhead.commands.setup", "init_command", "Create your local store (optionally encrypted)."),
        "situation": ("levelhead.commands.agreements", "situation_group", "What levelhead remembers about you two."),
        "agree": ("levelhead.commands.agreements", "agree_group", "Agreements: add, list, end."),
        "park": ("levelhead.commands.cooloff", "park_command", "Park a draft for a cool-off."),
        "drafts": ("levelhead.commands.cooloff", "drafts_group", "Parked drafts, due ones first; recheck."),
        "log": ("levelhead.commands.record", "log_group", "Log, list, correct or delete messages."),
        "journal": ("levelhead.commands.record", "journal_command", "Write a private note; list or delete them."),
        "verify": ("levelhead.commands.record", "verify_command", "Check the record (or an exported bundle)."),
        "export": ("levelhead.commands.record", "export_group", "Export the record bundle or a calendar."),
        "passphrase": ("levelhead.commands.setup", "passphrase_group", "Change the store's passphrase."),
        "db": ("levelhead.commands.setup", "db_group", "Where the store is; schema upgrades."),
    }

    def invoke(self, ctx: click.Context) -> Any:
        if not gc.isenabled():  # paused for start-up (levelhead.__main__): what it made lives until exit
            gc.freeze()
            gc.enable()
        return super().invoke(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            import importlib

            module, attr, _ = self.lazy[cmd_name]
            command = getattr(importlib.import_module(module), attr)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, cmd.get_short_help_str(60)) for name, cmd in self.commands.items() if not cmd.hidden]
        rows += [(name, short) for name, (_, _, short) in self.lazy.items()]
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="levelhead", prog_name="levelhead")
def main() -> None:
    """levelhead: a calm second opinion before you contact your ex.

    \b
    levelhead ready --goal logistics --broke-up 2026-10-30 --ended-by them --mood lonely
    levelhead check "Can I pick up my books Saturday at 10?" --goal logistics
    levelhead rules
    """


@main.command()
@click.argument("text")
@situation_options
def check(text: str, **options: Any) -> None:
    """Check a draft before you send it. TEXT is the draft, or - to read it from standard input.

    Exit status: 0 when nothing was found, 1 for any other verdict, 2 for a usage or input error.
    """
    emit_report(run_check(read_text_argument(text), options), options["fmt"])


def run_check(text: str, options: dict[str, Any]) -> Any:
    """Check ``text`` with the situation from the store, the settings file and the flags (flags win)."""
    from levelhead import engine, tone

    if quick_exit:
        gc.disable()  # one draft, then the process ends: collecting would only walk the loaded tables
    tone.use_light_reader()  # one draft in a fresh process: no numpy import (same model, same results)
    situation, select, ignore, settings, now = _situation(options)
    try:
        return engine.check(text, situation, now=now, select=select, ignore=ignore, settings=settings)
    except (engine.DraftError, ValueError) as err:
        _fail(str(err))


@main.command(short_help="Should you reach out at all, right now?")
@situation_options
def ready(**options: Any) -> None:
    """Should you reach out at all, right now? Answers from the situation, before any draft."""
    from levelhead import engine

    situation, select, ignore, settings, now = _situation(options)
    try:
        report = engine.ready(situation, now=now, select=select, ignore=ignore, settings=settings)
    except ValueError as err:
        _fail(str(err))
    emit_report(report, options["fmt"])


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
def list_rules(fmt: str) -> None:
    """Every rule: code, name, family and what it flags."""
    from levelhead.rule import all_rules

    rules = all_rules()
    if fmt == "json":
        import json

        rows = [
            {"code": r.code, "name": r.name, "family": r.family(), "summary": r.summary(), "verdict": r.verdict.label}
            for r in rules
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    width = max(len(r.name) for r in rules)
    for r in rules:
        click.echo(f"{r.code}  {r.name:<{width}}  {r.family():<10}  {r.summary()}")


@main.command(short_help="Show one rule's documentation, by code or name.")
@click.argument("code")
def rule(code: str) -> None:
    """Show one rule's documentation (by code, e.g. TN01, or by name)."""
    from levelhead.rule import RuleError, lookup

    try:
        found = lookup(code)
    except RuleError as err:
        _fail(str(err))
    click.echo(found.documentation())


@main.command(short_help="Emotions of each text, as JSON lines.")
def tone() -> None:
    """Read JSON lines {"text": ...} on standard input; write each text's emotions as one JSON line."""
    from levelhead import tone as tone_model

    sys.exit(tone_model.run_jsonl(sys.stdin, sys.stdout))


def read_text_argument(text: str) -> str:
    """The TEXT argument, or standard input for ``-``."""
    return _read_stdin() if text == "-" else text


def _read_stdin() -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        _fail(f"the draft on standard input is not UTF-8 text (byte {err.start})")


def _situation(options: dict[str, Any]) -> tuple[Any, tuple[str, ...], tuple[str, ...], Any, Any]:
    """The situation to check against, from (later wins): a found settings file, the store, a settings file
    given with --situation, the flags. ``--history FILE`` replaces the stored history."""
    from dataclasses import replace

    from levelhead.config import (
        Config,
        ConfigError,
        check_country,
        check_timezone,
        find_config,
        load_config,
        load_history,
        overlay_situation,
        parse_moment,
        situation_from_mapping,
    )

    try:
        explicit = options["situation_file"]
        path = explicit or find_config()
        config = load_config(path) if path else Config()
        flags = {
            "goal": options["goal"],
            "mood": options["mood"],
            "broke_up": options["broke_up"],
            "ended_by": options["ended_by"],
            "children": options["children"],
            "asked_for_space": options["asked_for_space"],
            "new_partner": options["new_partner"],
            "abuse_history": options["abuse_history"],
            "timezone": options["tz"] and check_timezone(options["tz"]),
            "country": options["country"] and check_country(options["country"]),
            "channel": options["channel"],
        }
        now = parse_moment(options["now"]) if options["now"] else None
        base = config.situation
        if not options["no_store"]:
            stored = _stored_situation(options, now, options["tz"] or config.situation.timezone)
            if stored is not None:
                under, over = (stored, config.situation) if explicit else (config.situation, stored)
                base = overlay_situation(under, over)
        situation = situation_from_mapping({k: v for k, v in flags.items() if v is not None}, base)
        if options["history_file"]:
            situation = replace(situation, history=load_history(options["history_file"]))
    except ConfigError as err:
        _fail(str(err))
    select = tuple(options["select"]) or config.select
    ignore = (*config.ignore, *options["ignore"])
    return situation, select, ignore, config.rule_settings, now


_store_unreadable = False


def _stored_situation(options: dict[str, Any], now: Any, tz: str | None) -> Any:
    """The store's view at ``now`` (None when there is no store or it cannot be read; then a ``send``
    verdict exits 2, because agreements and history were not used)."""
    global _store_unreadable
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from levelhead.commands.common import stored_situation

    moment = now or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz)) if tz else moment.astimezone()
    situation, _store_unreadable = stored_situation(
        options["db"], options["passphrase_file"], moment, unused="your agreements or history"
    )
    return situation


def emit_report(report: Any, fmt: str) -> NoReturn:
    from levelhead.diagnostics import Verdict

    if fmt == "json":
        from levelhead.render.json import render as render_json

        click.echo(render_json(report))
    else:
        from levelhead.render.text import render as render_text

        colour = sys.stdout.isatty()
        click.echo(render_text(report, click.style if colour else _no_style), color=colour)
    if _store_unreadable and report.verdict is Verdict.SEND:
        _exit(2)  # "send" without the agreements is not a "send"
    _exit(0 if report.verdict is Verdict.SEND else 1)


quick_exit = False  # set by levelhead.__main__ for the command-line process itself


def _exit(status: int) -> NoReturn:
    """End a check: ``sys.exit``, or in the command-line process, flush, run the exit handlers (cache
    saves) and leave without tearing the interpreter down, a good part of a one-off check's time.
    Only for commands that have written everything and hold nothing open by now (check, ready)."""
    if not quick_exit:
        sys.exit(status)
    import atexit
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be shown
        pass
    atexit._run_exitfuncs()
    os._exit(status)


def _no_style(text: str, **_: object) -> str:
    return text


if __name__ == "__main__":
    main()
