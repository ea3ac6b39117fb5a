"""The intake desk (登记): one fast, keyboard-only screen per channel, and the receipt.

Parses the form, calls ``petition_register`` once, renders the receipt with the tracking code
and query password (shown once). Online submissions from the portal wait in a review list.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.core import clock, crypto, ids
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.core.held import (
    held_upload_add,
    held_upload_after_error,
    held_upload_contents,
    held_upload_drop,
    held_upload_list,
    held_upload_release,
    held_upload_unticked,
)
from xinfang.core.inputs import is_digits
from xinfang.core.once import FIELD as ONCE_FIELD
from xinfang.core.once import KEY_MAX, form_fingerprint, once, token_new
from xinfang.core.once_forms import once_by_view
from xinfang.directory.models import Organ, Region
from xinfang.directory.permissions import user_can_register
from xinfang.directory.selectors import organ_in_subtree, petition_office_for
from xinfang.insight.classify.intake import (
    intake_hint_context,
    intake_topic_context,
    intake_topic_record,
)
from xinfang.insight.classify.suggest import category_suggestion, suggestion_is_likely
from xinfang.insight.matters.views import matters_intake_context
from xinfang.petitions import selectors
from xinfang.petitions.models import Channel
from xinfang.petitions.services import (
    AttachmentInput,
    PartyInput,
    PetitionInput,
    petition_receipt_again,
    petition_register,
)
from xinfang.petitions.similar import petition_similar_for_user
from xinfang.petitions.workflow import CATEGORY_LABELS, ROUTE_HELP, ROUTE_LABELS, Route
from xinfang.routing.intake import intake_routing_context
from xinfang.web.pickers import PICK_SEARCH, QUERY_MAX, accusable_picker
from xinfang.workbench.text import whole_words

DESK_CHANNELS = {
    "letter": (gettext_lazy("来信登记"), Channel.LETTER),
    "visit": (gettext_lazy("来访登记"), Channel.VISIT),
    "phone": (gettext_lazy("来电登记"), Channel.PHONE),
    "fax": (gettext_lazy("传真登记"), Channel.FAX),
    "hotline": (gettext_lazy("热线转来登记"), Channel.HOTLINE),
}
MAX_REPS = 5


def _need_registrar(request: HttpRequest) -> None:
    if not user_can_register(request.user):  # type: ignore[arg-type]
        raise Forbidden(gettext("您的角色不能登记信访事项"))


def _regions_for(organ: Organ | None) -> list[Region]:
    if organ is None:
        return []
    prefix = organ.region_id.rstrip("0")  # the code is the region's key: no query for it
    prefix = prefix[: len(prefix) + (len(prefix) % 2)] if prefix else ""
    return list(Region.objects.filter(code__startswith=prefix).order_by("code")[:500])


def _receiving_office(organ: Organ, data: PetitionInput) -> Organ:
    """Where the desk registers ``data``: its own organ, or, for an accusation against that
    organ or one above it, the nearest petition office outside the accused organ's subtree
    (Art. 30 para 3: never handled by the accused; issue 11, leak 7). With none, the desk's
    own organ, and registration refuses it with its reason."""
    if data.category != "accusation" or data.accused_organ_id is None:
        return organ
    accused = Organ.objects.filter(pk=data.accused_organ_id).first()
    if accused is None or not organ_in_subtree(organ, accused):
        return organ
    return petition_office_for(region_code=data.region_code, accused=accused) or organ


def _parse(request: HttpRequest, channel: str, held: list[tuple[str, bytes]]) -> PetitionInput:
    """The form as the service's input; ``held`` are its files (those attached now and those
    held from an earlier try of the same form)."""
    P = request.POST
    received_at = None
    if P.get("received_on"):
        try:
            d = datetime.fromisoformat(P["received_on"]).date()
        except ValueError as e:
            raise ApplicationError(
                gettext("收到日期格式有误"), fields={"received_on": [gettext("请按 年-月-日 填写")]}
            ) from e
        received_at = timezone.make_aware(datetime.combine(d, datetime.min.time().replace(hour=9)))
        if d == clock.today():
            received_at = clock.now()
        arrived = _arrival_time(P.get("arrived_time", "")) if channel == Channel.VISIT else None
        if arrived is not None:  # a visit: the hour the visitors arrived (Art. 18)
            received_at = timezone.make_aware(datetime.combine(d, arrived))
    anonymous = P.get("is_anonymous") == "on"
    parties: list[PartyInput] = []
    if not anonymous or P.get("p_name", "").strip():
        parties.append(
            PartyInput(
                role="petitioner",
                name=P.get("p_name", ""),
                id_number=P.get("p_id", ""),
                phone=P.get("p_phone", ""),
                address=P.get("p_address", ""),
            )
        )
    for i in range(
        MAX_REPS + 1
    ):  # one extra row so that a sixth representative is refused, not lost
        name = P.get(f"rep{i}_name", "").strip()
        if name:
            parties.append(
                PartyInput(role="representative", name=name, phone=P.get(f"rep{i}_phone", ""))
            )
    if P.get("agent_name", "").strip():
        parties.append(
            PartyInput(
                role="agent",
                name=P["agent_name"],
                phone=P.get("agent_phone", ""),
                id_number=P.get("agent_id", ""),
            )
        )
    files = [AttachmentInput(name, content) for name, content in held]
    collective = P.get("is_collective") == "on"
    try:
        head_count = int(P.get("head_count") or (2 if collective else 1))
    except ValueError:
        head_count = 0
    route = P.get("route") or None
    return PetitionInput(
        channel=channel,
        title=P.get("title", ""),
        content=P.get("content", ""),
        region_code=P.get("region_code", ""),
        received_at=received_at,
        category=P.get("category", ""),
        route=_typed_id(route),
        accused_organ_id=_typed_id(P.get("accused_organ_id", "")),
        accused_persons=P.get("accused_persons", ""),
        accused_staff_names=P.get("accused_staff_names", ""),
        is_collective=collective,
        head_count=head_count,
        is_anonymous=anonymous,
        confidential=P.get("confidential") == "on",
        parties=parties,
        attachments=files,
        received_by=P.get("received_by", "") if channel == Channel.VISIT else "",
    )


def _typed_id(value: str | None) -> int | None:
    """A number chosen in the form: None when left empty; 0 (no route, no organ: the rules
    then give the field its error and the form comes back with all that was typed) when it is
    anything but ASCII digits, e.g. "²" (``int()`` refused it: a 500 that lost the petition)."""
    if not value:
        return None
    return int(value) if is_digits(value) and len(value) <= 18 else 0


def _arrival_time(value: str) -> time | None:
    """ "HH:MM" from the visit form's time field; anything else is refused with its field."""
    if not value:
        return None
    try:
        return time.fromisoformat(value[:8])
    except ValueError as e:
        raise ApplicationError(
            gettext("到访时间格式有误"), fields={"arrived_time": [gettext("请按 时:分 填写")]}
        ) from e


#: The desk's name of each registration field, for its error messages.
FIELD_LABELS = {
    "channel": gettext_lazy("信访渠道"),
    "title": gettext_lazy("标题"),
    "content": gettext_lazy("诉求、事实和理由"),
    "received_at": gettext_lazy("实际收到日期"),
    "region_code": gettext_lazy("事项所在地"),
    "category": gettext_lazy("类别"),
    "route": gettext_lazy("第三十一条途径"),
    "accused_organ_id": gettext_lazy("被检举控告单位"),
    "accused_staff_ids": gettext_lazy("被检举控告的本系统工作人员"),
    "accused_staff_names": gettext_lazy("被检举控告的本系统工作人员"),
    "accused_persons": gettext_lazy("其他被检举控告人"),
    "attachments": gettext_lazy("附件"),
    "head_count": gettext_lazy("人数"),
    "parties": gettext_lazy("信访人"),
    "is_anonymous": gettext_lazy("匿名"),
    "repeat_of_id": gettext_lazy("前件"),
    "topic": gettext_lazy("事项分类"),
    "received_by": gettext_lazy("接待人员"),
    "arrived_time": gettext_lazy("到访时间"),
}


def _error_rows(fields: dict) -> list[tuple[str, str]]:
    """(field label or "", message) for each field message, by the names the desk shows."""
    return [
        (str(FIELD_LABELS.get(key.split("[")[0].split(".")[0], "")), str(m))
        for key, msgs in fields.items()
        for m in msgs
    ]


def _form_files(request: HttpRequest, token: str) -> tuple[list, list]:
    """The files of this try of the form: those held from an earlier try (less the ones the clerk
    unticked) and those attached now. Returns (all files, the new ones)."""
    held_upload_drop(token=token, ids=held_upload_unticked(request.POST))
    new = [(f.name, f.read()) for f in request.FILES.getlist("attachments")]
    return held_upload_contents(token=token) + new, new


@once_by_view  # the desk claims its token with a fingerprint (Back + resend)
@login_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest, channel: str = "letter") -> HttpResponse:
    _need_registrar(request)
    if channel not in DESK_CHANNELS:
        channel = "letter"
    title, chan = DESK_CHANNELS[channel]
    errors: dict = {}
    message = ""
    token = request.POST.get(ONCE_FIELD, "")[:KEY_MAX] or token_new()
    if request.method == "POST" and PICK_SEARCH in request.POST:
        # the accused-organ picker's search without JavaScript (issue 12, item 10): the form
        # comes back with the organs found, registers nothing, and holds the files attached
        pq = request.POST.get("pick_q", "")
        if "\x00" in pq or len(pq) > QUERY_MAX:
            return HttpResponseBadRequest(gettext("搜索内容过长或含有无效字符"))
        _, new_files = _form_files(request, token)
        held_upload_add(token=token, files=new_files)
        return _intake_page(request, channel, title, token, request.POST, {}, "", pick_q=pq)
    if request.method == "POST" and channel == "visit" and "add_rep" in request.POST:
        # "添加代表" re-shows the visit form with one more row and registers nothing; the
        # files attached so far are held under the form's token (nothing typed is lost).
        _, new_files = _form_files(request, token)
        held_upload_add(token=token, files=new_files)
        return _intake_page(request, channel, title, token, request.POST, {}, "", add_rep=True)
    if request.method == "POST":
        files, new_files = _form_files(request, token)
        sent = form_fingerprint(
            f"desk.{channel}", request.POST, files, ignore=("held_upload", "keep_upload")
        )
        if (earlier := _sent_before(request, sent)) is not None:  # Back, then sent again
            held_upload_release(token=token)
            return earlier
        try:
            with once(scope="desk.register", key=token) as claim:
                if claim.prior is not None:  # a reload or a second click: the first's receipt
                    return _receipt_redirect(request, claim.prior)
                data = _parse(request, chan, files)
                own = request.user.organ  # type: ignore[union-attr]
                office = _receiving_office(own, data) if own is not None else own
                reg = petition_register(data=data, organ=office, actor=request.user)  # type: ignore[arg-type]
                intake_topic_record(petition=reg.petition, post=request.POST, actor=request.user)  # type: ignore[arg-type]
                claim.result = {"petition_id": reg.petition.pk}
                held_upload_release(token=token)
        except ApplicationError as e:
            errors, message = e.fields, e.message
            held_upload_after_error(  # nothing attached is lost
                token=token, new=new_files, fields=e.fields, offset=len(files) - len(new_files)
            )
        else:
            forwarded = office if office != own else None
            _receipt_keep(request, reg.petition.pk, reg.query_password, forwarded)
            _sent_keep(request, sent, reg.petition.pk)
            return redirect("web:intake_receipt", petition_id=reg.petition.pk)
    post = request.POST if request.method == "POST" else {}
    return _intake_page(request, channel, title, token, post, errors, message)


def _rep_rows(channel: str, post: Any, add_rep: bool) -> int:
    """How many representative rows the form shows. The letter form keeps its fixed rows; the
    visit form shows the rows in use, one more on "添加代表", never more than the law allows
    (Art. 20 para 3: at most five; ``XINFANG_MAX_REPRESENTATIVES``)."""
    if channel != "visit":
        return MAX_REPS
    used = [
        i
        for i in range(MAX_REPS + 1)
        if post and (post.get(f"rep{i}_name") or post.get(f"rep{i}_phone"))
    ]
    rows = (used[-1] + 1) if used else 0
    if add_rep or (not rows and post and post.get("is_collective") == "on"):
        rows += 1
    return min(rows, settings.XINFANG_MAX_REPRESENTATIVES)


def _intake_page(
    request: HttpRequest,
    channel: str,
    title: Any,
    token: str,
    post: Any,
    errors: dict,
    message: str,
    *,
    add_rep: bool = False,
    pick_q: str = "",
) -> HttpResponse:
    organ = request.user.organ  # type: ignore[union-attr]
    rows = _rep_rows(channel, post, add_rep)
    user = request.user
    return render(
        request,
        "web/intake_visit.html" if channel == "visit" else "web/intake.html",
        {
            "desk_title": title,
            "channel": channel,
            "channels": [(k, v[0]) for k, v in DESK_CHANNELS.items()],
            "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
            "routes": [(r.value, ROUTE_LABELS[r], ROUTE_HELP[r]) for r in Route],
            "regions": _regions_for(organ),
            "default_region": organ.region_id if organ else "",
            # every active organ, petition offices included (issue 11 item 7); past a page's
            # worth, the first ones, said so, and a search (issue 12, item 10)
            "accused_picker": accusable_picker(
                keep=str(post.get("accused_organ_id", "")) if post else "", query=pick_q
            ),
            "today": clock.today(),
            "received_on": post.get("received_on", "") if post else clock.today().isoformat(),
            "reps": [
                {
                    "i": i,
                    "name": post.get(f"rep{i}_name", ""),
                    "phone": post.get(f"rep{i}_phone", ""),
                }
                for i in range(rows)
            ],
            "can_add_rep": rows < settings.XINFANG_MAX_REPRESENTATIVES,
            "max_reps": settings.XINFANG_MAX_REPRESENTATIVES,
            "received_by": post.get("received_by", "") if post else user.person_name,  # type: ignore[union-attr]
            "errors": errors,
            "error_rows": _error_rows(errors),
            "message": message,
            "post": post,
            "form_token": token,
            "held_uploads": held_upload_list(token=token) if post else [],
            **intake_topic_context(),
        },
        status=400 if errors else 200,
    )


#: The receipt just registered, for the receipt page the registration redirects to
#: (POST/redirect/GET): the query password encrypted (ADR 0003: never kept in clear), for a
#: short while, so that a reload or a print preview still shows it.
_RECEIPT_KEY = "xinfang_receipt"
RECEIPT_PASSWORD_MINUTES = 30


def _receipt_keep(
    request: HttpRequest, petition_id: int, password: str, forwarded: Organ | None
) -> None:
    request.session[_RECEIPT_KEY] = {
        "id": petition_id,
        "pw": crypto.encrypt(password),
        "until": (clock.now() + timedelta(minutes=RECEIPT_PASSWORD_MINUTES)).isoformat(),
        "forwarded_to": forwarded.name if forwarded else "",
    }


#: What this browser registered lately, by the fingerprint of the form it sent: the Back button
#: re-shows a sent form with a fresh one-time token and the typed values restored; sending it
#: again lands on the first receipt instead of registering the same petition twice.
_SENT_KEY = "xinfang_desk_sent"
SAME_FORM_MINUTES = RECEIPT_PASSWORD_MINUTES
_SENT_MAX = 20


def _sent_keep(request: HttpRequest, fingerprint: str, petition_id: int) -> None:
    now = clock.now().isoformat()
    kept = {k: v for k, v in (request.session.get(_SENT_KEY) or {}).items() if v[1] >= now}
    kept[fingerprint] = [
        petition_id,
        (clock.now() + timedelta(minutes=SAME_FORM_MINUTES)).isoformat(),
    ]
    request.session[_SENT_KEY] = dict(sorted(kept.items(), key=lambda kv: kv[1][1])[-_SENT_MAX:])


def _sent_before(request: HttpRequest, fingerprint: str) -> HttpResponse | None:
    """The receipt of the petition this browser registered from the very same form in the last
    ``SAME_FORM_MINUTES`` minutes, or None. Its password is not issued again (the petitioner
    holds it); the receipt shows it while this session still keeps it."""
    hit = (request.session.get(_SENT_KEY) or {}).get(fingerprint)
    if not hit or hit[1] < clock.now().isoformat():
        return None
    messages.info(
        request, gettext("这份登记表与刚才登记的完全相同，没有再次登记；以下是刚才的登记回执。")
    )
    return redirect("web:intake_receipt", petition_id=int(hit[0]))


def _receipt_redirect(request: HttpRequest, prior: dict) -> HttpResponse:
    """The same registration sent again: its receipt. When this session no longer holds its
    password (a second browser tab, a double click racing the first), a new one is issued."""
    petition_id = int(prior.get("petition_id", 0))
    kept = request.session.get(_RECEIPT_KEY) or {}
    if kept.get("id") != petition_id:
        reg = petition_receipt_again(petition_id=petition_id)
        _receipt_keep(request, petition_id, reg.query_password, None)
    return redirect("web:intake_receipt", petition_id=petition_id)


@login_required
@require_GET
def intake_receipt(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The receipt of a registration: reloading it shows it again and registers nothing. Whoever
    may read the petition may reprint it; the password only the clerk who just registered it."""
    kept = request.session.get(_RECEIPT_KEY) or {}
    mine = kept.get("id") == petition_id
    if mine:  # this browser registered it (it may have gone to another office: Art. 30(3))
        p = selectors.petition_for_receipt(petition_id=petition_id)
    else:
        p = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    if p is None:
        raise Forbidden(gettext("未找到该信访事项，或不在您的查看范围内"))
    fresh = mine and kept.get("until", "") >= clock.now().isoformat()
    response = render(
        request,
        "web/receipt.html",
        {
            "p": p,
            "code": ids.format_tracking_code(p.tracking_code),
            "password": crypto.decrypt(kept["pw"]) if fresh else "",
            "password_until": (
                timezone.localtime(datetime.fromisoformat(kept["until"])) if fresh else None
            ),
            "password_minutes": RECEIPT_PASSWORD_MINUTES,
            "forwarded_to": kept.get("forwarded_to") if mine else None,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _grouped(matches: list) -> list[dict]:
    """Earlier petitions by title: identical titles once, with each petition's date as its link
    (issue 12 item 12), in the order the first of each title came."""
    groups: dict[str, dict] = {}
    for m in matches:
        g = groups.setdefault(m.petition.title, {"title": m.petition.title, "items": []})
        g["items"].append(m)
    return list(groups.values())


@login_required
@require_POST
def intake_similar(request: HttpRequest) -> HttpResponse:
    """An HTML fragment: earlier petitions that may be about the same matter. By POST: what
    the clerk types (a phone number) stays out of URLs, access logs and history (issue 11)."""
    _need_registrar(request)
    G = request.POST
    matches = petition_similar_for_user(
        user=request.user,  # type: ignore[arg-type]
        phone=G.get("phone", ""),
        code=G.get("code", ""),
    )
    suggestion = category_suggestion(title=G.get("title", ""), body=G.get("content", ""))
    text = matters_intake_context(
        user=request.user, params=G, exclude=[m.petition.pk for m in matches]
    )  # type: ignore[arg-type]
    return render(
        request,
        "web/_similar.html",
        {
            "suggestion": suggestion,
            "suggestion_likely": suggestion_is_likely(suggestion),
            "suggestion_words": whole_words(
                suggestion[0].top_terms if suggestion else (),
                f"{G.get('title', '')} {G.get('content', '')}",
            ),
            "matches": _grouped(matches),
            **text,
            **intake_hint_context(
                user=request.user,  # type: ignore[arg-type]
                query=G,
                suggestion=suggestion,
            ),
            **intake_routing_context(query=G),
        },
    )


@login_required
def intake_online(request: HttpRequest) -> HttpResponse:
    """Online submissions received at this office, waiting for a clerk's registration."""
    _need_registrar(request)
    page = selectors.worklist_for_user(
        user=request.user, state="received", cursor=request.GET.get("cursor")
    )  # type: ignore[arg-type]
    return render(
        request, "web/intake_online.html", {"rows": page.items, "next_cursor": page.next_cursor}
    )
