"""Pages for repeat petitions: link and unlink on the petition page; the context of the
section "可能是同一事项" and of the intake desk's text matches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.inputs import is_digits
from xinfang.directory.models import User
from xinfang.insight.matters.selectors import (
    ART36_TEXT,
    art36_flags_at_intake,
    matters_panel_for_user,
    same_matter_for_user,
)
from xinfang.insight.matters.services import matter_link, matter_unlink
from xinfang.petitions import extensions
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_get_for_user


def matters_page_context(*, user: User, petition: Petition) -> dict:
    """For ``web/petition.html``: ``{% include "insight/matters_section.html" %}`` reads it."""
    from xinfang.insight.matters.index import repeat_index_ready

    panel = matters_panel_for_user(user=user, petition=petition)
    if panel and not panel.get("same") and not repeat_index_ready():
        panel = {**panel, "index_building": True}
    return panel


def matters_intake_context(*, user: User, params: QueryDict, exclude: list[int]) -> dict:
    """For the intake desk's fragment: text matches (title and content) and the Art. 36(3)
    flag, leaving out the petitions the exact matches already list."""
    title, body = params.get("title", "")[:200], params.get("content", "")[:2000]
    same = [
        s
        for s in same_matter_for_user(user=user, title=title, body=body)
        if s.id not in set(exclude)
    ]
    flags = art36_flags_at_intake(
        user=user, title=title, body=body, phone=params.get("phone", "")[:40]
    )
    return {"same": same, "flags": flags, "flag_text": ART36_TEXT}


@login_required
def matter_change(request: HttpRequest, petition_id: int, op: str) -> HttpResponse:
    """POST ``link`` (with ``other_id`` and ``reason``) or ``unlink`` (with ``reason``)."""
    petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    if op not in ("link", "unlink"):
        raise NotFound(gettext("未知的操作"))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reason = request.POST.get("reason", "")
    try:
        if op == "link":
            other = request.POST.get("other_id", "")
            if not is_digits(other):
                raise ApplicationError(
                    gettext("请选择要归并的信访"), fields={"other_id": [gettext("必填")]}
                )
            matter_link(
                petition_id=petition_id,
                other_id=int(other),
                actor=request.user,  # type: ignore[arg-type]
                reason=reason,
            )
            messages.success(request, gettext("已归入同一事项（各件仍分别办理）"))
        else:
            matter_unlink(petition_id=petition_id, actor=request.user, reason=reason)  # type: ignore[arg-type]
            messages.success(request, gettext("已解除归并"))
    except NotFound:
        raise
    except ApplicationError as e:
        errors = {"action": "matter", "message": e.message, "fields": e.fields}
        return extensions.petition_page_render(request, petition_id, errors=errors, status=e.status)
    return redirect("web:petition", petition_id=petition_id)
