"""The arrays of a ``.npz`` file as flat memoryviews, without numpy, for the light tone reader.

An uncompressed ``.npz`` (``numpy.savez``) is a zip of ``.npy`` files: a short header, then the
items. The file is mapped rather than read, so a one-off check touches only the pages of the
weight rows its draft needs, and the zip's checksum is not computed over the whole file on every
start (the model file ships inside the installed package, whose files the installer checks). A
compressed member is read and decompressed as usual. Where each member lies is worked out with
``zipfile`` once per model file and kept with the start-up tables (levelhead.tablecache).
"""

from __future__ import annotations

import mmap
import os
import struct
import sys
from pathlib import Path
from typing import Any

from levelhead import regexcache, tablecache

_HEADER = regexcache.compile(
    r"'descr':\s*'([<>|=])([a-z])(\d+)'.*'fortran_order':\s*(True|False).*'shape':\s*\(([\d,\s]*)\)"
)
# memoryview item codes; half floats (the weights) stay raw bytes, unpacked a few rows at a time.
_FORMATS = {("f", 2): "B", ("f", 4): "f", ("i", 8): "q", ("u", 1): "B"}
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature ... file name length, extra field length


def read_arrays(path: Path) -> dict[str, Any]:
    """Each array of the ``.npz`` at ``path`` as a flat memoryview of its items (C order), by name."""
    if sys.byteorder != "little":
        raise ValueError("the light tone reader reads little-endian model files on little-endian machines only")
    with path.open("rb") as fh:
        stat = os.fstat(fh.fileno())
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    whole = memoryview(mapped)
    key = f"{__name__}.members{(str(path), stat.st_mtime_ns, stat.st_size)!r}"
    arrays: dict[str, Any] = {}
    for member, start, size in tablecache.built(key, lambda: _members(path, whole)):
        data = whole[start : start + size] if start >= 0 else _read_member(path, member)
        arrays[member.removesuffix(".npy")] = _items(path, member, data)
    return arrays


def _members(path: Path, whole: memoryview) -> tuple[tuple[str, int, int], ...]:
    """(name, where its data starts in the file or -1 when it must be decompressed, its size) per member."""
    import zipfile  # only when the model file is new to this cache

    members = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            start = -1
            if info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1:
                signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(whole, info.header_offset)
                if signature != b"PK\x03\x04":
                    raise ValueError(f"{path}: {info.filename} has a damaged zip header")
                start = info.header_offset + _LOCAL_HEADER.size + name_length + extra_length
            members.append((info.filename, start, info.file_size))
    return tuple(members)


def _read_member(path: Path, member: str) -> memoryview:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return memoryview(archive.read(member))


def _items(path: Path, name: str, data: memoryview) -> Any:
    if bytes(data[:6]) != b"\x93NUMPY":
        raise ValueError(f"{path}: {name} is not a .npy array")
    size, fmt = (2, "<H") if data[6] == 1 else (4, "<I")
    (length,) = struct.unpack_from(fmt, data, 8)
    header = bytes(data[8 + size : 8 + size + length]).decode("latin-1")
    found = _HEADER.search(header)
    if found is None or found.group(4) != "False" or found.group(1) == ">":
        raise ValueError(f"{path}: {name} is not a plain little-endian C-order array")
    code = _FORMATS.get((found.group(2), int(found.group(3))))
    if code is None:
        raise ValueError(f"{path}: {name} has an item type the light reader does not read")
    return data[8 + size + length :].cast(code)  # type: ignore[call-overload]
