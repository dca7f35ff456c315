"""``POST /api/v1/check`` and ``/compose`` without FastAPI's routing: the requests the Write page makes per pause.

FastAPI's route matching, dependency solving and thread hop cost about as much
as a check of a short draft. This plain ASGI step answers a well-formed JSON
request for those two paths itself, with the same functions and the same
JSON as the FastAPI routes (``levelhead.web.api``), which still describe them
in the OpenAPI schema. Anything else, and any body that does not parse or
validate, goes on to FastAPI untouched, so errors read exactly as before.

A short draft is checked right here on the event loop (a few milliseconds at
most, and no thread hand-off); a long one goes to a worker thread, so it
never holds up other requests, the quick-exit page included.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from levelhead.web import schemas as s
from levelhead.web.api import WARNING_HEADER, ApiError, check_answer, compose_answer
from levelhead.web.security import ASGIApp, Message, Receive, Scope, Send
from levelhead.web.state import AppState

Answer = Callable[[AppState, s.CheckRequest], tuple[Any, str | None]]
ROUTES: dict[str, Answer] = {"/api/v1/check": check_answer, "/api/v1/compose": compose_answer}
INLINE_CHARS = 3_000  # drafts up to this long are checked on the event loop (about 500 words)
BODY_LIMIT = 1 << 20  # larger bodies (a draft of 100,000 characters, escaped) go to FastAPI as they are


class HotPath:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = ROUTES.get(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        if answer is None or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        body, complete = await _read(receive)
        request = _parse(body) if complete else None
        if request is None:
            await self.app(scope, _replay(body, complete, receive), send)
            return
        try:
            if len(request.text) <= INLINE_CHARS:
                content, warning = answer(self.state, request)
            else:
                content, warning = await run_in_threadpool(answer, self.state, request)
            status = 200
        except ApiError as err:
            content, warning, status = {"error": str(err)}, None, err.status
        payload = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        if warning:
            headers.append((WARNING_HEADER.lower().encode(), warning.encode("ascii", "replace")))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            kind: bytes = value.split(b";", 1)[0].strip().lower()
            return kind == b"application/json"
    return False


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether it is all there (False: over the limit, or the client went away)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > BODY_LIMIT:
            return b"".join(chunks), False


def _parse(body: bytes) -> s.CheckRequest | None:
    # As FastAPI reads a JSON body: json.loads, then the model in Python mode.
    try:
        return s.CheckRequest.model_validate(json.loads(body))
    except (ValueError, ValidationError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that gives back what was read, then the rest of the request as it comes."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay
