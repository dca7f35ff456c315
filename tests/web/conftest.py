"""Fixtures for the web app: an app on a fresh home (with or without a store), a signed-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from levelhead.storage import Store
from levelhead.web.app import create_app
from levelhead.web.security import Keys, new_launch_token
from levelhead.web.state import AppState

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
ORIGIN = BASE


@dataclass
class Web:
    client: TestClient
    token: str
    state: AppState

    @property
    def bearer(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign_in(self) -> str:
        """Sign in as the browser does (launch link, cookie); returns the page's CSRF token."""
        first = self.client.get(f"/?token={self.token}", follow_redirects=False)
        assert first.status_code == 303
        page = self.client.get("/")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
        assert found, page.text[:500]
        return found.group(1)

    def browser_headers(self, csrf: str) -> dict[str, str]:
        return {"Origin": ORIGIN, "X-CSRF-Token": csrf}


@pytest.fixture
def web_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """LEVELHEAD_HOME and the config folder in tmp, and no settings file from the working folder."""
    monkeypatch.setenv("LEVELHEAD_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("LEVELHEAD_DB", raising=False)
    monkeypatch.delenv("LEVELHEAD_PASSPHRASE", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _web(store: Store | None) -> Iterator[Web]:
    token = new_launch_token()
    state = AppState.load(None, store)
    app = create_app(state, Keys(token), PORT)
    with TestClient(app, base_url=BASE) as client:
        yield Web(client, token, state)
    state.close()


@pytest.fixture
def web(web_home: Path) -> Iterator[Web]:
    """An app with a plain, empty store."""
    store = Store.open(None)
    store.init()
    yield from _web(store)


@pytest.fixture
def bare_web(web_home: Path) -> Iterator[Web]:
    """An app started where there is no store yet."""
    yield from _web(None)
