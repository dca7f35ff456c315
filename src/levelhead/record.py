"""The append-only, tamper-evident record: an RFC 6962 / RFC 9162 Merkle log.

Entries are canonical JSON bytes. Leaf hash = SHA-256(0x00 || entry), node =
SHA-256(0x01 || left || right); the tree shape for any size follows RFC 9162
section 2.1.1, so proofs interoperate with other RFC 9162 verifiers.
Checkpoints (size, root, time) are unsigned: they prove nothing against
someone who rewrites the whole record, and truncation is only visible against
a checkpoint kept elsewhere (an exported bundle). This module never says more.

Storage-independent: the store keeps (entry bytes, leaf hash) per row plus the
checkpoints, and calls :func:`verify_entries`; exports go through
:func:`write_bundle` / :func:`verify_bundle`.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from pathlib import Path
from typing import Any

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 9162: MTH({}) = HASH()
KINDS = frozenset(
    {"agreement", "agreement-ended", "message", "messages", "journal", "correction", "deleted", "contact", "import"}
)
_REQUIRED_KEYS = ("at", "body", "kind", "seq")
_sha256 = hashlib.sha256


_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8, no NaN: the one byte form a value hashes as."""
    return _ENCODER.encode(value).encode()


def _check_time(value: object, what: str) -> str:
    """An ISO-8601 time with an offset; naive times would make records ambiguous across moves."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{what} is not an ISO-8601 time: {value!r}") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{what} has no UTC offset: {value!r}")
    return value


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def make_entry(seq: int, kind: str, body: Any, at: str | None = None, **extra: Any) -> bytes:
    """The canonical bytes of one record entry; ``extra`` keys (e.g. ``refers_to``) are kept."""
    entry = {**extra, "seq": seq, "at": at or now_iso(), "kind": kind, "body": body}
    data = canonical_json(entry)
    parse_entry(data)
    return data


def parse_entry(data: bytes) -> dict[str, Any]:
    """Decode an entry and insist it is in canonical form, so one entry has exactly one byte form."""
    try:
        entry = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"entry is not UTF-8 JSON: {exc}") from None
    if not isinstance(entry, dict) or any(key not in entry for key in _REQUIRED_KEYS):
        raise ValueError(f"entry must be an object with {', '.join(_REQUIRED_KEYS)}")
    seq = entry["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError("entry seq must be a non-negative integer")
    if entry["kind"] not in KINDS:
        raise ValueError(f"unknown entry kind {entry['kind']!r}")
    _check_time(entry["at"], "entry time")
    if canonical_json(entry) != data:
        raise ValueError("entry is not in canonical JSON form")
    return entry


def leaf_hash(entry: bytes) -> bytes:
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n >= 2): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleRoot:
    """O(log n) root accumulator: a stack of the roots of complete subtrees, largest first."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        self._stack: list[bytes] = []
        self.size = 0

    def add(self, leaf: bytes) -> None:
        """Add a leaf hash; merges equal-size subtrees like a binary counter carry."""
        n, h, stack = self.size, leaf, self._stack
        while n & 1:
            h = _sha256(b"\x01" + stack.pop() + h).digest()
            n >>= 1
        stack.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return EMPTY_ROOT
        h = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            h = _sha256(b"\x01" + left + h).digest()
        return h


def merkle_root(leaves: Iterable[bytes]) -> bytes:
    """MTH over leaf hashes (not entries)."""
    acc = MerkleRoot()
    for leaf in leaves:
        acc.add(leaf)
    return acc.root()


class MerkleLog:
    """An append-only Merkle log that can answer for any past size.

    Keeps every complete subtree root, level by level, in flat bytearrays
    (about 64 bytes per entry): appends cost one hash on average, and roots and
    proofs for any size cost O(log n) lookups instead of rehashing the log.
    """

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0

    @classmethod
    def from_leaf_hashes(cls, leaves: Iterable[bytes]) -> MerkleLog:
        log = cls()
        for leaf in leaves:
            log.append_leaf_hash(leaf)
        return log

    @classmethod
    def from_entries(cls, entries: Iterable[bytes]) -> MerkleLog:
        return cls.from_leaf_hashes(leaf_hash(entry) for entry in entries)

    def __len__(self) -> int:
        return self._size

    @property
    def size(self) -> int:
        return self._size

    def append(self, entry: bytes) -> tuple[int, bytes]:
        """Append entry bytes; returns (index, leaf hash) for the store to keep beside the entry."""
        leaf = leaf_hash(entry)
        return self.append_leaf_hash(leaf), leaf

    def append_leaf_hash(self, leaf: bytes) -> int:
        if len(leaf) != HASH_SIZE:
            raise ValueError("a leaf hash is 32 bytes")
        index = self._size
        self._size += 1
        levels, h, n, level = self._levels, leaf, self._size, 0
        levels[0] += h
        while n & 1 == 0:  # this level now holds a new complete pair: hash it one level up
            h = _sha256(b"\x01" + levels[level][-2 * HASH_SIZE : -HASH_SIZE] + h).digest()
            level += 1
            n >>= 1
            if level == len(levels):
                levels.append(bytearray())
            levels[level] += h
        return index

    def leaf_hash(self, index: int) -> bytes:
        self._check_index(index, self._size)
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def root(self, size: int | None = None) -> bytes:
        """The Merkle Tree Hash of the first ``size`` entries (default: all)."""
        size = self._check_size(size)
        return self._subtree(0, size) if size else EMPTY_ROOT

    def checkpoint(self, time: str | None = None, size: int | None = None) -> Checkpoint:
        size = self._check_size(size)
        return Checkpoint(size, self.root(size).hex(), time or now_iso())

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.3.1 PATH(index, D[0:size]), leaf-side sibling first."""
        size = self._check_size(size)
        self._check_index(index, size)
        proof: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo += k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """RFC 9162 2.1.4.1 PROOF(old_size, D[0:new_size]); empty when the sizes are equal."""
        new_size = self._check_size(new_size)
        if not 0 < old_size <= new_size:
            raise ValueError(f"consistency needs 0 < old size <= new size, got {old_size} and {new_size}")
        proof: list[bytes] = []
        lo, hi, m, complete = 0, new_size, old_size, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self._subtree(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self._subtree(lo, lo + k))
                lo, m, complete = lo + k, m - k, False
        if not complete:
            proof.append(self._subtree(lo, hi))
        proof.reverse()
        return proof

    def frontier(self) -> list[bytes]:
        """The roots of the complete subtrees the log is made of, largest first (enough to keep appending)."""
        roots, lo = [], 0
        for bit in reversed(range(self.size.bit_length())):
            if self.size >> bit & 1:
                roots.append(self._subtree(lo, lo + (1 << bit)))
                lo += 1 << bit
        return roots

    def _subtree(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a node of the RFC 9162 tree (lo is aligned to its left child's size)."""
        size = hi - lo
        if size & (size - 1) == 0:  # a complete subtree: stored
            level = size.bit_length() - 1
            at = (lo >> level) * HASH_SIZE
            return bytes(self._levels[level][at : at + HASH_SIZE])
        k = _split(size)
        return node_hash(self._subtree(lo, lo + k), self._subtree(lo + k, hi))

    def _check_size(self, size: int | None) -> int:
        if size is None:
            return self._size
        if not 0 <= size <= self._size:
            raise ValueError(f"size {size} is outside 0..{self._size}")
        return size

    @staticmethod
    def _check_index(index: int, size: int) -> None:
        if not 0 <= index < size:
            raise IndexError(f"index {index} is outside a log of {size} entries")


def _lsb(n: int) -> bool:
    return bool(n & 1)


def _hashes_ok(*hashes: bytes) -> bool:
    return all(isinstance(h, bytes | bytearray) and len(h) == HASH_SIZE for h in hashes)


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: does ``proof`` show leaf hash ``leaf`` at ``index`` in the tree of ``size``?"""
    if not 0 <= index < size or not _hashes_ok(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in proof:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: is the tree of ``new_size`` an append-only extension of the one of ``old_size``?"""
    if not 0 < old_size <= new_size or not _hashes_ok(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and hmac.compare_digest(old_root, new_root)
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while _lsb(fn):
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if _lsb(fn) or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not _lsb(fn):
                while not _lsb(fn) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)


_CHECKPOINT_HEADER = "levelhead-checkpoint/1"


@dataclass(frozen=True)
class Checkpoint:
    """What the log looked like at a time: size, Merkle root (lowercase hex) and an ISO-8601 time."""

    size: int
    root: str
    time: str

    def __post_init__(self) -> None:
        if not isinstance(self.size, int) or isinstance(self.size, bool) or self.size < 0:
            raise ValueError("checkpoint size must be a non-negative integer")
        if not isinstance(self.root, str) or len(self.root) != 2 * HASH_SIZE or self.root.strip("0123456789abcdef"):
            raise ValueError("checkpoint root must be 64 lowercase hex digits")
        _check_time(self.time, "checkpoint time")

    @property
    def root_bytes(self) -> bytes:
        return bytes.fromhex(self.root)

    @property
    def digest(self) -> str:
        """SHA-256 (hex) of the canonical text: stored beside a checkpoint so a changed time is noticed too."""
        return _sha256(self.to_text().encode()).hexdigest()

    def to_text(self) -> str:
        """The canonical text form: a header line, then size, root and time, one per line."""
        return f"{_CHECKPOINT_HEADER}\n{self.size}\n{self.root}\n{self.time}\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) != 5 or lines[0] != _CHECKPOINT_HEADER or lines[4] != "" or not lines[1].isdecimal():
            raise ValueError("not a levelhead checkpoint")
        checkpoint = cls(int(lines[1]), lines[2], lines[3])
        if checkpoint.to_text() != text:  # e.g. a leading zero in the size
            raise ValueError("checkpoint is not in canonical form")
        return checkpoint

    def to_json(self) -> bytes:
        return canonical_json({"root": self.root, "size": self.size, "time": self.time})

    @classmethod
    def from_json(cls, data: bytes) -> Checkpoint:
        try:
            value = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise ValueError("checkpoint is not UTF-8 JSON") from None
        if not isinstance(value, dict) or set(value) != {"root", "size", "time"}:
            raise ValueError("checkpoint must have exactly root, size and time")
        checkpoint = cls(value["size"], value["root"], value["time"])
        if checkpoint.to_json() != data:
            raise ValueError("checkpoint is not in canonical JSON form")
        return checkpoint


class Outcome(IntEnum):
    """Verification outcomes; the value is the ``levelhead verify`` exit code."""

    OK = 0
    ALTERED = 1  # the record's content (an entry, a leaf hash or a checkpoint) was changed
    UNREADABLE = 2  # the file does not read as an intact bundle


@dataclass(frozen=True)
class VerifyResult:
    outcome: Outcome
    message: str
    count: int = 0
    root: str | None = None
    first_bad_entry: int | None = None
    bad_checkpoint: int | None = None  # index into the checkpoints, in the order given
    bad_message: str | None = None  # uid of the first stored message that differs from its record entry

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def exit_code(self) -> int:
        return int(self.outcome)


def _altered(message: str, **fields: Any) -> VerifyResult:
    return VerifyResult(Outcome.ALTERED, message, **fields)


def verify_entries(
    entries: Iterable[bytes],
    checkpoints: Checkpoint | Iterable[Checkpoint],
    leaf_hashes: Iterable[bytes | str] | None = None,
    checkpoint_digests: Sequence[str] | None = None,
) -> VerifyResult:
    """Recompute the record and hold it against the stored leaf hashes and every checkpoint.

    ``leaf_hashes`` are the hashes stored beside the entries (bytes, or hex text
    as in a bundle). Reports the first entry whose recomputed leaf hash differs
    from the stored one; otherwise the first checkpoint whose root differs, or
    that claims more entries than there are (truncation). ``checkpoint_digests``
    (:attr:`Checkpoint.digest`, stored beside each checkpoint) cover the one
    field no root can: the checkpoint time. One pass with the O(log n) root
    stack inlined: a million entries take about 2 s.
    """
    cps = [checkpoints] if isinstance(checkpoints, Checkpoint) else list(checkpoints)
    if checkpoint_digests is not None:
        for i in range(max(len(cps), len(checkpoint_digests))):
            if i >= len(cps) or i >= len(checkpoint_digests) or cps[i].digest != checkpoint_digests[i]:
                return _altered(f"checkpoint {i} was altered or is missing (its digest differs)", bad_checkpoint=i)
    order = sorted(range(len(cps)), key=lambda i: cps[i].size)
    wanted = [(cps[i].size, cps[i].root_bytes, i) for i in order]
    wanted.append((-1, b"", -1))  # sentinel: no size matches it
    w = 0
    while wanted[w][0] == 0:
        if wanted[w][1] != EMPTY_ROOT:
            return _altered(
                f"checkpoint {wanted[w][2]} (size 0) does not match an empty record", bad_checkpoint=wanted[w][2]
            )
        w += 1

    stored: Iterator[bytes | str] | None = iter(leaf_hashes) if leaf_hashes is not None else None
    first_bad: int | None = None
    bad_reason = ""
    checked_after_bad = failed_after_bad = False
    stack: list[bytes] = []
    n = 0
    sha = _sha256
    for entry in entries:
        h = sha(b"\x00" + entry)
        leaf = h.digest()
        if stored is not None and first_bad is None:
            want = next(stored, None)
            if want is None:
                first_bad, bad_reason = n, "has no stored leaf hash"
            elif not (h.hexdigest() == want if isinstance(want, str) else hmac.compare_digest(leaf, want)):
                first_bad, bad_reason = n, "does not match its stored leaf hash"
        carry, node = n, leaf
        while carry & 1:  # MerkleRoot.add, inlined: this loop is the hot path
            node = sha(b"\x01" + stack.pop() + node).digest()
            carry >>= 1
        stack.append(node)
        n += 1
        while wanted[w][0] == n:
            if not hmac.compare_digest(_fold(stack), wanted[w][1]):
                if first_bad is None:
                    return _checkpoint_failed(wanted[w][2], cps, order)
                failed_after_bad = True
            checked_after_bad = first_bad is not None
            w += 1
    if first_bad is None and stored is not None and next(stored, None) is not None:
        return _altered(f"entry {n} is missing: there are more stored leaf hashes than entries", first_bad_entry=n)
    if first_bad is not None:
        if checked_after_bad and not failed_after_bad:
            bad_reason += " (the entry matches the checkpoints: the stored leaf hash was altered)"
        return _altered(f"entry {first_bad} {bad_reason}", first_bad_entry=first_bad)
    if wanted[w][0] > n:
        size, _, index = wanted[w]
        return _altered(
            f"checkpoint {index} says the record had {size} entries but only {n} are present: the record was truncated",
            count=n,
            first_bad_entry=n,
            bad_checkpoint=index,
        )
    root = _fold(stack).hex()
    return VerifyResult(Outcome.OK, f"{n} entries verified against {len(cps)} checkpoint(s)", count=n, root=root)


def _fold(stack: list[bytes]) -> bytes:
    if not stack:
        return EMPTY_ROOT
    h = stack[-1]
    for left in reversed(stack[:-1]):
        h = _sha256(b"\x01" + left + h).digest()
    return h


def _checkpoint_failed(index: int, cps: list[Checkpoint], order: list[int]) -> VerifyResult:
    """A root mismatch with every leaf hash intact: the change lies after the last good checkpoint."""
    size = cps[index].size
    earlier = [cps[i].size for i in order if cps[i].size < size]
    start = max(earlier, default=0)
    where = f"entries {start}..{size - 1}" if size - 1 > start else f"entry {start}"
    return _altered(
        f"checkpoint {index} (size {size}) does not match the record: either the checkpoint or one of {where} "
        "was changed together with its stored leaf hash",
        bad_checkpoint=index,
    )


# --- Export bundles -------------------------------------------------------------------------------------------
#
# A bundle is a zip (stored, not compressed, so any zip tool can read it) of:
#   entries.jsonl      one canonical entry per line
#   leaves.txt         the stored leaf hash of each entry, hex, one per line: names the first bad entry
#   checkpoints.jsonl  one canonical checkpoint per line
#   manifest.json      format, version, count, root, sha256 of each other file and of each checkpoint line
# The zip comment is a fixed-size footer holding the SHA-256 of every byte before it, so a change to any byte,
# including those zipfile ignores (timestamps, extra fields, version bytes), is never read as ok.

BUNDLE_FORMAT = "levelhead-bundle"
BUNDLE_VERSION = 1
_ENTRIES, _LEAVES, _CHECKPOINTS, _MANIFEST = "entries.jsonl", "leaves.txt", "checkpoints.jsonl", "manifest.json"
_MEMBERS = (_CHECKPOINTS, _ENTRIES, _LEAVES, _MANIFEST)  # sorted: the order they are written in
_FOOTER_PREFIX = b"levelhead-bundle/1 sha256="
_FOOTER_SIZE = len(_FOOTER_PREFIX) + 2 * HASH_SIZE
_EOCD = struct.Struct("<4s4H2LH")  # end of central directory record, without the comment
_LOCAL = struct.Struct("<4s5H3L2H")  # local file header
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def write_bundle(path: str | os.PathLike[str], entries: Iterable[bytes], checkpoints: Iterable[Checkpoint]) -> str:
    """Write a deterministic, self-verifying export bundle; returns its root (hex).

    Refuses entries that are not canonical or a record that does not match its
    checkpoints: an export must never launder a damaged record into a clean file.
    """
    entry_list = list(entries)
    for i, entry in enumerate(entry_list):
        if parse_entry(entry)["seq"] != i:
            raise ValueError(f"entry {i} has seq {parse_entry(entry)['seq']}")
    cps = list(checkpoints)
    leaves = [leaf_hash(entry) for entry in entry_list]
    check = verify_entries(entry_list, cps, leaves)
    if not check.ok:
        raise ValueError(f"refusing to export a record that does not verify: {check.message}")
    assert check.root is not None
    cp_lines = [cp.to_json() + b"\n" for cp in cps]
    files = {
        _ENTRIES: b"".join(entry + b"\n" for entry in entry_list),
        _LEAVES: b"".join(leaf.hex().encode() + b"\n" for leaf in leaves),
        _CHECKPOINTS: b"".join(cp_lines),
    }
    manifest = {
        "format": BUNDLE_FORMAT,
        "version": BUNDLE_VERSION,
        "count": len(entry_list),
        "root": check.root,
        "files": {name: _sha256(data).hexdigest() for name, data in sorted(files.items())},
        "checkpoint_digests": [cp.digest for cp in cps],
    }
    files[_MANIFEST] = canonical_json(manifest) + b"\n"

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in _MEMBERS:
            info = zipfile.ZipInfo(name, _ZIP_EPOCH)
            info.create_system = 3  # the platform default differs on Windows; fixed keeps bundles identical
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
        archive.comment = _FOOTER_PREFIX + b"0" * (2 * HASH_SIZE)  # placeholder of the final length
    data = bytearray(buffer.getvalue())
    data[-2 * HASH_SIZE :] = _sha256(data[:-_FOOTER_SIZE]).hexdigest().encode()
    write_atomic(Path(path), bytes(data))
    return check.root


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: a crash leaves the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class _NotABundle(Exception):
    """Internal: the file does not read as an intact bundle (exit code 2)."""


def _unreadable(message: str) -> VerifyResult:
    return VerifyResult(Outcome.UNREADABLE, message)


def verify_bundle(path: str | os.PathLike[str]) -> VerifyResult:
    """Verify an exported bundle offline.

    Exit-code classes: 0 ok; 1 the record's content was altered (names the
    first bad entry, or the checkpoint); 2 the file is unreadable or no longer
    reads as an intact bundle (zip structure, manifest, footer).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return _unreadable(f"cannot read the bundle: {exc.strerror or exc}")
    return verify_bundle_bytes(data)


def verify_bundle_bytes(data: bytes) -> VerifyResult:
    """:func:`verify_bundle` on the bundle's bytes."""
    try:
        members, footer_ok = _open_bundle(data)
        manifest = _read_manifest(members[_MANIFEST])
    except _NotABundle as exc:
        return _unreadable(f"not a levelhead bundle: {exc}")

    result = _verify_content(members, manifest)
    if not result.ok:
        return result
    if manifest["count"] != result.count or manifest["root"] != result.root:
        return _unreadable("the manifest does not match the record (count or root)")
    for name in (_ENTRIES, _LEAVES, _CHECKPOINTS):
        if _sha256(members[name]).hexdigest() != manifest["files"][name]:
            return _unreadable(f"{name} does not match the sha256 in the manifest")
    if not footer_ok:
        return _unreadable("the bundle file was altered outside the record (zip headers or footer)")
    return result


def _open_bundle(data: bytes) -> tuple[dict[str, bytes], bool]:
    """Split the file into member contents, cross-checking every header; report whether the footer hash holds."""
    tail = data[-_FOOTER_SIZE - _EOCD.size :]
    if len(tail) != _FOOTER_SIZE + _EOCD.size:
        raise _NotABundle("too short")
    eocd = _EOCD.unpack(tail[: _EOCD.size])
    footer = tail[_EOCD.size :]
    if eocd[0] != b"PK\x05\x06" or eocd[-1] != _FOOTER_SIZE or not footer.startswith(_FOOTER_PREFIX):
        raise _NotABundle("no bundle footer")
    digest = footer[len(_FOOTER_PREFIX) :]
    if digest.strip(b"0123456789abcdef"):
        raise _NotABundle("the footer hash is not lowercase hex")
    footer_ok = hmac.compare_digest(_sha256(memoryview(data)[:-_FOOTER_SIZE]).hexdigest().encode(), digest)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except Exception as exc:  # zipfile raises many, version-dependent types on damaged input
        raise _NotABundle(f"the zip structure is damaged ({exc})") from None
    if tuple(info.filename for info in infos) != _MEMBERS:
        raise _NotABundle("unexpected files in the zip")

    # Members must tile the file exactly, in order, each local header agreeing with the central directory.
    members: dict[str, bytes] = {}
    offset = 0
    for info in infos:
        if info.header_offset != offset or info.compress_type != zipfile.ZIP_STORED or info.flag_bits != 0:
            raise _NotABundle(f"{info.filename}: unexpected zip layout")
        local = _LOCAL.unpack_from(data, offset) if len(data) >= offset + _LOCAL.size else None
        name = info.filename.encode()
        expected = (b"PK\x03\x04", info.flag_bits, info.compress_type, info.CRC, info.compress_size, info.file_size)
        if local is None or (local[0], *local[2:4], *local[6:9]) != expected or local[9:] != (len(name), 0):
            raise _NotABundle(f"{info.filename}: local header does not match the central directory")
        start = offset + _LOCAL.size + len(name)
        if data[offset + _LOCAL.size : start] != name or info.file_size != info.compress_size:
            raise _NotABundle(f"{info.filename}: local header does not match the central directory")
        offset = start + info.file_size
        members[info.filename] = data[start:offset]
    central_size, central_offset = eocd[5], eocd[6]
    if central_offset != offset or central_offset + central_size != len(data) - _FOOTER_SIZE - _EOCD.size:
        raise _NotABundle("unexpected zip layout")
    for info in infos:
        # CRC last: a flipped byte inside entries or checkpoints should be reported as the entry it is in.
        if info.filename == _MANIFEST and zlib.crc32(members[_MANIFEST]) != info.CRC:
            raise _NotABundle("manifest.json is damaged (CRC mismatch)")
    return members, footer_ok


def _read_manifest(data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _NotABundle("manifest.json is not JSON") from None
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != BUNDLE_FORMAT
        or manifest.get("version") != BUNDLE_VERSION
        or not isinstance(manifest.get("count"), int)
        or not isinstance(manifest.get("root"), str)
        or not isinstance(manifest.get("files"), dict)
        or set(manifest["files"]) != {_ENTRIES, _LEAVES, _CHECKPOINTS}
        or not isinstance(manifest.get("checkpoint_digests"), list)
        or canonical_json(manifest) + b"\n" != data
    ):
        raise _NotABundle("manifest.json is not a version-1 levelhead manifest")
    return manifest


def _verify_content(members: dict[str, bytes], manifest: dict[str, Any]) -> VerifyResult:
    checkpoints: list[Checkpoint] = []
    for i, line in enumerate(_split_lines(members[_CHECKPOINTS])):
        try:
            checkpoints.append(Checkpoint.from_json(line))
        except ValueError as exc:
            return _altered(f"checkpoint {i} is damaged: {exc}", bad_checkpoint=i)
    leaf_lines = [line.decode("ascii", errors="replace") for line in _split_lines(members[_LEAVES])]
    entries = _split_lines(members[_ENTRIES])
    return verify_entries(entries, checkpoints, leaf_lines, checkpoint_digests=manifest["checkpoint_digests"])


def _split_lines(data: bytes) -> list[bytes]:
    """Lines of a newline-terminated file; a missing final newline keeps the last line as-is (and it won't match)."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines
