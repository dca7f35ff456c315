"""The command line as a user meets it: exit codes, JSON contract, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run

NOW = "2026-11-20T12:00:00+00:00"


def _json(proc) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(proc.stdout)


def test_logistics_question_from_stdin_is_send(run: Run) -> None:
    proc = run("check", "-", "--format", "json", "--now", NOW, input="Can I pick up my books Saturday at 10?\n")
    assert proc.returncode == 0, proc.stderr
    out = _json(proc)
    assert out["schema"] == 1
    assert out["verdict"] == "send"
    assert out["until"] is None
    assert out["diagnostics"] == []
    assert out["resources"] == []


def test_json_diagnostic_shape(run: Run) -> None:
    proc = run("check", "Where are you??? ANSWER ME", "--format", "json", "--now", NOW)
    assert proc.returncode == 1
    out = _json(proc)
    assert out["verdict"] in {"revise", "wait", "dont-send", "safety"}
    for d in out["diagnostics"]:
        assert set(d) == {"code", "name", "severity", "message", "note", "span", "suggestions"}
        assert d["severity"] in {"error", "warning", "info"}
        if d["span"] is not None:
            assert 0 <= d["span"]["start"] < d["span"]["end"] <= len("Where are you??? ANSWER ME")
        for s in d["suggestions"]:
            assert set(s) == {"title", "replacement", "applicability"}
            assert s["applicability"] in {"safe", "unsafe", "display-only"}


def test_text_output_underlines_the_words(run: Run) -> None:
    proc = run("check", "Fine, I'll do it AGAIN.", "--now", NOW, "--select", "TN07")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("revise")
    row = next(i for i, line in enumerate(lines) if "| Fine, I'll do it AGAIN." in line)
    caret_line = lines[row + 1]
    assert caret_line.index("^") == lines[row].index("AGAIN")
    assert "\x1b[" not in proc.stdout  # no colour when not a terminal


def test_unknown_goal_is_a_usage_error(run: Run) -> None:
    proc = run("check", "hello", "--goal", "revenge")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "--goal" in proc.stderr


def test_unknown_mood_is_a_usage_error(run: Run) -> None:
    proc = run("ready", "--mood", "furious")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_empty_draft_is_a_clear_error(run: Run) -> None:
    proc = run("check", "-", input="   \n")
    assert proc.returncode == 2
    assert "empty" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_draft_that_is_not_utf8(run: Run) -> None:
    proc = run("check", "-", input=b"\xff\xfe\x00bad")
    assert proc.returncode == 2
    assert "UTF-8" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_huge_draft_is_refused_clearly(run: Run) -> None:
    proc = run("check", "-", input="word " * 30_000)
    assert proc.returncode == 2
    assert "characters" in proc.stderr


def test_odd_text_never_crashes(run: Run) -> None:
    for draft in ["😀😀😀", "مرحبا، هل يمكنني أخذ الكتب؟", "a\x00b\x07c", "\u202eabc", "Ok\u2028then"]:
        proc = run("check", "-", "--format", "json", "--now", NOW, input=draft)
        assert proc.returncode in (0, 1), proc.stderr
        _json(proc)


def test_bad_dates_and_zones(run: Run) -> None:
    for args in (["--broke-up", "yesterday"], ["--tz", "Mars/Base"], ["--now", "soon"], ["--country", "XX"]):
        proc = run("ready", *args)
        assert proc.returncode == 2, args
        assert "Traceback" not in proc.stderr
        assert proc.stderr.startswith("levelhead: error:")


def test_situation_file_and_flag_override(run: Run, home: Path) -> None:
    (home / "levelhead.toml").write_text('goal = "none"\n', encoding="utf-8")
    found = _json(run("ready", "--format", "json", "--now", NOW))
    assert "RD02" in [d["code"] for d in found["diagnostics"]]
    overridden = _json(run("ready", "--format", "json", "--now", NOW, "--goal", "logistics"))
    assert "RD02" not in [d["code"] for d in overridden["diagnostics"]]


def test_bad_situation_file_names_the_problem(run: Run, home: Path) -> None:
    path = home / "mine.toml"
    path.write_text('goal = "logistics"\nmood = "furious"\n', encoding="utf-8")
    proc = run("ready", "--situation", str(path))
    assert proc.returncode == 2
    assert "mood" in proc.stderr and "mine.toml" in proc.stderr
    path.write_text("goal = [", encoding="utf-8")
    proc = run("ready", "--situation", str(path))
    assert proc.returncode == 2 and "TOML" in proc.stderr
    proc = run("ready", "--situation", str(home / "missing.toml"))
    assert proc.returncode == 2 and "no such file" in proc.stderr


def test_history_file_errors_name_the_line(run: Run, home: Path) -> None:
    path = home / "history.jsonl"
    path.write_text('{"at": "2026-11-01T10:00:00+00:00", "from": "them", "text": "ok"}\n{"at": "x"}\n', "utf-8")
    proc = run("check", "Fine.", "--history", str(path))
    assert proc.returncode == 2
    assert "line 2" in proc.stderr


def test_rule_documentation(run: Run) -> None:
    proc = run("rule", "TN07")
    assert proc.returncode == 0
    assert proc.stdout.startswith("# TN07 shouting")
    assert "## Why it matters" in proc.stdout
    assert run("rule", "shouting").stdout == proc.stdout
    missing = run("rule", "ZZ99")
    assert missing.returncode == 2 and "levelhead rules" in missing.stderr


def test_rules_lists_every_rule(run: Run) -> None:
    from levelhead.rule import all_rules

    proc = run("rules")
    assert proc.returncode == 0
    for rule in all_rules():
        assert rule.code in proc.stdout
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert [r["code"] for r in listed] == [r.code for r in all_rules()]


def test_select_and_ignore(run: Run) -> None:
    text = "WHERE ARE YOU???"
    only = _json(run("check", text, "--format", "json", "--now", NOW, "--select", "TN07"))
    assert {d["code"] for d in only["diagnostics"]} <= {"TN07", "SF01", "SF02", "SF03", "SF04"}
    ignored = _json(run("check", text, "--format", "json", "--now", NOW, "--ignore", "TN07"))
    assert "TN07" not in {d["code"] for d in ignored["diagnostics"]}
    bad = run("check", text, "--select", "XX")
    assert bad.returncode == 2 and "no rule matches" in bad.stderr


def test_every_command_has_help(run: Run) -> None:
    top = run("--help")
    assert top.returncode == 0
    for command in ("check", "ready", "rules", "rule", "tone", "import"):
        assert command in top.stdout
        proc = run(command, "--help")
        assert proc.returncode == 0 and "Usage:" in proc.stdout


def test_history_file_feeds_the_pace_rules(run: Run, home: Path) -> None:
    """They take about a day to answer; replying ten minutes after their message is faster than their pace."""
    lines = []
    for day in range(1, 6):
        lines.append(f'{{"at": "2026-11-{day:02d}T09:00:00+00:00", "from": "me", "text": "Pick-up at 5 on Friday?"}}')
        lines.append(f'{{"at": "2026-11-{day + 1:02d}T09:00:00+00:00", "from": "them", "text": "Yes, 5 is fine."}}')
    path = home / "history.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run(
        "check", "Great, see you then.", "--history", str(path), "--now", "2026-11-06T09:10:00+00:00",
        "--tz", "UTC", "--goal", "logistics", "--format", "json",
    )  # fmt: skip
    out = _json(proc)
    assert out["verdict"] == "wait", out
    assert "PC03" in [d["code"] for d in out["diagnostics"]]
    assert out["until"] is not None and out["until"] > "2026-11-06T09:10:00+00:00"
