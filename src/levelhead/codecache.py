"""Compiled code of the methods ``dataclasses`` writes, kept between runs of the command line.

For every dataclass, the standard library writes ``__init__``, ``__repr__``, ``__eq__`` and friends
as source text and compiles it with ``exec``; parsing and compiling that text is a large part of a
fresh ``levelhead check``, while the text is the same on every run. :func:`install` makes
``dataclasses`` compile through :func:`cached_exec`, which runs the same text from a code object
compiled once and stored (marshal, as Python's own ``.pyc`` files) in the cache folder, keyed by the
exact text. Running a stored compilation of the same text is what ``exec`` does with the text, so
the classes come out the same; the file is read only by the same interpreter build, and a missing or
damaged file only means compiling again. Only the command line installs it (``levelhead.__main__``).

Same folder and same switch as the regex cache (``LEVELHEAD_CACHE_DIR``, ``LEVELHEAD_NO_CACHE=1``).
"""

from __future__ import annotations

import dataclasses
import sys
import types
from pathlib import Path
from typing import Any

from levelhead import regexcache


def install() -> None:
    """Let ``dataclasses`` compile its generated methods through the cache (for this process)."""
    if cache_path() is not None and callable(getattr(dataclasses, "_create_fn", None)):
        dataclasses.exec = cached_exec  # type: ignore[attr-defined]  # found before the built-in exec


def cached_exec(
    source: str | bytes | types.CodeType, globals: dict[str, Any] | None = None, locals: dict[str, Any] | None = None
) -> None:
    """``exec(source, globals, locals)``, compiling ``source`` text only when the cache does not hold it."""
    if isinstance(source, str):
        code = _file.entries().get(source)
        if not isinstance(code, types.CodeType):
            code = compile(source, "<string>", "exec")
            _file.put(source, code)
        source = code
    exec(source, globals, locals)  # the text dataclasses wrote, run as dataclasses runs it


def cache_path() -> Path | None:
    """The code cache file for this interpreter, or None when caching is off."""
    if regexcache.cache_path() is None:
        return None
    return regexcache.file_for("code", _build())


def _build() -> str:
    return f"{sys.version}|{sys.implementation.cache_tag}"


_file = regexcache.CacheFile(cache_path, _build)
save = _file.save
