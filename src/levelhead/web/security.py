"""The guard in front of every route: Host allow-list, launch token and session, Origin and CSRF, headers.

Plain ASGI (no ``BaseHTTPMiddleware``, which costs a task and a queue per
request). What it enforces, in order:

1. The ``Host`` header names this computer on the served port (``localhost``,
   ``127.0.0.1``, ``[::1]``); anything else is 403, which stops DNS rebinding.
   ``X-Forwarded-*`` headers are ignored.
2. Every response gets the security headers below (CSP without inline script,
   no caching, no referrer, no sniffing, no framing).
3. Authentication: ``GET`` with ``?token=LAUNCH_TOKEN`` sets the session cookie
   and redirects to the same URL without the token; the browser then sends the
   cookie (HttpOnly, SameSite=Strict). API clients send ``Authorization: Bearer
   LAUNCH_TOKEN``. Static files and the neutral page need neither.
4. State changes (any method but GET/HEAD): an ``Origin`` header, when present,
   must equal one of the served origins exactly; a browser session must also
   send it and the session's CSRF token in ``X-CSRF-Token``. A bearer token is
   itself the proof a cross-site page cannot forge, so bearer clients need no
   CSRF token.

Sessions are stateless: the cookie is ``nonce.mac`` with the MAC keyed by the
launch token, and the CSRF token is a second MAC of the same nonce, so every
worker process can check both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "levelhead_session"
CSRF_HEADER = b"x-csrf-token"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
SECURITY_HEADER_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)
SAFE_METHODS = frozenset({"GET", "HEAD"})
# Paths anyone on this computer may load: the look of the app, and the page quick exit leads to.
PUBLIC_PREFIXES = ("/static/", "/neutral", "/favicon.ico")


def new_launch_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class Keys:
    """Session cookies and CSRF tokens derived from the launch token (no server-side session table)."""

    def __init__(self, launch_token: str) -> None:
        self.launch_token = launch_token
        self._key = hashlib.sha256(b"levelhead-web-session\x00" + launch_token.encode()).digest()

    def _mac(self, purpose: str, nonce: str) -> str:
        return hmac.new(self._key, f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()

    def new_session(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._mac('session', nonce)}"

    def session_nonce(self, cookie: str | None) -> str | None:
        """The nonce of a genuine session cookie, else None."""
        if not cookie or "." not in cookie:
            return None
        nonce, mac = cookie.split(".", 1)
        return nonce if hmac.compare_digest(mac, self._mac("session", nonce)) else None

    def csrf_for(self, nonce: str) -> str:
        return self._mac("csrf", nonce)

    def is_launch_token(self, value: str | None) -> bool:
        return value is not None and hmac.compare_digest(value.encode(), self.launch_token.encode())


def allowed_hosts(port: int) -> frozenset[bytes]:
    names = ("localhost", "127.0.0.1", "[::1]")
    return frozenset([n.encode() for n in names] + [f"{n}:{port}".encode() for n in names])


def allowed_origins(port: int) -> frozenset[bytes]:
    return frozenset(f"http://{n}:{port}".encode() for n in ("localhost", "127.0.0.1", "[::1]"))


def _cookie(headers: Iterable[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, val = part.strip().partition("=")
                if key == COOKIE:
                    return val
    return None


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, keys: Keys, port: int, extra_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.keys = keys
        self.hosts = allowed_hosts(port) | {h.encode() for h in extra_hosts}
        self.origins = allowed_origins(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self.app(scope, receive, send)
            return
        if kind != "http":  # no websockets here
            return
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name, value)
        if headers.get(b"host") not in self.hosts:
            await _plain(send, 403, "This address is not allowed. Open levelhead from the link it printed.")
            return
        path: str = scope["path"]
        method: str = scope["method"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers} & SECURITY_HEADER_NAMES
                headers += (h for h in SECURITY_HEADERS if h[0] not in present) if present else SECURITY_HEADERS
                message["headers"] = headers
            await send(message)

        if path.startswith(PUBLIC_PREFIXES):
            if method not in SAFE_METHODS:
                await _plain(send, 405, "Method not allowed.")
                return
            await self.app(scope, receive, send_with_headers)
            return

        query = scope.get("query_string", b"")
        if method == "GET" and b"token=" in query:
            await self._login(scope, send, query)
            return

        bearer = headers.get(b"authorization", b"")
        nonce: str | None = None
        if bearer:
            scheme, _, value = bearer.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not self.keys.is_launch_token(value.strip()):
                await self._refuse(send, path, "the token is not valid for this server")
                return
        else:
            nonce = self.keys.session_nonce(_cookie(scope["headers"]))
            if nonce is None:
                await self._refuse(send, path, "open levelhead from the link it printed in the terminal")
                return

        if method not in SAFE_METHODS:
            origin = headers.get(b"origin")
            if origin is not None and origin not in self.origins:
                await _json(send, 403, {"error": "this request came from another site and was refused"})
                return
            if nonce is not None:
                if origin is None:
                    await _json(send, 403, {"error": "a browser request without an Origin header was refused"})
                    return
                sent = headers.get(CSRF_HEADER, b"").decode("latin-1")
                if not hmac.compare_digest(sent.encode(), self.keys.csrf_for(nonce).encode()):
                    await _json(send, 403, {"error": "the page's security token is missing or stale: reload the page"})
                    return

        scope.setdefault("state", {})["csrf"] = self.keys.csrf_for(nonce) if nonce else ""
        await self.app(scope, receive, send_with_headers)

    async def _login(self, scope: Scope, send: Send, query: bytes) -> None:
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        token = next((v for k, v in pairs if k == "token"), None)
        if not self.keys.is_launch_token(token):
            await _plain(send, 401, "This link is not valid. Use the link levelhead printed when it started.")
            return
        rest = urlencode([(k, v) for k, v in pairs if k != "token"])
        location = "/" + scope["path"].lstrip("/") + (f"?{rest}" if rest else "")  # never "//host": stay here
        cookie = f"{COOKIE}={self.keys.new_session()}; Path=/; HttpOnly; SameSite=Strict"
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", location.encode()), (b"set-cookie", cookie.encode()),
                                (b"content-length", b"0"), *SECURITY_HEADERS]})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})

    async def _refuse(self, send: Send, path: str, why: str) -> None:
        if path.startswith("/api/"):
            await _json(send, 401, {"error": f"not signed in: {why}"}, [(b"www-authenticate", b"Bearer")])
        else:
            await _plain(send, 401, f"levelhead is running, but this browser is not signed in: {why}.")


async def _json(send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]] | None = None) -> None:
    await _respond(send, status, json.dumps(body).encode(), b"application/json", extra or [])


async def _plain(send: Send, status: int, text: str) -> None:
    await _respond(send, status, text.encode(), b"text/plain; charset=utf-8", [])


async def _respond(send: Send, status: int, body: bytes, ctype: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *extra, *SECURITY_HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
