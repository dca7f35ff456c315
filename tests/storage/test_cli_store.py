"""The store commands, run as a user runs them, on SQLite (the default file) and on PostgreSQL (LEVELHEAD_DB)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.conftest import Run

SECRET = "correct horse battery staple"
TUESDAY_9PM = "2027-01-05T21:00:00+00:00"
TUESDAY_7_40PM = "2027-01-05T19:40:00+00:00"
DRAFT = "Can I pick up the kids at 5 on Saturday?"


def ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    return proc.stdout


def test_commands_before_init_say_to_run_init(run: Run) -> None:
    for args in (["agree", "list"], ["drafts"], ["verify"], ["journal"], ["situation", "show"]):
        proc = run(*args)
        assert proc.returncode == 2
        assert "levelhead init" in proc.stderr and "Traceback" not in proc.stderr


def test_init_creates_the_default_store_once(run: Run, home: Path) -> None:
    out = ok(run("init"))
    assert "not encrypted" in out
    assert (home / "data" / "levelhead.db").is_file()
    again = run("init")
    assert again.returncode == 2 and "already" in again.stderr


def test_check_without_a_store_creates_nothing(run: Run, home: Path) -> None:
    run("check", DRAFT, "--goal", "logistics")
    assert not (home / "data").exists()


def test_the_issue_journey(lh: Run) -> None:
    ok(lh("init"))
    ok(lh("situation", "set", "--broke-up", "2026-10-30", "--ended-by", "them", "--children", "2", "--tz", "UTC"))
    shown = json.loads(ok(lh("situation", "show", "--format", "json")))
    assert shown == {"broke_up": "2026-10-30", "ended_by": "them", "children": 2, "timezone": "UTC"}
    ok(lh("agree", "add", "no-contact", "--until", "2026-12-30", "--except", "children's emergencies"))
    ok(lh("agree", "add", "window", "--days", "mon-sun", "--from", "19:30", "--to", "20:00"))
    ok(lh("agree", "add", "off-limits", "--topic", "new partners"))
    listed = json.loads(ok(lh("agree", "list", "--format", "json")))
    assert [a["kind"] for a in listed] == ["no-contact", "window", "off-limits"]

    during = json.loads(lh("check", DRAFT, "--goal", "logistics", "--now", "2026-12-01T19:40:00+00:00",
                           "--format", "json").stdout)  # fmt: skip
    assert "BD01" in {d["code"] for d in during["diagnostics"]}
    outside = lh("check", DRAFT, "--goal", "logistics", "--now", TUESDAY_9PM, "--format", "json")
    assert outside.returncode == 1
    assert "BD02" in {d["code"] for d in json.loads(outside.stdout)["diagnostics"]}
    inside = lh("check", DRAFT, "--goal", "logistics", "--now", TUESDAY_7_40PM)
    assert inside.returncode == 0, inside.stdout
    assert lh("check", DRAFT, "--goal", "logistics", "--now", TUESDAY_9PM, "--no-store").returncode == 0

    ok(lh("agree", "end", str(listed[1]["id"]), "--reason", "the children are older"))
    assert lh("check", DRAFT, "--goal", "logistics", "--now", TUESDAY_9PM).returncode == 0
    assert len(json.loads(ok(lh("agree", "list", "--all", "--format", "json")))) == 3
    assert len(json.loads(ok(lh("agree", "list", "--format", "json")))) == 2
    assert ok(lh("verify")).startswith("ok")


def test_history_in_the_store_feeds_the_pace_rules(lh: Run) -> None:
    ok(lh("init"))
    ok(lh("log", "received", "Can you take them Sunday?", "--at", "2026-11-21T10:00:00+00:00"))
    ok(lh("log", "sent", "Yes.", "--at", "2026-11-21T10:05:00+00:00"))
    ok(lh("log", "sent", "Are you there?", "--at", "2026-11-21T10:30:00+00:00"))
    report = json.loads(lh("check", "Hello? Why are you ignoring me?", "--goal", "logistics",
                           "--now", "2026-11-21T11:00:00+00:00", "--format", "json").stdout)  # fmt: skip
    assert {"PC04"} & {d["code"] for d in report["diagnostics"]} or report["verdict"] != "send"


def test_park_list_recheck_and_send_a_draft(lh: Run) -> None:
    ok(lh("init"))
    out = ok(lh("park", "I miss you so much", "--for", "12h"))
    assert "Parked draft 1" in out
    ok(lh("park", "-", "--for", "30m", input="Could we talk about the holidays?"))
    listing = json.loads(ok(lh("drafts", "--format", "json")))
    assert [d["id"] for d in listing] == [2, 1]  # soonest due first
    assert not any(d["due"] for d in listing)
    recheck = lh("drafts", "recheck", "1", "--goal", "closure", "--format", "json")
    assert recheck.returncode == 1
    assert "TN03" in {d["code"] for d in json.loads(recheck.stdout)["diagnostics"]}
    ok(lh("drafts", "sent", "2"))
    assert [d["id"] for d in json.loads(ok(lh("drafts", "--format", "json")))] == [1]
    ok(lh("drafts", "discard", "1"))
    assert "No parked drafts" in ok(lh("drafts"))
    assert lh("drafts", "recheck", "7").returncode == 2


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["park", "hello", "--for", "soon"], "duration"),
        (["park", "  "], "empty"),
        (["park", "hi", "--until", "2020-01-01T00:00"], "past"),
        (["agree", "add", "window", "--days", "someday", "--from", "19:30", "--to", "20:00"], "weekday"),
        (["agree", "add", "window", "--days", "mon", "--from", "7pm", "--to", "20:00"], "time"),
        (["agree", "add", "no-contact", "--until", "next week"], "date"),
        (["agree", "end", "99"], "no agreement 99"),
        (["log", "sent", "hi", "--at", "yesterday"], "ISO"),
        (["situation", "set", "--tz", "Mars/Olympus"], "time zone"),
        (["situation", "set"], "nothing to set"),
        (["export", "ics", "/nonexistent/folder/a.ics"], "does not exist"),
    ],
)
def test_mistakes_get_one_clear_line_and_change_nothing(run: Run, args: list[str], needle: str) -> None:
    ok(run("init"))
    ok(run("agree", "add", "no-visits"))
    before = ok(run("verify"))
    proc = run(*args)
    assert proc.returncode == 2, proc.stdout
    assert needle in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert ok(run("verify")) == before


def test_encrypted_store_needs_its_passphrase_and_hides_the_text(run: Run, home: Path) -> None:
    env = {"LEVELHEAD_PASSPHRASE": SECRET}
    assert "encrypted" in ok(run("init", "--encrypt", env=env))
    ok(run("journal", "planted journal words xyzzy", env=env))
    ok(run("agree", "add", "off-limits", "--topic", "planted topic plugh", env=env))
    locked = run("journal")
    assert locked.returncode == 2 and "LEVELHEAD_PASSPHRASE" in locked.stderr
    wrong = run("journal", env={"LEVELHEAD_PASSPHRASE": "not it"})
    assert wrong.returncode == 2 and "wrong passphrase" in wrong.stderr
    assert "xyzzy" in ok(run("journal", env=env))
    (home / "pass.txt").write_text(SECRET + "\n")
    assert "plugh" in ok(run("agree", "list", "--passphrase-file", str(home / "pass.txt")))
    raw = b"".join(p.read_bytes() for p in (home / "data").iterdir())
    assert b"xyzzy" not in raw and b"plugh" not in raw


def test_check_with_a_locked_store_still_shows_safety_help(run: Run) -> None:
    ok(run("init", "--encrypt", env={"LEVELHEAD_PASSPHRASE": SECRET}))
    proc = run("check", "I want to end my life", "--goal", "logistics", "--country", "GB")
    assert "could not be read" in proc.stderr
    assert "116 123" in proc.stdout  # Samaritans, from the resources file
    calm = run("check", DRAFT, "--goal", "logistics")
    assert calm.returncode == 2  # "send" without the agreements is not a send


def test_passphrase_change(run: Run, home: Path) -> None:
    ok(run("init", env={"LEVELHEAD_PASSPHRASE": SECRET}))  # a passphrase given means encrypted
    ok(run("journal", "note", env={"LEVELHEAD_PASSPHRASE": SECRET}))
    same = run("passphrase", "change", env={"LEVELHEAD_PASSPHRASE": SECRET, "LEVELHEAD_NEW_PASSPHRASE": SECRET})
    assert same.returncode == 2
    ok(run("passphrase", "change", env={"LEVELHEAD_PASSPHRASE": SECRET, "LEVELHEAD_NEW_PASSPHRASE": "new one"}))
    assert run("journal", env={"LEVELHEAD_PASSPHRASE": SECRET}).returncode == 2
    assert "note" in ok(run("journal", env={"LEVELHEAD_PASSPHRASE": "new one"}))


def test_plain_init_is_the_default_without_a_terminal(run: Run) -> None:
    assert "not encrypted" in ok(run("init"))
    proc = run("init", "--encrypt", env={"LEVELHEAD_PASSPHRASE": SECRET})
    assert proc.returncode == 2


def test_bundle_export_and_verify(run: Run, home: Path) -> None:
    ok(run("init"))
    ok(run("agree", "add", "no-contact", "--until", "2026-12-30"))
    ok(run("log", "received", "Pick-up at 5?", "--at", "2026-11-21T10:00:00+00:00"))
    ok(run("journal", "held back tonight"))
    bundle = home / "record.zip"
    ok(run("export", "bundle", str(bundle)))
    assert zipfile.is_zipfile(bundle)
    assert ok(run("verify", str(bundle))).startswith("ok")
    result = json.loads(run("verify", str(bundle), "--format", "json").stdout)
    assert result["ok"] and result["entries"] == 3
    bundle.write_bytes(b"not a zip at all")
    assert run("verify", str(bundle)).returncode == 2
    assert run("verify", str(home / "missing.zip")).returncode == 2


def test_verify_names_the_first_altered_entry_in_the_store(run: Run, home: Path) -> None:
    ok(run("init"))
    for n in range(4):
        ok(run("journal", f"note {n}"))
    db = sqlite3.connect(home / "data" / "levelhead.db")
    entry = db.execute("SELECT entry FROM record_entries WHERE seq = 2").fetchone()[0]
    db.execute("UPDATE record_entries SET entry = ? WHERE seq = 2", (entry.replace(b"note 2", b"note 9"),))
    db.commit()
    db.close()
    proc = run("verify")
    assert proc.returncode == 1
    assert "entry 2" in proc.stdout


def test_ics_export_has_the_no_contact_end_and_the_windows(run: Run, home: Path) -> None:
    from icalendar import Calendar

    ok(run("init"))
    ok(run("situation", "set", "--tz", "Europe/London"))
    ok(run("agree", "add", "no-contact", "--until", "2026-12-30"))
    ok(run("agree", "add", "window", "--days", "mon-fri", "--from", "19:30", "--to", "20:00", "--purpose",
           "goodnight call"))  # fmt: skip
    ok(run("agree", "add", "window", "--days", "sat", "--from", "23:30", "--to", "00:30"))
    ok(run("agree", "add", "no-visits"))
    out = home / "agreements.ics"
    assert "3 events" in ok(run("export", "ics", str(out)))
    calendar = Calendar.from_ical(out.read_bytes())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert str(events["No-contact period ends"].decoded("dtstart")) == "2026-12-30"
    goodnight = events["Contact window: goodnight call"]
    assert goodnight["rrule"]["BYDAY"] == ["MO", "TU", "WE", "TH", "FR"]
    start, end = goodnight.decoded("dtstart"), goodnight.decoded("dtend")
    assert str(start.tzinfo) == "Europe/London" and (start.hour, start.minute) == (19, 30)
    assert (end - start).total_seconds() == 30 * 60
    late = events["Contact window"]
    assert late.decoded("dtend").date() > late.decoded("dtstart").date()  # crosses midnight
    assert calendar.walk("VTIMEZONE")


def test_db_upgrade_and_info(run: Run) -> None:
    assert "up to date" in ok(run("db", "upgrade"))
    ok(run("init"))
    info = ok(run("db", "info"))
    assert "encrypted:   no" in info and "record:" in info


def test_a_changed_byte_in_an_exported_bundle_never_verifies(run: Run, home: Path) -> None:
    ok(run("init"))
    ok(run("agree", "add", "no-contact", "--until", "2026-12-30"))
    ok(run("journal", "a note for the record"))
    bundle = home / "record.zip"
    ok(run("export", "bundle", str(bundle)))
    data = bundle.read_bytes()
    entry_at = data.index(b"a note for the record")
    for position in (0, entry_at + 2, len(data) // 3, len(data) // 2, len(data) - 5):
        damaged = bytearray(data)
        damaged[position] ^= 0x01
        bundle.write_bytes(bytes(damaged))
        proc = run("verify", str(bundle))
        assert proc.returncode in (1, 2), (position, proc.stdout)
        if position == entry_at + 2:
            assert proc.returncode == 1 and "entry 1" in proc.stdout
