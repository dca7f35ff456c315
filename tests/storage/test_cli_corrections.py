"""``levelhead log list/correct/delete`` and ``journal delete``, run as a user runs them, on SQLite and
PostgreSQL (``lh`` in conftest)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from tests.conftest import Run

from .test_cli_store import SECRET, ok

NOW = "2026-11-21T11:00:00+00:00"


def _listed(lh: Run, *extra: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(lh("log", "list", "--format", "json", *extra)))
    return rows


def _codes(lh: Run, draft: str) -> set[str]:
    proc = lh("check", draft, "--goal", "logistics", "--now", NOW, "--format", "json")
    return {d["code"] for d in json.loads(proc.stdout)["diagnostics"]}


def _state(lh: Run) -> tuple[str, str, str]:
    """What a refused command must leave unchanged."""
    return ok(lh("verify", "--format", "json")), ok(lh("log", "list", "--all", "--format", "json")), \
        ok(lh("journal", "--all", "--format", "json"))  # fmt: skip


def test_list_correct_and_delete_as_a_user(lh: Run, tmp_path: Path) -> None:
    ok(lh("init"))
    ok(lh("log", "received", "Can you take them Sunday?", "--at", "2026-11-21T10:00:00+00:00"))
    ok(lh("log", "sent", "Yes.", "--at", "2026-11-21T10:05:00+00:00"))
    ok(lh("log", "sent", "Are you there?", "--at", "2026-11-21T10:30:00+00:00"))
    ok(lh("log", "sent", "Hello??", "--at", "2026-11-21T10:40:00+00:00"))
    rows = _listed(lh)
    assert [(r["who"], r["kind"], r["text"]) for r in rows] == [
        ("you", "text", "Hello??"), ("you", "text", "Are you there?"), ("you", "text", "Yes."),
        ("them", "text", "Can you take them Sunday?"),
    ]  # fmt: skip
    hello, there, yes, theirs = (r["id"] for r in rows)
    assert "PC04" in _codes(lh, "Hi, are you free to talk?")  # three unanswered messages of mine

    out = ok(lh("log", "correct", str(yes), "Yes, I can take them at 10.", "--reason", "logged it short"))
    assert f"replaces message {yes}" in out
    ok(lh("log", "delete", str(hello), "--reason", "never sent it"))
    ok(lh("log", "delete", str(there)))
    assert "PC04" not in _codes(lh, "Hi, are you free to talk?")  # one unanswered message left

    rows = _listed(lh)
    assert [r["text"] for r in rows] == ["Yes, I can take them at 10.", "Can you take them Sunday?"]
    corrected = rows[0]
    assert corrected["corrects"] == yes and corrected["at"] == "2026-11-21T10:05:00+00:00"
    everything = {r["id"]: r for r in _listed(lh, "--all")}
    assert everything[hello]["status"] == "deleted" and everything[hello]["reason"] == "never sent it"
    assert everything[there]["status"] == "deleted" and everything[there]["reason"] is None
    assert everything[yes]["status"] == "corrected" and everything[yes]["corrected_by"] == corrected["id"]
    assert everything[theirs]["status"] == "current"

    text = ok(lh("log", "list"))
    assert "Yes, I can take them at 10." in text and "Hello??" not in text and f"[corrects {yes}]" in text
    text_all = ok(lh("log", "list", "--all"))
    assert "Hello??  [deleted: never sent it]" in text_all
    assert f"Yes.  [corrected by {corrected['id']}: logged it short]" in text_all

    verified = json.loads(ok(lh("verify", "--format", "json")))
    assert verified["ok"] and verified["entries"] == 4 + 3  # four messages, one correction, two deletions
    bundle = tmp_path / "record.zip"
    ok(lh("export", "bundle", str(bundle)))
    assert ok(lh("verify", str(bundle))).startswith("ok")
    with zipfile.ZipFile(bundle) as zf:
        everything_in_it = b"".join(zf.read(name) for name in zf.namelist())
    assert b"Hello??" in everything_in_it and b"logged it short" in everything_in_it  # the record keeps it all


def test_stats_read_the_corrected_conversation(lh: Run) -> None:
    ok(lh("init"))
    ok(lh("log", "received", "Can you take them Sunday?", "--at", "2026-11-21T10:00:00+00:00"))
    ok(lh("log", "sent", "Yes.", "--at", "2026-11-21T10:05:00+00:00"))
    ok(lh("log", "sent", "Hello??", "--at", "2026-11-21T10:40:00+00:00"))
    hello, yes, _ = (r["id"] for r in _listed(lh))
    ok(lh("log", "correct", str(yes), "Yes, I can take them at 10."))
    ok(lh("log", "delete", str(hello)))
    stats = json.loads(ok(lh("stats", "--no-tone", "--format", "json")))
    assert stats["messages"]["total"] == 2 and stats["messages"]["me"] == 1
    assert stats["length"]["me"]["all_time"]["median_words"] == 7


def test_mistakes_get_one_line_and_change_nothing(lh: Run) -> None:
    ok(lh("init"))
    ok(lh("log", "sent", "first"))
    ok(lh("log", "sent", "second"))
    first, second = sorted(r["id"] for r in _listed(lh))
    ok(lh("log", "delete", str(first)))
    ok(lh("log", "correct", str(second), "second, corrected"))
    ok(lh("journal", "a note"))
    before = _state(lh)
    attempts = [
        (["log", "delete", str(first)], "was deleted already"),
        (["log", "correct", str(first), "new"], "was deleted already"),
        (["log", "delete", str(second)], "corrected already"),
        (["log", "delete", "999"], "no message 999"),
        (["log", "correct", "999", "new"], "no message 999"),
        (["log", "correct", "99999999999999999999", "new"], "no message"),
        (["log", "correct", str(second + 1), "  "], "empty"),
        (["log", "correct", str(second + 1), "second, corrected"], "already says that"),
        (["journal", "delete", "7"], "no note 7"),
    ]
    for args, needle in attempts:
        proc = lh(*args)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("levelhead: error:") and needle in proc.stderr, (args, proc.stderr)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert _state(lh) == before


def test_journal_delete(lh: Run) -> None:
    ok(lh("init"))
    ok(lh("journal", "held back tonight"))
    ok(lh("journal", "-", input="an angry one\n"))
    notes = json.loads(ok(lh("journal", "--format", "json")))
    keep, drop = (n["id"] for n in notes)
    assert "Deleted note" in ok(lh("journal", "delete", str(drop), "--reason", "not me"))
    assert [n["id"] for n in json.loads(ok(lh("journal", "--format", "json")))] == [keep]
    listed = ok(lh("journal", "--all"))
    assert "an angry one" in listed and "[deleted: not me]" in listed
    assert "an angry one" not in ok(lh("journal"))
    again = lh("journal", "delete", str(drop))
    assert again.returncode == 2 and "deleted already" in again.stderr
    assert "delete ID" in ok(lh("journal", "--help")) and "--passphrase-file" in ok(lh("journal", "--help"))
    assert ok(lh("verify")).startswith("ok")


def test_encrypted_corrections_need_the_passphrase_and_stay_sealed(run: Run, home: Path) -> None:
    env = {"LEVELHEAD_PASSPHRASE": SECRET}
    ok(run("init", "--encrypt", env=env))
    ok(run("log", "received", "planted original words", env=env))
    (row,) = json.loads(ok(run("log", "list", "--format", "json", env=env)))
    ok(run("log", "correct", str(row["id"]), "planted correction xyzzy", "--reason", "planted reason plugh", env=env))
    locked = run("log", "list")
    assert locked.returncode == 2 and "passphrase" in locked.stderr
    wrong = run("log", "delete", str(row["id"] + 1), env={"LEVELHEAD_PASSPHRASE": "not it"})
    assert wrong.returncode == 2
    listed = ok(run("log", "list", "--all", env=env))
    assert "planted correction xyzzy" in listed and "planted reason plugh" in listed
    data = b"".join(p.read_bytes() for p in (home / "data").iterdir() if p.is_file())
    assert b"xyzzy" not in data and b"plugh" not in data and b"planted original" not in data
