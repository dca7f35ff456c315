"""The ``levelhead`` command: parse, call the library, render.

Kept thin and light to start: the engine, rules and model are imported only
inside the command that needs them.
"""

from __future__ import annotations

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
    ]
    for option in reversed(options):
        func = option(func)
    return func


class _LazyGroup(click.Group):
    """A group whose heavier commands load only when run, so ``levelhead --help`` starts fast."""

    lazy: dict[str, tuple[str, str, str]] = {
        "import": ("levelhead.history.cli", "import_command", "Import a chat export (preview with --dry-run)."),
    }

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
    if text == "-":
        text = _read_stdin()
    from levelhead import engine

    situation, select, ignore, settings, now = _situation(options)
    try:
        report = engine.check(text, situation, now=now, select=select, ignore=ignore, settings=settings)
    except (engine.DraftError, ValueError) as err:
        _fail(str(err))
    _emit(report, options["fmt"])


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
    _emit(report, options["fmt"])


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


def _read_stdin() -> str:
    data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        _fail(f"the draft on standard input is not UTF-8 text (byte {err.start})")


def _situation(options: dict[str, Any]) -> tuple[Any, tuple[str, ...], tuple[str, ...], Any, Any]:
    """Merge the settings file and the flags (flags win) into a Situation."""
    from dataclasses import replace

    from levelhead.config import (
        Config,
        ConfigError,
        check_country,
        check_timezone,
        find_config,
        load_config,
        load_history,
        parse_moment,
        situation_from_mapping,
    )

    try:
        path = options["situation_file"] or find_config()
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
        situation = situation_from_mapping({k: v for k, v in flags.items() if v is not None}, config.situation)
        if options["history_file"]:
            situation = replace(situation, history=load_history(options["history_file"]))
        now = parse_moment(options["now"]) if options["now"] else None
    except ConfigError as err:
        _fail(str(err))
    select = tuple(options["select"]) or config.select
    ignore = (*config.ignore, *options["ignore"])
    return situation, select, ignore, config.rule_settings, now


def _emit(report: Any, fmt: str) -> NoReturn:
    from levelhead.diagnostics import Verdict

    if fmt == "json":
        from levelhead.render.json import render as render_json

        click.echo(render_json(report))
    else:
        from levelhead.render.text import render as render_text

        colour = sys.stdout.isatty()
        click.echo(render_text(report, click.style if colour else _no_style), color=colour)
    sys.exit(0 if report.verdict is Verdict.SEND else 1)


def _no_style(text: str, **_: object) -> str:
    return text


if __name__ == "__main__":
    main()
