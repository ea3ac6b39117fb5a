"""The forms of three-level video reception: the organs of other levels joining a video session,
and each level's participants on the session's record (services/video.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from xinfang.core.errors import ApplicationError
from xinfang.directory.permissions import Cap
from xinfang.reception.services import record_participants_set, session_levels_set
from xinfang.reception.views._shared import need, parse_int


@login_required
@require_POST
def session_levels(request: HttpRequest, session_id: int) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    ids = [parse_int(request.POST.get(f"level_{i}"), field="level") or 0 for i in range(2)]
    try:
        session_levels_set(actor=request.user, session_id=session_id, organ_ids=ids)  # type: ignore[arg-type]
    except ApplicationError as e:
        if e.status != 400:
            raise
        for msgs in (e.fields or {"levels": [e.message]}).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, gettext("已保存"))
    return redirect("reception:session", session_id=session_id)


@login_required
@require_POST
def record_participants(request: HttpRequest, record_id: int) -> HttpResponse:
    need(request, Cap.RECEPTION_MANAGE)
    people: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("people_"):
            organ_id = parse_int(key[len("people_") :], field="people")
            if organ_id:
                people[organ_id] = value
    try:
        record_participants_set(actor=request.user, record_id=record_id, people=people)  # type: ignore[arg-type]
    except ApplicationError as e:
        if e.status != 400:
            raise
        for msgs in (e.fields or {"participants": [e.message]}).values():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, gettext("已保存"))
    return redirect("reception:record", record_id=record_id)
