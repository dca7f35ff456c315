"""The package's TOML data files (phrase tables, resources), parsed and kept parsed between runs.

Parsing the phrase tables' TOML is a noticeable part of a fresh ``levelhead check``, so the parsed
form is cached beside the compiled regexes (see ``levelhead.regexcache``: same folder, same switch),
keyed by a digest of the file's text: an edited or upgraded data file is simply parsed again. A file
whose values marshal cannot hold (TOML dates) is parsed every time. Each call returns a fresh
object, as ``tomllib.loads`` does, so a caller may change what it gets.
"""

from __future__ import annotations

import atexit
import hashlib
import marshal
from pathlib import Path
from typing import Any

from levelhead import regexcache

_Stored = dict[str, tuple[bytes, bytes]]  # data file -> (digest of its text, its parsed value marshalled)

_PACKAGE = Path(__file__).resolve().parent  # the data files ship inside the package folder
_loaded: _Stored | None = None
_new: _Stored = {}
_saving_at_exit = False


def read_toml(relative: str) -> dict[str, Any]:
    """The parsed ``levelhead/RELATIVE`` (a TOML file in the package)."""
    raw = (_PACKAGE / relative).read_text(encoding="utf-8")
    if regexcache.cache_path() is None:
        return _parse(raw)
    digest = hashlib.blake2b(raw.encode("utf-8"), digest_size=16).digest()
    stored = _stored().get(relative)
    if stored is not None and stored[0] == digest:
        try:
            value = marshal.loads(stored[1])
        except (EOFError, ValueError, TypeError):
            value = None
        if isinstance(value, dict):
            return value
    data = _parse(raw)
    _remember(relative, digest, data)
    return data


def _parse(raw: str) -> dict[str, Any]:
    import tomllib  # only when the cache misses: the parser's import is a few ms of every start

    return tomllib.loads(raw)


def _path() -> Path:
    return regexcache.cache_folder() / "toml.marshal"


def _stored() -> _Stored:
    global _loaded
    if _loaded is None:
        _loaded = _read()
    return _loaded


def _read() -> _Stored:
    try:
        data = marshal.loads(_path().read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember(relative: str, digest: bytes, data: dict[str, Any]) -> None:
    global _saving_at_exit
    try:
        blob = marshal.dumps(data)
    except ValueError:  # TOML dates and times: not for marshal
        return
    if not _saving_at_exit:
        atexit.register(save)
        _saving_at_exit = True
    _new[relative] = (digest, blob)


def save() -> None:
    """Write the files parsed in this process into the cache (atomically; errors are ignored)."""
    if not _new or regexcache.cache_path() is None:
        return
    if regexcache.write_atomic(_path(), marshal.dumps({**_read(), **_new})):
        _stored().update(_new)
        _new.clear()
