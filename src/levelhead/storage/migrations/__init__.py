"""Alembic migrations of the store, shipped inside the package so a wheel install can run them.

:func:`upgrade` is what ``levelhead db upgrade`` calls; :meth:`Store.open` runs
the same upgrade automatically when the schema is behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

HEAD = "0003"
SCRIPT_LOCATION = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic ``Config`` built in code (no alembic.ini), pointing at this package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table("alembic_version"):
        return None
    value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def upgrade_engine(engine: Engine) -> None:
    """Bring the schema to :data:`HEAD` in one transaction; cheap (one query) when it already is."""
    with engine.connect() as probe:
        if current_revision(probe) == HEAD:
            return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def upgrade(url: str | None = None) -> str:
    """Upgrade the database at ``url`` (``None``: the default store) to the newest schema; returns the revision.

    Errors come back as :class:`levelhead.storage.StoreError`.
    """
    from levelhead.storage.db import make_engine, resolve_url
    from levelhead.storage.errors import store_errors

    with store_errors("upgrading the database"):
        engine = make_engine(resolve_url(url))
        try:
            upgrade_engine(engine)
            with engine.connect() as connection:
                return current_revision(connection) or ""
        finally:
            engine.dispose()
