"""Staff pages: parse the request, call one selector or service, render."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from xinfang.core import clock, ids
from xinfang.core.day_params import day_param
from xinfang.core.errors import ApplicationError
from xinfang.directory.permissions import user_actions
from xinfang.documents.selectors.drafts import draft_worklist
from xinfang.documents.services.drafts import DRAFTABLE
from xinfang.insight.opinions.page import opinion_acknowledged, opinion_missing, opinion_refusal
from xinfang.petitions import extensions, selectors
from xinfang.petitions.flags import FLAGS, LISTED, Flag
from xinfang.petitions.models import Channel
from xinfang.petitions.services import petition_accused_set, petition_act, petition_flag_set
from xinfang.petitions.workflow import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    STATE_LABELS,
    Action,
    Category,
)
from xinfang.resolution.selectors import suggestion_decision_url
from xinfang.web.editor import draft_links, opinion_gaps_page
from xinfang.web.forms import (
    FIELDS,
    REASON_LABEL,
    REASON_REQUIRED,
    REQUIRED_FIELDS,
    UNDATED,
    action_data,
    posted_values,
)
from xinfang.web.home import home_url
from xinfang.web.intake import _regions_for
from xinfang.web.labels import tr_action
from xinfang.web.pickers import PICK_SEARCH, QUERY_MAX, target_pickers
from xinfang.web.templatetags.xinfang_menu import may_open
from xinfang.web.worklist_rows import worklist_rows_html
from xinfang.workbench.selectors import saved_filter_list


def home(request: HttpRequest) -> HttpResponse:
    """Signed in: the first page of the user's menu (``web.home``), also after login."""
    if request.user.is_authenticated:
        if (url := home_url(request.user)) is not None:
            return redirect(url)
        raise ApplicationError(
            gettext("您的账号尚未分配可用的功能，请联系管理员"), code="no_menu", status=403
        )
    return render(request, "web/home.html")


DUE_LABELS = [
    ("overdue", gettext_lazy("已超期")),
    ("due_soon", gettext_lazy("即将到期")),
    ("running", gettext_lazy("期限内")),
]


#: Which deadline a worklist date is (deadlines.statutes), in a few words.
DUE_CODE_LABELS = {
    "T1": gettext_lazy("T1 转送交办"),
    "T1a": gettext_lazy("T1a 逐级转送"),
    "T2": gettext_lazy("T2 书面告知"),
    "T3": gettext_lazy("T3 书面告知"),
    "T4": gettext_lazy("T4 提出异议"),
    "T5": gettext_lazy("T5 交办反馈"),
    "T6": gettext_lazy("T6 办理"),
    "T7": gettext_lazy("T7 信访人请求复查"),
    "T8": gettext_lazy("T8 复查"),
    "T9": gettext_lazy("T9 信访人请求复核"),
    "T10": gettext_lazy("T10 复核"),
}


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    if not may_open(request.user, "worklist"):
        # not this role's page (no 待办 in its menu): an empty list would read as "nothing
        # to do"; its own first page instead (walker report item 13)
        return redirect("web:home")
    # the export's parser: a value it cannot read is a 400 naming the filter, the others kept
    f, filter_errors = selectors.worklist_filters(request.GET)
    today = clock.today()
    # the badges and the total from the rollup (two queries, not a scan of the open petitions)
    counts = selectors.worklist_counts(user=request.user, today=today)  # type: ignore[arg-type]
    page = selectors.worklist_for_user(
        user=request.user, cursor=request.GET.get("cursor"), today=today, counted=True,
        count_cap=selectors.COUNT_CAP, counts=counts, **f,
    )  # type: ignore[arg-type]
    dues = selectors.worklist_dues(items=page.items, organ_id=request.user.organ_id)  # type: ignore[union-attr]
    rows = [
        {
            "p": p,
            "code": ids.format_tracking_code(p.tracking_code),
            "state_label": STATE_LABELS.get(p.state, p.state),  # type: ignore[call-overload]
            "due": dues.get(p.pk),
            "due_label": DUE_CODE_LABELS.get(dues[p.pk].code, dues[p.pk].code)
            if p.pk in dues
            else "",
            "due_status": selectors.due_status(p.next_due, today),
            "days_left": (p.next_due - today).days if p.next_due else None,
            "provisional": getattr(p, "next_due_provisional", False),
            "flags": [FLAGS[x].label for x in LISTED if getattr(p, x.value)],
            "unreported": p.major_urgent and not p.major_urgent_reported,
        }
        for p in page.items
    ]
    query = urlencode([(k, v) for k, v in f.items() if v])
    return render(
        request,
        "web/worklist.html",
        {
            "rows": rows,
            "rows_html": worklist_rows_html(rows),
            "next_cursor": page.next_cursor,
            "total": page.total,
            "total_more": page.total_more,
            "later": bool(request.GET.get("cursor")),  # not the first page
            "first": None if page.start is None else page.start + 1,
            "last": None if page.start is None else page.start + len(rows),
            "filters": f,
            "query": query,
            "states": [(s.value, label) for s, label in STATE_LABELS.items()],
            "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
            "channels": Channel.choices,
            "regions": _regions_for(request.user.organ),  # type: ignore[union-attr]
            "dues": DUE_LABELS,
            "flag_choices": [(x.value, FLAGS[x].label) for x in LISTED],
            "flag_counts": counts.flags(),
            # how many are overdue and due soon as of today (the rollup is kept by due date)
            "due_badges": [(v, lb, counts.count(due=v)) for v, lb in DUE_LABELS if v != "running"],
            "saved_filters": saved_filter_list(user=request.user),  # type: ignore[arg-type]
            "drafts": _drafts(request.user),
            "today": today,
            "filter_errors": filter_errors,
        },
        status=400 if filter_errors else 200,
    )


def _drafts(user: object) -> list:
    """The drafts waiting for this user: to sign, or returned to be corrected (issue 12)."""
    out = draft_worklist(user=user)  # type: ignore[arg-type]
    for x in out:
        x.action_label = ACTION_LABELS[Action(x.action)]  # type: ignore[attr-defined]
    return out


def _window_provisional(d: dict) -> bool:
    """Whether the open review or re-review window ends on a provisional date (ADR 0012)."""
    return any(
        t["code"] in ("T7", "T9") and t["provisional"] and t["closed_on"] is None
        for t in d["deadlines"]
    )


def _routes(d: dict) -> dict[str, str]:
    """Steps taken on another page, not by the petition page's own form: a people's
    suggestion is answered by its decision (Art. 29), on the suggestion's page."""
    p = d["petition"]
    if Action.REPLY.value in d["available_actions"] and p.category == Category.SUGGESTION:
        return {Action.REPLY.value: suggestion_decision_url(petition=p)}
    return {}


def _action_forms(d: dict, targets: dict[str, dict], errors: dict | None = None) -> list[dict]:
    """The forms of the steps available now; after a refusal, the refused form keeps everything
    that was typed or chosen (issue 12: nothing is lost on an error)."""
    errors = errors or {}
    p = d["petition"]
    routes = _routes(d)
    known = {"category": p.category or "", "route": str(p.route) if p.route else ""}
    forms = []
    for a in d["available_actions"]:
        action = Action(a)
        if action in DRAFTABLE:  # written and signed on the full-page editor (issue 12, item 8)
            continue
        posted = errors.get("post") if errors.get("action") == a else None
        values = posted if posted is not None else known
        fields = []
        for name, label, kind, choices in FIELDS.get(action, []):
            if name == "provisional_ack" and not _window_provisional(d):
                continue
            if name == "new_facts" and not d.get("art36_prior"):
                continue
            fields.append(
                {
                    "name": name,
                    "label": label,
                    "kind": kind,
                    "choices": [(str(v), lbl) for v, lbl in choices or []]
                    if kind != "organ"
                    else [],
                    # the one organ picker (issue 12, item 10): only the organs the step allows
                    "groups": targets[a]["groups"] if kind == "organ" and a in targets else [],
                    "pick": targets[a]["pick"] if kind == "organ" and a in targets else None,
                    "id": f"{a}-{name}",
                    "value": str(values.get(name, "")),
                    "required": name in REQUIRED_FIELDS,
                    "errors": errors.get("fields", {}).get(name, []) if posted is not None else [],
                }
            )
        forms.append(
            {
                "action": a,
                "label": d["action_labels"][a],
                "fields": fields,
                "reason_required": action in REASON_REQUIRED,
                "reason_label": REASON_LABEL.get(action, gettext("理由或说明")),
                "reason": (posted or {}).get("reason", ""),
                "at": (posted or {}).get("at", ""),
                "route": routes.get(a, ""),
                # a take-back happens now, with its message (issue 20): no date of a paper event
                "dated": action not in UNDATED,
            }
        )
    return forms


@login_required
def petition_detail(
    request: HttpRequest, petition_id: int, errors: dict | None = None, status: int = 200
) -> HttpResponse:
    d = selectors.petition_detail_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    organ_steps = [
        Action(a)
        for a in d["available_actions"]
        if any(f[2] == "organ" for f in FIELDS.get(Action(a), []))
    ]
    err = errors or {}
    posted = err.get("post") or {}
    step = Action(err["action"]) if err.get("action") in {a.value for a in organ_steps} else None
    targets = target_pickers(
        petition=d["petition"],
        actions=organ_steps,
        keep={step: posted.get("to_organ_id", "")} if step else None,
        search={step: err.get("search", "")} if step else None,
    )
    return render(
        request,
        "web/petition.html",
        {
            "d": d,
            "code": ids.format_tracking_code(d["tracking_code"]),
            "forms": _action_forms(d, targets, errors),
            "may_name_accused": d["petition"].category == Category.ACCUSATION
            and request.user.organ_id == d["petition"].current_organ_id  # type: ignore[union-attr]
            and bool(user_actions(request.user)),  # type: ignore[arg-type]
            "accused_names": "、".join(u["label"] for u in d["accused_staff"]),
            "flag_rules": [
                {
                    "flag": x.value,
                    "label": r.label,
                    "basis": r.basis,
                    "on": bool(getattr(d["petition"], x.value)),
                }
                for x, r in FLAGS.items()
            ],
            "errors": errors or {},
            "draft_links": draft_links(
                user=request.user,
                petition=d["petition"],
                actions=[*d["available_actions"], *(s["action"] for s in d["head_signs"])],
            ),
            "today": clock.today(),
            **_contributions(d, request.user),
        },
        status=status,
    )


def _contributions(d: dict, user: object) -> dict:
    """What the apps above petitions add to the page (``petitions.extensions``): their panels
    (each one's context under its name) and their timeline entries, merged by time."""
    p = d["petition"]
    panels = extensions.panels_for_user(petition=p, user=user)
    items = [
        {
            "occurred_at": i.at,
            "action": "",
            "action_label": i.label,
            "organ": i.organ,
            "actor": i.actor,
            "reason": i.text,
            "data": i.data,
            "url": i.url,
        }
        for i in extensions.timeline_for_user(petition=p, user=user)
    ]
    if items:  # sorted() is stable: an event comes before an entry of the same moment
        d["timeline"] = sorted([*d["timeline"], *items], key=lambda e: e["occurred_at"])
    return {"panels": panels, **{x["name"]: x["context"] for x in panels}}


@login_required
@require_POST
def petition_act_view(request: HttpRequest, petition_id: int, action: str) -> HttpResponse:
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    try:
        act = Action(action)
    except ValueError:
        messages.error(request, gettext("未知的操作"))
        return redirect("web:petition", petition_id=petition_id)
    if PICK_SEARCH in request.POST:
        # the organ picker's search without JavaScript (issue 12, item 10): nothing is done; the
        # form comes back with what was typed and the organs that match (the claim is given up)
        pq = request.POST.get("pick_q", "")
        if "\x00" in pq or len(pq) > QUERY_MAX:
            return HttpResponseBadRequest(gettext("搜索内容过长或含有无效字符"))
        errors = {"action": action, "search": pq, "post": posted_values(act, request.POST)}
        return petition_detail(request, petition_id, errors=errors)
    # Art. 32: an opinion with parts missing is issued only once the signer acknowledges them.
    if act == Action.ISSUE_OPINION and act in user_actions(request.user):  # type: ignore[arg-type]
        missing = opinion_missing(petition=petition, post=request.POST)
        if missing and not opinion_acknowledged(request.POST):
            if request.user.organ_id == petition.current_organ_id:  # type: ignore[union-attr]
                # the opinion is written on its editor (issue 12, item 8): go there, gaps named
                return opinion_gaps_page(request, petition, missing)
            errors = opinion_refusal(action=action, missing=missing, post=request.POST)
            errors["post"] = posted_values(act, request.POST)
            return petition_detail(request, petition_id, errors=errors, status=400)
    try:
        at = _parse_date(request.POST.get("at", ""))
        petition_act(
            petition_id=petition_id,
            action=act,
            actor=request.user,  # type: ignore[arg-type]
            at=at,
            reason=request.POST.get("reason", ""),
            data=action_data(act, request.POST),
        )
    except ApplicationError as e:
        messages.error(request, e.message)
        errors = {
            "action": action,
            "message": e.message,
            "fields": e.fields,
            "post": posted_values(act, request.POST),
        }
        return petition_detail(request, petition_id, errors=errors, status=e.status)
    # "已转送"; in English "Transfer: done"
    messages.success(request, gettext("已%(action)s") % {"action": tr_action(ACTION_LABELS[act])})
    return redirect("web:petition", petition_id=petition_id)


@login_required
@require_POST
def petition_accused_view(request: HttpRequest, petition_id: int) -> HttpResponse:
    """The handling organ records whom an accusation names (Art. 30 para 3): staff by name."""
    selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    try:
        petition_accused_set(
            petition_id=petition_id,
            actor=request.user,  # type: ignore[arg-type]
            staff_ids=[],
            persons=request.POST.get("accused_persons", ""),
            staff_names=request.POST.get("accused_staff_names", ""),
        )
    except ApplicationError as e:
        errors = {"action": "accused", "message": e.message, "fields": e.fields}
        return petition_detail(request, petition_id, errors=errors, status=e.status)
    messages.success(request, gettext("已记录被检举控告人"))
    return redirect("web:petition", petition_id=petition_id)


@login_required
@require_POST
def petition_flag_view(request: HttpRequest, petition_id: int) -> HttpResponse:
    """Set or clear one cross-cutting fact of the petition (regulation.md §6.1)."""
    selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    flag = request.POST.get("flag", "")
    on = request.POST.get("on") in ("1", "true", "on")
    try:
        petition_flag_set(
            petition_id=petition_id,
            flag=flag,
            on=on,
            actor=request.user,  # type: ignore[arg-type]
            reason=request.POST.get("reason", ""),
            leader=request.POST.get("leader", ""),
        )
    except ApplicationError as e:
        messages.error(request, e.message)
        errors = {"action": "flag", "message": e.message, "fields": e.fields}
        return petition_detail(request, petition_id, errors=errors, status=e.status)
    label = gettext(FLAGS[Flag(flag)].label)
    messages.success(
        request,
        (gettext("已标记：%(flag)s") if on else gettext("已取消标记：%(flag)s")) % {"flag": label},
    )
    return redirect("web:petition", petition_id=petition_id)


def _parse_date(text: str) -> date | None:
    return day_param(
        text, field="at", message=gettext("日期格式有误"), hint=gettext("请按 年-月-日 填写日期")
    )


@login_required
def attachment_download(request: HttpRequest, petition_id: int, attachment_id: int) -> HttpResponse:
    from django.http import FileResponse

    a = selectors.attachment_for_user(
        user=request.user, petition_id=petition_id, attachment_id=attachment_id
    )  # type: ignore[arg-type]
    return FileResponse(
        a.file.open("rb"), as_attachment=True, filename=a.original_name, content_type=a.content_type
    )
