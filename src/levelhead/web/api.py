"""The JSON API under ``/api/v1/``: the same engine and the same JSON shapes as the command line."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from levelhead import engine, pace_stats
from levelhead.config import ConfigError, situation_from_mapping
from levelhead.diagnostics import Report
from levelhead.safety import countries, resources_for
from levelhead.situation import Situation
from levelhead.storage.view import StoredAgreement, describe_agreement, merge_agreements
from levelhead.web import schemas as s
from levelhead.web.state import AppState

# Routes are plain functions: FastAPI runs them in its worker threads, so a slow check (a very long
# draft) never holds up other requests, the quick-exit page included.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": s.Error, "description": why}
    for code, why in (
        (400, "The input cannot be used; the message says why"),
        (401, "Not signed in"),
        (403, "Refused: wrong host, another site, or a stale security token"),
        (404, "No such item"),
        (409, "Needs a store (create one on the Settings page), or conflicts with what is stored"),
        (422, "The request does not match the schema"),
        (503, "A part of levelhead (the tone model) could not be loaded"),
    )
}
router = APIRouter(prefix="/api/v1", responses=ERRORS)
TRUNCATION_NOTE = (
    "This checks that no stored entry or checkpoint was changed. Removing the newest entries can only be noticed "
    "against a checkpoint kept elsewhere, such as an exported bundle."
)
UPLOAD_LIMIT = 256 * 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.levelhead
    return state


def _json(body: Any, status: int = 200) -> Response:
    return JSONResponse(body, status_code=status)


# --- the situation a check reads -------------------------------------------------------------------------------------


def situation_for(
    state: AppState, fields: s.SituationFields, now: datetime | None
) -> tuple[Situation, datetime, str | None]:
    """The stored situation (or the settings file's) with the request's fields on top, the moment to check,
    and a warning when the store could not be read (the check runs without it)."""
    flags = fields.model_dump(exclude_none=True, exclude={"now", "select", "ignore", "text"})
    if "tz" in flags:
        flags["timezone"] = flags.pop("tz")
    try:
        base, warning = state.situation_for_check()
        zone_only = {k: v for k, v in flags.items() if k == "timezone"}
        moment = engine.local_now(_overlay(zone_only, base), now)
        if now is not None and warning is None:
            base, warning = state.situation_for_check(moment)
        situation = _overlay(flags, base)
    except ConfigError as err:
        raise ApiError(400, str(err)) from None
    return situation, engine.local_now(situation, moment), warning


_overlays: dict[tuple[int, tuple[tuple[str, Any], ...]], tuple[Situation, Situation]] = {}


def _overlay(flags: dict[str, Any], base: Situation) -> Situation:
    """``situation_from_mapping(flags, base)``, remembered: the Write page asks with the same goal and mood over
    the same cached situation many times a minute. An entry holds its base, so ``id(base)`` stays its own."""
    key = (id(base), tuple(sorted(flags.items())))
    found = _overlays.get(key)
    if found is not None and found[0] is base:
        return found[1]
    situation = situation_from_mapping(flags, base)
    if len(_overlays) >= 64:
        _overlays.clear()
    _overlays[key] = (base, situation)
    return situation


WARNING_HEADER = "Levelhead-Warning"


def _report(state: AppState, body: s.CheckRequest) -> tuple[Report, Situation, datetime, str | None]:
    situation, moment, warning = situation_for(state, body, body.now)
    try:
        rules = state.rules(tuple(body.select), tuple(body.ignore))
        return engine.check(body.text, situation, now=moment, rules=rules), situation, moment, warning
    except ValueError as err:  # DraftError, RuleError
        raise ApiError(400, str(err)) from None


def _warned(response: Response, warning: str | None) -> Response:
    if warning:
        response.headers[WARNING_HEADER] = warning.encode("ascii", "replace").decode()
    return response


def check_answer(state: AppState, body: s.CheckRequest) -> tuple[Any, str | None]:
    """What ``POST /check`` answers, and its warning."""
    report, _, _, warning = _report(state, body)
    return report.to_wire(), warning


def compose_answer(state: AppState, body: s.CheckRequest) -> tuple[Any, str | None]:
    """What ``POST /compose`` answers (its warning is in the body)."""
    report, situation, moment, warning = _report(state, body)
    edits = [
        [None if g.span is None else g.span.to_wire() for g in d.suggestions] for d in report.diagnostics
    ]  # fmt: skip
    history = situation.history
    last = pace_stats.last_from(history, "them", moment)
    delay = pace_stats.their_median_reply_delay(history, now=moment)
    words = pace_stats.their_median_length(history, now=moment)
    return {
        "report": report.to_wire(),
        "edits": edits,
        "last_message": None if last is None else {
            "at": last.at.isoformat(), "text": last.text, "words": pace_stats.word_count(last.text)},
        "mirror": {
            "their_median_words": words,
            "their_median_reply_minutes": None if delay is None else round(delay.total_seconds() / 60, 1),
            "earliest_reply": None if last is None or delay is None else (last.at + delay).isoformat(),
        },
        "warning": warning,
    }, None  # fmt: skip


# These two are also answered by levelhead.web.hotpath, before FastAPI's routing; the routes here give them their
# schema and answer what the hot path hands on (a body that does not validate, another content type).
@router.post("/check", response_model=s.ReportOut, summary="Check a draft (the JSON of `levelhead check`)")
def check(body: s.CheckRequest, request: Request) -> Response:
    """When the store cannot be read the check still runs, without it, and says so in ``Levelhead-Warning``."""
    answer, warning = check_answer(state_of(request), body)
    return _warned(_json(answer), warning)


@router.post("/compose", response_model=s.ComposeOut, summary="Check a draft for the Compose page")
def compose(body: s.CheckRequest, request: Request) -> Response:
    return _json(compose_answer(state_of(request), body)[0])


@router.post("/ready", response_model=s.ReportOut, summary="Should I reach out at all, now? (`levelhead ready`)")
def ready(body: s.ReadyRequest, request: Request) -> Response:
    state = state_of(request)
    situation, moment, warning = situation_for(state, body, body.now)
    try:
        report = engine.ready(situation, now=moment, select=body.select, ignore=[*state.config.ignore, *body.ignore],
                              settings=state.config.rule_settings or None)  # fmt: skip
    except ValueError as err:
        raise ApiError(400, str(err)) from None
    return _warned(_json(report.to_wire()), warning)


@router.post("/tone", response_model=s.ToneOut, summary="How a text reads (one line of `levelhead tone`)")
def tone(body: s.ToneRequest) -> Response:
    from levelhead import tone as tone_model

    if not body.text.strip():
        raise ApiError(400, "the text is empty")
    try:
        scores = tone_model.analyse(body.text)
    except (OSError, ValueError) as err:  # a missing or mismatched model file: say so, no traceback
        raise ApiError(503, f"the tone model could not be loaded ({err})") from None
    return _json(scores.to_wire())


@router.post("/triage", response_model=s.TriageOut, summary="Their message: safety first (`levelhead triage`)")
def triage(body: s.TriageRequest, request: Request) -> Response:
    from levelhead.triage import TriageError
    from levelhead.triage import triage as read_their_message

    state = state_of(request)
    fields = s.SituationFields(tz=body.tz, country=body.country)
    situation, moment, _ = situation_for(state, fields, body.received)
    try:
        result = read_their_message(body.text, received=moment, tz=situation.timezone, situation=situation)
    except TriageError as err:
        raise ApiError(400, str(err)) from None
    return _json(result.to_wire())


@router.get("/resources", response_model=list[s.ResourceOut], summary="Help resources for a country")
def resources(request: Request, country: str | None = None) -> Response:
    code = (country or state_of(request).base_situation().country).upper()
    if code not in countries():
        raise ApiError(400, f"no safety resources on file for {code!r} (available: {', '.join(sorted(countries()))})")
    return _json([r.to_wire() for r in resources_for(code)])


# --- situation -------------------------------------------------------------------------------------------------------


def _situation_out(situation: Situation, stored: bool) -> dict[str, Any]:
    return {
        "goal": situation.goal and situation.goal.value, "mood": situation.mood and situation.mood.value,
        "broke_up": situation.broke_up and situation.broke_up.isoformat(),
        "ended_by": situation.ended_by and situation.ended_by.value, "children": situation.children,
        "asked_for_space": situation.asked_for_space, "new_partner": situation.new_partner,
        "abuse_history": situation.abuse_history, "tz": situation.timezone, "country": situation.country,
        "channel": situation.channel.value, "stored": stored,
    }  # fmt: skip


@router.get("/situation", response_model=s.SituationOut, summary="The stored situation")
def get_situation(request: Request) -> Response:
    state = state_of(request)
    situation = state.need_store().situation() if state.has_store else state.config.situation
    return _json(_situation_out(situation, state.has_store))


@router.put("/situation", response_model=s.SituationOut, summary="Change the stored situation (only the given fields)")
def put_situation(body: s.SituationFields, request: Request) -> Response:
    state = state_of(request)
    store = state.need_store()
    flags = body.model_dump(exclude_unset=True)
    if "tz" in flags:
        flags["timezone"] = flags.pop("tz")
    current = store.situation()
    cleared = {k for k, v in flags.items() if v is None}
    try:
        updated = situation_from_mapping({k: v for k, v in flags.items() if v is not None}, current)
    except ConfigError as err:
        raise ApiError(400, str(err)) from None
    defaults = Situation()
    updated = replace(updated, **{k: getattr(defaults, k) for k in cleared})
    state.write(lambda st: st.set_situation(updated))
    return _json(_situation_out(updated, True))


# --- agreements ------------------------------------------------------------------------------------------------------


def _agreement_out(a: StoredAgreement, moment: datetime) -> dict[str, Any]:
    return {
        "id": a.id, "kind": a.kind, "details": a.details, "description": describe_agreement(a.kind, a.details),
        "created_at": a.created_at.isoformat(), "ended_at": a.ended_at and a.ended_at.isoformat(),
        "end_reason": a.end_reason, "active": a.active_at(moment),
    }  # fmt: skip


@router.get("/agreements", response_model=s.AgreementsOut, summary="Agreements, no-contact countdown, next window")
def list_agreements(request: Request) -> Response:
    state = state_of(request)
    store = state.need_store()
    situation = state.base_situation()
    moment = engine.local_now(situation)
    items = store.agreements()
    merged = merge_agreements([a for a in items if a.active_at(moment)])
    until = merged.no_contact_until
    days_left = (until - moment.date()).days if until is not None and until >= moment.date() else None
    window = None
    if merged.windows:
        open_now = next((w for w in merged.windows if w.contains(moment)), None)
        if open_now is not None:
            window = {"opens_at": moment.isoformat(), "description": open_now.describe(), "open_now": True}
        else:
            opening, first = min(((w.next_start(moment), w) for w in merged.windows), key=lambda p: p[0])
            window = {"opens_at": opening.isoformat(), "description": first.describe(), "open_now": False}
    return _json({
        "agreements": [_agreement_out(a, moment) for a in items],
        "no_contact_until": until and until.isoformat(),
        "no_contact_days_left": days_left if until is not None and until >= moment.date() else None,
        "next_window": window,
    })  # fmt: skip


@router.post("/agreements", response_model=s.Created, status_code=201, summary="Record an agreement")
def add_agreement(body: s.AgreementIn, request: Request) -> Response:
    state = state_of(request)
    agreement_id = state.write(lambda st: st.add_agreement(body.kind, body.details))
    return _json({"id": agreement_id}, 201)


@router.post("/agreements/{agreement_id}/end", response_model=s.Done, summary="End an agreement (it stays on record)")
def end_agreement(agreement_id: int, body: s.EndAgreement, request: Request) -> Response:
    state = state_of(request)
    if agreement_id not in {a.id for a in state.need_store().agreements()}:
        raise ApiError(404, f"no agreement {agreement_id}")
    state.write(lambda st: st.end_agreement(agreement_id, body.reason))
    return _json({"ok": True})


# --- drafts and messages ---------------------------------------------------------------------------------------------


def _draft_out(d: Any, moment: datetime) -> dict[str, Any]:
    return {"id": d.id, "text": d.text, "due_at": d.due_at.isoformat(), "created_at": d.created_at.isoformat(),
            "status": d.status, "due": d.is_due(moment)}  # fmt: skip


@router.get("/drafts", response_model=list[s.DraftOut], summary="Parked drafts, the ones due now first")
def list_drafts(request: Request) -> Response:
    store = state_of(request).need_store()
    moment = datetime.now(UTC)
    drafts = store.drafts()
    ordered = [d for d in drafts if d.is_due(moment)] + [d for d in drafts if not d.is_due(moment)]
    return _json([_draft_out(d, moment) for d in ordered])


@router.post("/drafts", response_model=s.Created, status_code=201, summary="Park a draft for a cool-off")
def park_draft(body: s.ParkRequest, request: Request) -> Response:
    state = state_of(request)
    now = datetime.now(UTC)
    draft_id = state.write(lambda st: st.park_draft(body.text, now + timedelta(hours=body.hours), now=now))
    return _json({"id": draft_id}, 201)


def _find_draft(state: AppState, draft_id: int) -> Any:
    for d in state.need_store().drafts(status=None):
        if d.id == draft_id:
            return d
    raise ApiError(404, f"no draft {draft_id}")


@router.post("/drafts/{draft_id}/recheck", response_model=s.RecheckOut, summary="Check a parked draft again, now")
def recheck_draft(draft_id: int, request: Request) -> Response:
    state = state_of(request)
    draft = _find_draft(state, draft_id)
    report = _report(state, s.CheckRequest(text=draft.text))[0]
    return _json({"draft": _draft_out(draft, datetime.now(UTC)), "report": report.to_wire()})


@router.post("/drafts/{draft_id}/status", response_model=s.Done, summary="Mark a draft sent or discarded")
def draft_status(draft_id: int, body: s.DraftStatus, request: Request) -> Response:
    state = state_of(request)
    _find_draft(state, draft_id)
    if body.status == "discarded":
        state.write(lambda st: st.delete_draft(draft_id))  # a discarded draft is wiped, not kept
    else:
        state.write(lambda st: st.set_draft_status(draft_id, body.status))
    return _json({"ok": True})


@router.post("/messages", response_model=s.Logged, status_code=201, summary="Log a message as sent (or received)")
def log_message(body: s.LogMessage, request: Request) -> Response:
    state = state_of(request)
    at = body.at
    if at is not None and at.tzinfo is None:
        at = engine.local_now(state.base_situation(), at)
    state.write(lambda st: st.log_message(body.direction, body.text, at=at))
    return _json({"stored": 1}, 201)


# --- history and the record ------------------------------------------------------------------------------------------


def _safe_name(name: str | None) -> str:
    base = Path(name or "export").name
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base).lstrip(".")
    return cleaned[:120] or "export"


class ImportRefused(ApiError):
    def __init__(self, message: str, choices: list[str] | None = None) -> None:
        super().__init__(400, message)
        self.choices = choices


@router.post("/history/import", response_model=s.ImportOut, status_code=201, summary="Import a chat export (upload)")
def import_history(
    request: Request,
    file: Annotated[UploadFile, File(description="The export: WhatsApp .txt/.zip, Telegram JSON, SMS XML, ...")],
    me: Annotated[str | None, Form(max_length=200)] = None,
    kind: Annotated[str, Form(max_length=20)] = "auto",
    tz: Annotated[str | None, Form(max_length=64)] = None,
) -> Response:
    """Stored: your messages and theirs; system lines skipped; group chats refused; the same file twice
    changes nothing, and a later export of the same chat adds only what is new (as ``levelhead import``)."""
    from levelhead.history import KINDS, ImportFailed, parse_file

    state = state_of(request)
    state.need_store()
    if kind not in ("auto", *KINDS):
        raise ApiError(400, f"unknown kind {kind!r}; one of: auto, {', '.join(KINDS)}")
    zone = tz or state.base_situation().timezone
    with tempfile.TemporaryDirectory(prefix="levelhead-import-") as folder:
        path = Path(folder) / _safe_name(file.filename)
        size = 0
        with path.open("wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > UPLOAD_LIMIT:
                    raise ApiError(400, "the file is larger than 256 MB")
                out.write(chunk)
        try:
            chat = parse_file(path, kind=kind, me=me or None, tz=zone)
        except ImportFailed as err:
            choices = err.participants if not me else None
            if choices:
                raise ImportRefused(f"{path.name}: which of these is you?", choices) from None
            raise ImportRefused(f"cannot import {path.name}: {err}; nothing was stored") from None
    if any(m.direction == "other" for m in chat.messages):
        raise ImportRefused(f"cannot import {path.name}: this is a group chat ({len(chat.participants)} people); "
                            "levelhead keeps the conversation between you and one person")  # fmt: skip
    rows = ((m.at, m.direction, m.kind, m.text) for m in chat.messages)
    result = state.write(lambda st: st.import_chat(rows, sha256=chat.sha256, kind=chat.kind))
    return _json({
        "kind": result.kind, "sha256": result.sha256, "participants": chat.participants, "stored": result.stored,
        "duplicates": result.duplicates, "skipped": result.skipped, "already": result.already,
        "imported_at": result.imported_at.isoformat(),
    }, 201)  # fmt: skip


@router.get("/history/stats", response_model=s.StatsOut, summary="The analytics (`levelhead stats --format json`)")
def history_stats(request: Request, weeks: Annotated[int, Query(ge=1, le=520)] = 8) -> Response:
    from zoneinfo import ZoneInfo

    from levelhead.analytics import compute

    state = state_of(request)
    store = state.need_store()
    messages = store.history()
    agreements = store.agreements()
    name = store.situation().timezone
    data = compute(messages, agreements, now=datetime.now(UTC), weeks=weeks, zone=ZoneInfo(name) if name else None)
    return _json(data)


@router.get("/verify", response_model=s.VerifyOut, summary="Check the record (`levelhead verify`)")
def verify(request: Request) -> Response:
    result = state_of(request).need_store().verify()
    return _json({
        "ok": result.ok, "outcome": result.outcome.name.lower(), "message": result.message, "count": result.count,
        "root": result.root, "first_bad_entry": result.first_bad_entry, "bad_checkpoint": result.bad_checkpoint,
        "note": TRUNCATION_NOTE,
    })  # fmt: skip


# --- store and settings ----------------------------------------------------------------------------------------------


@router.get("/store", response_model=s.StoreOut, summary="Whether there is a store, and where")
def store_info(request: Request) -> Response:
    state = state_of(request)
    store = state.store if state.has_store else None
    return _json({"exists": store is not None, "encrypted": bool(store and store.encrypted),
                  "location": state.store_location(), "messages": store.message_count() if store else 0,
                  "config_error": state.config_error})  # fmt: skip


@router.post("/store", response_model=s.StoreOut, status_code=201, summary="Create the store (plain or encrypted)")
def create_store(body: s.CreateStore, request: Request) -> Response:
    state = state_of(request)
    if state.has_store:
        raise ApiError(409, "there is already a levelhead store")
    store = state.create_store(body.passphrase)
    return _json({"exists": True, "encrypted": store.encrypted, "location": state.store_location(), "messages": 0,
                  "config_error": state.config_error}, 201)  # fmt: skip


@router.post("/store/passphrase", response_model=s.Done, summary="Change the store's passphrase")
def change_passphrase(body: s.ChangePassphrase, request: Request) -> Response:
    state = state_of(request)
    state.write(lambda st: st.change_passphrase(body.old, body.new))
    return _json({"ok": True})


def _settings_out(state: AppState) -> dict[str, Any]:
    from levelhead.web.thresholds import options_table

    path = state.config_path
    return {"countries": countries(), "options": options_table(state.config),
            "config_file": str(path) if path else None, "config_exists": bool(path and path.is_file()),
            "config_error": state.config_error}  # fmt: skip


@router.get("/settings", response_model=s.SettingsOut, summary="Countries with resources, and the rule thresholds")
def settings(request: Request) -> Response:
    return _json(_settings_out(state_of(request)))


@router.put("/settings", response_model=s.SettingsOut, summary="Save rule thresholds in `levelhead.toml`")
def save_settings(body: s.OptionsIn, request: Request) -> Response:
    """The file the CLI reads, so `levelhead check` and the app agree. All or nothing: a value that cannot be
    used is a 400 that names it, and the file is left as it was."""
    state = state_of(request)
    try:
        state.save_options(body.options)
    except ConfigError as err:
        raise ApiError(400, str(err)) from None
    return _json(_settings_out(state))
