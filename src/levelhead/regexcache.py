"""Compiled phrase regexes kept between runs, so a fresh ``levelhead check`` does not re-parse the phrase tables.

Python compiles a regex in two steps: parsing and code generation in pure Python (``re._parser``,
``re._compiler``), which is slow for the phrase tables' long alternations (most of a fresh check's
time), then ``_sre.compile``, which builds the matcher from the generated code in microseconds.
This module keeps the generated code in one file in the user's cache folder, keyed by the
interpreter build and the exact pattern text, and rebuilds patterns from it with ``_sre.compile``.

Safety of the shortcut: an entry is stored only after the pattern rebuilt from it compares equal to
what ``re.compile`` made (``Pattern.__eq__`` compares the flags, the pattern text and the generated
code), the file is read only by the same Python build and regex engine (``MAGIC``), and anything
unexpected (an unreadable or damaged file, an interpreter whose internals differ) falls back to
``re.compile``. The cache can make start-up faster; it cannot change a match. It holds only
levelhead's own patterns, never anything a user typed.

``LEVELHEAD_CACHE_DIR`` chooses the folder (default: the platform's user cache dir);
``LEVELHEAD_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import atexit
import importlib
import marshal
import os
import re
import sys
import zlib
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

# One stored pattern: (flags, groups, groupindex, indexgroup, code as native uint32 bytes).
_Entry = tuple[int, int, dict[str, int], tuple[str | None, ...], bytes]

try:  # the regex engine's internals (CPython 3.11+, untyped); without them, plain re.compile
    _sre: Any = importlib.import_module("_sre")
    _compiler: Any = importlib.import_module("re._compiler")
    _parser: Any = importlib.import_module("re._parser")
    _USABLE = array("I").itemsize == _sre.CODESIZE
except (ImportError, AttributeError):  # pragma: no cover - other interpreters
    _USABLE = False


def compile(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, rebuilt from the cache when it holds this pattern."""
    flags = int(flags)  # a RegexFlag is an enum member: keep plain ints, which marshal can store
    if not _enabled():
        return re.compile(source, flags)
    entry = _entries().get((source, flags))
    if entry is not None:
        try:
            return _rebuild(source, entry)
        except Exception:
            pass
    pattern = re.compile(source, flags)
    _remember(source, flags, pattern)
    return pattern


def cache_path() -> Path | None:
    """The cache file for this interpreter, or None when the cache is off."""
    if not _enabled():
        return None
    return file_for("regex", _build())


def file_for(kind: str, build: str) -> Path:
    """The cache file of ``kind`` for ``build``, a text naming all that the file's contents depend on.

    The name carries a short checksum of ``build``; the file holds ``build`` itself, and
    :class:`CacheFile` reads a file whose ``build`` differs as empty.
    """
    return cache_folder() / f"{kind}-{zlib.crc32(build.encode()):08x}.marshal"


def _build() -> str:
    return f"{sys.version}|{sys.platform}|{_sre.MAGIC}|{_sre.CODESIZE}"


def cache_folder() -> Path:
    """``LEVELHEAD_CACHE_DIR``, else the platform's user cache dir."""
    folder = os.environ.get("LEVELHEAD_CACHE_DIR")
    if folder:
        return Path(folder).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path("levelhead", appauthor=False)


def write_atomic(path: Path, data: bytes) -> bool:
    """``levelhead.record.write_atomic``, for a cache: False, not an error, when the disk refuses."""
    from levelhead.record import write_atomic as replace_whole  # only on a cache miss, at exit

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_whole(path, data)
    except OSError:  # a read-only or full disk only costs speed
        return False
    return True


def _enabled() -> bool:
    return _USABLE and os.environ.get("LEVELHEAD_NO_CACHE", "") in ("", "0")


def _rebuild(source: str, entry: _Entry) -> re.Pattern[str]:
    flags, groups, groupindex, indexgroup, code = entry
    pattern: re.Pattern[str] = _sre.compile(source, flags, array("I", code).tolist(), groups, groupindex, indexgroup)
    return pattern


def _remember(source: str, flags: int, pattern: re.Pattern[str]) -> None:
    """Store how ``pattern`` was generated, if rebuilding it from that gives exactly ``pattern``."""
    try:
        parsed: Any = _parser.parse(source, flags)
        code = _compiler._code(parsed, flags)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in parsed.state.groupdict.items():
            indexgroup[index] = name
        entry: _Entry = (
            int(flags | parsed.state.flags),
            parsed.state.groups - 1,
            dict(parsed.state.groupdict),
            tuple(indexgroup),
            array("I", code).tobytes(),
        )
        if _rebuild(source, entry) != pattern:
            return
    except Exception:
        return
    _file.put((source, flags), entry)


class CacheFile:
    """One marshal file in the cache folder: a dict read once per process, plus what this process adds,
    merged into the file at exit (atomically; a damaged file reads as empty, a refused write is skipped).
    The file also holds ``build()`` (see :func:`file_for`): one written for another build reads as empty.
    ``after_save`` runs after each write (to tidy files this one replaces)."""

    def __init__(
        self,
        path: Callable[[], Path | None],
        build: Callable[[], str] = str,
        after_save: Callable[[], None] | None = None,
    ) -> None:
        self._path = path
        self._build = build
        self._after_save = after_save
        self.loaded: dict[Any, Any] | None = None
        self.new: dict[Any, Any] = {}
        self._saving_at_exit = False

    def entries(self) -> dict[Any, Any]:
        if self.loaded is None:
            self.loaded = self._read()
        return self.loaded

    def put(self, key: Any, value: Any) -> None:
        if not self._saving_at_exit:
            atexit.register(self.save)
            self._saving_at_exit = True
        self.new[key] = value

    def forget(self) -> None:
        """Read the file again on next use and drop what is pending, as a new process would."""
        self.loaded = None
        self.new.clear()

    def save(self) -> None:
        path = self._path()
        if not self.new or path is None:
            return
        try:
            data = marshal.dumps((self._build(), {**self._read(), **self.new}))
        except ValueError:  # a value marshal cannot hold: leave the file as it is
            return
        if write_atomic(path, data):
            self.entries().update(self.new)
            self.new.clear()
            if self._after_save is not None:
                self._after_save()

    def _read(self) -> dict[Any, Any]:
        path = self._path()
        try:
            data = marshal.loads(path.read_bytes()) if path is not None else None
        except (OSError, EOFError, ValueError, TypeError):
            return {}  # missing or damaged: rebuilt as entries are added
        if isinstance(data, tuple) and len(data) == 2 and data[0] == self._build() and isinstance(data[1], dict):
            return data[1]
        return {}  # another build's, or not a cache file


_file = CacheFile(cache_path, _build)
_entries = _file.entries
save = _file.save
