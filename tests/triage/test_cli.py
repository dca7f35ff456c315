"""`levelhead triage` as a user runs it: text and JSON, stdin, exit codes, and the store's history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from levelhead.situation import Message, Situation
from levelhead.storage import Store

from ..conftest import Run

ISSUE = (
    "You ALWAYS do this. The kids said you forgot Emma's inhaler AGAIN. I need them back by 5 on Sunday, "
    "not 7, and you owe me $120 for the school trip."
)
WHEN = ["--received", "2026-11-20T09:30", "--tz", "Europe/London"]


def test_text_output_lists_asks_then_bait_then_the_reply(run: Run) -> None:
    proc = run("triage", ISSUE, *WHEN)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "return time Sunday 17:00 (was 19:00)" in out
    assert "$120, school trip" in out
    assert out.index("needs an answer") < out.index("needs no answer") < out.index("skeleton")
    assert "generalisation" in out and "^^^" in out
    assert "[yes/no]" in out
    assert "safety" not in out.split("\n")[0]


def test_json_output_is_the_contract(run: Run) -> None:
    proc = run("triage", ISSUE, *WHEN, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    wire = json.loads(proc.stdout)
    assert set(wire) == {"schema", "safety", "asks", "bait", "reply", "resources"}
    assert wire["asks"][0]["facts"]["when"] == "2026-11-22T17:00:00+00:00"
    assert wire["asks"][1]["facts"]["amount"] == "120 USD"
    assert wire["reply"]["needed"] is True


def test_reads_standard_input(run: Run) -> None:
    proc = run("triage", "-", *WHEN, "--format", "json", input=ISSUE)
    assert proc.returncode == 0, proc.stderr
    assert len(json.loads(proc.stdout)["asks"]) == 2


def test_safety_and_keep_a_record_come_first(run: Run) -> None:
    proc = run("triage", "I know where you work. Can you have the kids back at 6 on Sunday?", *WHEN, "--country", "GB")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("safety: please look at this first")
    assert out.index("SF03") < out.index("Keep a record") < out.index("Help, any time:") < out.index("needs an answer")
    assert "you are safe" not in out.lower()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["triage", ""], None, "empty"),
        (["triage", "-"], "   ", "empty"),
        (["triage", "-"], b"\xff\xfe\xfa", "not UTF-8"),
        (["triage", "Can you do 5?", "--received", "next tuesday"], None, "--received"),
        (["triage", "Can you do 5?", "--tz", "Mars/Olympus"], None, "time zone"),
        (["triage", "Can you do 5?", "--country", "XX"], None, "country"),
    ],
)
def test_input_errors_are_one_line_and_exit_2(
    run: Run, args: list[str], stdin: str | bytes | None, message: str
) -> None:
    proc = run(*args, input=stdin)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("levelhead: error:") and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_store_history_sets_when_to_reply(run: Run, home: Path) -> None:
    url = f"sqlite:///{home / 'triage.db'}"
    store = Store.open(url)
    store.init()
    store.set_situation(Situation(timezone="Europe/London", country="GB"))
    start = datetime(2030, 11, 10, 9, 0, tzinfo=UTC)  # ahead of the clock, so the wait has not passed
    history = []
    for day in range(4):  # they answer my messages three hours later
        mine = start + timedelta(days=2 * day)
        history.append(Message(mine, "me", "Can I have them Saturday?"))
        history.append(Message(mine + timedelta(hours=3), "them", "Fine."))
    store.import_messages(history, source="test")
    store.close()
    proc = run(
        "triage", "Can you pick them up at 4 on Monday?", "--received", "2030-11-20T09:30+00:00",
        "--db", url, "--format", "json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    wire = json.loads(proc.stdout)
    assert wire["reply"]["not_before"] is not None
    assert datetime.fromisoformat(wire["reply"]["not_before"]) == datetime(2030, 11, 20, 12, 30, tzinfo=UTC)


def test_listed_in_help(run: Run) -> None:
    proc = run("--help")
    assert "triage" in proc.stdout and "what is bait" in proc.stdout


def test_unreadable_store_still_reads_the_message(run: Run, home: Path) -> None:
    url = f"sqlite:///{home / 'locked.db'}"
    store = Store.open(url)
    store.init(encrypt=True, passphrase="the right one")
    store.close()
    wrong = home / "wrong.txt"
    wrong.write_text("not it\n", encoding="utf-8")
    proc = run("triage", "I know where you work.", "--db", url, "--passphrase-file", str(wrong))
    assert proc.returncode == 0
    assert proc.stdout.startswith("safety: please look at this first")
    assert proc.stderr.startswith("levelhead: warning:")


def test_naive_received_is_read_in_the_given_zone(run: Run) -> None:
    proc = run("triage", "Can you pick them up at 5?", "--received", "2026-07-01T09:00", "--tz", "Europe/London",
               "--format", "json")  # fmt: skip
    assert json.loads(proc.stdout)["asks"][0]["facts"]["when"] == "2026-07-01T17:00:00+01:00"
