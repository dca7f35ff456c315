"""Safety resources, read from the one data file ``data/resources.toml``."""

from __future__ import annotations

from functools import cache

from levelhead.datafiles import read_toml
from levelhead.diagnostics import Resource

DEFAULT_COUNTRY = "US"
# What each safety rule needs first: crisis lines for self-harm, abuse support otherwise.
KINDS_FOR_CODE = {
    "SF01": ("crisis", "emergency"),
    "SF02": ("abuse", "crisis", "emergency"),
    "SF03": ("abuse", "emergency"),
    "SF04": ("abuse", "emergency"),
}


class UnknownCountry(ValueError):
    """No resources are on file for the requested country."""


@cache
def _data() -> dict[str, dict[str, object]]:
    return read_toml("data/resources.toml")


def countries() -> dict[str, str]:
    """Country code to name, for every country with resources on file."""
    return {code: str(entry["name"]) for code, entry in _data().items()}


def resources_for(country: str, kinds: tuple[str, ...] | None = None) -> tuple[Resource, ...]:
    """Resources for ``country``, optionally only those of ``kinds``, in the file's order."""
    code = country.upper()
    entry = _data().get(code)
    if entry is None:
        known = ", ".join(sorted(_data()))
        raise UnknownCountry(f"no safety resources on file for {country!r} (available: {known})")
    items = entry["resources"]
    assert isinstance(items, list)
    found = [
        Resource(name=str(item["name"]), contact=str(item["contact"]), country=code, kinds=tuple(item["kinds"]))
        for item in items
    ]
    if kinds is None:
        return tuple(found)
    return tuple(r for r in found if set(r.kinds) & set(kinds))


def resources_for_codes(country: str, codes: list[str]) -> tuple[Resource, ...]:
    """The resources that fit the safety findings ``codes``; emergency services always last."""
    wanted: set[str] = set()
    for code in codes:
        wanted.update(KINDS_FOR_CODE.get(code, ()))
    if not wanted:
        return ()
    return resources_for(country, tuple(wanted))
