"""Pages of the reception record and the leader's board: writing a record (from a booking,
a session or the petition page), the record printable for signing, keeping a promise, a
leader taking charge (包案), and the board with every promise and deadline."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can, user_roles
from xinfang.petitions.flags import FLAGS, Flag
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.reception.access import organs_in_scope
from xinfang.reception.selectors import (
    board_petitions,
    board_promises,
    record_get_for_user,
    session_get_for_user,
    visit_get_for_user,
)
from xinfang.reception.services import (
    PromiseInput,
    leader_take_charge,
    leaders_for,
    promise_done,
    record_write,
)
from xinfang.reception.views._shared import need, one_time_key, parse_date, parse_int

PROMISE_ROWS = 3


@login_required
def record_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    user = request.user
    src = request.POST if request.method == "POST" else request.GET
    petition_id = parse_int(src.get("petition"), field="petition")
    if petition_id is None:
        raise ApplicationError(gettext("请从信访事项或预约进入"), status=400)
    petition = petition_get_for_user(user=user, petition_id=petition_id)  # type: ignore[arg-type]
    session_id = parse_int(src.get("session"), field="session")
    session = (
        session_get_for_user(user=user, session_id=session_id)  # type: ignore[arg-type]
        if session_id
        else None
    )
    visit_id = parse_int(src.get("visit"), field="visit")
    visit = visit_get_for_user(user=user, plan_id=visit_id) if visit_id else None  # type: ignore[arg-type]
    organ = session.organ if session else visit.organ if visit else user.organ  # type: ignore[union-attr]
    errors: dict[str, list[str]] = {}
    P = request.POST
    if request.method == "POST":
        promises = []
        for i in range(PROMISE_ROWS):
            desc = P.get(f"promise_{i}", "")
            if not desc.strip():
                continue
            due = parse_date(P.get(f"promise_{i}_due"), "promises", errors)
            owner = parse_int(P.get(f"promise_{i}_owner"), field="owner") or 0
            if due:
                promises.append(PromiseInput(desc, owner, due))
        if not errors:
            try:
                r = record_write(
                    actor=user,  # type: ignore[arg-type]
                    petition_id=petition.pk,
                    received_by_id=parse_int(P.get("received_by"), field="received_by") or 0,
                    attendees=P.get("attendees", ""),
                    asked=P.get("asked", ""),
                    said=P.get("said", ""),
                    representatives=[x for x in P.get("representatives", "").split("、")][:50],
                    promises=promises,
                    session_id=session.pk if session else None,
                    appointment_code=P.get("appointment", ""),
                    visit_id=visit.pk if visit else None,
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                if e.status != 400:
                    raise
                errors = e.fields or {"said": [e.message]}
            else:
                messages.success(request, gettext("已保存接谈记录"))
                return redirect("reception:record", record_id=r.pk)
    scope = organs_in_scope(user).values("pk")  # type: ignore[arg-type]
    staff = User.objects.filter(organ_id__in=scope, is_active=True).order_by("username")[:300]
    return render(
        request,
        "reception/record_new.html",
        {
            "p": petition,
            "session": session,
            "visit": visit,
            "leaders": list(leaders_for(organ)) if organ else [],
            "staff": list(staff),
            "rows": [
                (
                    i,
                    P.get(f"promise_{i}", ""),
                    P.get(f"promise_{i}_owner", ""),
                    P.get(f"promise_{i}_due", ""),
                )
                for i in range(PROMISE_ROWS)
            ],
            "appointment": src.get("appointment", "")[:12],
            "post": P if request.method == "POST" else {},
            "submission": one_time_key(request),
            "today": clock.today(),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _record(request: HttpRequest, record_id: int, *, errors=None, status=200):  # type: ignore[no-untyped-def]
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    r = record_get_for_user(user=user, record_id=record_id)  # type: ignore[arg-type]
    return render(
        request,
        "reception/record.html",
        {
            "r": r,
            "promises": list(r.promises.select_related("owner")),
            "video_organs": (
                [r.session.organ, *(lv.organ for lv in r.session.levels.select_related("organ"))]
                if r.session is not None and r.session.video
                else []
            ),
            "leaders": list(leaders_for(user.organ)) if user.organ else [],  # type: ignore[union-attr]
            "may_take_charge": bool(user_roles(user) & FLAGS[Flag.LEADER_CASE].roles),  # type: ignore[arg-type]
            "me": user.pk,
            "may_manage": user_can(user, Cap.RECEPTION_MANAGE),  # type: ignore[arg-type]
            "today": clock.today(),
            "errors": errors or {},
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def record_page(request: HttpRequest, record_id: int) -> HttpResponse:
    return _record(request, record_id)


@login_required
@require_POST
def record_post(request: HttpRequest, record_id: int, form: str) -> HttpResponse:
    """One of the record page's forms: ``done`` (a promise kept), ``charge`` (包案)."""
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    r = record_get_for_user(user=user, record_id=record_id)  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    try:
        if form == "done":
            pid = parse_int(request.POST.get("promise"), field="promise") or 0
            if not r.promises.filter(pk=pid).exists():
                raise ApplicationError(gettext("承诺事项不属于本记录"), status=404)
            on = parse_date(request.POST.get("on"), "on", errors)
            if not errors:
                promise_done(actor=user, promise_id=pid, note=request.POST.get("note", ""), on=on)  # type: ignore[arg-type]
        elif form == "charge":
            leader_take_charge(
                actor=user,  # type: ignore[arg-type]
                petition_id=r.petition_id,
                leader_id=parse_int(request.POST.get("leader"), field="leader") or 0,
                reason=request.POST.get("reason", "")[:2000],
            )
        else:
            raise ApplicationError(gettext("未知的操作"), status=404)
    except ApplicationError as e:
        if e.status not in (400, 409):
            raise
        errors = e.fields or {form: [e.message]}
    if errors:
        return _record(request, record_id, errors=errors, status=400)
    messages.success(request, gettext("已保存"))
    return redirect("reception:record", record_id=record_id)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The leader's board: petitions in their charge, open promises, deadlines."""
    need(request, Cap.RECEPTION_VIEW)
    user = request.user
    petitions = list(board_petitions(user=user)[:200])  # type: ignore[arg-type]
    promises = list(board_promises(user=user)[:500])  # type: ignore[arg-type]
    return render(
        request,
        "reception/board.html",
        {
            "tab": "board",
            "petitions": petitions,
            "promises": promises,
            "today": clock.today(),
        },
    )
