"""The start-up caches: compiled regexes and parsed data files come back exactly as they were made."""

from __future__ import annotations

import marshal
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead import datafiles, regexcache

SAMPLES = [
    "You always make this harder than it needs to be.",
    "I can pick the kids up on Saturday at 10.",
    "why do you never answer, it's ridiculous!!",
    "Café à 10h? 😊 — fine",
    "",
]

FRAGMENTS = [r"\bwords?\b", r"(?:you|u) (?:always|never)", r"(\d+)", r"[a-z']+", r"(?<![a-z])i'?m", r"\s*", r"x{2,3}"]


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEVELHEAD_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("LEVELHEAD_NO_CACHE", raising=False)
    monkeypatch.setattr(regexcache._file, "loaded", None)
    monkeypatch.setattr(regexcache._file, "new", {})
    return tmp_path


def _fresh_process() -> None:
    """What a new process sees: nothing loaded yet, nothing pending."""
    regexcache._file.loaded = None
    regexcache._file.new.clear()


def _same(a: re.Pattern[str], b: re.Pattern[str]) -> None:
    assert a == b  # flags, pattern text and the generated code
    assert (a.groups, a.groupindex) == (b.groups, b.groupindex)
    for text in SAMPLES:
        assert [m.span() for m in a.finditer(text)] == [m.span() for m in b.finditer(text)]
        assert [m.groupdict() for m in a.finditer(text)] == [m.groupdict() for m in b.finditer(text)]


def test_patterns_come_back_identical_from_the_cache_file(cache_dir: Path) -> None:
    sources = [*FRAGMENTS, r"(?P<n>\d+)(?=h)", "|".join(f"(?P<p{i}>{f})" for i, f in enumerate(FRAGMENTS[:3]))]
    for source in sources:
        regexcache.compile(source)
    regexcache.save()
    path = regexcache.cache_path()
    assert path is not None and path.parent == cache_dir and path.exists()

    _fresh_process()
    for source in sources:
        rebuilt = regexcache.compile(source)
        assert (source, 0) in regexcache._entries()  # served from the file
        _same(rebuilt, re.compile(source))
    assert not regexcache._file.new  # nothing new to write


def test_the_phrase_tables_match_the_same_through_the_cache(cache_dir: Path) -> None:
    from levelhead.rules import blame

    # The tables themselves may already be built in this process: compile their sources here.
    sources = [
        table._source(n) for name in blame._FILES for table in [blame._table(name)] for n in range(len(table._items))
    ]
    for source in sources:
        regexcache.compile(source)
    regexcache.save()
    _fresh_process()
    for source in sources:
        assert (source, 0) in regexcache._entries()
        _same(regexcache.compile(source), re.compile(source))


def test_a_damaged_cache_file_is_ignored(cache_dir: Path) -> None:
    regexcache.compile(FRAGMENTS[0])
    regexcache.save()
    path = regexcache.cache_path()
    assert path is not None
    path.write_bytes(b"\x00not a cache")
    _fresh_process()
    _same(regexcache.compile(FRAGMENTS[0]), re.compile(FRAGMENTS[0]))
    regexcache.save()  # rewritten whole
    _fresh_process()
    assert (FRAGMENTS[0], 0) in regexcache._entries()


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LEVELHEAD_CACHE_DIR", str(blocker / "cache"))
    monkeypatch.setattr(regexcache._file, "loaded", None)
    monkeypatch.setattr(regexcache._file, "new", {})
    _same(regexcache.compile(FRAGMENTS[1]), re.compile(FRAGMENTS[1]))
    regexcache.save()  # no error
    assert not list(tmp_path.glob("**/*.tmp"))


def test_the_cache_can_be_turned_off(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVELHEAD_NO_CACHE", "1")
    assert regexcache.cache_path() is None
    regexcache.compile(FRAGMENTS[2])
    regexcache.save()
    assert not list(cache_dir.iterdir())


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=4), st.sampled_from([0, re.IGNORECASE, re.MULTILINE]))
def test_any_pattern_round_trips(parts: list[str], flags: int) -> None:
    source = "|".join(parts)
    pattern = re.compile(source, flags)
    regexcache._remember(source, flags, pattern)
    entry = regexcache._file.new.pop((source, flags))
    _same(regexcache._rebuild(source, entry), pattern)


def _data_files() -> list[str]:
    root = resources.files("levelhead")
    return sorted(
        f"{folder}/{entry.name}"
        for folder in ("rules/data", "data", "triage/data")
        for entry in root.joinpath(folder).iterdir()
        if entry.name.endswith(".toml")
    )


def test_data_files_come_back_parsed_exactly(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datafiles._file, "loaded", None)
    monkeypatch.setattr(datafiles._file, "new", {})
    names = _data_files()
    assert len(names) > 5
    expected = {n: tomllib.loads(resources.files("levelhead").joinpath(n).read_text(encoding="utf-8")) for n in names}
    assert {n: datafiles.read_toml(n) for n in names} == expected
    datafiles.save()
    datafiles._file.loaded = None
    cached = {n: datafiles.read_toml(n) for n in names}
    assert cached == expected
    assert not datafiles._file.new  # all served from the cache file
    cached[names[0]]["changed"] = True  # each call gets its own object
    assert "changed" not in datafiles.read_toml(names[0])


def test_a_changed_data_file_is_parsed_again(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(datafiles._file, "loaded", None)
    monkeypatch.setattr(datafiles._file, "new", {})
    name = "data/resources.toml"
    datafiles.read_toml(name)
    stale = {name: (b"\x00" * 16, marshal.dumps({"stale": True}))}
    monkeypatch.setattr(datafiles._file, "loaded", stale)
    monkeypatch.setattr(datafiles._file, "new", {})
    assert "stale" not in datafiles.read_toml(name)


def test_flags_given_as_regexflag_are_stored(cache_dir: Path) -> None:
    source = r"^(?P<lead>.*?)\byou need to\s+(?P<rest>.+?)$"
    regexcache.compile(source, re.IGNORECASE | re.DOTALL)
    regexcache.save()
    _fresh_process()
    assert (source, int(re.IGNORECASE | re.DOTALL)) in regexcache._entries()
    _same(regexcache.compile(source, re.I | re.S), re.compile(source, re.I | re.S))
