"""The light tone reader's file access: mapped .npz arrays and in-place vocabulary search."""

from __future__ import annotations

import zipfile
from array import array
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead.tone import npz, vocab
from levelhead.tone.types import MODEL_PATH


def _npz_arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as loaded:
        return {name: loaded[name] for name in loaded.files}


def test_mapped_arrays_are_the_arrays_numpy_reads() -> None:
    mapped = npz.read_arrays(Path(MODEL_PATH))
    for name, expected in _npz_arrays(Path(MODEL_PATH)).items():
        view = mapped[name]
        if expected.dtype == np.float16:
            assert view.tobytes() == expected.astype("<f2").tobytes(), name
        else:
            assert view.tolist() == expected.ravel().tolist(), name


def test_a_compressed_file_reads_the_same(tmp_path: Path) -> None:
    arrays = {"a": np.arange(10, dtype=np.int64), "b": np.linspace(0, 1, 7, dtype=np.float32)}
    plain, packed = tmp_path / "plain.npz", tmp_path / "packed.npz"
    np.savez(plain, **arrays)  # type: ignore[arg-type]
    np.savez_compressed(packed, **arrays)  # type: ignore[arg-type]
    with zipfile.ZipFile(packed) as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    for path in (plain, packed):
        read = npz.read_arrays(path)
        assert read["a"].tolist() == list(range(10))
        assert read["b"].tolist() == arrays["b"].tolist()


def test_a_damaged_member_header_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    np.savez(path, a=np.arange(3))
    data = bytearray(path.read_bytes())
    data[0:4] = b"XXXX"  # the first local header's signature
    path.write_bytes(bytes(data))
    with pytest.raises((ValueError, zipfile.BadZipFile)):
        npz.read_arrays(path)


WORDS = sorted({"", "a", "ab", "abc", "b", "café", "cafe", "naïve", "zz", "😊", "x y", "it's", "neg_happy"} - {""})


def _lines(words: list[str]) -> vocab.SortedLines:
    blob = "\n".join(words).encode("utf-8")
    starts = array("I")
    starts.frombytes(vocab._starts_of(blob))
    return vocab.SortedLines(blob, starts)


FEATURE = st.text(st.characters(blacklist_characters="\n", blacklist_categories=("Cs",)), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(FEATURE, max_size=30), FEATURE)
def test_lines_are_found_exactly_where_a_sorted_list_has_them(words: list[str], probe: str) -> None:
    ordered = sorted(set(words) - {""})
    lines = _lines(ordered)
    assert len(lines) == len(ordered)
    for row, word in enumerate(ordered):
        assert lines.index(word) == row and lines[row] == word
    assert lines.index(probe) == (ordered.index(probe) if probe in ordered else -1)


def test_the_model_vocabulary_is_searched_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVELHEAD_CACHE_DIR", str(tmp_path))
    arrays = npz.read_arrays(Path(MODEL_PATH))
    for name in ("word_vocab", "char_vocab"):
        blob = arrays[name].tobytes()
        words = blob.decode("utf-8").split("\n")
        lines = vocab.SortedLines.of(blob, Path(MODEL_PATH), name)
        assert len(lines) == len(words)
        for row in range(0, len(words), 97):
            assert lines.index(words[row]) == row
        assert lines.index(words[-1]) == len(words) - 1
        assert lines.index("\x00 not a feature") == -1


def test_offsets_for_another_file_are_not_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVELHEAD_CACHE_DIR", str(tmp_path))
    model = tmp_path / "model.npz"
    model.write_bytes(b"x")
    first = vocab.SortedLines.of(b"a\nb", model, "word_vocab")
    assert first.index("b") == 1
    monkeypatch.setattr(vocab, "_line_starts", lambda *args: vocab._starts_of(b"a\nb"))
    other = vocab.SortedLines.of(b"aa\nbb\ncc", model, "word_vocab")  # stale offsets are noticed
    assert [other.index(w) for w in ("aa", "bb", "cc")] == [0, 1, 2]
