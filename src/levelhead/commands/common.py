"""What the store-backed commands share: the store options, opening the store, the passphrase, times.

Every command that reads or writes the store takes ``--db URL`` (or
``LEVELHEAD_DB``) and ``--passphrase-file FILE`` (or ``LEVELHEAD_PASSPHRASE``);
without either, an encrypted store asks for its passphrase when a terminal is
attached and stops with a clear error when not. Errors are one
``levelhead: error:`` line on stderr and exit status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click

from levelhead import regexcache

if TYPE_CHECKING:
    from levelhead.situation import Situation
    from levelhead.storage import Store

F = TypeVar("F", bound=Callable[..., Any])
PASSPHRASE_ENV = "LEVELHEAD_PASSPHRASE"


def fail(message: str) -> NoReturn:
    """Stop with one clear line and exit status 2 (a usage, input or store error)."""
    click.echo(f"levelhead: error: {' '.join(message.split())}", err=True)
    sys.exit(2)


def store_options(func: F) -> F:
    """``--db`` and ``--passphrase-file``, for every command that touches the store."""
    func = click.option(
        "--passphrase-file",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Read the store's passphrase from this file (or set {PASSPHRASE_ENV}).",
    )(func)
    func = click.option(
        "--db",
        metavar="URL",
        envvar="LEVELHEAD_DB",
        help="Database URL, e.g. postgresql://... (default: the SQLite file in LEVELHEAD_HOME or your data folder).",
    )(func)
    return func


def given_passphrase(passphrase_file: Path | None) -> str | None:
    """The passphrase from ``--passphrase-file`` or the environment; ``None`` when neither gives one."""
    if passphrase_file is not None:
        try:
            raw = passphrase_file.read_bytes()
        except OSError as err:
            fail(f"cannot read the passphrase file {passphrase_file}: {err.strerror or err}")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            fail(f"the passphrase file {passphrase_file} is not UTF-8 text")
        passphrase = text.rstrip("\r\n")  # a trailing newline from an editor is not part of it
        if not passphrase:
            fail(f"the passphrase file {passphrase_file} is empty")
        return passphrase
    return os.environ.get(PASSPHRASE_ENV) or None


def interactive() -> bool:
    """A person at a terminal who can answer a prompt."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask_passphrase(prompt: str = "Passphrase", confirm: bool = False) -> str:
    """Ask at the terminal, hidden; errors out when no terminal is attached."""
    if not interactive():
        fail(f"a passphrase is needed: set {PASSPHRASE_ENV} or use --passphrase-file")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    if not value:
        fail("the passphrase cannot be empty")
    return value


def store_exists(db: str | None) -> bool:
    """Whether there is a store to read, without creating anything: a database URL, or the SQLite file."""
    if db:
        return True
    from levelhead.paths import default_db_path

    return default_db_path().exists()


def open_store(
    db: str | None, passphrase_file: Path | None, *, need_init: bool = True, passphrase: str | None = None
) -> Store:
    """Open the store for a command, asking for the passphrase when it is encrypted and none was given.

    ``need_init``: stop with a hint to run ``levelhead init`` when there is no store yet.
    ``passphrase``: one the command already has (else ``--passphrase-file`` or the environment).
    """
    from levelhead.storage import Store, StoreError, WrongPassphraseError

    if need_init and not store_exists(db):
        fail("there is no levelhead store here yet: create one with `levelhead init`")
    passphrase = passphrase or given_passphrase(passphrase_file)
    try:
        try:
            store = Store.open(db, passphrase)
        except WrongPassphraseError:
            if passphrase is not None:
                raise
            if not interactive():
                fail(f"this store is encrypted: set {PASSPHRASE_ENV} or use --passphrase-file")
            store = Store.open(db, ask_passphrase())
    except StoreError as err:
        fail(str(err))
    if need_init and not store.initialised:
        store.close()
        fail("this database has no levelhead store yet: create one with `levelhead init`")
    return store


def store_call(doing: Callable[[], Any]) -> Any:
    """Run a store call, turning its errors into one clear line."""
    from levelhead.storage import StoreError

    try:
        return doing()
    except StoreError as err:
        fail(str(err))


_DURATION = regexcache.compile(r"(?i)^\s*(\d+(?:\.\d+)?)\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s*$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """``30m``, ``12h``, ``2d``, ``1w`` (also ``12 hours``) as a timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise click.BadParameter(f"{text!r} is not a duration such as 30m, 12h, 2d or 1w")
    amount, unit = float(match.group(1)), match.group(2).lower()
    key = "m" if unit.startswith("m") else unit[0]
    span = timedelta(seconds=amount * _UNITS[key])
    if span <= timedelta(0):
        raise click.BadParameter("a cool-off must be longer than zero")
    return span


def parse_when(text: str | None, tz: str | None = None, what: str = "--at") -> datetime:
    """An ISO date or date-time; one without an offset is read in ``tz`` (default: this machine's zone).

    ``None`` means now. The result is aware.
    """
    from levelhead.config import ConfigError, check_timezone, parse_moment

    if text is None:
        return datetime.now(UTC)
    try:
        moment = parse_moment(text, what)
        zone = ZoneInfo(check_timezone(tz)) if tz else None
    except ConfigError as err:
        raise click.BadParameter(str(err)) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone) if zone else moment.astimezone()
    return moment


def stored_situation(db: str | None, passphrase_file: Path | None, moment: datetime, *,
                     unused: str) -> tuple[Situation | None, bool]:  # fmt: skip
    """The store's situation at ``moment`` (aware) for a one-off command: ``(situation, unreadable)``.

    ``(None, False)`` when there is no store. When it exists but cannot be read (locked, damaged, wrong
    passphrase, anything), the command still runs, since its safety findings must show either way: this
    warns on stderr that ``unused`` ("your agreements or history") was left out and returns ``(None, True)``.
    """
    if not store_exists(db):
        return None, False
    passphrase = given_passphrase(passphrase_file)
    try:
        from levelhead.storage.errors import WrongPassphraseError

        try:
            return _read_situation(db, passphrase, moment), False
        except WrongPassphraseError:
            if passphrase is not None or not interactive():
                raise
            return _read_situation(db, ask_passphrase(), moment), False
    except Exception as err:  # whatever broke, the command (and its safety panel) must still run
        click.echo(f"levelhead: warning: your store could not be read ({err}); this did not use {unused}", err=True)
        return None, True


def _read_situation(db: str | None, passphrase: str | None, moment: datetime) -> Situation | None:
    """A SQLite file is read directly (start-up stays short); any other database, or a store that needs
    more care, through :class:`levelhead.storage.Store`."""
    from levelhead.paths import default_db_path

    path = default_db_path() if not db else Path(db[len("sqlite:///") :]) if db.startswith("sqlite:///") else None
    if path is not None and path.is_file():
        from levelhead.storage import quickread

        try:
            return quickread.situation_for_check(path, passphrase, moment)
        except quickread.Unsuitable:
            pass
    from levelhead.storage import Store

    with Store.open(db, passphrase) as store:
        return store.situation_for_check(moment) if store.initialised else None
