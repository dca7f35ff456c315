"""The pages: server-rendered shells; the data comes from the JSON API through ``static/app.js``."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from levelhead.safety import DEFAULT_COUNTRY, countries, resources_for
from levelhead.web.state import AppState

templates = Jinja2Templates(directory=str(resources.files("levelhead.web").joinpath("templates")))
router = APIRouter(include_in_schema=False)
PAGES = (
    # path, template, nav label
    ("/", "compose.html", "Write"),
    ("/ready", "ready.html", "Should I?"),
    ("/incoming", "incoming.html", "Their message"),
    ("/agreements", "agreements.html", "Agreements"),
    ("/drafts", "drafts.html", "Drafts"),
    ("/history", "history.html", "History"),
    ("/settings", "settings.html", "Settings"),
)


def prepare() -> None:
    """Compile the templates and read the MIME table now, so the first page load does not do it."""
    import mimetypes

    mimetypes.guess_type("app.css")
    for name in (*(template for _, template, _ in PAGES), "help.html", "neutral.html"):
        templates.env.get_template(name)


def _country(state: AppState) -> str:
    """The configured country; the default one if the store cannot be read (help must still show)."""
    try:
        return state.base_situation().country
    except Exception:
        return DEFAULT_COUNTRY


def _render(request: Request, template: str, **extra: object) -> Response:
    state: AppState = request.app.state.levelhead
    context = {
        "csrf": getattr(request.state, "csrf", ""),
        "nav": PAGES,
        "path": request.url.path,
        "has_store": state.has_store,
        **extra,
    }
    return templates.TemplateResponse(request, template, context)


def _hours(hours: int) -> str:
    if hours % 24 == 0:
        return "1 day" if hours == 24 else f"{hours // 24} days"
    return "1 hour" if hours == 1 else f"{hours} hours"


def _cool_off(state: AppState) -> dict[str, object]:
    """The Park choices; the settings' cool-off first chosen (the one for anger when the mood is angry)."""
    from levelhead.web.thresholds import cool_off_hours

    calm, angry = cool_off_hours(state.config)
    return {"calm": calm, "angry": angry, "choices": [(h, _hours(h)) for h in sorted({1, 12, 24, 72, calm, angry})]}


def _page(path: str, template: str) -> None:
    async def page(request: Request) -> Response:
        if template == "compose.html":
            return _render(request, template, cool_off=_cool_off(request.app.state.levelhead))
        return _render(request, template)

    page.__name__ = f"page_{template.removesuffix('.html')}"
    router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse)


for _path, _template, _ in PAGES:
    _page(_path, _template)


@router.get("/help", response_class=HTMLResponse)
async def help_page(request: Request, country: str | None = None) -> Response:
    chosen = (country or _country(request.app.state.levelhead)).upper()
    if chosen not in countries():
        chosen = DEFAULT_COUNTRY
    return _render(request, "help.html", country=chosen, countries=countries(), resources=resources_for(chosen))


@router.get("/neutral", response_class=HTMLResponse)
async def neutral(request: Request) -> Response:
    return templates.TemplateResponse(request, "neutral.html", {})
