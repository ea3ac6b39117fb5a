"""The topic of a petition on its staff page: the panel, and the organ's decision."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.insight.classify.forms import topic_from_post
from xinfang.insight.classify.selectors import user_may_change_topic
from xinfang.insight.classify.services import topic_decide
from xinfang.petitions import extensions, selectors


@login_required
@require_http_methods(["GET", "POST"])
def petition_topic_view(request: HttpRequest, petition_id: int) -> HttpResponse:
    """GET: the topic panel (an HTML fragment). POST: the handling organ sets or changes the
    petition's topic (recorded with an audit record)."""
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    if request.method == "GET":
        return render(request, "insight/_topic_fragment.html", {"petition": petition})
    if not user_may_change_topic(user=request.user, petition=petition):  # type: ignore[arg-type]
        raise Forbidden(gettext("只有承办机关的工作人员可以修改事项分类"))
    try:
        topic = topic_from_post(request.POST)
        if topic is None:
            raise ApplicationError(
                gettext("请选择事项分类"), fields={"topic": [gettext("请选择事项分类")]}
            )
        topic_decide(petition=petition, topic=topic, actor=request.user)  # type: ignore[arg-type]
    except ApplicationError as e:
        errors = {"action": "topic", "message": e.message, "fields": e.fields}
        return extensions.petition_page_render(request, petition_id, errors=errors, status=e.status)
    messages.success(request, gettext("事项分类已改为“%(topic)s”") % {"topic": topic.full_label})
    return redirect("web:petition", petition_id=petition_id)
