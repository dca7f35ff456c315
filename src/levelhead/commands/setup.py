"""``levelhead init``, ``levelhead passphrase change`` and ``levelhead db``: creating and keeping the store."""

from __future__ import annotations

import os
from pathlib import Path

import click

from levelhead.commands.common import (
    PASSPHRASE_ENV,
    ask_passphrase,
    fail,
    given_passphrase,
    interactive,
    open_store,
    store_call,
    store_options,
)

NEW_PASSPHRASE_ENV = "LEVELHEAD_NEW_PASSPHRASE"


def _where(store_url: object) -> str:
    from sqlalchemy.engine import URL

    from levelhead.storage.db import sqlite_path

    assert isinstance(store_url, URL)
    path = sqlite_path(store_url)
    return str(path) if path is not None else store_url.render_as_string(hide_password=True)


@click.command(name="init")
@click.option(
    "--encrypt/--no-encrypt",
    default=None,
    help=f"Encrypt your notes with a passphrase (taken from {PASSPHRASE_ENV} or --passphrase-file, else asked).",
)
@store_options
def init_command(encrypt: bool | None, db: str | None, passphrase_file: Path | None) -> None:
    """Create your local store, optionally encrypted with a passphrase.

    \b
    Without --encrypt or --no-encrypt: a passphrase given by LEVELHEAD_PASSPHRASE or
    --passphrase-file means encrypted; at a terminal you are asked (Enter for none);
    otherwise the store is not encrypted.
    """
    passphrase = given_passphrase(passphrase_file)
    if encrypt is False and passphrase:
        fail(f"--no-encrypt was given with a passphrase ({PASSPHRASE_ENV} or --passphrase-file): choose one")
    if encrypt and not passphrase:
        passphrase = ask_passphrase("Choose a passphrase", confirm=True)
    if encrypt is None and not passphrase and interactive():
        click.echo("A passphrase encrypts your messages, drafts and notes on this computer.", err=True)
        click.echo("If you forget it, they cannot be recovered. Press Enter for no passphrase.", err=True)
        chosen: str = click.prompt("Passphrase", default="", show_default=False, hide_input=True, err=True)
        if chosen:
            again: str = click.prompt("Repeat it", default="", show_default=False, hide_input=True, err=True)
            if again != chosen:
                fail("the two passphrases differ: nothing was created")
            passphrase = chosen
    from levelhead.storage import Store, StoreError, WrongPassphraseError

    try:
        with Store.open(db) as store:  # no passphrase: an existing encrypted store stops here, untouched
            if store.initialised:
                fail(f"there is already a levelhead store at {_where(store.url)}: nothing was changed")
            store.init(encrypt=bool(passphrase), passphrase=passphrase)
            where = _where(store.url)
    except WrongPassphraseError:
        fail("there is already an encrypted levelhead store here: nothing was changed")
    except StoreError as err:
        fail(str(err))
    if passphrase:
        click.echo(f"Created an encrypted levelhead store at {where}.")
        click.echo("Keep the passphrase somewhere safe: without it the notes cannot be read.")
    else:
        click.echo(f"Created a levelhead store at {where} (not encrypted).")
    click.echo("Next: `levelhead situation set ...` and `levelhead agree add ...`, or `levelhead check TEXT`.")


@click.group(name="passphrase")
def passphrase_group() -> None:
    """Change the passphrase of an encrypted store."""


@passphrase_group.command(name="change")
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Read the new passphrase from this file (or set {NEW_PASSPHRASE_ENV}).",
)
@store_options
def passphrase_change(new_passphrase_file: Path | None, db: str | None, passphrase_file: Path | None) -> None:
    """Change the passphrase. Only the wrapped key changes, so it is quick for any store size."""
    old = given_passphrase(passphrase_file) or ask_passphrase("Current passphrase")
    if new_passphrase_file is not None:
        new = given_passphrase(new_passphrase_file)
    else:
        new = os.environ.get(NEW_PASSPHRASE_ENV) or ask_passphrase("New passphrase", confirm=True)
    assert new is not None
    if new == old:
        fail("the new passphrase is the same as the current one: nothing was changed")
    with open_store(db, None, passphrase=old) as store:
        store_call(lambda: store.change_passphrase(old, new))
    click.echo("Passphrase changed. Use the new one from now on.")


@click.group(name="db")
def db_group() -> None:
    """The database: where it is, and schema upgrades."""


@db_group.command(name="upgrade")
@store_options
def db_upgrade(db: str | None, passphrase_file: Path | None) -> None:
    """Bring the database schema up to date (levelhead also does this on its own when it opens the store)."""
    from levelhead.storage import StoreError, upgrade

    del passphrase_file  # the schema is not encrypted
    try:
        revision = upgrade(db)
    except StoreError as err:
        fail(str(err))
    click.echo(f"The database schema is up to date (revision {revision}).")


@db_group.command(name="info")
@store_options
def db_info(db: str | None, passphrase_file: Path | None) -> None:
    """Where the store is, whether it is encrypted, and how much it holds."""
    with open_store(db, passphrase_file) as store:
        size, root = store_call(store.record_root)
        count = store_call(store.message_count)
        agreements = store_call(lambda: store.agreements(include_ended=False))
        click.echo(f"store:       {_where(store.url)}")
        click.echo(f"encrypted:   {'yes' if store.encrypted else 'no'}")
        click.echo(f"messages:    {count}")
        click.echo(f"agreements:  {len(agreements)} active")
        click.echo(f"record:      {size} entries, root {root}")
