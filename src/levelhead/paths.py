"""Where levelhead keeps its data. Light on purpose: the check command asks "is there a store?" on every run."""

from __future__ import annotations

import os
from pathlib import Path

DB_NAME = "levelhead.db"


def data_dir() -> Path:
    """``LEVELHEAD_HOME``, else the platform's user data dir."""
    home = os.environ.get("LEVELHEAD_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_path

    return user_data_path("levelhead", appauthor=False)


def default_db_path() -> Path:
    return data_dir() / DB_NAME
