"""The package's TOML data files (phrase tables, resources), parsed and kept parsed between runs.

Parsing the phrase tables' TOML is a noticeable part of a fresh ``levelhead check``, so the parsed
form is cached beside the compiled regexes (see ``levelhead.regexcache``: same folder, same switch),
keyed by a digest of the file's text: an edited or upgraded data file is simply parsed again. A file
whose values marshal cannot hold (TOML dates) is parsed every time. Each call returns a fresh
object, as ``tomllib.loads`` does, so a caller may change what it gets.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from pathlib import Path
from typing import Any

from levelhead import regexcache

_PACKAGE = Path(__file__).resolve().parent  # the data files ship inside the package folder
# data file -> (digest of its text, its parsed value marshalled)
_file = regexcache.CacheFile(lambda: regexcache.cache_folder() / "toml.marshal" if regexcache.cache_path() else None)
save = _file.save


def read_toml(relative: str) -> dict[str, Any]:
    """The parsed ``levelhead/RELATIVE`` (a TOML file in the package)."""
    raw = (_PACKAGE / relative).read_text(encoding="utf-8")
    if regexcache.cache_path() is None:
        return _parse(raw)
    digest = hashlib.blake2b(raw.encode("utf-8"), digest_size=16).digest()
    stored = _file.entries().get(relative)
    if stored is not None and stored[0] == digest:
        try:
            value = marshal.loads(stored[1])
        except (EOFError, ValueError, TypeError):
            value = None
        if isinstance(value, dict):
            return value
    data = _parse(raw)
    with contextlib.suppress(ValueError):  # TOML dates and times: not for marshal, parsed every time
        _file.put(relative, (digest, marshal.dumps(data)))
    return data


def _parse(raw: str) -> dict[str, Any]:
    import tomllib  # only when the cache misses: the parser's import is a few ms of every start

    return tomllib.loads(raw)
