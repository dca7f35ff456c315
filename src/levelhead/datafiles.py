"""The package's TOML data files (phrase tables, resources), parsed and kept parsed between runs.

Parsing the phrase tables' TOML is a noticeable part of a fresh ``levelhead check``, so the parsed
form is cached beside the compiled regexes (see ``levelhead.regexcache``: same folder, same switch),
keyed by the file's modification time and size, as Python's own bytecode cache checks its sources:
an edited or upgraded data file is simply parsed again. A file
whose values marshal cannot hold (TOML dates) is parsed every time. Each call returns a fresh
object, as ``tomllib.loads`` does, so a caller may change what it gets.
"""

from __future__ import annotations

import contextlib
import marshal
from pathlib import Path
from typing import Any

from levelhead import regexcache

_PACKAGE = Path(__file__).resolve().parent  # the data files ship inside the package folder
# data file -> ((its modification time, its size), its parsed value marshalled)
_file = regexcache.CacheFile(lambda: regexcache.cache_folder() / "toml.marshal" if regexcache.cache_path() else None)
save = _file.save


def read_toml(relative: str) -> dict[str, Any]:
    """The parsed ``levelhead/RELATIVE`` (a TOML file in the package)."""
    path = _PACKAGE / relative
    if regexcache.cache_path() is None:
        return _parse(path.read_text(encoding="utf-8"))
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    stored = _file.entries().get(relative)
    if stored is not None and stored[0] == stamp:
        try:
            value = marshal.loads(stored[1])
        except (EOFError, ValueError, TypeError):
            value = None
        if isinstance(value, dict):
            return value
    data = _parse(path.read_text(encoding="utf-8"))
    with contextlib.suppress(ValueError):  # TOML dates and times: not for marshal, parsed every time
        _file.put(relative, (stamp, marshal.dumps(data)))
    return data


def _parse(raw: str) -> dict[str, Any]:
    import tomllib  # only when the cache misses: the parser's import is a few ms of every start

    return tomllib.loads(raw)
