"""The app factory: the API, the pages and the static files behind the security guard."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from levelhead.storage import StoreError, WrongPassphraseError
from levelhead.web.api import ApiError, router
from levelhead.web.hotpath import HotPath
from levelhead.web.pages import router as pages
from levelhead.web.security import Guard, Keys
from levelhead.web.state import AppState, NoStore

STATIC = Path(str(resources.files("levelhead.web").joinpath("static")))


def create_app(state: AppState, keys: Keys, port: int, extra_hosts: Iterable[str] = ()) -> Guard:
    """The ASGI app to serve: FastAPI behind the hot path of the checks, both behind the security guard.

    ``extra_hosts`` adds Host values to the allow-list (tests use ``testserver``).
    """
    app = FastAPI(
        title="levelhead",
        version="1",
        summary="A calm second opinion before you contact your ex: the JSON API of `levelhead serve`.",
        docs_url=None,  # the interactive docs load scripts from a CDN; the schema is enough
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.levelhead = state
    # Pages first: FastAPI prepares a router's routes on the first request that reaches it, and the API's
    # (its models) take a moment; in this order the first page does not wait for them.
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(router)
    _errors(app)
    return Guard(HotPath(app, state), keys, port, extra_hosts)


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, err: ApiError) -> Response:
        choices = getattr(err, "choices", None)
        if choices:
            return JSONResponse({"error": str(err), "choices": choices}, status_code=err.status)
        return _error(err.status, str(err))

    @app.exception_handler(NoStore)
    async def no_store(request: Request, err: NoStore) -> Response:
        return _error(409, str(err))

    @app.exception_handler(StoreError)
    async def store_error(request: Request, err: StoreError) -> Response:
        return _error(400 if isinstance(err, WrongPassphraseError) else 409, " ".join(str(err).split()))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, err: RequestValidationError) -> Response:
        return _error(422, "; ".join(_describe(e) for e in err.errors()[:5]) or "the request is not valid")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, err: HTTPException) -> Response:
        message = err.detail if isinstance(err.detail, str) else "the request was refused"
        return JSONResponse({"error": message}, status_code=err.status_code, headers=err.headers)


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    return f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid"))
