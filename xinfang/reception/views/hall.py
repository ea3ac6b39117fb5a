"""The one-stop hall page (一站式接待大厅): the day's sessions by organ, who waits, who is being
received; a clerk of the session's organ marks arrival (签到) and calls the next one in (叫号)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.permissions import Cap, user_can
from xinfang.reception.selectors import hall_for_user
from xinfang.reception.services import appointment_arrive, appointment_call
from xinfang.reception.views._shared import need, parse_date

STEPS = {"arrive": appointment_arrive, "call": appointment_call}


@login_required
@require_GET
def hall(request: HttpRequest) -> HttpResponse:
    need(request, Cap.RECEPTION_VIEW)
    errors: dict[str, list[str]] = {}
    today = clock.today()
    day = parse_date(request.GET.get("day"), "day", errors) if request.GET.get("day") else today
    if errors:
        raise ApplicationError(errors["day"][0])
    return render(
        request,
        "reception/hall.html",
        {
            "tab": "hall",
            "day": day,
            "is_today": day == today,
            "sessions": hall_for_user(user=request.user, day=day),  # type: ignore[arg-type]
            "may_manage": user_can(request.user, Cap.RECEPTION_MANAGE),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def hall_step(request: HttpRequest, appointment_id: int, step: str) -> HttpResponse:
    """``arrive`` (签到) or ``call`` (叫号); the form's ``{% once_token %}`` (claimed by
    ``xinfang.core.once_forms``) and the step itself (a second time is a no-op) keep a refresh
    from doing anything twice."""
    need(request, Cap.RECEPTION_MANAGE)
    act = STEPS.get(step)
    if act is None:
        raise ApplicationError(gettext("未知的操作"), status=404)
    try:
        act(actor=request.user, appointment_id=appointment_id)  # type: ignore[arg-type]
    except ApplicationError as e:
        if e.status != 409:
            raise
        messages.error(request, e.message)  # e.g. not the session's day: back to the hall
    else:
        messages.success(request, gettext("已签到") if step == "arrive" else gettext("已叫号"))
    return redirect(f"{reverse('reception:hall')}#a-{appointment_id}")
