"""The package's TOML data files (phrase tables, resources), parsed and kept parsed between runs.

Parsing the phrase tables' TOML is a noticeable part of a fresh ``levelhead check``, so the parsed
form is cached beside the compiled regexes (see ``levelhead.regexcache``: same folder, same switch),
keyed by the file's modification time, size and CRC-32 (which catches any change of a few bytes, such
as one digit of a phone number, with certainty): an edited or upgraded data file is parsed again. A file
whose values marshal cannot hold (TOML dates) is parsed every time. Each call returns a fresh
object, as ``tomllib.loads`` does, so a caller may change what it gets.
"""

from __future__ import annotations

import contextlib
import marshal
import zlib
from pathlib import Path
from typing import Any

from levelhead import regexcache

_PACKAGE = Path(__file__).resolve().parent  # the data files ship inside the package folder
# data file -> ((its modification time, size and CRC-32), its parsed value marshalled)
_file = regexcache.CacheFile(lambda: regexcache.cache_folder() / "toml.marshal" if regexcache.cache_path() else None)
save = _file.save


def read_toml(relative: str) -> dict[str, Any]:
    """The parsed ``levelhead/RELATIVE`` (a TOML file in the package)."""
    path = _PACKAGE / relative
    raw = path.read_bytes()
    if regexcache.cache_path() is None:
        return _parse(raw)
    stamp = (path.stat().st_mtime_ns, len(raw), zlib.crc32(raw))
    stored = _file.entries().get(relative)
    if stored is not None and stored[0] == stamp:
        try:
            value = marshal.loads(stored[1])
        except (EOFError, ValueError, TypeError):
            value = None
        if isinstance(value, dict):
            return value
    data = _parse(raw)
    with contextlib.suppress(ValueError):  # TOML dates and times: not for marshal, parsed every time
        _file.put(relative, (stamp, marshal.dumps(data)))
    return data


def _parse(raw: bytes) -> dict[str, Any]:
    import tomllib  # only when the cache misses: the parser's import is a few ms of every start

    return tomllib.loads(raw.decode("utf-8"))
