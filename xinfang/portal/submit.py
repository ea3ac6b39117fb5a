"""The portal's submission: the home page, the two-step form with its confirmation, the receipt
on screen (its password shown once) and as a text file."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock, crypto, ids
from xinfang.core.errors import ApplicationError
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
from xinfang.petitions.models import Channel
from xinfang.petitions.services import (
    AttachmentInput,
    PartyInput,
    PetitionInput,
    petition_receipt_again,
    petition_register,
    petition_register_check,
)
from xinfang.portal import selectors, throttle
from xinfang.portal.access import SESSION_KEY, _grant, _granted, _too_many
from xinfang.portal.forms import SubmitForm


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
