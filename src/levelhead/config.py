"""Build a Situation and rule settings from a TOML file, a mapping, or command-line values.

The file (``--situation FILE``, else ``levelhead.toml`` in the current
directory, else in the user config dir) looks like this; every key is optional:

    goal = "logistics"            # logistics | closure | friendship | reconciliation | none
    mood = "calm"                 # calm | angry | lonely | nostalgic | sad | anxious | hopeful
    broke_up = 2026-10-30
    ended_by = "them"             # me | them | mutual
    children = 2
    asked_for_space = false
    new_partner = false
    abuse_history = false
    timezone = "Europe/London"
    country = "GB"
    channel = "text"              # text | call | email | in-person | social

    [agreements]
    no_contact_until = 2026-12-30
    no_contact_except = ["children's emergencies"]
    channels = ["text", "email"]
    off_limits = ["new partners"]
    no_visits = true
    no_family_contact = true
    friendship = false
    social_block_until = 2027-01-15

    [[agreements.windows]]
    days = "mon-fri"
    from = "19:30"
    to = "20:00"
    channel = "call"
    purpose = "goodnight call"

    [rules]
    select = ["ALL"]
    ignore = ["PC05"]
    [rules.options.RD01]
    days = 45
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from levelhead.situation import (
    Agreements,
    Channel,
    ContactWindow,
    EndedBy,
    Goal,
    Message,
    Mood,
    Situation,
    parse_days,
)

CONFIG_NAME = "levelhead.toml"
_E = TypeVar("_E", bound=StrEnum)


class ConfigError(ValueError):
    """A situation, agreement or history value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class Config:
    """What a settings file holds: the situation and how rules are chosen and tuned."""

    situation: Situation = field(default_factory=Situation)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    rule_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def choice(enum: type[_E], value: Any, what: str) -> _E:
    """Parse an enum value by its name, with the allowed values in the error."""
    try:
        return enum(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ConfigError(f"{what} must be one of: {allowed} (got {value!r})") from None


def parse_date(value: Any, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{what} must be a date like 2026-10-30 (got {value!r})") from None


def parse_time(value: Any, what: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError:
        raise ConfigError(f"{what} must be a time like 19:30 (got {value!r})") from None


def parse_moment(value: str, what: str = "--now") -> datetime:
    """An ISO-8601 date-time; without an offset it is read in the user's zone later."""
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"{what} must be an ISO-8601 time like 2026-11-20T21:30:00+00:00 (got {value!r})") from None


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None
    return name


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ConfigError(f"{what} must be true or false (got {value!r})")


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{what} must be a list of text values (got {value!r})")


_SITUATION_KEYS = {
    "goal", "mood", "broke_up", "ended_by", "children", "asked_for_space", "new_partner",
    "abuse_history", "timezone", "country", "channel", "agreements", "rules",
}  # fmt: skip
_AGREEMENT_KEYS = {
    "no_contact_until", "no_contact_except", "windows", "channels", "off_limits", "no_visits",
    "no_family_contact", "friendship", "social_block_until",
}  # fmt: skip


def situation_from_mapping(data: Mapping[str, Any], base: Situation | None = None) -> Situation:
    """Build a Situation from a parsed TOML (or JSON) mapping, on top of ``base``."""
    unknown = set(data) - _SITUATION_KEYS
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    s = base or Situation()
    changes: dict[str, Any] = {}
    if "goal" in data:
        changes["goal"] = choice(Goal, data["goal"], "goal")
    if "mood" in data:
        changes["mood"] = choice(Mood, data["mood"], "mood")
    if "broke_up" in data:
        changes["broke_up"] = parse_date(data["broke_up"], "broke_up")
    if "ended_by" in data:
        changes["ended_by"] = choice(EndedBy, data["ended_by"], "ended_by")
    if "children" in data:
        children = data["children"]
        if isinstance(children, bool) or not isinstance(children, int) or children < 0:
            raise ConfigError(f"children must be a whole number, 0 or more (got {children!r})")
        changes["children"] = children
    for key in ("asked_for_space", "new_partner", "abuse_history"):
        if key in data:
            changes[key] = _bool(data[key], key)
    if "timezone" in data:
        changes["timezone"] = check_timezone(str(data["timezone"]))
    if "country" in data:
        changes["country"] = check_country(str(data["country"]))
    if "channel" in data:
        changes["channel"] = choice(Channel, data["channel"], "channel")
    if "agreements" in data:
        changes["agreements"] = agreements_from_mapping(data["agreements"])
    return replace(s, **changes)


def check_country(code: str) -> str:
    from levelhead.safety import countries

    upper = code.strip().upper()
    if upper not in countries():
        known = ", ".join(sorted(countries()))
        raise ConfigError(f"no safety resources on file for country {code!r} (available: {known})")
    return upper


def agreements_from_mapping(data: Any) -> Agreements:
    if not isinstance(data, Mapping):
        raise ConfigError("agreements must be a table of settings")
    unknown = set(data) - _AGREEMENT_KEYS
    if unknown:
        raise ConfigError(f"unknown agreement setting(s): {', '.join(sorted(unknown))}")
    windows = data.get("windows", [])
    if not isinstance(windows, list):
        raise ConfigError("agreements.windows must be a list of windows")
    friendship = data.get("friendship")
    channels = _strings(data.get("channels", []), "channels")
    return Agreements(
        no_contact_until=(
            parse_date(data["no_contact_until"], "no_contact_until") if "no_contact_until" in data else None
        ),
        no_contact_except=_strings(data.get("no_contact_except", []), "no_contact_except"),
        windows=tuple(window_from_mapping(w, i) for i, w in enumerate(windows, 1)),
        channels=frozenset(choice(Channel, c, "agreements.channels") for c in channels),
        off_limits=_strings(data.get("off_limits", []), "off_limits"),
        no_visits=_bool(data.get("no_visits", False), "no_visits"),
        no_family_contact=_bool(data.get("no_family_contact", False), "no_family_contact"),
        friendship=None if friendship is None else _bool(friendship, "friendship"),
        social_block_until=(
            parse_date(data["social_block_until"], "social_block_until") if "social_block_until" in data else None
        ),
    )


def window_from_mapping(data: Any, number: int = 1) -> ContactWindow:
    what = f"contact window {number}"
    if not isinstance(data, Mapping) or "from" not in data or "to" not in data:
        raise ConfigError(f"{what} needs at least `from` and `to` times")
    try:
        days = parse_days(str(data.get("days", "daily")))
    except ValueError as err:
        raise ConfigError(f"{what}: {err}") from None
    start, end = parse_time(data["from"], f"{what} from"), parse_time(data["to"], f"{what} to")
    if start == end:
        raise ConfigError(f"{what}: `from` and `to` are the same time")
    channel = choice(Channel, data["channel"], f"{what} channel") if data.get("channel") else None
    return ContactWindow(days, start, end, channel, str(data.get("purpose", "")))


def config_from_mapping(data: Mapping[str, Any]) -> Config:
    rules = data.get("rules", {})
    if not isinstance(rules, Mapping):
        raise ConfigError("[rules] must be a table")
    options = rules.get("options", {})
    if not isinstance(options, Mapping) or not all(isinstance(v, Mapping) for v in options.values()):
        raise ConfigError("[rules.options] must hold one table per rule, e.g. [rules.options.RD01]")
    return Config(
        situation=situation_from_mapping(data),
        select=_strings(rules.get("select", []), "rules.select"),
        ignore=_strings(rules.get("ignore", []), "rules.ignore"),
        rule_settings={str(k): dict(v) for k, v in options.items()},
    )


def load_config(path: Path) -> Config:
    """Read a settings file; errors name the file and what is wrong."""
    import tomllib  # here, not at the top: most runs have no settings file to read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it ({err})") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML ({err})") from None
    try:
        return config_from_mapping(data)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None


def find_config(cwd: Path | None = None) -> Path | None:
    """``levelhead.toml`` in the current directory, else in the user config dir."""
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if local.is_file():
        return local
    from platformdirs import user_config_path

    user = user_config_path("levelhead", appauthor=False) / CONFIG_NAME
    return user if user.is_file() else None


def load_history(path: Path) -> tuple[Message, ...]:
    """Read a JSONL history: one ``{"at": ISO-8601 with offset, "from": "me"|"them", "text": ...}`` per line."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read it ({err})") from None
    messages = [_history_line(path, number, line) for number, line in enumerate(lines, 1) if line.strip()]
    # Exports can run backwards in time; pace rules need order (stable for equal times).
    return tuple(sorted(messages, key=lambda m: m.at))


def _history_line(path: Path, number: int, line: str) -> Message:
    import json  # here: a check without a history file never needs the parser

    where = f"{path}, line {number}"
    try:
        item = json.loads(line)
    except json.JSONDecodeError as err:
        raise ConfigError(f"{where}: not valid JSON ({err.msg})") from None
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected an object with at, from and text")
    sender, text, at = item.get("from"), item.get("text", ""), item.get("at")
    if sender not in ("me", "them"):
        raise ConfigError(f'{where}: "from" must be "me" or "them" (got {sender!r})')
    if not isinstance(text, str):
        raise ConfigError(f'{where}: "text" must be a string')
    if not isinstance(at, str):
        raise ConfigError(f'{where}: "at" must be an ISO-8601 time with offset')
    moment = parse_moment(at, f'{where}: "at"')
    if moment.tzinfo is None:
        raise ConfigError(f'{where}: "at" needs a UTC offset, e.g. 2026-11-01T19:30:00+00:00')
    return Message(moment, sender, text)


def merge_history(situation: Situation, messages: Iterable[Message]) -> Situation:
    return replace(situation, history=tuple(messages))


def overlay_situation(under: Situation, over: Situation) -> Situation:
    """``over``'s situation fields where set (not left at the default), its agreements and history where it
    has any; else ``under``'s. How the store's situation sits over a settings file (and under a given one)."""
    unset = Situation()
    changes = {f.name: getattr(over, f.name) for f in fields(over) if f.name not in ("agreements", "history")}
    changes = {k: v for k, v in changes.items() if v != getattr(unset, k)}
    if over.agreements != Agreements():
        changes["agreements"] = over.agreements
    if over.history:
        changes["history"] = over.history
    return replace(under, **changes)
