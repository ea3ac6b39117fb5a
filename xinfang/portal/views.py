"""The public portal: submit a petition, follow it with its code and password, read the documents
addressed to the petitioner, evaluate each answer, request review and re-review.

Views parse, call one selector or service, and render. A petitioner proves access to a petition
once with its code and password; the petition's id is then kept in the session, which lasts until
the browser closes or "退出查询".
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core import clock, crypto, ids
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.held import (
    held_upload_add,
    held_upload_after_error,
    held_upload_contents,
    held_upload_drop,
    held_upload_list,
    held_upload_release,
    held_upload_unticked,
)
from xinfang.core.once import KEY_MAX, once, once_initial
from xinfang.core.once_forms import once_by_view
from xinfang.documents.render import docx_response
from xinfang.documents.selectors import document_get
from xinfang.federation.selectors import remote_handling
from xinfang.federation.services.remedy import remedy_forward
from xinfang.feedback.models import Stage
from xinfang.feedback.selectors import evaluation_windows
from xinfang.feedback.services import evaluation_submit
from xinfang.petitions.models import Channel
from xinfang.petitions.services import (
    AttachmentInput,
    PartyInput,
    PetitionInput,
    petition_act,
    petition_receipt_again,
    petition_register,
    petition_register_check,
)
from xinfang.portal import selectors, throttle
from xinfang.portal.forms import EvaluateForm, RemedyForm, SubmitForm, TrackForm

SESSION_KEY = "xinfang_portal_access"  # {tracking code: petition id}


def _limits() -> dict:
    return {
        "max_files": settings.XINFANG_ATTACHMENTS_PER_PETITION,
        "max_mb": settings.XINFANG_ATTACHMENT_MAX_BYTES // (1024 * 1024),
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html")


# --- submit -----------------------------------------------------------------------------------


@once_by_view  # the portal answers a repeat with a fresh receipt (xinfang.core.once)
def submit(request: HttpRequest) -> HttpResponse:
    """Step 1 picks the place of the matter (GET ?region=); step 2 is the form itself."""
    code = request.POST.get("region") or request.GET.get("region") or ""
    chain = selectors.region_chain(code) if code else []
    if not chain:
        return render(
            request,
            "portal/submit_region.html",
            {"regions": selectors.regions_for_submission(), "chosen": code},
        )
    region = chain[0]
    organs = selectors.organs_for_accusation(region_code=region.code)
    if request.method != "POST":
        form = SubmitForm(initial={"region": region.code, **once_initial()}, organs=organs)
        return _submit_page(request, form, region, chain)
    # Files attached in an earlier try of this form are held under its token (issue 12).
    token = request.POST.get("once", "")[:KEY_MAX]
    if token:
        held_upload_drop(token=token, ids=held_upload_unticked(request.POST))
    held = held_upload_contents(token=token) if token else []
    form = SubmitForm(_without_anonymous_details(request.POST), request.FILES, organs=organs)
    if not form.is_valid():
        if token and "attachments" not in form.errors:
            held_upload_add(token=token, files=_files_of(request))
        return _submit_page(request, form, region, chain, status=400)
    data = form.cleaned_data
    new_files = [(f.name, f.read()) for f in data.get("attachments") or []]
    accused = next((o for o in organs if o.pk == data.get("accused_organ")), None)
    office = selectors.petition_office_for(region_code=region.code, accused=accused)
    if office is None:
        form.add_error(None, _("该地区暂未开通网上信访，请通过来信、来访或电话提出。"))
        return _submit_page(request, form, region, chain, status=400)
    anonymous = bool(data.get("is_anonymous"))
    parties = []
    if not anonymous:
        parties = [
            PartyInput(
                role="petitioner",
                name=data["name"],
                phone=data.get("phone", ""),
                id_number=data.get("id_number", ""),
                address=data.get("address", ""),
            )
        ]
    step = request.POST.get("step", "")
    try:
        if token and step in (STEP_REVIEW, STEP_EDIT):
            # The check before sending (issue 12 item 13): what registering would refuse is
            # refused now; the files chosen so far are held under the form's token, so neither
            # the check nor going back to edit loses them.
            files = [*held, *new_files]
            petition_register_check(
                data=_petition_input(data, region, accused, anonymous, parties, files), organ=office
            )
            already = {(u["name"], u["size"]) for u in held_upload_list(token=token)}
            held_upload_add(
                token=token, files=[f for f in new_files if (f[0][:255], len(f[1])) not in already]
            )
            if step == STEP_EDIT:
                return _submit_page(request, form, region, chain)
            return _confirm_page(request, form, region, chain, accused, office, token)
        with once(scope="portal.submit", key=data.get("once")) as claim:
            if claim.prior is not None:  # sent again: the receipt again, never a second petition
                return _receipt_again(request, claim.prior["petition_id"])
            files = [*held, *new_files]
            registration = petition_register(
                data=_petition_input(data, region, accused, anonymous, parties, files),
                organ=office,
                actor=None,
                submitted_online=True,
            )
            claim.result = {"petition_id": registration.petition.pk}
            if token:
                held_upload_release(token=token)
    except ApplicationError as e:
        if token:
            held_upload_after_error(token=token, new=new_files, fields=e.fields, offset=len(held))
        for name, msgs in e.fields.items():
            field = name.split(".")[-1].split("[")[0]  # "parties[0].phone" -> "phone"
            field = {
                "parties": "name",
                "region_code": None,
                "accused_organ_id": "accused_organ",
            }.get(field, field)
            for m in msgs:
                form.add_error(field if field in form.fields else None, m)
        if not e.fields:
            form.add_error(None, e.message)
        return _submit_page(request, form, region, chain, status=400)
    return _receipt(request, registration)


#: The submit form's steps: "review" shows what will be sent; from there "edit" goes back to
#: the form and "confirm" (or a client that sends no step) registers.
STEP_REVIEW, STEP_EDIT, STEP_CONFIRM = "review", "edit", "confirm"
#: Left out of an anonymous submission (Art. 23 para 2: no notice without a name or address).
ANONYMOUS_CLEARS = ("name", "phone", "address", "id_number")


def _without_anonymous_details(post):  # type: ignore[no-untyped-def]
    """An anonymous submission keeps no name, phone, address or ID number, whatever the browser
    sent (without JavaScript the fields stay filled in)."""
    if not forms.CheckboxInput().value_from_datadict(post, {}, "is_anonymous"):
        return post
    post = post.copy()
    for name in ANONYMOUS_CLEARS:
        post[name] = ""
    return post


def _confirm_page(request, form, region, chain, accused, office, token) -> HttpResponse:  # type: ignore[no-untyped-def]
    data = form.cleaned_data
    labels = dict(form.fields["category"].choices)
    return render(
        request,
        "portal/confirm.html",
        {
            "form": form,
            "data": data,
            "category_label": labels.get(data.get("category") or "", ""),
            "accused": accused,
            "office": office,
            "region": region,
            "chain": list(reversed(chain)),
            "held_uploads": held_upload_list(token=token),
        },
    )


def _files_of(request: HttpRequest) -> list[tuple[str, bytes]]:
    return [(f.name, f.read()) for f in request.FILES.getlist("attachments")]


def _petition_input(data, region, accused, anonymous, parties, files) -> PetitionInput:  # type: ignore[no-untyped-def]
    return PetitionInput(
        channel=Channel.ONLINE,
        title=data["title"],
        content=data["content"],
        region_code=region.code,
        category=data.get("category") or "",
        accused_organ_id=accused.pk if accused else None,
        is_anonymous=anonymous,
        confidential=bool(data.get("confidential")),
        parties=parties,
        attachments=[AttachmentInput(name, content) for name, content in files],
    )


_RECEIPT_KEY = "xinfang_portal_receipt"


def _receipt(request: HttpRequest, registration) -> HttpResponse:  # type: ignore[no-untyped-def]
    """POST/redirect/GET: the receipt is a page of its own, so a reload submits nothing. Its
    password is kept for it in the session, encrypted (ADR 0003: never stored in clear), until
    the browser closes."""
    petition = registration.petition
    _grant(request, petition.tracking_code, petition.pk)
    request.session[_RECEIPT_KEY] = {
        "code": petition.tracking_code,
        "pw": crypto.encrypt(registration.query_password),
    }
    return redirect("portal:submitted", code=petition.tracking_code)


def _receipt_again(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The same submission sent again. This browser's receipt when it holds it; otherwise (the
    first answer never arrived) a receipt with a new password (``petition_receipt_again``)."""
    kept = request.session.get(_RECEIPT_KEY) or {}
    granted = request.session.get(SESSION_KEY, {})
    if kept.get("code") and granted.get(kept["code"]) == petition_id:
        return redirect("portal:submitted", code=kept["code"])
    return _receipt(request, petition_receipt_again(petition_id=petition_id))


@require_GET
@never_cache
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    """The receipt of a submission, shown to the browser that sent it."""
    petition = _granted(request, code)
    if petition is None:
        return redirect("portal:track")
    kept = request.session.get(_RECEIPT_KEY) or {}
    response = render(
        request,
        "portal/receipt.html",
        {
            "code": ids.format_tracking_code(petition.tracking_code),
            "raw_code": petition.tracking_code,
            "password": crypto.decrypt(kept["pw"]) if kept.get("code") == code else "",
            "petition": petition,
            "office": petition.registering_organ,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _submit_page(request, form, region, chain, status: int = 200) -> HttpResponse:  # type: ignore[no-untyped-def]
    token = form.data.get("once", "")[:KEY_MAX] if form.is_bound else ""
    return render(
        request,
        "portal/submit.html",
        {
            "form": form,
            "region": region,
            "chain": list(reversed(chain)),
            "held_uploads": held_upload_list(token=token) if token else [],
            **_limits(),
        },
        status=status,
    )


@require_POST
def receipt(request: HttpRequest) -> HttpResponse:
    """The receipt as a text file. It echoes the code and password only after checking them."""
    code, password = request.POST.get("code", ""), request.POST.get("password", "")
    ip = throttle.client_ip(request)
    if throttle.lookup_blocked(ip=ip, code=code):
        return _too_many(request)
    petition = selectors.petition_find_by_code(code=code, password=password)
    if petition is None:
        throttle.lookup_failed(ip=ip, code=code)
        raise Http404
    full = selectors.petition_for_petitioner(petition_id=petition.pk)
    assert full is not None
    lines = [
        _("信访事项查询凭证"),
        "",
        _("查询码：%(code)s") % {"code": ids.format_tracking_code(full.tracking_code)},
        _("查询密码：%(password)s") % {"password": "".join(c for c in password if c.isdigit())},
        _("标题：%(title)s") % {"title": full.title},
        _("提出时间：%(at)s") % {"at": clock.local_date(full.received_at).isoformat()},
        _("查询网址：%(url)s") % {"url": request.build_absolute_uri(reverse("portal:track"))},
        "",
        _(
            "请妥善保管查询密码：凭查询码和查询密码可以查询办理进展、阅看文书、作出评价和申请复查复核。"
        ),
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"xinfang-{full.tracking_code}.txt"
    )
    response["Cache-Control"] = "no-store"
    return response


# --- follow -----------------------------------------------------------------------------------


def _grant(request: HttpRequest, code: str, petition_id: int) -> None:
    access = dict(request.session.get(SESSION_KEY, {}))
    access[code] = petition_id
    request.session[SESSION_KEY] = access
    if not request.user.is_authenticated:
        request.session.set_expiry(0)  # until the browser closes


def _granted(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    petition_id = request.session.get(SESSION_KEY, {}).get(code)
    if petition_id is None:
        return None
    return selectors.petition_for_petitioner(petition_id=petition_id)


def _too_many(request: HttpRequest) -> HttpResponse:
    form = TrackForm(request.POST or None)
    return render(
        request,
        "portal/track.html",
        {
            "form": form,
            "error": _("尝试次数过多，请 %(m)s 分钟后再试。")
            % {"m": max(1, settings.XINFANG_PORTAL_LOOKUP_WINDOW_SECONDS // 60)},
        },
        status=429,
    )


@never_cache
def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(
            request,
            "portal/track.html",
            {"form": TrackForm(initial={"code": request.GET.get("code", "")})},
        )
    form = TrackForm(request.POST)
    ip = throttle.client_ip(request)
    code = request.POST.get("code", "")
    if throttle.lookup_blocked(ip=ip, code=code):
        return _too_many(request)
    petition = None
    if form.is_valid():
        petition = selectors.petition_find_by_code(
            code=form.cleaned_data["code"], password=form.cleaned_data["password"]
        )
    if petition is None:
        throttle.lookup_failed(ip=ip, code=code)
        return render(
            request,
            "portal/track.html",
            {
                "form": TrackForm(initial={"code": code}),
                "error": _("查询码或查询密码不正确，请核对后重试。"),
            },
            status=400,
        )
    _grant(request, petition.tracking_code, petition.pk)
    return redirect("portal:status", code=petition.tracking_code)


@require_POST
def forget(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:home")


def _petition_or_track(request: HttpRequest, code: str):  # type: ignore[no-untyped-def]
    petition = _granted(request, code)
    if petition is None:
        return None, redirect(f"{reverse('portal:track')}?code={code}")
    return petition, None


@never_cache
@require_GET
def status(request: HttpRequest, code: str) -> HttpResponse:
    petition, away = _petition_or_track(request, code)
    if away:
        return away
    view = selectors.petition_public_view(petition=petition)
    remote = remote_handling(petition=petition)
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
                "remote_peer": remote.peer,
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
            % {"peer": remote.peer},
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
