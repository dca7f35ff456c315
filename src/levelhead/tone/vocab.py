"""A sorted vocabulary searched where it lies, for the light tone reader.

The model stores each vocabulary as sorted feature strings joined by newlines. Splitting it makes
some ninety thousand string objects, a noticeable part of a one-off check that looks up a few
hundred. :class:`SortedLines` binary-searches the UTF-8 bytes instead (UTF-8 sorts as the code
points it encodes, which is how the vocabulary was sorted), using where each line starts. Those
offsets are worked out once per model file and kept with the start-up tables (levelhead.tablecache).
"""

from __future__ import annotations

from array import array
from pathlib import Path

from levelhead import tablecache


class SortedLines:
    """Row numbers of the lines of a sorted, newline-separated UTF-8 text."""

    def __init__(self, blob: bytes, starts: array[int]) -> None:
        self._blob = blob
        self._starts = starts  # where each line starts, then one past the end
        self._count = len(starts) - 1

    @classmethod
    def of(cls, blob: bytes, model: Path, name: str) -> SortedLines:
        """The lines of ``blob``, the array ``name`` of the model file ``model``."""
        stat = model.stat()
        starts = array("I")
        starts.frombytes(_line_starts(str(model), stat.st_mtime_ns, stat.st_size, name, blob))
        if starts[-1] != (len(blob) + 1 if blob else 0):  # not the blob the offsets were worked out for
            starts = array("I")
            starts.frombytes(_starts_of(blob))
        return cls(blob, starts)

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, row: int) -> str:
        if not 0 <= row < self._count:
            raise IndexError(row)
        return self._blob[self._starts[row] : self._starts[row + 1] - 1].decode("utf-8")

    def index(self, text: str) -> int:
        """The row of ``text``, or -1 when it is not a line."""
        key = text.encode("utf-8")
        blob, starts = self._blob, self._starts
        lo, hi = 0, self._count
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[starts[mid] : starts[mid + 1] - 1] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo < self._count and blob[starts[lo] : starts[lo + 1] - 1] == key:
            return lo
        return -1


def _starts_of(blob: bytes) -> bytes:
    starts = array("I", [0])
    at = 0
    for line in blob.split(b"\n") if blob else ():
        at += len(line) + 1
        starts.append(at)
    return starts.tobytes()


def _line_starts(model: str, mtime_ns: int, size: int, name: str, blob: bytes) -> bytes:
    """Line offsets of ``blob``, kept between runs for this model file (its path, time and size)."""
    return tablecache.built(f"{__name__}.line_starts{(model, mtime_ns, size, name)!r}", lambda: _starts_of(blob))
