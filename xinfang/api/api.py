"""The REST API under /api/v1 (django-ninja). Staff authenticate with a bearer token.

Every error is JSON: {"code": ..., "message": ..., "fields": {...}}. Functions here parse,
call one service or selector, and shape the answer; rules live in the services.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from xinfang.api.services import token_issue_for_login, token_user
from xinfang.core import ids
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ
from xinfang.directory.permissions import user_actions
from xinfang.petitions import selectors
from xinfang.petitions.services import (
    AttachmentInput,
    PartyInput,
    PetitionInput,
    petition_accused_set,
    petition_act,
    petition_register,
)
from xinfang.petitions.workflow import Action


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="xinfang 信访工作平台 API",
    version="1",
    description="登记、转送、办理、答复信访事项（《信访工作条例》）。认证：`Authorization: Bearer <token>`，"
    "令牌由 `POST /api/v1/auth/token` 以工作人员账号获取。错误统一为 `{code, message, fields}`。",
    auth=TokenAuth(),
    urls_namespace="api",
)


# --- errors ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


@api.exception_handler(ApplicationError)
def _app_error(request: HttpRequest, exc: ApplicationError):  # type: ignore[no-untyped-def]
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError):  # type: ignore[no-untyped-def]
    fields: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("body", "payload", "query", "path"))
        fields.setdefault(loc or "request", []).append(str(e.get("msg", "invalid")))
    return api.create_response(
        request, {"code": "invalid", "message": gettext("请求格式有误"), "fields": fields}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"code": "unauthorized", "message": gettext("请先登录（Bearer 令牌无效或缺失）")}, status=401
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):  # type: ignore[no-untyped-def]
    return api.create_response(
        request, {"code": f"http_{exc.status_code}", "message": str(exc)}, status=exc.status_code
    )


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- auth -----------------------------------------------------------------------------------


class LoginIn(Schema):
    username: str
    password: str
    name: str = ""
    otp_token: str = Field("", description="the current TOTP code; required once the user has enrolled a device")


class TokenOut(Schema):
    token: str


@api.post("/auth/token", auth=None, response={200: TokenOut, **ERRORS}, tags=["auth"])
def auth_token(request: HttpRequest, payload: LoginIn):  # type: ignore[no-untyped-def]
    """Exchange a staff username and password (and the TOTP code, for users who enrolled an
    authenticator) for a bearer token."""
    return {
        "token": token_issue_for_login(
            username=payload.username, password=payload.password, name=payload.name,
            otp_token=payload.otp_token,
        )
    }


# --- schemas --------------------------------------------------------------------------------


class PartyIn(Schema):
    role: str = Field(..., description="petitioner | representative | agent")
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_organisation: bool = False


class AttachmentIn(Schema):
    name: str
    content_base64: str


class PetitionIn(Schema):
    channel: str = Field(..., description="online | letter | visit | phone | fax | hotline")
    title: str
    content: str
    region_code: str = Field(..., description="GB/T 2260 code of the place of the matter")
    received_at: datetime | None = Field(None, description="real time of receipt; default now")
    category: str = Field("", description="suggestion | accusation | appeal")
    route: int | None = Field(None, description="Art. 31 route 1–6 (appeal only)")
    accused_organ_id: int | None = None
    accused_staff_ids: list[int] = Field([], description="staff named in an accusation (accusation only)")
    accused_persons: str = Field("", description="people named who are not staff (accusation only)")
    is_collective: bool = False
    head_count: int = 1
    is_anonymous: bool = False
    confidential: bool = False
    parties: list[PartyIn] = []
    attachments: list[AttachmentIn] = []
    repeat_of_id: int | None = None


class RegisteredOut(Schema):
    id: int
    tracking_code: str
    query_password: str = Field(..., description="shown once; give it to the petitioner")
    state: str


class PetitionRow(Schema):
    id: int
    tracking_code: str
    title: str
    state: str
    state_label: str
    category: str
    channel: str
    received_at: datetime
    next_due: date | None
    due_status: str


class PageOut(Schema):
    items: list[PetitionRow]
    next_cursor: str | None


class PartyOut(Schema):
    role: str
    name: str
    phone: str
    address: str


class EventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str | None
    organ: str | None
    occurred_at: datetime
    recorded_at: datetime
    reason: str
    data: dict[str, Any]


class DeadlineOut(Schema):
    code: str
    step: str
    legal_basis: str
    kind: str
    owner: str
    start: date
    due: date
    status: str
    days_left: int
    extension_days: int
    paused_days: int
    closed_on: date | None


class NamedStaffOut(Schema):
    id: int
    name: str


class PetitionOut(Schema):
    id: int
    tracking_code: str
    title: str
    content: str
    channel: str
    received_at: datetime
    category: str
    route: int | None
    region_code: str
    region: str
    state: str
    state_label: str
    current_organ: str
    handling_organ: str | None
    is_collective: bool
    head_count: int
    is_anonymous: bool
    confidential: bool
    accused_staff: list[NamedStaffOut] = []
    accused_persons: str = ""
    extended: bool
    in_hearing: bool
    parties: list[PartyOut]
    timeline: list[EventOut]
    deadlines: list[DeadlineOut]
    available_actions: list[str]


class ActionIn(Schema):
    at: date | None = Field(None, description="real date of the step (not in the future, not before the previous step)")
    reason: str = ""
    data: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Per action: transfer/assign/refer_*: to_organ_id (assign: report_due); extend: days (1–30); "
            "issue_opinion: outcome (support|explain|not_support), request, facts, decision, legal_basis; "
            "decide_review: outcome (uphold|vary|redo) and the same fields (redo_days); decide_re_review: "
            "request, facts, decision, legal_basis; record_delivery: method (in_person|post|electronic|other), "
            "signed (true|false); settle: agreement (mediation|settlement), summary; redirect: proper_organ; "
            "not_accept: ground (duplicate_higher|same_facts_after_re_review|other), confirmed; "
            "acknowledge/start_handling: category, route."
        ),
    )


class AccusedIn(Schema):
    staff_ids: list[int] = Field([], description="the staff the accusation names (replaces the list)")
    persons: str = Field("", description="people named who are not staff")


class AccusedOut(Schema):
    id: int
    accused_staff_ids: list[int]
    accused_persons: str


class CountOut(Schema):
    category: str
    category_label: str
    state: str
    state_label: str
    count: int


class RegionCountOut(Schema):
    region_code: str
    region: str
    count: int


class SummaryOut(Schema):
    total: int
    by_category_state: list[CountOut]
    by_region: list[RegionCountOut]


class OrganOut(Schema):
    id: int
    name: str
    kind: str
    level: str
    region_code: str
    parent_id: int | None


# --- petitions ------------------------------------------------------------------------------


def _row(p) -> dict:  # type: ignore[no-untyped-def]
    from xinfang.petitions.workflow import STATE_LABELS, State

    return {
        "id": p.pk,
        "tracking_code": p.tracking_code,
        "title": p.title,
        "state": p.state,
        "state_label": STATE_LABELS[State(p.state)],
        "category": p.category,
        "channel": p.channel,
        "received_at": p.received_at,
        "next_due": p.next_due,
        "due_status": selectors.due_status(p.next_due),
    }


@api.post("/petitions", response={201: RegisteredOut, **ERRORS}, tags=["petitions"])
def petitions_register(request: HttpRequest, payload: PetitionIn):  # type: ignore[no-untyped-def]
    """Register a petition at the caller's organ (Arts. 17–23)."""
    user = request.user
    if user.organ is None:  # type: ignore[union-attr]
        raise ApplicationError(gettext("您未归属任何机关"), code="forbidden", status=403)
    files = []
    for i, a in enumerate(payload.attachments):
        try:
            files.append(AttachmentInput(a.name, base64.b64decode(a.content_base64, validate=True)))
        except (binascii.Error, ValueError) as e:
            raise ApplicationError(
                gettext("附件编码有误"),
                fields={f"attachments[{i}]": [gettext("content_base64 不是有效的 Base64")]},
            ) from e
    data = PetitionInput(
        **payload.dict(exclude={"parties", "attachments"}),
        parties=[PartyInput(**p.dict()) for p in payload.parties],
        attachments=files,
    )
    reg = petition_register(data=data, organ=user.organ, actor=user)  # type: ignore[union-attr,arg-type]
    p = reg.petition
    return 201, {
        "id": p.pk,
        "tracking_code": ids.format_tracking_code(p.tracking_code),
        "query_password": reg.query_password,
        "state": p.state,
    }


@api.get("/petitions", response={200: PageOut, **ERRORS}, tags=["petitions"])
def petitions_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region_code: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Petitions the caller may see, newest first; pass ``next_cursor`` back for the next page."""
    items, nxt = selectors.petition_list_for_user(
        user=request.user, state=state, category=category, channel=channel, region_code=region_code,  # type: ignore[arg-type]
        received_from=received_from, received_to=received_to, cursor=cursor, limit=limit,
    )
    return {"items": [_row(p) for p in items], "next_cursor": nxt}


@api.get("/worklist", response={200: PageOut, **ERRORS}, tags=["petitions"])
def worklist(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region: str | None = Query(None, description="region code; its subregions match too"),
    due: str | None = Query(None, description="running | due_soon | overdue"),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """What the caller's organ must do next, nearest due date first."""
    page = selectors.worklist_for_user(
        user=request.user, cursor=cursor, limit=limit, state=state, category=category, channel=channel,  # type: ignore[arg-type]
        region=region, due=due,
    )
    return {"items": [_row(p) for p in page.items], "next_cursor": page.next_cursor}


@api.get("/search", response={200: PageOut, **ERRORS}, tags=["petitions"])
def search(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    q: str = "",
    by: str = Query("text", description="text | code | name | phone (name, phone: view_identity)"),
    state: str | None = None,
    category: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Petitions the caller may see matching ``q``, newest first; every word of a text query
    must occur in the title or content."""
    from xinfang.workbench.selectors import IDENTITY_KINDS, petition_search_for_user
    from xinfang.workbench.services import search_identity_record

    page = petition_search_for_user(
        user=request.user, q=q, by=by, state=state, category=category,  # type: ignore[arg-type]
        received_from=received_from, received_to=received_to, cursor=cursor, limit=limit,
    )
    if q.strip() and by in IDENTITY_KINDS:
        search_identity_record(user=request.user, by=by, found=page.items)  # type: ignore[arg-type]
    return {"items": [_row(p) for p in page.items], "next_cursor": page.next_cursor}


@api.get("/petitions/{petition_id}", response={200: PetitionOut, **ERRORS}, tags=["petitions"])
def petitions_detail(request: HttpRequest, petition_id: int):  # type: ignore[no-untyped-def]
    """State, parties, timeline, every deadline (step, legal basis, start, due, status) and the
    actions the caller may take now."""
    d = selectors.petition_detail_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    return d


@api.post(
    "/petitions/{petition_id}/actions/{action}",
    response={200: PetitionOut, **ERRORS},
    tags=["petitions"],
)
def petitions_act(request: HttpRequest, petition_id: int, action: Action, payload: ActionIn):  # type: ignore[no-untyped-def]
    """Take one step of the procedure. Illegal steps are refused with 409 and the reason."""
    selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    petition_act(
        petition_id=petition_id, action=action, actor=request.user,  # type: ignore[arg-type]
        at=payload.at, reason=payload.reason, data=payload.data,
    )
    return selectors.petition_detail_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]


@api.post(
    "/petitions/{petition_id}/accused",
    response={200: AccusedOut, **ERRORS},
    tags=["petitions"],
)
def petitions_accused(request: HttpRequest, petition_id: int, payload: AccusedIn):  # type: ignore[no-untyped-def]
    """Record the staff (and other people) an accusation names; they never see it again and may
    not act on it (Art. 30 para 3). Only the organ handling it now; audited."""
    selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    p = petition_accused_set(
        petition_id=petition_id, actor=request.user, staff_ids=payload.staff_ids,  # type: ignore[arg-type]
        persons=payload.persons,
    )
    return {
        "id": p.pk,
        "accused_staff_ids": sorted(p.accused_staff.values_list("pk", flat=True)),
        "accused_persons": p.accused_persons,
    }


_EXPORT_TYPES = {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}


@api.get(
    "/export/petitions",
    response={**ERRORS},
    tags=["petitions"],
    openapi_extra={"responses": {"200": {"description": "the file", "content": _EXPORT_TYPES}}},
)
def petitions_export(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    format: Literal["csv", "xlsx"] = "csv",
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region_code: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
):
    """The petitions the caller may see, as CSV or XLSX (needs the ``export`` capability;
    identities masked unless ``view_identity``; every export is audited)."""
    from xinfang.petitions.exports import petition_export

    f = petition_export(
        user=request.user, fmt=format, state=state, category=category, channel=channel,  # type: ignore[arg-type]
        region_code=region_code, received_from=received_from, received_to=received_to,
    )
    r = HttpResponse(f.content, content_type=f.content_type)
    r["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    r["Cache-Control"] = "no-store"
    return r


@api.get("/analytics/summary", response={200: SummaryOut, **ERRORS}, tags=["analytics"])
def analytics_summary(  # type: ignore[no-untyped-def]
    request: HttpRequest, received_from: date | None = None, received_to: date | None = None
):
    """De-identified counts for the caller's jurisdiction: by category and state, and by region
    (needs ``view_deidentified``; no identity, no row, no ranking)."""
    from xinfang.analytics.selectors import statistics_for_user

    return statistics_for_user(
        user=request.user, received_from=received_from, received_to=received_to  # type: ignore[arg-type]
    ).as_dict()


@api.get("/organs", response={200: list[OrganOut], **ERRORS}, tags=["directory"])
def organs(request: HttpRequest, kind: str | None = None):  # type: ignore[no-untyped-def]
    """Active organs (to choose a transfer or referral target)."""
    qs = Organ.objects.filter(is_active=True).order_by("path")
    if kind:
        qs = qs.filter(kind=kind)
    return [
        {"id": o.pk, "name": o.name, "kind": o.kind, "level": o.level, "region_code": o.region_id,
         "parent_id": o.parent_id}
        for o in qs[:2000]
    ]


@api.get("/me", response={200: dict, **ERRORS}, tags=["auth"])
def me(request: HttpRequest):  # type: ignore[no-untyped-def]
    u = request.user
    return {
        "username": u.username,  # type: ignore[union-attr]
        "organ": u.organ.name if u.organ else None,  # type: ignore[union-attr]
        "actions": sorted(a.value for a in user_actions(u)),  # type: ignore[arg-type]
    }
