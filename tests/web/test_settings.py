"""Rule thresholds from the Settings API: saved in the levelhead.toml the CLI reads, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Run
from tests.web.conftest import Web

# 24 words: within the default limit of a text (60), over a limit of 15.
LONG = (
    "Can you bring the kids back at 6 on Sunday and also their coats and the school bags and the blue lunch box please"
)
NOW = "2026-11-20T15:30:00+00:00"


def codes(web: Web, text: str = LONG) -> list[str]:
    got = web.client.post("/api/v1/check", json={"text": text, "goal": "logistics", "now": NOW}, headers=web.bearer)
    assert got.status_code == 200, got.text
    return [d["code"] for d in got.json()["diagnostics"]]


def option(web: Web, rule: str, key: str) -> dict[str, object]:
    options = web.client.get("/api/v1/settings", headers=web.bearer).json()["options"]
    return next(o for o in options if o["rule"] == rule and o["key"] == key)


def test_a_saved_threshold_changes_the_check_here_and_in_the_cli(bare_web: Web, run: Run) -> None:
    assert "PC01" not in codes(bare_web)
    assert option(bare_web, "PC01", "text_words") == {
        "rule": "PC01", "name": "too-long", "key": "text_words", "value": 60, "default": 60, "type": "int",
        "minimum": 15, "maximum": 500, "help": "words a text or social-media message may have (15-500)",
    }  # fmt: skip
    saved = bare_web.client.put("/api/v1/settings", json={"options": {"PC01": {"text_words": 15}}},
                                headers=bare_web.bearer)  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert saved.json()["config_exists"] is True
    assert "PC01" in codes(bare_web)
    path = Path(saved.json()["config_file"])
    assert path == bare_web.state.config_path
    assert "[rules.options.PC01]\ntext_words = 15" in path.read_text()
    web_json = bare_web.client.post("/api/v1/check", json={"text": LONG, "goal": "logistics", "now": NOW},
                                    headers=bare_web.bearer).json()  # fmt: skip
    cli = run("check", LONG, "--goal", "logistics", "--now", NOW, "--format", "json")
    assert cli.returncode in (0, 1), cli.stderr
    assert json.loads(cli.stdout) == web_json
    # null puts the default back, and takes the option out of the file
    reset = bare_web.client.put("/api/v1/settings", json={"options": {"PC01": {"text_words": None}}},
                                headers=bare_web.bearer)  # fmt: skip
    assert reset.status_code == 200
    assert "PC01" not in codes(bare_web)
    assert "PC01" not in path.read_text()


def test_a_value_that_cannot_be_used_writes_nothing(bare_web: Web) -> None:
    first = {"options": {"TN02": {"logistics_threshold": 0.4}}}
    assert bare_web.client.put("/api/v1/settings", json=first, headers=bare_web.bearer).status_code == 200
    path = bare_web.state.config_path
    assert path is not None
    before = path.read_bytes()
    for bad, says in (
        ({"PC01": {"text_words": 20}, "TN02": {"logistics_threshold": 3}}, "'logistics_threshold' must be at most 0.9"),
        ({"PC01": {"text_words": "many"}}, "PC01: option 'text_words' must be int"),
        ({"PC01": {"words": 20}}, "PC01: unknown option 'words'"),
        ({"ZZ99": {"days": 1}}, "no rule called 'ZZ99'"),
        ({"RD07": {"start": "25:00"}}, "RD07: option 'start' must be a time like 22:00"),
        ({"RD07": {"start": "07:00"}}, "the same time"),
    ):  # fmt: skip
        got = bare_web.client.put("/api/v1/settings", json={"options": bad}, headers=bare_web.bearer)
        assert got.status_code == 400, (bad, got.text)
        assert says in got.json()["error"], got.json()
        assert path.read_bytes() == before
    assert option(bare_web, "TN02", "logistics_threshold")["value"] == 0.4
    assert option(bare_web, "PC01", "text_words")["value"] == 60
    assert not any(p.name.endswith(".tmp") for p in path.parent.iterdir())


def test_what_was_written_by_hand_is_kept(bare_web: Web) -> None:
    path = bare_web.state.config_path
    assert path is not None
    path.parent.mkdir(parents=True)
    path.write_text(
        '# my settings\ngoal = "logistics"  # pickups, mostly\n\n[rules]\nignore = ["PC05"]\n\n'
        '[rules.options.late-night]\nstart = "21:30"\n\n[rules.options.TN02]\nthreshold = 0.7  # a bit lenient\n'
    )
    changes = {"RD07": {"end": "06:30"}, "TN02": {"closure_threshold": 1}}
    saved = bare_web.client.put("/api/v1/settings", json={"options": changes}, headers=bare_web.bearer)
    assert saved.status_code == 200, saved.text
    text = path.read_text()
    assert text.startswith('# my settings\ngoal = "logistics"  # pickups, mostly\n')
    assert 'ignore = ["PC05"]' in text and "threshold = 0.7  # a bit lenient" in text
    assert "late-night" not in text  # one table per rule, under its code, with what the old one held
    assert '[rules.options.RD07]\nstart = "21:30"\nend = "06:30"' in text
    assert "closure_threshold = 1.0" in text
    assert option(bare_web, "RD07", "start")["value"] == "21:30"


def test_a_broken_settings_file_is_not_overwritten(web_home: Path) -> None:
    from tests.web.conftest import _web

    path = web_home / "levelhead.toml"  # the working folder's file wins, as for the CLI
    path.write_text("goal = [unclosed\n")
    for web in _web(None):
        assert web.state.config_path == path
        got = web.client.put("/api/v1/settings", json={"options": {"PC01": {"text_words": 20}}}, headers=web.bearer)
        assert got.status_code == 400 and "not valid TOML" in got.json()["error"]
        assert web.client.get("/api/v1/settings", headers=web.bearer).json()["config_error"]
    assert path.read_text() == "goal = [unclosed\n"


def test_workers_follow_each_others_writes(web: Web) -> None:
    """Two app states sharing one Changes, as the forked workers of `levelhead serve` do."""
    from levelhead.web.state import AppState

    other = AppState.load(None, web.state.store)
    other.changes = web.state.changes
    assert not other.base_situation().agreements.no_visits  # cached now
    assert web.client.post("/api/v1/agreements", json={"kind": "no-visits"}, headers=web.bearer).status_code == 201
    assert other.base_situation().agreements.no_visits
    assert all(r.settings.get("text_words", 60) == 60 for r in other.rules())
    saved = web.client.put("/api/v1/settings", json={"options": {"PC01": {"text_words": 20}}}, headers=web.bearer)
    assert saved.status_code == 200
    assert [r.settings["text_words"] for r in other.rules() if r.code == "PC01"] == [20]


def test_parking_offers_the_cool_off_of_the_settings(bare_web: Web) -> None:
    bare_web.sign_in()
    page = bare_web.client.get("/").text
    assert 'data-calm="12" data-angry="24"' in page and '<option value="12" selected>12 hours</option>' in page
    changes = {"RD03": {"cool_off_hours": 6, "angry_hours": 48}}
    saved = bare_web.client.put("/api/v1/settings", json={"options": changes}, headers=bare_web.bearer)
    assert saved.status_code == 200
    page = bare_web.client.get("/").text
    assert 'data-calm="6" data-angry="48"' in page
    assert '<option value="6" selected>6 hours</option>' in page and '<option value="48">2 days</option>' in page
