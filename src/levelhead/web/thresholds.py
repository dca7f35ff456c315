"""The rule thresholds of the Settings page: read from and written to ``levelhead.toml``, the file the CLI reads.

Writing keeps the rest of the file as the person wrote it (comments, order,
the situation and agreements), changes only ``[rules.options.CODE]`` tables,
and happens only once the whole new file has been read back the way
``levelhead check`` reads it: a refused value writes nothing. The new file
replaces the old one in a single rename, so a reader never sees half of it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import InlineTable, Table

from levelhead.config import Config, ConfigError, config_from_mapping
from levelhead.rule import Rule, RuleError, all_rules, lookup, select_rules

try:
    import fcntl
except ImportError:  # Windows: one server process, the in-process lock is enough
    fcntl = None  # type: ignore[assignment]

_LOCK = threading.Lock()
OptionValue = bool | int | float | str


def options_table(config: Config) -> list[dict[str, Any]]:
    """Every rule option with its value under ``config`` (else its default), allowed range and help."""
    rows = []
    for rule in all_rules():
        code = rule.code
        chosen = _chosen(rule, config.rule_settings)
        for key, option in rule.options.items():
            rows.append({
                "rule": code, "name": rule.name, "key": key, "value": chosen.get(key, option.default),
                "default": option.default, "type": type(option.default).__name__,
                "minimum": option.minimum, "maximum": option.maximum, "help": option.help,
            })  # fmt: skip
    return rows


def cool_off_hours(config: Config) -> tuple[int, int]:
    """The cool-off (RD03 ``cool_off_hours``) and the one when angry (``angry_hours``): what parking defaults to."""
    rule = lookup("RD03")
    chosen = _chosen(rule, config.rule_settings)
    calm, angry = (int(chosen.get(key, rule.options[key].default)) for key in ("cool_off_hours", "angry_hours"))
    return calm, angry


def _chosen(rule: type[Rule], settings: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    # As the engine picks a rule's table: by code or by name.
    for key, value in settings.items():
        if key.upper() == rule.code or key.lower() == rule.name:
            return value
    return {}


def save_options(path: Path, changes: Mapping[str, Mapping[str, OptionValue | None]]) -> Config:
    """Set (or, with ``None``, reset to the default) rule options in the settings file at ``path``.

    Returns the file's new configuration. Raises :class:`ConfigError` naming the rule and option when a value
    cannot be used, or when the file itself cannot be read; then nothing is written.
    """
    with _LOCK, _file_lock(path):
        text = _read(path)
        try:
            document = tomlkit.parse(text)
        except TOMLKitError as err:
            raise ConfigError(f"{path}: not valid TOML ({err}); fix it by hand first") from None
        options = _options_of(document, path)
        for given, values in changes.items():
            try:
                rule = lookup(given)
            except RuleError as err:
                raise ConfigError(str(err)) from None
            table = _table_for(rule, options, path)
            for key, value in values.items():
                if value is None:
                    table.pop(key, None)
                else:
                    table[key] = value
            try:
                checked = rule(**table.unwrap()).settings  # the rule's own checks: type, range, format
            except RuleError as err:
                raise ConfigError(str(err)) from None
            for key, value in values.items():
                if value is not None:
                    table[key] = checked[key]  # as the rule reads it (a whole number given for a fraction: 1.0)
            if not table:
                options.pop(rule.code, None)
        _drop_empty(document)
        try:
            config = config_from_mapping(document.unwrap())
            select_rules(config.select, config.ignore, config.rule_settings or None)
        except (ConfigError, RuleError) as err:
            raise ConfigError(f"{path}: {err}") from None
        _replace(path, tomlkit.dumps(document))
        return config


def _table_for(rule: type[Rule], options: Table, path: Path) -> Table | InlineTable:
    """The rule's table under its code: the one in the file (comments kept), or a new one that takes over
    what tables under the rule's name held."""
    aliases = [k for k in options if k.upper() == rule.code or k.lower() == rule.name]
    if aliases == [rule.code] and isinstance(options[rule.code], Table | InlineTable):
        found = options[rule.code]
        assert isinstance(found, Table | InlineTable)
        return found
    table = tomlkit.table()
    for alias in aliases:
        current = options[alias]
        if not isinstance(current, Table | InlineTable):
            raise ConfigError(f"{path}: [rules.options.{alias}] must be a table")
        for key, value in current.unwrap().items():
            table[key] = value
        del options[alias]
    options[rule.code] = table
    return table


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it ({err})") from None


def _options_of(document: tomlkit.TOMLDocument, path: Path) -> Table:
    rules = document.get("rules")
    if rules is None:
        rules = document["rules"] = tomlkit.table(is_super_table=True)
    if not isinstance(rules, Table):
        raise ConfigError(f"{path}: [rules] must be a table")
    options = rules.get("options")
    if options is None:
        options = rules["options"] = tomlkit.table(is_super_table=True)
    if not isinstance(options, Table):
        raise ConfigError(f"{path}: [rules.options] must hold one table per rule, e.g. [rules.options.RD01]")
    return options


def _drop_empty(document: tomlkit.TOMLDocument) -> None:
    rules = document["rules"]
    assert isinstance(rules, Table)
    if not rules["options"]:
        del rules["options"]
    if not rules:
        del document["rules"]


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Serialise writers across the server's worker processes: a lock on the folder, no extra file in it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        yield
    finally:
        os.close(folder)  # releases the lock


def _replace(path: Path, text: str) -> None:
    """Write ``text`` beside ``path``, then rename it over ``path``: all of the new file, or the old one."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        temporary.chmod(mode)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
