"""``levelhead serve`` as a user starts it: the URL first, the store opened at start, clear errors."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

from levelhead.storage import Store
from tests.web.browser import serve_env, serving


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
