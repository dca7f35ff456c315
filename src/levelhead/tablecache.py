"""Lookup tables built from levelhead's own data files, kept between runs.

A fresh ``levelhead check`` used to spend much of its time turning the phrase files into tries,
buckets and indexes before looking at the draft. Functions that build such a table from the
package's own files alone are decorated with :func:`kept`: the first run builds the table and
stores it, pickled, in the user's cache folder; later runs load it in a fraction of the time.

Why a stored table is always the one the code would build: every entry belongs to one file that
holds a stamp of the interpreter and of every file in the installed package (path, modification
time and size, as Python's own bytecode cache checks its sources) and is read only under that stamp. Editing, upgrading
or reinstalling levelhead starts a new file and removes the old one. Patterns inside a table are
stored as their source and flags and rebuilt through :mod:`levelhead.regexcache`. Loading names
only levelhead's own classes and a few built-in containers, and anything unexpected (a damaged file,
a table that does not pickle) falls back to building the table. Nothing a user typed is stored.

Same folder and same switch as the regex cache (``LEVELHEAD_CACHE_DIR``, ``LEVELHEAD_NO_CACHE=1``).
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import io
import os
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from levelhead import regexcache

P = ParamSpec("P")
T = TypeVar("T")

_PACKAGE = Path(__file__).resolve().parent
# What a stored table may name besides levelhead's own classes: containers, and how patterns are rebuilt.
_ALLOWED = {("builtins", "frozenset"), ("builtins", "set"), ("levelhead.regexcache", "compile")}


def kept(func: Callable[P, T]) -> Callable[P, T]:
    """``functools.cache`` whose results also outlive the process (see the module docs).

    For functions of the package's own data only, called with arguments whose ``repr`` says all
    about them (strings, numbers, tuples of them, None).
    """
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.cache
    def remembered(*args: Any) -> T:
        return built(f"{name}{args!r}", lambda: func(*args))  # type: ignore[call-arg]

    return functools.wraps(func)(remembered)  # type: ignore[return-value]


def built(key: str, build: Callable[[], T]) -> T:
    """``build()``, or what it returned in an earlier run of this same code."""
    if cache_path() is None:
        return build()
    blob = _file.entries().get(key)
    if isinstance(blob, bytes):
        try:
            value: T = _load(blob)
            return value
        except Exception:
            pass  # damaged or unloadable: build it again
    value = build()
    try:
        blob = _dump(value)
        _load(blob)  # store only what loads back
    except Exception:
        return value
    _file.put(key, blob)
    return value


def cache_path() -> Path | None:
    """The tables file for this interpreter and this exact install, or None when caching is off."""
    if regexcache.cache_path() is None:
        return None
    try:
        return regexcache.file_for("tables", _build())
    except OSError:  # the package is not a plain folder (a zip, say): no way to tell its versions apart
        return None


@functools.cache
def _build() -> str:
    """The interpreter, and the path, modification time and size of every file in the package."""
    stamps: list[str] = [sys.version]
    _stamp(_PACKAGE, stamps)
    return "\n".join(sorted(stamps))


def _stamp(folder: Path, stamps: list[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    _stamp(Path(entry.path), stamps)
            elif not entry.name.endswith((".pyc", ".pyo")):
                info = entry.stat()
                stamps.append(f"{entry.path}\x00{info.st_mtime_ns}\x00{info.st_size}")


def _pattern(pattern: re.Pattern[Any]) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    if isinstance(pattern.pattern, str):
        return regexcache.compile, (pattern.pattern, int(pattern.flags) & ~int(re.UNICODE))
    return re.compile, (pattern.pattern, pattern.flags)  # pragma: no cover - levelhead has no bytes patterns


_DISPATCH = copyreg.dispatch_table.copy()
_DISPATCH[re.Pattern] = _pattern


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        """A dataclass whose ``__init__`` takes every field, in order, comes back through ``__init__``.

        The default for a frozen dataclass with slots is its ``__setstate__``, which looks the fields
        up again for every object: thousands of calls when a table loads.
        """
        cls: type = type(obj)
        plan = _by_init(cls)
        if plan is None:
            return NotImplemented
        return cls, tuple(getattr(obj, name) for name in plan)


@functools.cache
def _by_init(cls: type) -> tuple[str, ...] | None:
    """The field names ``cls(*values)`` takes, in order, or None if it cannot be rebuilt that way."""
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return None
    if getattr(getattr(cls.__init__, "__code__", None), "co_filename", None) != "<string>":
        return None  # an ``__init__`` of the class's own, not the one dataclasses writes
    fields = dataclasses.fields(cls)
    if not cls.__dataclass_params__.init or any(not f.init or f.kw_only for f in fields):  # type: ignore[attr-defined]
        return None
    return tuple(f.name for f in fields)


def _dump(value: object) -> bytes:
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(value)
    return buffer.getvalue()


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        found = super().find_class(module, name) if module.startswith("levelhead.") else None
        if isinstance(found, type):  # levelhead's classes, never its functions
            return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a levelhead table")


def _load(blob: bytes) -> Any:
    return _Unpickler(io.BytesIO(blob)).load()


def _remove_older() -> None:
    current = cache_path()
    if current is None:
        return
    for old in current.parent.glob("tables-*.marshal"):
        if old != current:
            with contextlib.suppress(OSError):
                old.unlink()


_file = regexcache.CacheFile(cache_path, lambda: _build(), after_save=_remove_older)
save = _file.save
