"""The petitioner's booking pages (public, phone first): the published sessions, booking one
with the tracking code of a petition or as a new matter, the confirmation with the booking
code, and finding a booking again to cancel or move it."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xinfang.core import clock, ids
from xinfang.core.errors import ApplicationError
from xinfang.reception.models import ReceptionSession
from xinfang.reception.selectors import appointment_by_code, sessions_open_for_booking
from xinfang.reception.services import (
    NewMatter,
    appointment_book_portal,
    appointment_cancel,
    appointment_find,
    appointment_rebook,
)
from xinfang.reception.views._shared import one_time_key, parse_int

_BOOKED = "reception_booked"


@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    rows = list(sessions_open_for_booking(today=clock.today())[:500])
    return render(
        request,
        "reception/book_sessions.html",
        {"days": [(d, list(g)) for d, g in groupby(rows, key=lambda s: s.on)]},
    )


def book(request: HttpRequest, session_id: int) -> HttpResponse:
    s = (
        sessions_open_for_booking(today=clock.today()).filter(pk=session_id).first()
        if session_id < 2**31
        else None
    )
    if s is None:
        return render(request, "reception/book_gone.html", status=404)
    errors: dict[str, list[str]] = {}
    P = request.POST
    if request.method == "POST":
        new = (
            NewMatter(P.get("name", ""), P.get("title", ""), P.get("content", ""))
            if P.get("mode") == "new"
            else None
        )
        try:
            b = appointment_book_portal(
                session_id=s.pk,
                phone=P.get("phone", ""),
                tracking_code=P.get("tracking_code", ""),
                password=P.get("password", ""),
                new=new,
                notify=P.get("notify") == "1",
                submission=one_time_key(request),
            )
        except ApplicationError as e:
            if e.status not in (400, 409):
                raise
            errors = e.fields or {"session": [e.message]}
        else:
            new = [b.tracking_code, b.query_password] if b.query_password else None
            _remember(request, b.appointment.code, new)
            return redirect("reception_book:booked", code=b.appointment.code)
    return render(
        request,
        "reception/book_form.html",
        {
            "s": s,
            "post": P if request.method == "POST" else {},
            "submission": one_time_key(request),
            "errors": errors,
            "message": gettext("请检查标出的内容") if errors else "",
        },
        status=400 if errors else 200,
    )


def _remember(request: HttpRequest, code: str, new: list[str] | None = None) -> None:
    shown = dict(request.session.get(_BOOKED) or {})
    shown[code] = new or shown.get(code) or []
    request.session[_BOOKED] = dict(list(shown.items())[-20:])


@require_GET
def booked(request: HttpRequest, code: str) -> HttpResponse:
    """The confirmation, shown to the browser that booked, cancelled or moved the booking
    (its session remembers the code; anyone else finds it with the code and phone)."""
    code = ids.normalize_tracking_code(code)[:12]
    shown = request.session.get(_BOOKED) or {}
    a = appointment_by_code(code=code) if code in shown else None
    if a is None:
        return redirect("reception_book:find")
    new = shown.get(code) or []
    return render(
        request,
        "reception/booked.html",
        {
            "a": a,
            "s": a.session,
            "tracking": ids.format_tracking_code(new[0]) if new else "",
            "password": new[1] if new else "",
        },
    )


def find(request: HttpRequest) -> HttpResponse:
    """Find a booking by its code and phone; cancel it or move it to another session."""
    P = request.POST
    error = ""
    a = None
    if request.method == "POST":
        code, phone = P.get("code", ""), P.get("phone", "")
        action = P.get("action", "")
        try:
            if action == "cancel":
                a = appointment_cancel(code=code, phone=phone)
                _remember(request, a.code)
                return redirect("reception_book:booked", code=a.code)
            if action == "rebook":
                new_id = parse_int(P.get("session"), field="session") or 0
                a = appointment_rebook(code=code, phone=phone, session_id=new_id)
                _remember(request, a.code)
                return redirect("reception_book:booked", code=a.code)
            a = appointment_find(code=code, phone=phone)
        except ApplicationError as e:
            if e.status not in (400, 404, 409):
                raise
            error = e.fields.get("session", [e.message])[0] if e.fields else e.message
    others: list[ReceptionSession] = []
    if a is not None:
        others = list(
            sessions_open_for_booking(today=clock.today())
            .filter(organ_id=a.session.organ_id)
            .exclude(pk=a.session_id)[:50]
        )
    return render(
        request,
        "reception/book_find.html",
        {"a": a, "others": others, "post": P, "error": error},
        status=400 if error else 200,
    )
