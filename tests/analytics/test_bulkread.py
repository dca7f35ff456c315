"""The bulk read and the column-wise figures of ``levelhead stats`` give what the per-message way gave.

The reference below is the figures computed message by message, as ``compute`` did before it worked on
columns (pace_stats over the history, one zone conversion per message); the bulk read is held to
:meth:`Store.history`, on SQLite and on PostgreSQL, plain and encrypted.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from levelhead import pace_stats
from levelhead.analytics import compute, stats
from levelhead.situation import ContactWindow, Message, Situation
from levelhead.storage import DamagedDataError, Store, StoreError, WrongPassphraseError, bulkread
from levelhead.storage.store import ChatRow, StoredMessage
from levelhead.storage.view import StoredAgreement, merge_agreements
from tests.conftest import Run
from tests.storage.conftest import FAST_KDF

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
TEXTS = [
    "ok", "see you at the station tomorrow", "kids are fine 🙂", "  ", "naïve café — ünïcode", "İstanbul",
    "tab\tand\u00a0nbsp words", "line\nbreaks\u2028here", "", "a\x00b", "ok",
]  # fmt: skip
SIDES = ("me", "them")


def _chat(seed: int, count: int, start: datetime = T0) -> list[ChatRow]:
    """Messages seconds to days apart (some at the same moment), both sides, media and deleted ones."""
    rng = random.Random(seed)
    at, rows = start, []
    for _ in range(count):
        at += timedelta(seconds=rng.choice((0, 0, 30, 600, 7200, 30_000, 90_000, 400_000)))
        kind = rng.choices(("text", "media", "deleted"), (8, 1, 1))[0]
        rows.append((at, rng.choice(SIDES), kind, "" if kind == "deleted" else rng.choice(TEXTS)))
    return rows


def _fill(store: Store) -> list[ChatRow]:
    rows = _chat(1, 400)
    store.set_situation(Situation(timezone="Europe/London"))
    store.import_chat(rows[200:], sha256="1" * 64, kind="csv")
    store.import_chat(rows[:200], sha256="2" * 64, kind="csv")  # older messages stored after newer ones
    store.log_message("me", "logged by hand", at=rows[100][0])  # the same moment as an imported one
    store.add_agreement("window", {"days": "mon-fri", "from": "19:00", "to": "20:30"}, at=rows[50][0])
    store.add_agreement("window", {"days": "sat,sun", "from": "22:30", "to": "07:15"}, at=rows[120][0])
    gone = store.add_agreement("no-contact", {"until": rows[300][0].date().isoformat()}, at=rows[150][0])
    store.end_agreement(gone, "talked it over", at=rows[250][0])
    return rows


@pytest.mark.parametrize("encrypted", [False, True])
def test_the_bulk_read_is_the_stores_history(store_url: str, encrypted: bool) -> None:
    passphrase = "correct horse" if encrypted else None
    with Store.open(store_url) as store:
        store.init(encrypt=encrypted, passphrase=passphrase, kdf=FAST_KDF)
        _fill(store)
    with Store.open(store_url, passphrase) as store:
        messages, agreements = store.history(), store.agreements()
    stored = bulkread.read(store_url, passphrase)
    assert stored is not None and stored.timezone == "Europe/London" and stored.agreements == agreements
    ways = [stored, bulkread.read_database(store_url, passphrase)]
    if store_url.startswith("sqlite"):
        ways.append(bulkread.read_sqlite(Path(store_url.removeprefix("sqlite:///")), passphrase))
    want = bulkread.Conversation.of(messages)
    for way in ways:
        assert way is not None
        got = way.conversation
        assert got.at.tolist() == want.at.tolist() and got.from_me.tolist() == want.from_me.tolist()
        assert got.kind.tolist() == want.kind.tolist() and got.text == want.text
    zone = ZoneInfo("Europe/London")
    now = messages[-1].at + timedelta(days=2)
    for weeks in (1, 8):
        figures = compute(stored.conversation, stored.agreements, now=now, weeks=weeks, zone=zone, tone=False)
        assert figures == compute(messages, agreements, now=now, weeks=weeks, zone=zone, tone=False)
        _assert_as_before(figures, messages, agreements, now, weeks, zone)


def _assert_as_before(
    data: dict[str, Any], messages: Sequence[StoredMessage], agreements: Sequence[StoredAgreement],
    now: datetime, weeks: int, zone: tzinfo,
) -> None:  # fmt: skip
    """The figures, message by message, as compute worked them out before it used columns."""
    history = tuple(Message(m.at, "me" if m.direction == "me" else "them", m.text) for m in messages)
    since = now - timedelta(weeks=weeks)

    def week(at: datetime) -> str:
        day = at.astimezone(zone).date()
        return (day - timedelta(days=day.weekday())).isoformat()

    for side in SIDES:
        timed = pace_stats.timed_reply_delays(history, side)
        assert data["reply_delay"][side] == {
            "all_time": stats._delay_figures([d.total_seconds() for _, d in timed]),
            "recent": stats._delay_figures([d.total_seconds() for at, d in timed if at >= since]),
        }
        counted = [(m.at, len(m.text.split())) for m in messages if m.direction == side and m.kind == "text"]
        assert data["length"][side] == {
            "all_time": stats._length_figures([n for _, n in counted if n]),
            "recent": stats._length_figures([n for at, n in counted if n and at >= since]),
        }
        starts = [s for s in pace_stats.initiations(history) if s.sender == side]
        assert data["initiations"]["all_time"][side] == len(starts)
        assert data["initiations"]["recent"][side] == sum(1 for s in starts if s.at >= since)
        runs = pace_stats.runs(history)
        assert data["streaks"][side] == {
            "longest": max((n for s, n in runs if s == side), default=0),
            "current": runs[-1][1] if runs and runs[-1][0] == side else 0,
            "of_3_or_more": sum(1 for s, n in runs if s == side and n >= 3),
        }
        by_week = Counter(week(m.at) for m in messages if m.direction == side)
        started = Counter(week(s.at) for s in starts)
        replies: dict[str, list[float]] = {}
        for at, d in timed:
            replies.setdefault(week(at), []).append(d.total_seconds())
        for row in data["weekly"]:
            assert row[side] == by_week[row["start"]] and row[f"initiated_{side}"] == started[row["start"]]
            assert row[f"reply_median_s_{side}"] == stats._seconds(pace_stats.median(replies.get(row["start"], [])))
    assert sum(row["me"] + row["them"] for row in data["weekly"]) == len(messages)
    assert data["messages"]["media"] == sum(1 for m in messages if m.kind == "media")
    assert data["messages"]["first_at"] == messages[0].at.isoformat()

    during, outside, under = Counter[str](), Counter[str](), Counter[str]()
    times: dict[str, list[str]] = {"during_no_contact": [], "outside_windows": []}
    for m in messages:
        in_force = merge_agreements([a for a in agreements if a.active_at(m.at)])
        local = m.at.astimezone(zone)
        if in_force.no_contact_until is not None and local.date() < in_force.no_contact_until:
            during[m.direction] += 1
            times["during_no_contact"].append(m.at.isoformat())
        if in_force.windows:
            under[m.direction] += 1
            if not any(w.contains(local) for w in in_force.windows):
                outside[m.direction] += 1
                times["outside_windows"].append(m.at.isoformat())
    adherence = data["adherence"]
    for key, counts in (
        ("during_no_contact", during),
        ("outside_windows", outside),
        ("checked_against_windows", under),
    ):
        assert adherence[key] == {side: counts[side] for side in SIDES}, key
    assert adherence["first_times"] == {key: found[:20] for key, found in times.items()}


@pytest.mark.parametrize("zone_name", ["Europe/London", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kolkata"])
def test_the_figures_are_what_they_were_message_by_message(zone_name: str) -> None:
    zone = ZoneInfo(zone_name)
    for seed in range(3):
        # Sao Paulo moved its clocks at midnight until 2019; Lord Howe moves them by half an hour.
        rows = _chat(seed, 600, datetime(2016, 9, 1, tzinfo=UTC) + timedelta(days=200 * seed))
        messages = [StoredMessage(at, side, kind, text) for at, side, kind, text in rows]
        window = {"days": "mon-fri", "from": "19:00", "to": "20:30"}
        agreements = [
            StoredAgreement(1, "a", "window", window, created_at=rows[100][0], ended_at=rows[400][0]),
            StoredAgreement(2, "b", "window", {"days": "sun", "from": "23:00", "to": "01:30"}, rows[200][0]),
            StoredAgreement(3, "c", "no-contact", {"until": rows[350][0].date().isoformat()}, rows[300][0]),
        ]
        now = rows[-1][0] + timedelta(days=1)
        for weeks in (2, 30):
            data = compute(messages, agreements, now=now, weeks=weeks, zone=zone, tone=False)
            _assert_as_before(data, messages, agreements, now, weeks, zone)


def test_local_times_and_windows_agree_with_datetime() -> None:
    rng = random.Random(7)
    windows = [
        ContactWindow(frozenset({0, 1, 2, 3, 4}), time(19, 0, 30), time(20, 15)),
        ContactWindow(frozenset({5}), time(22, 0), time(6, 0, 0, 500)),  # overnight, into Sunday morning
    ]
    for name in ("Europe/London", "America/Sao_Paulo", "Australia/Lord_Howe", "America/St_Johns", "UTC"):
        zone = ZoneInfo(name)
        start = datetime(2015, 1, 1, tzinfo=UTC)
        moments = sorted(start + timedelta(seconds=rng.uniform(0, 4 * 365 * 86400)) for _ in range(3000))
        moments += [datetime(2016, 10, 16, 2, 59, 59, 999_999, tzinfo=UTC) + timedelta(microseconds=k) for k in (0, 1)]
        moments.sort()
        at = np.asarray([stats._micros(m - stats.from_micros(0)) for m in moments], np.int64)
        local = stats._local_micros(at, zone)
        expected = [m.astimezone(zone).replace(tzinfo=None) for m in moments]
        assert [stats.LOCAL_EPOCH + timedelta(microseconds=v) for v in local.tolist()] == expected
        inside = stats._in_windows(local, windows)
        assert inside.tolist() == [any(w.contains(m) for w in windows) for m in expected]


def test_damaged_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    with Store.open(f"sqlite:///{path}") as store:
        store.init()
        store.log_message("them", "hello", T0)
        store.log_message("me", "hi", T0 + timedelta(minutes=1))
    db = sqlite3.connect(path)
    uid = db.execute("SELECT uid FROM messages WHERE direction = 'me'").fetchone()[0]
    db.execute("UPDATE messages SET text = ? WHERE uid = ?", (b"\xff\xfe", uid))
    db.commit()
    with pytest.raises(DamagedDataError, match=uid):
        bulkread.read_sqlite(path, None)
    with pytest.raises(DamagedDataError, match=uid):
        bulkread.read_database(f"sqlite:///{path}", None)
    db.execute("UPDATE messages SET text = ?, direction = 'they' WHERE uid = ?", (b"hi", uid))
    db.commit()
    db.close()
    with pytest.raises(DamagedDataError, match=f"{uid}: direction 'they'"):
        bulkread.read_sqlite(path, None)


def test_passphrases_and_missing_stores(tmp_path: Path) -> None:
    path = tmp_path / "levelhead.db"
    url = f"sqlite:///{path}"
    Store.open(url).close()  # a schema, no store
    assert bulkread.read(url, None) is None and bulkread.read_database(url, None) is None
    with Store.open(url) as store:
        store.init(encrypt=True, passphrase="right", kdf=FAST_KDF)
    for passphrase in ("wrong", None):
        with pytest.raises(WrongPassphraseError):
            bulkread.read_sqlite(path, passphrase)
        with pytest.raises(WrongPassphraseError):
            bulkread.read_database(url, passphrase)
    stored = bulkread.read(url, "right")
    assert stored is not None and len(stored.conversation) == 0
    other = tmp_path / "other.db"
    other.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(bulkread.Unsuitable):
        bulkread.read_sqlite(other, None)
    with pytest.raises(StoreError, match="not a levelhead database"):
        bulkread.read(f"sqlite:///{other}", None)


def test_the_command_reads_an_encrypted_store(run: Run, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'levelhead.db'}"
    with Store.open(url) as store:
        store.init(encrypt=True, passphrase="right", kdf=FAST_KDF)
        _fill(store)
    good = run("stats", "--format", "json", "--no-tone", env={"LEVELHEAD_DB": url, "LEVELHEAD_PASSPHRASE": "right"})
    assert good.returncode == 0, good.stderr
    wrong = run("stats", env={"LEVELHEAD_DB": url, "LEVELHEAD_PASSPHRASE": "wrong"})
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1 and "wrong passphrase" in wrong.stderr
    missing = run("stats", env={"LEVELHEAD_DB": url})
    assert missing.returncode == 2 and "LEVELHEAD_PASSPHRASE" in missing.stderr


def test_a_conversation_from_messages() -> None:
    chat = bulkread.Conversation.of([StoredMessage(T0, "me", "sticker", "x"), StoredMessage(T0, "them", "media", "")])
    assert [chat.kind_name(i) for i in range(2)] == ["other", "media"] and chat.direction(1) == "them"
    with pytest.raises(ValueError, match="direction"):
        bulkread.Conversation.of([StoredMessage(T0, "they", "text", "x")])
    assert chat.moment(0) == T0
