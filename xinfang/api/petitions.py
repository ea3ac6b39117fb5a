"""API operations on petitions: register, list, search, read, act, name the accused, export."""

from __future__ import annotations

import base64
import binascii
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Header, Query, Router

from xinfang.api.schemas import (
    ERRORS,
    AccusedIn,
    AccusedOut,
    ActionIn,
    IsoDate,
    PageOut,
    PetitionIn,
    PetitionOut,
    RegisteredOut,
    SearchIn,
)
from xinfang.core import ids
from xinfang.core.day_params import days_ordered
from xinfang.core.errors import ApplicationError
from xinfang.core.once import digest, once
from xinfang.petitions import selectors
from xinfang.petitions.services import (
    AttachmentInput,
    PartyInput,
    PetitionInput,
    petition_accused_set,
    petition_act,
    petition_receipt_again,
    petition_register,
)
from xinfang.petitions.workflow import Action

router = Router()

_IDEMPOTENCY = Header(
    None,
    alias="Idempotency-Key",
    description="a key of the client's choosing (e.g. a UUID): the same request sent again with "
    "it is answered again, never carried out twice; the same key with another body: 422",
)


def _once(request: HttpRequest, operation: str, key: str | None):  # type: ignore[no-untyped-def]
    """The claim of an Idempotency-Key: per user and operation, bound to the request's body."""
    return once(
        scope=f"api:{request.user.pk}:{operation}", key=key, fingerprint=digest(request.body)
    )


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
        "next_due_provisional": getattr(p, "next_due_provisional", False),
    }


@router.post("/petitions", response={201: RegisteredOut, **ERRORS}, tags=["petitions"])
def petitions_register(  # type: ignore[no-untyped-def]
    request: HttpRequest, payload: PetitionIn, idempotency_key: str | None = _IDEMPOTENCY
):
    """Register a petition at the caller's organ (Arts. 17–23). Sent again with the same
    ``Idempotency-Key``, the first registration is answered again with a new query password
    (the earlier one stops working; only its hash is kept)."""
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
    with _once(request, "register", idempotency_key) as claim:
        if claim.prior is not None:
            reg = petition_receipt_again(petition_id=claim.prior["petition_id"])
        else:
            reg = petition_register(data=data, organ=user.organ, actor=user)  # type: ignore[union-attr,arg-type]
            claim.result = {"petition_id": reg.petition.pk}
    p = reg.petition
    return 201, {
        "id": p.pk,
        "tracking_code": ids.format_tracking_code(p.tracking_code),
        "query_password": reg.query_password,
        "state": p.state,
    }


@router.get("/petitions", response={200: PageOut, **ERRORS}, tags=["petitions"])
def petitions_list(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region_code: str | None = None,
    received_from: IsoDate | None = None,
    received_to: IsoDate | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Petitions the caller may see, the newest received first; pass ``next_cursor`` back for
    the next page. A range whose first day lies after its last is a 400, and so is a filter
    value that is not one of its options (``bad_param`` naming the filter, as ``/worklist``
    answers; never an empty page)."""
    selectors.list_filters_check(
        {"state": state, "category": category, "channel": channel, "region": region_code},
        region_param="region_code",
    )
    items, nxt = selectors.petition_list_for_user(
        user=request.user, state=state, category=category, channel=channel, region_code=region_code,  # type: ignore[arg-type]
        received_from=received_from, received_to=received_to, cursor=cursor, limit=limit,
    )
    return {"items": [_row(p) for p in items], "next_cursor": nxt}


@router.get("/worklist", response={200: PageOut, **ERRORS}, tags=["petitions"])
def worklist(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region: str | None = Query(None, description="region code; its subregions match too"),
    due: str | None = Query(None, description="running | due_soon | overdue"),
    flag: str | None = Query(
        None, description="major_urgent | supervised | leader_case | backlog | joint_handling"
    ),
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """What the caller's organ must do next, nearest due date first. A filter value that is
    not one of its options is a 400 naming the filter (``bad_param``), never an empty page."""
    given = {"state": state, "category": category, "channel": channel, "region": region,
             "due": due, "flag": flag}  # fmt: skip
    f, errors = selectors.worklist_filters({k: v for k, v in given.items() if v is not None})
    if errors:
        raise selectors.worklist_bad_filter(errors)
    page = selectors.worklist_for_user(
        user=request.user, cursor=cursor, limit=limit, **f,  # type: ignore[arg-type]
    )
    return {"items": [_row(p) for p in page.items], "next_cursor": page.next_cursor}


@router.get("/search", response={200: PageOut, **ERRORS}, tags=["petitions"])
def search(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    q: str = "",
    by: str = Query(
        "text",
        description="auto | text | code (by name, phone or identity number: POST /search)",
    ),
    state: str | None = None,
    category: str | None = None,
    received_from: IsoDate | None = None,
    received_to: IsoDate | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
):
    """Petitions the caller may see matching ``q``, the newest received first; every word of a text query
    must occur in the title or content. By words, a tracking code, a state or dates only: a
    name, phone or identity number in the query string is refused (400, ``identity_in_url``)
    whoever asks, since access logs and proxies keep URLs; send those with POST."""
    from xinfang.workbench.selectors import IDENTITY_KINDS
    from xinfang.workbench.text import search_kind_of

    looks = search_kind_of(q) if q.strip() else "text"
    if by in IDENTITY_KINDS or looks in IDENTITY_KINDS:
        raise ApplicationError(
            gettext("按姓名、电话或证件号码检索请使用 POST /api/v1/search（不放在网址中）"),
            code="identity_in_url",
            status=400,
        )
    return _search(
        request, q=q, by=by, state=state, category=category, received_from=received_from,
        received_to=received_to, cursor=cursor, limit=limit,
    )


@router.post("/search", response={200: PageOut, **ERRORS}, tags=["petitions"])
def search_post(request: HttpRequest, body: SearchIn):  # type: ignore[no-untyped-def]
    """The same search with the query in the body: by name, phone or identity number too
    (``view_identity``; each such search is an audit record)."""
    return _search(request, **body.dict())


def _search(request: HttpRequest, *, q: str, by: str, **filters):  # type: ignore[no-untyped-def]
    from xinfang.workbench.selectors import IDENTITY_KINDS, petition_search_for_user
    from xinfang.workbench.services import search_identity_record

    # the API's own parameter names at the refusal (the page's are ``from``/``to``), and the
    # worklist's rule for filter values (fixui item 2)
    days_ordered(
        filters.get("received_from"),
        filters.get("received_to"),
        field="received_from",
        message=gettext("起始日期晚于截止日期"),
    )
    selectors.list_filters_check({"state": filters.get("state"), "category": filters.get("category")})
    page = petition_search_for_user(user=request.user, q=q, by=by, **filters)  # type: ignore[arg-type]
    if q.strip() and page.by in IDENTITY_KINDS:
        search_identity_record(user=request.user, by=page.by, found=page.items)  # type: ignore[arg-type]
    return {"items": [_row(p) for p in page.items], "next_cursor": page.next_cursor}


@router.get("/petitions/{petition_id}", response={200: PetitionOut, **ERRORS}, tags=["petitions"])
def petitions_detail(request: HttpRequest, petition_id: int):  # type: ignore[no-untyped-def]
    """State, parties, timeline, every deadline (step, legal basis, start, due, status) and the
    actions the caller may take now."""
    d = selectors.petition_detail_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    return d


@router.post(
    "/petitions/{petition_id}/actions/{action}",
    response={200: PetitionOut, **ERRORS},
    tags=["petitions"],
)
def petitions_act(  # type: ignore[no-untyped-def]
    request: HttpRequest,
    petition_id: int,
    action: Action,
    payload: ActionIn,
    idempotency_key: str | None = _IDEMPOTENCY,
):
    """Take one step of the procedure. Illegal steps are refused with 409 and the reason.
    Sent again with the same ``Idempotency-Key``, the step is not taken twice: the answer is
    the petition as it is now."""
    selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    with _once(request, f"act:{petition_id}:{action.value}", idempotency_key) as claim:
        if claim.prior is None:
            petition_act(
                petition_id=petition_id, action=action, actor=request.user,  # type: ignore[arg-type]
                at=payload.at, reason=payload.reason, data=payload.data,
            )
            claim.result = {"done": True}
    return selectors.petition_detail_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]


@router.post(
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


@router.get(
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
    received_from: IsoDate | None = None,
    received_to: IsoDate | None = None,
):
    """The petitions the caller may see, as CSV or XLSX (needs the ``export`` capability;
    identities masked unless ``view_identity``; every export is audited)."""
    from xinfang.petitions.exports import petition_export

    selectors.list_filters_check(
        {"state": state, "category": category, "channel": channel, "region": region_code},
        region_param="region_code",
    )
    f = petition_export(
        user=request.user, fmt=format, state=state, category=category, channel=channel,  # type: ignore[arg-type]
        region_code=region_code, received_from=received_from, received_to=received_to,
    )
    r = HttpResponse(f.content, content_type=f.content_type)
    r["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    r["Cache-Control"] = "no-store"
    return r
