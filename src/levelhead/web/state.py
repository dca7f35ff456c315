"""What the running app holds: the store (or none yet), the settings file's rule choices, a short situation cache.

The web app opens the store once at start. Without a store it still checks
drafts, readiness and tone, and offers to create one (plain, or encrypted with
a passphrase); nothing is written before the person asks for it.

``levelhead serve`` may run more than one worker process (forked after this
state is built). :class:`Changes` tells each of them when another one wrote
the store or the settings file, so none answers from a stale cache.
"""

from __future__ import annotations

import itertools
import mmap
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from levelhead.config import CONFIG_NAME, Config, ConfigError, find_config, load_config, overlay_situation
from levelhead.paths import default_db_path
from levelhead.rule import Rule, select_rules
from levelhead.situation import Situation
from levelhead.storage import Store, StoreError

T = TypeVar("T")
SITUATION_TTL_S = 2.0  # another levelhead process (the CLI) may write the same store; re-read it this often


class NoStore(Exception):
    """A route needs the store and there is none yet."""


class Changes:
    """Write marks shared by the server's worker processes: one for the store, one for the settings file.

    An anonymous shared mapping made before the workers are forked is the same memory in all of them. Each
    write stores a value no other write uses (process id and a count), so a reader that remembers the
    value it last saw knows whether anything was written since.
    """

    STORE, SETTINGS = 0, 8

    def __init__(self) -> None:
        self._shared = mmap.mmap(-1, 16)
        self._count = itertools.count(1)

    def seen(self, slot: int) -> int:
        return int.from_bytes(self._shared[slot : slot + 8], "little")

    def mark(self, slot: int) -> None:
        value = (os.getpid() << 32 | next(self._count) & 0xFFFFFFFF) & 0xFFFFFFFFFFFFFFFF
        self._shared[slot : slot + 8] = value.to_bytes(8, "little")


def settings_path() -> Path:
    """The settings file the CLI reads (``levelhead.toml`` here, else in the config folder); where a new one goes."""
    from platformdirs import user_config_path

    return find_config() or user_config_path("levelhead", appauthor=False) / CONFIG_NAME


@dataclass
class AppState:
    """Shared by every request of one server process."""

    db: str | None = None
    store: Store | None = None
    config: Config = field(default_factory=Config)
    config_error: str | None = None
    config_path: Path | None = None  # None: thresholds cannot be saved (an app built without a settings file)
    changes: Changes = field(default_factory=Changes)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cached: tuple[float, int, Situation] | None = None
    _config_seen: tuple[int, int | None] = (0, None)  # the settings mark and the file's mtime it was read at
    _config_looked: float = 0.0  # when the file's mtime was last compared

    @classmethod
    def load(cls, db: str | None = None, store: Store | None = None) -> AppState:
        """Read the settings file as the CLI does (``levelhead.toml`` here or in the config folder)."""
        state = cls(db=db, store=store, config_path=settings_path())
        state._read_config()
        return state

    # --- the settings file ------------------------------------------------------------------------------------------

    def _read_config(self) -> None:
        path = self.config_path
        if path is None:
            return
        mark, modified = self.changes.seen(Changes.SETTINGS), _modified(path)
        try:
            self.config = load_config(path) if modified is not None else Config()
            self.config_error = None
        except ConfigError as err:
            self.config_error = str(err)  # the last good settings stay in use
        self._config_seen = (mark, modified)

    def _follow_config(self) -> None:
        """Read the settings file again when a worker saved it, or (looked at every few seconds) it changed."""
        mark, modified = self._config_seen
        if self.changes.seen(Changes.SETTINGS) != mark:
            self._read_config()
            return
        clock = time.monotonic()
        if clock - self._config_looked >= SITUATION_TTL_S:
            self._config_looked = clock
            if _modified(self.config_path) != modified:
                self._read_config()

    def save_options(self, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """Write rule options to the settings file (all or nothing); every worker reads them on its next check."""
        from levelhead.web.thresholds import save_options

        if self.config_path is None:
            raise ConfigError("this server has no settings file to write to")
        if self.config_error:
            raise ConfigError(f"{self.config_error}; fix the file first, then try again")
        self.config = save_options(self.config_path, changes)
        self.changes.mark(Changes.SETTINGS)
        self._config_seen = (self.changes.seen(Changes.SETTINGS), _modified(self.config_path))

    # --- the store --------------------------------------------------------------------------------------------------

    @property
    def has_store(self) -> bool:
        return self.store is not None and self.store.initialised

    def need_store(self) -> Store:
        if self.store is None or not self.store.initialised:
            raise NoStore("there is no levelhead store yet: create one on the Settings page")
        return self.store

    def write(self, doing: Callable[[Store], T]) -> T:
        """Run one store write; the situation cache starts over after it, in every worker."""
        store = self.need_store()
        try:
            return doing(store)
        finally:
            self._cached = None
            self.changes.mark(Changes.STORE)

    def create_store(self, passphrase: str | None) -> Store:
        """Create the store the person asked for: plain, or encrypted with ``passphrase``."""
        with self._lock:
            if self.has_store:
                raise StoreError("there is already a levelhead store")
            store = self.store or Store.open(self.db, None)
            try:
                store.init(encrypt=bool(passphrase), passphrase=passphrase or None)
            except BaseException:
                if self.store is None:
                    store.close()
                raise
            self.store, self._cached = store, None
            self.changes.mark(Changes.STORE)
            return store

    def store_location(self) -> str:
        if self.store is not None:
            return self.store.url.render_as_string(hide_password=True)
        return self.db or str(default_db_path())

    # --- the situation ----------------------------------------------------------------------------------------------

    def base_situation(self, now: datetime | None = None) -> Situation:
        """The stored situation (with agreements and history at ``now``), else the settings file's.

        The current moment's view is cached for a moment: a check per keystroke
        should not re-read and decrypt the history each time. A write by any
        worker ends the moment at once; the settings file is looked at again
        when it ends (so a hand edit shows within seconds).
        """
        self._follow_config()
        if not self.has_store:
            return self.config.situation
        assert self.store is not None
        if now is not None:
            return overlay_situation(self.config.situation, self.store.situation_for_check(now))
        mark = self.changes.seen(Changes.STORE)  # before the read: a write after it is noticed next time
        cached = self._cached
        clock = time.monotonic()
        if cached is not None and clock - cached[0] < SITUATION_TTL_S and cached[1] == mark:
            return cached[2]
        situation = overlay_situation(self.config.situation, self.store.situation_for_check())
        self._cached = (clock, mark, situation)
        return situation

    def forget_situation(self) -> None:
        """Read the store afresh on the next check."""
        self._cached = None

    def situation_for_check(self, now: datetime | None = None) -> tuple[Situation, str | None]:
        """What a check reads, and a warning when the store could not be read.

        Whatever broke, the check still runs (its safety findings and help must show), on the settings
        file's situation, without the agreements and history; the warning says so.
        """
        try:
            return self.base_situation(now), None
        except StoreError as err:
            why = " ".join(str(err).split())
            return (
                self.config.situation,
                f"your store could not be read ({why}); this check did not use your agreements or history",
            )

    def rules(self, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> tuple[Rule, ...]:
        """The rules a check runs: the settings file's choice, with the request's select/ignore on top."""
        self._follow_config()
        config = self.config
        chosen_select = select or config.select
        chosen_ignore = (*config.ignore, *ignore)
        return _rules(chosen_select, chosen_ignore, _frozen(config.rule_settings))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _modified(path: Path | None) -> int | None:
    try:
        return None if path is None else path.stat().st_mtime_ns
    except OSError:
        return None


def _frozen(settings: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    return tuple(sorted((code, tuple(sorted(options.items()))) for code, options in settings.items()))


@lru_cache(maxsize=64)
def _rules(
    select: tuple[str, ...], ignore: tuple[str, ...], settings: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
) -> tuple[Rule, ...]:
    # Rules hold only their settings, so one set per choice is built and shared.
    return tuple(select_rules(select, ignore, {code: dict(options) for code, options in settings} or None))
