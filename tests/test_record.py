"""The tamper-evident record: RFC 9162 hashes and proofs, damaged proofs, verification and export bundles."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead.record import (
    EMPTY_ROOT,
    Checkpoint,
    MerkleLog,
    MerkleRoot,
    Outcome,
    leaf_hash,
    make_entry,
    merkle_root,
    node_hash,
    parse_entry,
    verify_bundle,
    verify_bundle_bytes,
    verify_consistency,
    verify_entries,
    verify_inclusion,
    write_bundle,
)

T0 = "2025-03-01T08:00:00+00:00"
T1 = "2025-03-02T08:00:00+00:00"


# --- Reference implementations, straight from RFC 9162 section 2.1 (recursive, slow, obviously right) -----------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _k(len(leaves))
    return node_hash(ref_mth(leaves[:k]), ref_mth(leaves[k:]))


def ref_path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _k(len(leaves))
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [ref_mth(leaves)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, leaves[:k], complete), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def entries_of(count: int) -> list[bytes]:
    return [make_entry(seq, "message", f"pickup moved to {seq % 12 + 1} pm", at=T0) for seq in range(count)]


LEAVES = [leaf_hash(bytes([i])) for i in range(70)]
LOG = MerkleLog.from_leaf_hashes(LEAVES)


# --- Hashes and tree shape ------------------------------------------------------------------------------------


def test_rfc6962_test_vectors() -> None:
    # The leaf inputs and roots used by the Certificate Transparency reference implementations.
    inputs = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58))]
    inputs.append(bytes(range(0x60, 0x70)))
    roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    log = MerkleLog()
    for size, (data, root) in enumerate(zip(inputs, roots, strict=True), start=1):
        log.append(data)
        assert log.root().hex() == root, size
    assert MerkleLog().root() == EMPTY_ROOT == hashlib.sha256(b"").digest()


def test_roots_match_the_reference_for_every_size() -> None:
    acc = MerkleRoot()
    for size in range(len(LEAVES) + 1):
        assert LOG.root(size) == ref_mth(LEAVES[:size]) == merkle_root(LEAVES[:size])
        assert acc.root() == LOG.root(size)
        if size < len(LEAVES):
            acc.add(LEAVES[size])


def test_append_returns_index_and_leaf_hash() -> None:
    log = MerkleLog()
    entry = make_entry(0, "agreement", {"text": "handovers at school"}, at=T0)
    assert log.append(entry) == (0, hashlib.sha256(b"\x00" + entry).digest())
    assert log.leaf_hash(0) == leaf_hash(entry)
    assert len(log) == log.size == 1
    with pytest.raises(IndexError):
        log.leaf_hash(1)
    with pytest.raises(ValueError):
        log.root(2)


def test_a_large_log_is_built_fast() -> None:
    log = MerkleLog.from_leaf_hashes(leaf_hash(i.to_bytes(4, "big")) for i in range(50_000))
    assert log.root() == merkle_root(log.leaf_hash(i) for i in range(50_000))
    assert verify_inclusion(log.leaf_hash(12_345), 12_345, 50_000, log.inclusion_proof(12_345), log.root())


# --- Proofs ---------------------------------------------------------------------------------------------------


def test_inclusion_proofs_match_the_reference_and_verify() -> None:
    for size in range(1, 40):
        root = LOG.root(size)
        for index in range(size):
            proof = LOG.inclusion_proof(index, size)
            assert proof == ref_path(index, LEAVES[:size])
            assert verify_inclusion(LEAVES[index], index, size, proof, root)


def test_consistency_proofs_match_the_reference_and_verify() -> None:
    for new in range(1, 40):
        for old in range(1, new + 1):
            proof = LOG.consistency_proof(old, new)
            assert proof == ref_subproof(old, LEAVES[:new], True)
            assert verify_consistency(old, new, LOG.root(old), LOG.root(new), proof)


def test_proof_arguments_out_of_range() -> None:
    with pytest.raises(IndexError):
        LOG.inclusion_proof(10, 10)
    for old, new in ((0, 5), (6, 5), (3, 71)):
        with pytest.raises(ValueError):
            LOG.consistency_proof(old, new)


def _flip(h: bytes, bit: int) -> bytes:
    damaged = bytearray(h)
    damaged[bit // 8] ^= 1 << (bit % 8)
    return bytes(damaged)


def _proof_damages(proof: list[bytes]) -> Iterator[tuple[str, list[bytes]]]:
    """Every element in turn: a bit flipped (first, middle, last bit), removed, or an element added beside it."""
    for i, h in enumerate(proof):
        for bit in (0, 131, 255):
            yield f"bit {bit} of element {i}", [*proof[:i], _flip(h, bit), *proof[i + 1 :]]
        yield f"element {i} removed", proof[:i] + proof[i + 1 :]
    for i in range(len(proof) + 1):
        for extra in (EMPTY_ROOT, proof[i - 1] if i else LEAVES[0]):
            yield f"element added at {i}", [*proof[:i], extra, *proof[i:]]


def _index_damages(n: int) -> set[int]:
    return {n + 1, n - 1, n * 2, n // 2} - {n}


def _size_damages(n: int) -> set[int]:
    # Not n +- 1: an RFC 9162 proof does not encode the tree size, so a size whose path has the same shape passes
    # (e.g. index 0 of 3 vs 4). The checkpoint binds size to root; see test_a_changed_checkpoint_fails.
    return {n * 2, n // 2} - {n}


def test_every_damaged_inclusion_proof_is_rejected() -> None:
    checked = 0
    for size in [*range(1, 34), 64, 65]:
        root = LOG.root(size)
        for index in range(size):
            leaf, proof = LEAVES[index], LOG.inclusion_proof(index, size)
            damaged: list[tuple[str, bytes, int, int, list[bytes], bytes]] = []
            damaged += [(f"index {i}", leaf, i, size, proof, root) for i in _index_damages(index)]
            damaged += [(f"size {n}", leaf, index, n, proof, root) for n in _size_damages(size)]
            damaged += [(what, leaf, index, size, bad, root) for what, bad in _proof_damages(proof)]
            damaged.append(("leaf flipped", _flip(leaf, 7), index, size, proof, root))
            damaged.append(("root flipped", leaf, index, size, proof, _flip(root, 200)))
            for what, d_leaf, d_index, d_size, d_proof, d_root in damaged:
                accepted = verify_inclusion(d_leaf, d_index, d_size, d_proof, d_root)
                assert not accepted, f"size {size}, index {index}: {what} accepted"
                checked += 1
    assert checked > 10_000


def test_every_damaged_consistency_proof_is_rejected() -> None:
    checked = 0
    for new in [*range(1, 34), 64, 65]:
        for old in range(1, new + 1):
            r1, r2, proof = LOG.root(old), LOG.root(new), LOG.consistency_proof(old, new)
            damaged: list[tuple[str, int, int, bytes, bytes, list[bytes]]] = []
            damaged += [(f"old size {o}", o, new, r1, r2, proof) for o in _index_damages(old)]
            damaged += [(f"new size {n}", old, n, r1, r2, proof) for n in _size_damages(new)]
            damaged += [(what, old, new, r1, r2, bad) for what, bad in _proof_damages(proof)]
            damaged.append(("old root flipped", old, new, _flip(r1, 9), r2, proof))
            damaged.append(("new root flipped", old, new, r1, _flip(r2, 9), proof))
            for what, d_old, d_new, d_r1, d_r2, d_proof in damaged:
                accepted = verify_consistency(d_old, d_new, d_r1, d_r2, d_proof)
                assert not accepted, f"{old} -> {new}: {what} accepted"
                checked += 1
    assert checked > 10_000


def test_proof_verifiers_reject_malformed_input_without_raising() -> None:
    proof = LOG.inclusion_proof(3, 10)
    assert not verify_inclusion(LEAVES[3][:31], 3, 10, proof, LOG.root(10))
    assert not verify_inclusion(LEAVES[3], -1, 10, proof, LOG.root(10))
    assert not verify_inclusion(LEAVES[3], 3, 10, [*proof[:-1], b"short"], LOG.root(10))
    assert not verify_consistency(0, 10, EMPTY_ROOT, LOG.root(10), [])
    assert not verify_consistency(4, 10, LOG.root(4), LOG.root(10), [])
    assert verify_consistency(10, 10, LOG.root(10), LOG.root(10), [])


# --- Entries and checkpoints ----------------------------------------------------------------------------------


def test_entries_are_canonical_json() -> None:
    entry = make_entry(3, "correction", {"text": "Pickup is at 5 pm 🙂", "of": 2}, at=T0, refers_to=2)
    assert (
        entry
        == (
            '{"at":"2025-03-01T08:00:00+00:00","body":{"of":2,"text":"Pickup is at 5 pm 🙂"},'
            '"kind":"correction","refers_to":2,"seq":3}'
        ).encode()
    )
    assert parse_entry(entry)["refers_to"] == 2
    for bad in (
        b'{"at": "2025-03-01T08:00:00+00:00","body":1,"kind":"message","seq":0}',  # a space
        b'{"body":1,"at":"2025-03-01T08:00:00+00:00","kind":"message","seq":0}',  # key order
        b'{"at":"2025-03-01T08:00:00","body":1,"kind":"message","seq":0}',  # no offset
        b'{"at":"2025-03-01T08:00:00+00:00","body":1,"kind":"gossip","seq":0}',
        b'{"at":"2025-03-01T08:00:00+00:00","body":1,"kind":"message","seq":-1}',
        b'{"at":"2025-03-01T08:00:00+00:00","kind":"message","seq":0}',
        b"\xff",
        b"[]",
    ):
        with pytest.raises(ValueError):
            parse_entry(bad)


def test_checkpoint_text_form_round_trips_and_is_strict() -> None:
    cp = LOG.checkpoint(T0, 7)
    assert cp.to_text() == f"levelhead-checkpoint/1\n7\n{LOG.root(7).hex()}\n{T0}\n"
    assert Checkpoint.from_text(cp.to_text()) == cp
    assert Checkpoint.from_json(cp.to_json()) == cp
    text = cp.to_text()
    for bad in (text.replace("\n7\n", "\n07\n"), text.upper(), text[:-1], text + "\n", "x" + text):
        with pytest.raises(ValueError):
            Checkpoint.from_text(bad)
    with pytest.raises(ValueError):
        Checkpoint(-1, cp.root, T0)
    with pytest.raises(ValueError):
        Checkpoint(7, cp.root.upper(), T0)
    with pytest.raises(ValueError):
        Checkpoint(7, cp.root, "yesterday")


# --- Verifying a stored record --------------------------------------------------------------------------------

ENTRIES = entries_of(40)
STORED = [leaf_hash(e) for e in ENTRIES]
LOG40 = MerkleLog.from_entries(ENTRIES)
CPS = [LOG40.checkpoint(T0, 10), LOG40.checkpoint(T0, 25), LOG40.checkpoint(T1)]


def test_an_intact_record_verifies() -> None:
    result = verify_entries(ENTRIES, CPS, STORED)
    assert result.ok and result.exit_code == 0
    assert (result.count, result.root) == (40, LOG40.root().hex())
    assert verify_entries(ENTRIES, CPS[-1]).ok
    assert verify_entries([], [Checkpoint(0, EMPTY_ROOT.hex(), T0)], []).ok


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_single_changed_byte_in_any_entry_is_found(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(ENTRIES) - 1))
    entry = ENTRIES[index]
    position = data.draw(st.integers(0, len(entry) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != entry[position]))
    damaged = list(ENTRIES)
    damaged[index] = entry[:position] + bytes([value]) + entry[position + 1 :]

    with_leaves = verify_entries(damaged, CPS, STORED)
    assert with_leaves.outcome is Outcome.ALTERED and with_leaves.exit_code == 1
    assert with_leaves.first_bad_entry == index
    assert f"entry {index} " in with_leaves.message

    without_leaves = verify_entries(damaged, CPS)  # only the checkpoints: the entry lies in a range
    assert without_leaves.outcome is Outcome.ALTERED
    assert without_leaves.bad_checkpoint == next(i for i, cp in enumerate(CPS) if cp.size > index)


def test_a_changed_stored_leaf_hash_is_named_as_such() -> None:
    stored = list(STORED)
    stored[17] = _flip(stored[17], 3)
    result = verify_entries(ENTRIES, CPS, stored)
    assert result.first_bad_entry == 17
    assert "stored leaf hash was altered" in result.message


def test_entry_and_leaf_hash_changed_together_fail_the_checkpoint() -> None:
    entries = list(ENTRIES)
    entries[12] = make_entry(12, "message", "I never agreed to that", at=T0)
    result = verify_entries(entries, CPS, [leaf_hash(e) for e in entries])
    assert not result.ok and result.bad_checkpoint == 1
    assert "entries 10..24" in result.message


def test_truncation_is_found_against_a_checkpoint() -> None:
    result = verify_entries(ENTRIES[:30], CPS, STORED[:30])
    assert not result.ok and result.bad_checkpoint == 2 and "truncated" in result.message


def test_missing_or_extra_stored_leaf_hashes() -> None:
    assert verify_entries(ENTRIES, CPS, STORED[:39]).first_bad_entry == 39
    assert verify_entries(ENTRIES[:39], [], STORED).first_bad_entry == 39


def test_a_changed_checkpoint_fails() -> None:
    for damaged in (
        Checkpoint(25, CPS[0].root, T0),
        Checkpoint(10, _flip(CPS[0].root_bytes, 0).hex(), T0),
        Checkpoint(0, CPS[0].root, T0),
        Checkpoint(9, CPS[0].root, T0),
        Checkpoint(11, CPS[0].root, T0),
        Checkpoint(10, CPS[0].root, "2025-03-01T08:00:00+01:00"),
    ):
        damaged_cps = [damaged, *CPS[1:]]
        if damaged.size == 10 and damaged.root == CPS[0].root:  # only the time changed: no root can notice that
            assert verify_entries(ENTRIES, damaged_cps, STORED).ok
        result = verify_entries(ENTRIES, damaged_cps, STORED, checkpoint_digests=[cp.digest for cp in CPS])
        assert not result.ok and result.bad_checkpoint == 0, damaged


# --- Export bundles -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    entries = entries_of(4)
    log = MerkleLog.from_entries(entries)
    path = tmp_path_factory.mktemp("bundle") / "small.zip"
    write_bundle(path, entries, [log.checkpoint(T0, 2), log.checkpoint(T1)])
    return path.read_bytes()


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "record.zip"
    write_bundle(path, ENTRIES, CPS)
    return path


def test_bundle_verifies_and_is_a_plain_zip(bundle_path: Path) -> None:
    result = verify_bundle(bundle_path)
    assert result.ok and result.count == 40 and result.root == LOG40.root().hex()
    with zipfile.ZipFile(bundle_path) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["checkpoints.jsonl", "entries.jsonl", "leaves.txt", "manifest.json"]
        assert archive.read("entries.jsonl") == b"".join(e + b"\n" for e in ENTRIES)
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_bundle_is_deterministic(bundle_path: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.zip"
    write_bundle(again, ENTRIES, CPS)
    assert again.read_bytes() == bundle_path.read_bytes()


def test_empty_record_bundle(tmp_path: Path) -> None:
    path = tmp_path / "empty.zip"
    write_bundle(path, [], [Checkpoint(0, EMPTY_ROOT.hex(), T0)])
    assert verify_bundle(path).ok


def test_every_single_byte_change_is_never_ok(small_bundle: bytes) -> None:
    """Exhaustive: every position, several values; content changes are exit 1, everything else exit 2."""
    assert verify_bundle_bytes(small_bundle).ok
    outcomes = set()
    for position in range(len(small_bundle)):
        for mask in (0x01, 0x80, 0xFF):
            damaged = bytearray(small_bundle)
            damaged[position] ^= mask
            result = verify_bundle_bytes(bytes(damaged))
            assert not result.ok, f"byte {position} ^ {mask:#x} read as ok"
            outcomes.add(result.outcome)
    assert outcomes == {Outcome.ALTERED, Outcome.UNREADABLE}


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_single_byte_changes_are_never_ok(bundle_path: Path, data: st.DataObject) -> None:
    original = bundle_path.read_bytes()
    position = data.draw(st.integers(0, len(original) - 1))
    value = data.draw(st.integers(0, 255).filter(lambda v: v != original[position]))
    damaged = original[:position] + bytes([value]) + original[position + 1 :]
    assert verify_bundle_bytes(damaged).exit_code in (1, 2)


def _member_offset(bundle: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        info = archive.getinfo(name)
    return info.header_offset + 30 + len(name)


@pytest.mark.parametrize("index", [0, 1, 17, 39])
def test_a_changed_entry_in_a_bundle_is_named(bundle_path: Path, tmp_path: Path, index: int) -> None:
    original = bundle_path.read_bytes()
    start = _member_offset(original, "entries.jsonl") + sum(len(e) + 1 for e in ENTRIES[:index])
    for position in (start, start + len(ENTRIES[index]) // 2, start + len(ENTRIES[index])):  # the newline too
        damaged = bytearray(original)
        damaged[position] ^= 0x04
        path = tmp_path / "damaged.zip"
        path.write_bytes(damaged)
        result = verify_bundle(path)
        assert (result.exit_code, result.first_bad_entry) == (1, index), result.message


def test_a_changed_checkpoint_time_in_a_bundle_is_named(bundle_path: Path) -> None:
    original = bundle_path.read_bytes()
    lines = [cp.to_json() + b"\n" for cp in CPS]
    start = _member_offset(original, "checkpoints.jsonl") + len(lines[0])
    position = start + lines[1].index(b"08:00:00")  # the hour of the second checkpoint's time
    damaged = bytearray(original)
    damaged[position] ^= 0x01
    result = verify_bundle_bytes(bytes(damaged))
    assert (result.exit_code, result.bad_checkpoint) == (1, 1), result.message


def test_unreadable_or_foreign_files_are_exit_2(bundle_path: Path, tmp_path: Path) -> None:
    original = bundle_path.read_bytes()
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("entries.jsonl", ENTRIES[0])
    for data in (b"", b"hello", original[:-1], original[:100], original + b"\x00", plain.getvalue()):
        assert verify_bundle_bytes(data).exit_code == 2
    assert verify_bundle(tmp_path / "missing.zip").exit_code == 2
    assert verify_bundle(tmp_path).exit_code == 2  # a directory


def test_write_bundle_refuses_a_bad_record(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not verify"):
        write_bundle(tmp_path / "x.zip", ENTRIES, [Checkpoint(10, CPS[1].root, T0)])
    with pytest.raises(ValueError, match="seq"):
        write_bundle(tmp_path / "x.zip", ENTRIES[1:], [])
    with pytest.raises(ValueError, match="canonical"):
        write_bundle(tmp_path / "x.zip", [ENTRIES[0].replace(b":", b": ", 1)], [])
    assert not (tmp_path / "x.zip").exists()
    assert list(tmp_path.iterdir()) == []
