"""The public portal: submit a petition, follow it with its code and password, read the documents
addressed to the petitioner, evaluate each answer, request review and re-review.

Views parse, call one selector or service, and render. A petitioner proves access to a petition
once with its code and password; the petition's id is then kept in the session, which lasts until
the browser closes or "退出查询".
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.core.errors import ApplicationError, NotFound
from xinfang.documents.render import docx_response
from xinfang.documents.selectors import document_get
from xinfang.federation.selectors import remote_handling
from xinfang.federation.services.remedy import remedy_forward
from xinfang.feedback.models import Stage
from xinfang.feedback.selectors import evaluation_windows
from xinfang.feedback.services import evaluation_submit
from xinfang.petitions.services import (
    petition_act,
)
from xinfang.portal import selectors
from xinfang.portal.access import SESSION_KEY, _petition_or_track, forget, track
from xinfang.portal.forms import EvaluateForm, RemedyForm
from xinfang.portal.submit import home, receipt, submit, submitted

# Re-exported: urls.py names every portal view here.
__all__ = [
    "SESSION_KEY",
    "document",
    "document_docx",
    "evaluate",
    "forget",
    "home",
    "receipt",
    "request_re_review",
    "request_review",
    "status",
    "submit",
    "submitted",
    "track",
]


@never_cache
@require_GET
def status(request: HttpRequest, code: str) -> HttpResponse:
    petition, away = _petition_or_track(request, code)
    if away:
        return away
    view = selectors.petition_public_view(petition=petition)
    # A hand-over taken back (issue 20) is no handling over there: the petition is routed here
    # again, which its state says, with no word of the installation that never received it.
    remote = [h for h in remote_handling(petition=petition) if h.withdrawn_at is None]
    return render(
        request,
        "portal/status.html",
        {
            "v": view,
            # Steps another installation reports on a petition handed over to it (issue 20).
            "remote": remote,
            # Where it stands is said over there while the petition is with that installation:
            # handled there, or concluded there (ADR 0018: our copy stays "transferred").
            "remote_now": remote[-1]
            if remote and not remote[-1].refused and petition.current_organ.external
            else None,
            "remedy_form": RemedyForm(),
            "staff_signed_in": request.user.is_authenticated,
        },
    )


@never_cache
@require_GET
def document(request: HttpRequest, code: str, seq: int) -> HttpResponse:
    petition, away = _petition_or_track(request, code)
    if away:
        return away
    doc = _document(petition, seq)
    return render(
        request,
        "documents/page.html",
        {
            "doc": doc,
            "back_url": reverse("portal:status", args=[code]),
            "back_label": _("返回办理情况"),
            "docx_url": reverse("portal:document_docx", args=[code, seq]),
        },
    )


@never_cache
@require_GET
def document_docx(request: HttpRequest, code: str, seq: int) -> HttpResponse:
    petition, away = _petition_or_track(request, code)
    if away:
        return away
    return docx_response(_document(petition, seq))


def _document(petition, seq: int):  # type: ignore[no-untyped-def]
    try:
        return document_get(petition=petition, seq=seq)
    except NotFound as e:
        raise Http404 from e


@never_cache
def evaluate(request: HttpRequest, code: str, stage: str) -> HttpResponse:
    """The evaluation page of one stage. Petitioners only: a signed-in staff user is refused,
    whatever the petition (regulation §8.2: no rating on a petitioner's behalf)."""
    petition, away = _petition_or_track(request, code)
    if away:
        return away
    if stage not in Stage.values:
        raise Http404
    actor = request.user if request.user.is_authenticated else None
    if actor is not None:
        return render(
            request,
            "portal/refused.html",
            {"message": _("工作人员不能代为评价：满意度评价只能由信访人本人提出。")},
            status=403,
        )
    window = next((w for w in evaluation_windows(petition=petition) if w.stage == stage), None)
    if window is None:
        raise Http404
    form = EvaluateForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                evaluation_submit(
                    petition=petition,
                    stage=stage,
                    rating=form.cleaned_data["rating"],
                    comment=form.cleaned_data.get("comment", ""),
                    actor=actor,
                )
            except ApplicationError as e:
                messages.error(request, e.message)
            else:
                messages.success(request, _("感谢您的评价。"))
            return redirect("portal:status", code=code)
    return render(
        request,
        "portal/evaluate.html",
        {"petition": petition, "code": code, "window": window, "form": form},
        status=400 if form.errors else 200,
    )


def _remedy(request: HttpRequest, code: str, action: str, done: str) -> HttpResponse:
    petition, away = _petition_or_track(request, code)
    if away:
        return away
    form = RemedyForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    # A petition handed to another installation: the opinion was issued there, so the request
    # goes there (issue 20, Arts. 35, 36), forwarded as a signed message; never lost here.
    remote = next((h for h in remote_handling(petition=petition) if h.remedy == action), None)
    if remote is not None:
        return _remedy_remote(request, code, petition, action, reason, remote)
    if request.POST.get("confirm") != "1":
        # A confirmation step first (issue 12, item 13): what the request does, who decides and
        # by when, in plain words; nothing is sent until the petitioner confirms. The reason
        # stays editable there; "返回" leads back to the status page.
        parent = petition.current_organ.parent
        return render(
            request,
            "portal/remedy_confirm.html",
            {
                "petition": petition,
                "code": code,
                "kind": "review" if action == "request_review" else "re_review",
                "organ": petition.current_organ.name,
                "to": parent.name if parent else "",
                "reason": str(request.POST.get("reason", ""))[:5000],
                "action_url": request.path,
            },
        )
    try:
        petition_act(petition_id=petition.pk, action=action, actor=None, reason=reason)
    except ApplicationError as e:
        messages.error(request, " ".join([e.message, *[m for ms in e.fields.values() for m in ms]]))
    else:
        messages.success(request, done)
    return redirect("portal:status", code=code)


def _remedy_remote(request, code, petition, action, reason, remote) -> HttpResponse:  # type: ignore[no-untyped-def]
    if request.POST.get("confirm") != "1":
        last = remote.last
        return render(
            request,
            "portal/remedy_confirm.html",
            {
                "petition": petition,
                "code": code,
                "kind": "review" if action == "request_review" else "re_review",
                "organ": (last.organ if last is not None else "") or remote.organ,
                "to": "",
                "remote_peer": remote.organ,  # the receiving organ, never the admin's label (walker #18)
                "reason": str(request.POST.get("reason", ""))[:5000],
                "action_url": request.path,
            },
        )
    try:
        remedy_forward(petition=petition, action=action, reason=reason)
    except ApplicationError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            _("请求已转送%(peer)s：该事项由对方系统办理，对方收到后依法办理，办理情况显示在本页。")
            % {"peer": remote.organ},
        )
    return redirect("portal:status", code=code)


# A GET (a reopened tab, a saved link, the browser's back button after the confirmation) leads
# back to the status page, where the request form is, instead of a bare 405 the browser shows
# as its own error page (found in the page walk).
@require_http_methods(["GET", "HEAD", "POST"])
def request_review(request: HttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("portal:status", code=code)
    return _remedy(request, code, "request_review", _("复查请求已提交，已送上一级机关复查。"))


@require_http_methods(["GET", "HEAD", "POST"])
def request_re_review(request: HttpRequest, code: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("portal:status", code=code)
    return _remedy(
        request, code, "request_re_review", _("复核请求已提交，已送复查机关的上一级机关复核。")
    )
