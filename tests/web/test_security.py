"""trust.md, "The local web app": host allow-list, token, Origin and CSRF, no state change on GET, headers."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest
from starlette.routing import Route

from tests.web.conftest import BASE, ORIGIN, PORT, Web

BAD_HOSTS = [
    "evil.example", f"evil.example:{PORT}", f"localhost.evil.example:{PORT}", "localhost.evil.example",
    f"192.168.1.20:{PORT}", f"10.0.0.5:{PORT}", f"[::1]evil:{PORT}", "[::1]evil", "", f"127.0.0.1:{PORT + 1}",
    f"0.0.0.0:{PORT}", f"127.0.0.2:{PORT}", f"LOCALHOST.:{PORT}",
]  # fmt: skip
GOOD_HOSTS = [f"localhost:{PORT}", f"127.0.0.1:{PORT}", f"[::1]:{PORT}", "localhost"]
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def assert_secure_headers(response: Any) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (response.request.url, name, response.headers.get(name))
    csp = response.headers["content-security-policy"]
    for part in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                 "frame-ancestors 'none'", "form-action 'self'"):  # fmt: skip
        assert part in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize("path", ["/", "/api/v1/check", "/static/app.css", "/neutral", "/api/v1/openapi.json"])
def test_hosts_outside_the_allow_list_are_refused(web: Web, host: str, path: str) -> None:
    got = web.client.get(path, headers={"Host": host, **web.bearer})
    assert got.status_code == 403
    assert_secure_headers(got)
    posted = web.client.post("/api/v1/check", json={"text": "hi"}, headers={"Host": host, **web.bearer})
    assert posted.status_code == 403


@pytest.mark.parametrize("host", GOOD_HOSTS)
def test_loopback_hosts_are_served(web: Web, host: str) -> None:
    got = web.client.post("/api/v1/check", json={"text": "hi"}, headers={"Host": host, **web.bearer})
    assert got.status_code == 200


def test_forwarded_headers_do_not_open_the_door(web: Web) -> None:
    got = web.client.get("/api/v1/situation", headers={"Host": "evil.example", "X-Forwarded-Host": "localhost",
                                                       "X-Forwarded-For": "127.0.0.1", **web.bearer})  # fmt: skip
    assert got.status_code == 403


def test_launch_token_is_long_and_leaves_the_url(web: Web) -> None:
    raw = base64.urlsafe_b64decode(web.token + "=" * (-len(web.token) % 4))
    assert len(raw) * 8 >= 128
    first = web.client.get(f"/drafts?token={web.token}&x=1", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/drafts?x=1"
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and web.token not in cookie
    assert_secure_headers(first)
    page = web.client.get("/drafts")
    assert page.status_code == 200 and web.token not in page.text
    elsewhere = web.client.get(f"{BASE}//evil.example/?token={web.token}", follow_redirects=False)
    assert elsewhere.headers["location"] == "/evil.example/"


def test_without_token_or_session_nothing_is_served(web: Web) -> None:
    assert web.client.get("/").status_code == 401
    api = web.client.get("/api/v1/situation")
    assert api.status_code == 401 and "error" in api.json()
    assert web.client.get("/?token=not-the-token", follow_redirects=False).status_code == 401
    assert web.client.get("/api/v1/situation", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert web.client.get("/api/v1/situation", headers={"Authorization": f"Basic {web.token}"}).status_code == 401
    web.client.cookies.set("levelhead_session", "abc.def")
    assert web.client.get("/").status_code == 401
    # public: the look of the app and the neutral page
    assert web.client.get("/static/app.css").status_code == 200
    assert web.client.get("/neutral").status_code == 200


def test_token_in_a_post_does_not_sign_in(web: Web) -> None:
    got = web.client.post(f"/api/v1/check?token={web.token}", json={"text": "hi"}, headers={"Origin": ORIGIN})
    assert got.status_code == 401


BAD_ORIGINS = [
    "http://evil.example", f"http://127.0.0.1:{PORT}.evil.example", f"http://127.0.0.1:{PORT}0", "null",
    f"https://127.0.0.1:{PORT}", f"http://localhost:{PORT}/", f"http://127.0.0.1:{PORT + 1}", "http://127.0.0.1",
]  # fmt: skip


@pytest.mark.parametrize("origin", BAD_ORIGINS)
def test_state_changes_from_another_origin_are_refused(web: Web, origin: str) -> None:
    csrf = web.sign_in()
    got = web.client.post("/api/v1/drafts", json={"text": "x"}, headers={"Origin": origin, "X-CSRF-Token": csrf})
    assert got.status_code == 403
    bearer = web.client.post("/api/v1/drafts", json={"text": "x"}, headers={"Origin": origin, **web.bearer})
    assert bearer.status_code == 403
    assert web.client.get("/api/v1/drafts", headers=web.bearer).json() == []


def test_browser_state_changes_need_origin_and_csrf(web: Web) -> None:
    csrf = web.sign_in()
    body = {"text": "Saturday at 10?"}
    assert web.client.post("/api/v1/drafts", json=body, headers={"Origin": ORIGIN}).status_code == 403
    assert web.client.post("/api/v1/drafts", json=body, headers={"X-CSRF-Token": csrf}).status_code == 403
    wrong = {"Origin": ORIGIN, "X-CSRF-Token": csrf[:-1] + ("0" if csrf[-1] != "0" else "1")}
    assert web.client.post("/api/v1/drafts", json=body, headers=wrong).status_code == 403
    assert web.client.get("/api/v1/drafts", headers=web.bearer).json() == []
    for origin in (ORIGIN, f"http://localhost:{PORT}", f"http://[::1]:{PORT}"):
        ok = web.client.post("/api/v1/drafts", json=body, headers={"Origin": origin, "X-CSRF-Token": csrf})
        assert ok.status_code == 201, ok.text
    # the CSRF token belongs to the session: another session's token is refused
    other = web.client.get(f"/?token={web.token}", follow_redirects=False)
    assert other.status_code == 303
    assert web.client.post("/api/v1/drafts", json=body, headers=web.browser_headers(csrf)).status_code == 403


def all_routes(web: Web) -> list[tuple[str, set[str]]]:
    """Every (path, methods) the app serves, through included routers (FastAPI may wrap them)."""
    found: list[tuple[str, set[str]]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif isinstance(route, Route):
                found.append((route.path, set(route.methods or ())))

    app: Any = web.client.app
    while not hasattr(app, "routes"):  # the guard, then the hot path of the checks, then FastAPI
        app = app.app
    walk(app.routes)
    return found


def _fill(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _snapshot(web: Web) -> tuple[Any, ...]:
    store = web.state.store
    assert store is not None
    settings = web.state.config_path
    return (store.record_root(), [(d.id, d.text, d.status) for d in store.drafts(status=None)],
            [(a.id, a.ended_at) for a in store.agreements()], store.situation(), store.message_count(),
            settings is not None and settings.exists() and settings.read_bytes())  # fmt: skip


def _seed(web: Web) -> None:
    h = web.bearer
    web.client.post("/api/v1/drafts", json={"text": "draft one"}, headers=h)
    web.client.post("/api/v1/agreements", json={"kind": "no-visits"}, headers=h)
    web.client.put("/api/v1/situation", json={"goal": "logistics"}, headers=h)
    web.client.post("/api/v1/messages", json={"text": "hello"}, headers=h)


def test_no_route_changes_state_on_get(web: Web) -> None:
    _seed(web)
    csrf = web.sign_in()
    before = _snapshot(web)
    routes = all_routes(web)
    assert len(routes) > 20
    by_path: dict[str, set[str]] = {}
    for route_path, methods in routes:
        by_path.setdefault(route_path, set()).update(methods)
    walked = 0
    for route_path, methods in by_path.items():
        path = _fill(route_path)
        for headers in (web.bearer, web.browser_headers(csrf)):
            got = web.client.get(path, headers=headers, follow_redirects=False)
            if "GET" in methods:
                assert got.status_code < 500, (path, got.text)
                walked += 1
            else:
                assert got.status_code == 405, (path, got.status_code)
            assert_secure_headers(got)
            assert _snapshot(web) == before, f"GET {path} changed the store"
    assert walked >= 2 * 15


def test_every_response_has_the_security_headers(web: Web) -> None:
    csrf = web.sign_in()
    for route_path, methods in all_routes(web):
        for method in methods:
            got = web.client.request(method, _fill(route_path), headers=web.browser_headers(csrf), json={})
            assert_secure_headers(got)
    for path in ("/static/app.js", "/static/app.css", "/neutral", "/nowhere", "/api/v1/nowhere"):
        assert_secure_headers(web.client.get(path))


def test_pages_have_no_inline_script_and_a_neutral_title(web: Web) -> None:
    web.sign_in()
    for path in ("/", "/ready", "/incoming", "/agreements", "/drafts", "/history", "/help", "/settings", "/neutral"):
        page = web.client.get(path)
        assert page.status_code == 200, path
        assert "<title>Notes</title>" in page.text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), path
        assert not re.search(r"\son[a-z]+=", page.text), path  # no inline event handlers
        assert " style=" not in page.text, path
        if path != "/neutral":
            assert 'id="quick-exit"' in page.text and 'href="/help"' in page.text


def test_websockets_and_other_methods_are_closed(web: Web) -> None:
    assert web.client.request("OPTIONS", "/api/v1/check", headers=web.bearer).status_code in (403, 405)
    assert web.client.request("DELETE", "/static/app.css").status_code == 405
