"""What the running app holds: the store (or none yet), the settings file's rule choices, a short situation cache.

The web app opens the store once at start. Without a store it still checks
drafts, readiness and tone, and offers to create one (plain, or encrypted with
a passphrase); nothing is written before the person asks for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

from levelhead.config import Config, ConfigError, find_config, load_config, overlay_situation
from levelhead.paths import default_db_path
from levelhead.rule import Rule, select_rules
from levelhead.situation import Situation
from levelhead.storage import Store, StoreError

T = TypeVar("T")
SITUATION_TTL_S = 2.0  # another levelhead process (the CLI) may write the same store; re-read it this often


class NoStore(Exception):
    """A route needs the store and there is none yet."""


@dataclass
class AppState:
    """Shared by every request of one server process."""

    db: str | None = None
    store: Store | None = None
    config: Config = field(default_factory=Config)
    config_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _cached: tuple[float, Situation] | None = None

    @classmethod
    def load(cls, db: str | None = None, store: Store | None = None) -> AppState:
        """Read the settings file as the CLI does (``levelhead.toml`` here or in the config folder)."""
        state = cls(db=db, store=store)
        try:
            path = find_config()
            state.config = load_config(path) if path else Config()
        except ConfigError as err:
            state.config_error = str(err)
        return state

    # --- the store --------------------------------------------------------------------------------------------------

    @property
    def has_store(self) -> bool:
        return self.store is not None and self.store.initialised

    def need_store(self) -> Store:
        if self.store is None or not self.store.initialised:
            raise NoStore("there is no levelhead store yet: create one on the Settings page")
        return self.store

    def write(self, doing: Callable[[Store], T]) -> T:
        """Run one store write; the situation cache starts over after it."""
        store = self.need_store()
        try:
            return doing(store)
        finally:
            self._cached = None

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
            return store

    def store_location(self) -> str:
        if self.store is not None:
            return self.store.url.render_as_string(hide_password=True)
        return self.db or str(default_db_path())

    # --- the situation ----------------------------------------------------------------------------------------------

    def base_situation(self, now: datetime | None = None) -> Situation:
        """The stored situation (with agreements and history at ``now``), else the settings file's.

        The current moment's view is cached for a moment: a check per keystroke
        should not re-read and decrypt the history each time.
        """
        if not self.has_store:
            return self.config.situation
        assert self.store is not None
        if now is not None:
            return overlay_situation(self.config.situation, self.store.situation_for_check(now))
        cached = self._cached
        clock = time.monotonic()
        if cached is not None and clock - cached[0] < SITUATION_TTL_S:
            return cached[1]
        situation = overlay_situation(self.config.situation, self.store.situation_for_check())
        self._cached = (clock, situation)
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
        config = self.config
        chosen_select = select or config.select
        chosen_ignore = (*config.ignore, *ignore)
        return _rules(chosen_select, chosen_ignore, _frozen(config.rule_settings))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()


def _frozen(settings: Mapping[str, Mapping[str, Any]]) -> tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]:
    return tuple(sorted((code, tuple(sorted(options.items()))) for code, options in settings.items()))


@lru_cache(maxsize=64)
def _rules(
    select: tuple[str, ...], ignore: tuple[str, ...], settings: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...]
) -> tuple[Rule, ...]:
    # Rules hold only their settings, so one set per choice is built and shared.
    return tuple(select_rules(select, ignore, {code: dict(options) for code, options in settings} or None))
