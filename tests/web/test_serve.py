"""``levelhead serve`` as a user starts it: the URL first, the store opened at start, clear errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from levelhead.storage import Store
from tests.web.browser import serve_env, serving, workers_of


def test_first_line_is_the_url_with_a_token_and_the_api_answers(tmp_path: Path) -> None:
    with serving(tmp_path) as url:
        assert url.startswith("http://127.0.0.1:") and "/?token=" in url
        base, token = url.split("/?token=")
        assert len(token) >= 43
        got = httpx.post(f"{base}/api/v1/check", json={"text": "Saturday at 10?", "goal": "logistics"},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)  # fmt: skip
        assert got.status_code == 200 and got.json()["schema"] == 1
        assert httpx.get(f"{base}/api/v1/check", timeout=10).status_code in (401, 405)
    assert not (tmp_path / "data" / "levelhead.db").exists()  # no store was created behind the person's back


def test_an_encrypted_store_opens_with_the_passphrase_from_the_environment(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'data' / 'levelhead.db'}", "a long passphrase") as store:
        store.init(encrypt=True)
        store.park_draft("sealed draft", due=datetime.now(UTC))
    with serving(tmp_path, env={"LEVELHEAD_PASSPHRASE": "a long passphrase"}) as url:
        base, token = url.split("/?token=")
        drafts = httpx.get(f"{base}/api/v1/drafts", headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
        assert [d["text"] for d in drafts] == ["sealed draft"]


def _serve(home: Path, *args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    (home / "config").mkdir(parents=True, exist_ok=True)
    env = {**serve_env(home), **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "levelhead", "serve", "--no-browser", *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)  # fmt: skip


def test_an_encrypted_store_without_its_passphrase_is_one_clear_error(tmp_path: Path) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'data' / 'levelhead.db'}", "a long passphrase") as store:
        store.init(encrypt=True)
    done = _serve(tmp_path, "--port", "0")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("levelhead: error:") and "passphrase" in done.stderr
    assert "Traceback" not in done.stderr
    wrong = _serve(tmp_path, "--port", "0", env_extra={"LEVELHEAD_PASSPHRASE": "not it"})
    assert wrong.returncode == 2 and "wrong passphrase" in wrong.stderr


def test_a_busy_port_is_one_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = _serve(tmp_path, "--port", str(port))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"levelhead: error: port {port} is in use") and done.stderr.count("\n") == 1


def test_only_this_computer(tmp_path: Path) -> None:
    done = _serve(tmp_path, "--host", "0.0.0.0")
    assert done.returncode == 2 and "0.0.0.0" in done.stderr


def test_two_workers_share_the_token_the_key_and_each_others_writes(tmp_path: Path) -> None:
    """With a store, two worker processes serve one socket; whichever answers, it answers the same."""
    with Store.open(f"sqlite:///{tmp_path / 'data' / 'levelhead.db'}", "a long passphrase") as store:
        store.init(encrypt=True)
        store.park_draft("sealed draft", due=datetime.now(UTC))
    started: list[subprocess.Popen[str]] = []
    with serving(tmp_path, "--workers", "2", env={"LEVELHEAD_PASSPHRASE": "a long passphrase"}, started=started) as url:
        workers = workers_of(started[0].pid) if sys.platform == "linux" else []
        assert len(workers) == (1 if sys.platform == "linux" else 0)
        base, token = url.split("/?token=")
        # A new connection for each request, so both workers answer some of them.
        headers = {"Authorization": f"Bearer {token}", "Connection": "close"}

        def check() -> set[str]:
            got = httpx.post(f"{base}/api/v1/check", json={"text": LONG, "goal": "logistics"}, headers=headers,
                             timeout=30)  # fmt: skip
            assert got.status_code == 200, got.text
            return {d["code"] for d in got.json()["diagnostics"]}

        for _ in range(12):
            assert "PC01" not in check() and "BD01" not in check()
            drafts = httpx.get(f"{base}/api/v1/drafts", headers=headers, timeout=30).json()
            assert [d["text"] for d in drafts] == ["sealed draft"]
        saved = httpx.put(f"{base}/api/v1/settings", json={"options": {"PC01": {"text_words": 15}}},
                          headers=headers, timeout=30)  # fmt: skip
        assert saved.status_code == 200, saved.text
        no_contact = {"kind": "no-contact", "details": {"until": "2099-01-01"}}
        agreed = httpx.post(f"{base}/api/v1/agreements", json=no_contact, headers=headers, timeout=30)
        assert agreed.status_code == 201, agreed.text
        for _ in range(12):
            assert {"PC01", "BD01"} <= check()
    assert started[0].returncode is not None
    assert not any(Path(f"/proc/{worker}").exists() for worker in workers)  # stopped with the server


LONG = (
    "Can you bring the kids back at 6 on Sunday and also their coats and the school bags and the blue lunch box please"
)
