"""The JSON API as a program would use it: bearer token, JSON in, the CLI's JSON out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.web.conftest import Web

HISTORY = Path(__file__).resolve().parent.parent / "history" / "fixtures"
NOW = "2026-11-20T21:30:00+00:00"


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("You always forget the jackets!! Can I get them Saturday?", {"goal": "logistics", "mood": "calm"}),
        ("I miss you so much, I can't sleep", {"goal": "reconciliation", "mood": "lonely"}),
        ("I don't want to be here anymore", {"goal": "closure", "mood": "sad", "country": "GB"}),
        ("Can we talk at 3am?", {"goal": "closure", "mood": "angry", "broke_up": "2026-11-15", "ended_by": "them"}),
    ],
)
def test_check_answers_the_cli_json(bare_web: Web, run: Run, text: str, flags: dict[str, str]) -> None:
    body = {"text": text, "now": NOW, "tz": "Europe/London", **flags}
    got = bare_web.client.post("/api/v1/check", json=body, headers=bare_web.bearer)
    assert got.status_code == 200, got.text
    args = ["check", text, "--format", "json", "--now", NOW, "--tz", "Europe/London"]
    for key, value in flags.items():
        args += [f"--{key.replace('_', '-')}", value]
    cli = run(*args)
    assert cli.returncode in (0, 1), cli.stderr
    assert got.json() == json.loads(cli.stdout)


def test_ready_answers_the_cli_json(bare_web: Web, run: Run) -> None:
    body = {"goal": "reconciliation", "mood": "lonely", "broke_up": "2026-11-10", "ended_by": "them", "now": NOW}
    got = bare_web.client.post("/api/v1/ready", json=body, headers=bare_web.bearer)
    cli = run("ready", "--goal", "reconciliation", "--mood", "lonely", "--broke-up", "2026-11-10",
              "--ended-by", "them", "--now", NOW, "--format", "json")  # fmt: skip
    assert got.status_code == 200
    assert got.json() == json.loads(cli.stdout)
    assert got.json()["verdict"] != "send"


def test_bad_input_is_one_calm_error(bare_web: Web) -> None:
    cases = [
        ({"text": "   "}, 400, "empty"),
        ({"text": "hi", "country": "XX"}, 400, "country"),
        ({"text": "hi", "tz": "Mars/Base"}, 400, "time zone"),
        ({"text": "hi", "goal": "revenge"}, 422, "goal"),
        ({"text": "hi", "select": ["ZZ99"]}, 400, "ZZ99"),
    ]
    for body, status, word in cases:
        got = bare_web.client.post("/api/v1/check", json=body, headers=bare_web.bearer)
        assert got.status_code == status, (body, got.text)
        assert word in got.json()["error"]


def test_awkward_drafts_get_an_answer(bare_web: Web) -> None:
    for text in ["😀" * 50, "مرحبا، هل يمكنني أخذ الكتب؟", "a\x00b\x07c", "word " * 2_000]:
        got = bare_web.client.post("/api/v1/check", json={"text": text}, headers=bare_web.bearer)
        assert got.status_code == 200, got.text
    too_long = bare_web.client.post("/api/v1/check", json={"text": "a" * 100_001}, headers=bare_web.bearer)
    assert too_long.status_code == 422 and "error" in too_long.json()


def test_without_a_store_the_store_routes_say_so(bare_web: Web) -> None:
    routes = [
        ("GET", "/api/v1/agreements", None),
        ("GET", "/api/v1/drafts", None),
        ("POST", "/api/v1/drafts", {"text": "hi"}),
        ("GET", "/api/v1/verify", None),
    ]
    for method, path, body in routes:
        got = bare_web.client.request(method, path, json=body, headers=bare_web.bearer)
        assert got.status_code == 409, (path, got.text)
        assert "Settings" in got.json()["error"]
    assert bare_web.client.get("/api/v1/store", headers=bare_web.bearer).json()["exists"] is False


def test_create_a_store_then_use_it(bare_web: Web) -> None:
    made = bare_web.client.post("/api/v1/store", json={"passphrase": "correct horse battery"}, headers=bare_web.bearer)
    assert made.status_code == 201 and made.json()["encrypted"] is True
    again = bare_web.client.post("/api/v1/store", json={}, headers=bare_web.bearer)
    assert again.status_code == 409
    parked = bare_web.client.post("/api/v1/drafts", json={"text": "later", "hours": 1}, headers=bare_web.bearer)
    assert parked.status_code == 201
    changed = bare_web.client.post("/api/v1/store/passphrase", json={"old": "wrong one", "new": "another long one"},
                                   headers=bare_web.bearer)  # fmt: skip
    assert changed.status_code == 400
    changed = bare_web.client.post(
        "/api/v1/store/passphrase", json={"old": "correct horse battery", "new": "another long one"},
        headers=bare_web.bearer)  # fmt: skip
    assert changed.json() == {"ok": True}


def test_situation_round_trip_feeds_the_check(web: Web) -> None:
    put = web.client.put("/api/v1/situation", json={"goal": "logistics", "country": "gb", "tz": "Europe/London"},
                         headers=web.bearer)  # fmt: skip
    assert put.status_code == 200, put.text
    got = web.client.get("/api/v1/situation", headers=web.bearer).json()
    assert got["goal"] == "logistics" and got["country"] == "GB" and got["stored"] is True
    report = web.client.post("/api/v1/check", json={"text": "I want to die"}, headers=web.bearer).json()
    assert report["verdict"] == "safety"
    assert any(r["country"] == "GB" for r in report["resources"])
    cleared = web.client.put("/api/v1/situation", json={"goal": None}, headers=web.bearer).json()
    assert cleared["goal"] is None and cleared["country"] == "GB"


def test_agreements_window_flags_a_draft_outside_it(web: Web) -> None:
    added = web.client.post(
        "/api/v1/agreements",
        headers=web.bearer,
        json={
            "kind": "window",
            "details": {"days": "daily", "from": "19:30", "to": "20:00", "purpose": "goodnight call"},
        },
    )
    assert added.status_code == 201, added.text
    body = {"text": "Can I call the kids tonight?", "goal": "logistics", "tz": "UTC"}
    outside = web.client.post("/api/v1/check", json={**body, "now": "2026-11-20T10:00:00+00:00"}, headers=web.bearer)
    assert "BD02" in [d["code"] for d in outside.json()["diagnostics"]]
    inside = web.client.post("/api/v1/check", json={**body, "now": "2026-11-20T19:40:00+00:00"}, headers=web.bearer)
    assert "BD02" not in [d["code"] for d in inside.json()["diagnostics"]]
    listing = web.client.get("/api/v1/agreements", headers=web.bearer).json()
    assert listing["next_window"]["description"].startswith("goodnight call")
    ended = web.client.post(f"/api/v1/agreements/{added.json()['id']}/end", json={"reason": "new plan"},
                            headers=web.bearer)  # fmt: skip
    assert ended.json() == {"ok": True}
    assert web.client.post("/api/v1/agreements/999/end", json={}, headers=web.bearer).status_code == 404
    listing = web.client.get("/api/v1/agreements", headers=web.bearer).json()
    assert listing["agreements"][0]["active"] is False and listing["next_window"] is None


def test_no_contact_countdown(web: Web) -> None:
    web.client.post("/api/v1/agreements", headers=web.bearer,
                    json={"kind": "no-contact", "details": {"until": "2099-01-01"}})  # fmt: skip
    listing = web.client.get("/api/v1/agreements", headers=web.bearer).json()
    assert listing["no_contact_until"] == "2099-01-01" and listing["no_contact_days_left"] > 1000
    bad = web.client.post("/api/v1/agreements", headers=web.bearer, json={"kind": "no-contact", "details": {}})
    assert bad.status_code == 409 and "until" in bad.json()["error"]


def test_drafts_park_list_recheck_and_finish(web: Web) -> None:
    later = web.client.post("/api/v1/drafts", json={"text": "Saturday at 10?", "hours": 48}, headers=web.bearer)
    assert later.status_code == 201
    assert web.state.store is not None
    past = datetime.now(UTC) - timedelta(hours=1)
    first = {"id": web.state.store.park_draft("You ALWAYS do this", due=past, now=past - timedelta(hours=12))}
    drafts = web.client.get("/api/v1/drafts", headers=web.bearer).json()
    assert [d["due"] for d in drafts] == [True, False]
    rechecked = web.client.post(f"/api/v1/drafts/{first['id']}/recheck", headers=web.bearer).json()
    assert rechecked["report"]["verdict"] in ("revise", "wait")
    assert web.client.post(f"/api/v1/drafts/{first['id']}/status", json={"status": "sent"},
                           headers=web.bearer).json() == {"ok": True}  # fmt: skip
    assert web.client.post(f"/api/v1/drafts/{later.json()['id']}/status", json={"status": "discarded"},
                           headers=web.bearer).json() == {"ok": True}  # fmt: skip
    assert web.client.get("/api/v1/drafts", headers=web.bearer).json() == []
    assert web.client.post("/api/v1/drafts/77/recheck", headers=web.bearer).status_code == 404


def test_import_stats_verify_and_the_mirror(web: Web) -> None:
    export = HISTORY / "generic.jsonl"
    with export.open("rb") as fh:
        got = web.client.post("/api/v1/history/import", files={"file": ("generic.jsonl", fh)}, headers=web.bearer)
    assert got.status_code == 400 and got.json()["choices"] == ["Alex", "Sam"]
    with export.open("rb") as fh:
        got = web.client.post("/api/v1/history/import", files={"file": ("generic.jsonl", fh)}, data={"me": "Alex"},
                              headers=web.bearer)  # fmt: skip
    assert got.status_code == 201, got.text
    assert got.json()["stored"] > 0 and len(got.json()["sha256"]) == 64 and got.json()["already"] is False
    with export.open("rb") as fh:
        again = web.client.post("/api/v1/history/import", files={"file": ("generic.jsonl", fh)}, data={"me": "Alex"},
                                headers=web.bearer).json()  # fmt: skip
    assert again["already"] is True and again["stored"] == 0
    stats = web.client.get("/api/v1/history/stats", headers=web.bearer).json()
    assert stats["messages"]["total"] == got.json()["stored"] and stats["weekly"]
    verify = web.client.get("/api/v1/verify", headers=web.bearer).json()
    assert verify["ok"] is True and verify["count"] > 0 and "exported bundle" in verify["note"]
    composed = web.client.post("/api/v1/compose", json={"text": "ok"}, headers=web.bearer).json()
    assert composed["last_message"] is not None and composed["report"]["schema"] == 1
    assert len(composed["edits"]) == len(composed["report"]["diagnostics"])


def test_stats_answer_the_cli_json(web: Web, run: Run) -> None:
    assert web.state.store is not None
    web.state.store.log_message("them", "Pickup at 5?")
    web.state.store.log_message("me", "Yes, 5 works.")
    got = web.client.get("/api/v1/history/stats", headers=web.bearer).json()
    cli = run("stats", "--format", "json")
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    for key in ("messages", "length", "initiations", "streaks", "adherence"):
        assert got[key] == expected[key], key


def test_import_refuses_what_it_cannot_read(web: Web) -> None:
    got = web.client.post("/api/v1/history/import", files={"file": ("x.txt", b"\x00\x01 nothing here")},
                          headers=web.bearer)  # fmt: skip
    assert got.status_code == 400 and "nothing was stored" in got.json()["error"]
    assert web.client.get("/api/v1/history/stats", headers=web.bearer).json()["messages"]["total"] == 0


def test_triage_answers_the_cli_json_with_safety_first(bare_web: Web, run: Run) -> None:
    text = "I know where you live. You ALWAYS do this. I need the kids back by 5 on Sunday, not 7."
    received = "2026-11-20T18:00:00+00:00"
    got = bare_web.client.post("/api/v1/triage", json={"text": text, "received": received, "tz": "Europe/London"},
                               headers=bare_web.bearer)  # fmt: skip
    assert got.status_code == 200, got.text
    cli = run("triage", text, "--received", received, "--tz", "Europe/London", "--format", "json")
    assert cli.returncode == 0, cli.stderr
    expected = json.loads(cli.stdout)
    body = got.json()
    assert body["safety"] == expected["safety"] and body["asks"] == expected["asks"]
    assert body["safety"] and body["resources"]
    calm = bare_web.client.post("/api/v1/triage", json={"text": "Pickup at 5 is fine."}, headers=bare_web.bearer)
    assert calm.json()["safety"] == [] and calm.json()["resources"] == []
    assert bare_web.client.post("/api/v1/triage", json={"text": " "}, headers=bare_web.bearer).status_code == 400


def test_tone_and_resources_and_settings(bare_web: Web) -> None:
    tone = bare_web.client.post("/api/v1/tone", json={"text": "I am so angry at you"}, headers=bare_web.bearer).json()
    assert set(tone) == {"emotions", "group", "ekman", "labels"}
    res = bare_web.client.get("/api/v1/resources?country=AU", headers=bare_web.bearer).json()
    assert res and all(r["country"] == "AU" for r in res)
    assert bare_web.client.get("/api/v1/resources?country=ZZ", headers=bare_web.bearer).status_code == 400
    settings = bare_web.client.get("/api/v1/settings", headers=bare_web.bearer).json()
    assert "US" in settings["countries"] and any(o["rule"] == "RD01" for o in settings["options"])


def test_log_a_sent_message_goes_on_record(web: Web) -> None:
    got = web.client.post("/api/v1/messages", json={"text": "Saturday at 10 works."}, headers=web.bearer)
    assert got.status_code == 201
    assert web.client.get("/api/v1/verify", headers=web.bearer).json()["count"] == 1


def test_safety_still_shows_when_the_store_fails(web: Web, monkeypatch: pytest.MonkeyPatch) -> None:
    from levelhead.storage import StoreError

    def broken(*_: object, **__: object) -> None:
        raise StoreError("reading the situation: a disk I/O error occurred")

    assert web.state.store is not None
    monkeypatch.setattr(web.state.store, "situation_for_check", broken)
    web.state.forget_situation()
    body = {"text": "I don't want to be here anymore", "goal": "closure"}
    checked = web.client.post("/api/v1/check", json=body, headers=web.bearer)
    assert checked.status_code == 200 and checked.json()["verdict"] == "safety" and checked.json()["resources"]
    assert "could not be read" in checked.headers["levelhead-warning"]
    composed = web.client.post("/api/v1/compose", json=body, headers=web.bearer).json()
    assert composed["report"]["resources"] and "agreements or history" in composed["warning"]


def test_check_with_a_store_answers_the_cli_json(web: Web, run: Run) -> None:
    """Both read the store the same way: its situation, agreements and history under the request's fields."""
    web.client.put("/api/v1/situation", json={"goal": "logistics", "tz": "Europe/London", "children": 2},
                   headers=web.bearer)  # fmt: skip
    window = {"kind": "window", "details": {"days": "mon-fri", "from": "19:30", "to": "20:00"}}
    web.client.post("/api/v1/agreements", json=window, headers=web.bearer)
    assert web.state.store is not None
    web.state.store.log_message("them", "Can you bring the jackets?", at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    text = "Sure, I'll bring them at 10!! Also we need to talk about what you did."
    got = web.client.post("/api/v1/check", json={"text": text, "mood": "calm", "now": NOW}, headers=web.bearer)
    cli = run("check", text, "--mood", "calm", "--now", NOW, "--format", "json")
    assert cli.returncode in (0, 1), cli.stderr
    assert got.json() == json.loads(cli.stdout)
    assert "BD02" in [d["code"] for d in got.json()["diagnostics"]]
