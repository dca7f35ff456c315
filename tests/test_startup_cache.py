"""The start-up caches: compiled regexes and parsed data files come back exactly as they were made."""

from __future__ import annotations

import dataclasses
import marshal
import os
import pickle
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from levelhead import codecache, datafiles, regexcache, tablecache
from levelhead.text import Draft
from tests.conftest import Run

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


def test_a_file_written_for_another_build_reads_as_empty(cache_dir: Path) -> None:
    regexcache.compile(FRAGMENTS[0])
    regexcache.save()
    path = regexcache.cache_path()
    assert path is not None
    build, entries = marshal.loads(path.read_bytes())
    assert (FRAGMENTS[0], 0) in entries
    path.write_bytes(marshal.dumps((build + " (another build)", entries)))  # as if two builds shared a name
    _fresh_process()
    assert regexcache._entries() == {}
    _same(regexcache.compile(FRAGMENTS[0]), re.compile(FRAGMENTS[0]))


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
    stale = {name: ((0, 0, 0), marshal.dumps({"stale": True}))}  # written for an older version of the file
    monkeypatch.setattr(datafiles._file, "loaded", stale)
    monkeypatch.setattr(datafiles._file, "new", {})
    assert "stale" not in datafiles.read_toml(name)


def test_a_data_file_changed_in_place_is_parsed_again(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One digit of a phone number changed, with the same size and modification time: never the stale number."""
    monkeypatch.setattr(datafiles._file, "loaded", None)
    monkeypatch.setattr(datafiles._file, "new", {})
    monkeypatch.setattr(datafiles, "_PACKAGE", tmp_path)
    data = tmp_path / "resources.toml"
    data.write_text('phone = "0800 111 222"\n')
    stat = data.stat()
    assert datafiles.read_toml("resources.toml") == {"phone": "0800 111 222"}
    datafiles.save()
    datafiles._file.loaded = None
    data.write_text('phone = "0800 111 223"\n')
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert datafiles.read_toml("resources.toml") == {"phone": "0800 111 223"}


def test_flags_given_as_regexflag_are_stored(cache_dir: Path) -> None:
    source = r"^(?P<lead>.*?)\byou need to\s+(?P<rest>.+?)$"
    regexcache.compile(source, re.IGNORECASE | re.DOTALL)
    regexcache.save()
    _fresh_process()
    assert (source, int(re.IGNORECASE | re.DOTALL)) in regexcache._entries()
    _same(regexcache.compile(source, re.I | re.S), re.compile(source, re.I | re.S))


# --- built tables (levelhead.tablecache) and dataclass code (levelhead.codecache) -----------------


@pytest.fixture
def tables(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tablecache._file, "loaded", None)
    monkeypatch.setattr(tablecache._file, "new", {})
    return cache_dir


def _fresh_tables() -> None:
    tablecache._file.loaded = None
    tablecache._file.new.clear()
    regexcache._file.loaded = None
    regexcache._file.new.clear()


def _phrase_hits(matcher: Any) -> list[list[tuple[int, int, int]]]:
    return [list(matcher._bucket_finditer(text.lower())) for text in SAMPLES + DRAFTS]


DRAFTS = [
    "I miss you so much, I can't stop crying. You never cared and you always lie.",
    "Could we swap Saturday pick-up to 10am? I'll bring the passports and the inhaler.",
    "I'm so angry. Honestly I hate how you did this, it's disgusting and I'm scared.",
]


def test_kept_tables_come_back_matching_exactly(tables: Path) -> None:
    from levelhead import emotion
    from levelhead.rules import _attachment, blame

    built = {
        "lexicon": emotion._lexicon.__wrapped__(),  # type: ignore[attr-defined]
        "book": _attachment._book.__wrapped__("attachment_neediness", None),  # type: ignore[attr-defined]
        "blame": blame._table.__wrapped__("blame"),  # type: ignore[attr-defined]
    }
    for key, value in built.items():
        tablecache.built(key, lambda value=value: value)
    tablecache.save()
    path = tablecache.cache_path()
    assert path is not None and path.exists()

    _fresh_tables()
    loaded = {key: tablecache.built(key, lambda: pytest.fail("built again, not loaded")) for key in built}
    assert not tablecache._file.new
    assert _phrase_hits(loaded["lexicon"].phrases) == _phrase_hits(built["lexicon"].phrases)
    assert _phrase_hits(loaded["book"].matcher) == _phrase_hits(built["book"].matcher)
    for text in DRAFTS:
        draft = Draft(text)
        assert list(loaded["blame"].scan(draft, 0, len(text))) == list(built["blame"].scan(draft, 0, len(text)))
    for name in ("intensifier_tail", "negator_tail", "after"):
        assert getattr(loaded["lexicon"], name) == getattr(built["lexicon"], name)  # same regex, same code


def test_a_damaged_or_foreign_table_is_built_again(tables: Path) -> None:
    tablecache.built("table", lambda: {"a": (1, 2)})
    tablecache.save()
    _fresh_tables()
    # A pickle that names something other than levelhead's own classes is refused, then rebuilt.
    tablecache._file.entries()["table"] = pickle.dumps(os.getcwd)
    assert tablecache.built("table", lambda: {"a": (1, 2)}) == {"a": (1, 2)}
    tablecache._file.entries()["table"] = b"\x80\x05not a pickle"
    assert tablecache.built("table", lambda: {"b": 3}) == {"b": 3}


def test_a_table_that_does_not_pickle_is_only_built(tables: Path) -> None:
    value = tablecache.built("lambda", lambda: {"f": lambda: 1})
    assert value["f"]() == 1
    assert "lambda" not in tablecache._file.new


def test_changed_code_gets_a_new_tables_file_and_the_old_one_goes(
    tables: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tablecache.built("t", lambda: [1])
    tablecache.save()
    first = tablecache.cache_path()
    assert first is not None and first.exists()
    monkeypatch.setattr(tablecache, "_build", lambda: "an-edited-install")
    _fresh_tables()
    assert tablecache.built("t", lambda: [2]) == [2]  # nothing carried over from other code
    tablecache.save()
    assert not first.exists() and tablecache.cache_path().exists()  # type: ignore[union-attr]


def test_editing_a_package_file_changes_the_build_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    module = package / "mod.py"
    module.write_text("A = 1\n")
    monkeypatch.setattr(tablecache, "_PACKAGE", package)
    before = tablecache._build.__wrapped__()
    module.write_text("A = 22\n")
    assert tablecache._build.__wrapped__() != before


def test_dataclass_code_runs_the_same_from_the_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codecache._file, "loaded", None)
    monkeypatch.setattr(codecache._file, "new", {})
    monkeypatch.setattr(dataclasses, "exec", codecache.cached_exec, raising=False)

    def make() -> type:
        @dataclasses.dataclass(frozen=True, order=True)
        class Point:
            x: int
            y: int = 2
            tags: tuple[str, ...] = ()

        return Point

    Point = make()
    assert codecache._file.new  # compiled once and remembered
    codecache.save()
    codecache._file.loaded = None
    codecache._file.new.clear()
    Again = make()
    assert not codecache._file.new  # every method came from the file
    assert Again(1) == Again(1, 2) and Again(1) < Again(2) and repr(Again(3)) == repr(Point(3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        Again(1).x = 5  # type: ignore[misc]


def test_the_users_words_never_reach_the_cache_folder(run: Run, home: Path) -> None:
    cache = home / "cache"
    env = {"LEVELHEAD_CACHE_DIR": str(cache)}
    assert run("init", env=env).returncode == 0
    assert run("agree", "add", "off-limits", "--topic", "zorbleflint quixotry", env=env).returncode == 0
    for _ in range(2):
        proc = run("check", "How is the zorbleflint going? Quixotry again?", "--goal", "logistics", env=env)
        assert proc.returncode in (0, 1), proc.stderr
    files = [f for f in cache.iterdir() if f.is_file()]
    assert {f.name.split("-")[0].split(".")[0] for f in files} >= {"regex", "tables", "code", "toml"}
    for f in files:
        data = f.read_bytes()
        assert b"zorbleflint" not in data and b"quixot" not in data and b"zorbl" not in data, f.name
