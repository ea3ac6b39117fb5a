"""The workbench pages: saved worklist filters (save, delete) and petition search."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.core import ids
from xinfang.core.dbrouter import reads_from_replica
from xinfang.core.errors import ApplicationError
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.workflow import CATEGORY_LABELS, STATE_LABELS
from xinfang.workbench import selectors, services
from xinfang.workbench.text import search_kind_of


@login_required
@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("query", "")
    try:
        services.saved_filter_create(
            user=request.user, name=request.POST.get("name", ""), query=query
        )  # type: ignore[arg-type]
    except ApplicationError as e:
        messages.error(
            request, gettext("；").join([e.message, *[m for ms in e.fields.values() for m in ms]])
        )
    else:
        messages.success(request, gettext("已保存常用筛选"))
    clean = services.saved_filter_query(query)
    return redirect(reverse("web:worklist") + (f"?{clean}" if clean else ""))


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, filter_id: int) -> HttpResponse:
    services.saved_filter_delete(user=request.user, filter_id=filter_id)  # type: ignore[arg-type]
    messages.success(request, gettext("已删除常用筛选"))
    return redirect("web:worklist")


def _search_kinds(may_identity: bool) -> list[tuple[str, str]]:
    return [
        (k, label)
        for k, label in selectors.SEARCH_KINDS.items()
        if may_identity or k not in selectors.IDENTITY_KINDS
    ]


def _search_refused(
    request: HttpRequest,
    f: dict[str, str],
    message: str,
    errors: dict[str, list[str]],
    may_identity: bool,
) -> HttpResponse:
    """The search form again with what was typed, the refusal above it and at its field (400)."""
    response = render(
        request,
        "web/search.html",
        {
            "f": f,
            "rows": [],
            "refused": message,
            "errors": errors,
            "kinds": _search_kinds(may_identity),
            "states": [(s.value, label) for s, label in STATE_LABELS.items()],
            "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
        },
        status=400,
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@reads_from_replica  # ADR 0015: figures may lag; the page says how much
def search(request: HttpRequest) -> HttpResponse:
    """The search page. The form posts: a phone, identity number or name searched for never
    travels in a URL, where access logs, proxies and the browser's history keep it (issue 11);
    a GET (a bookmark, an old link) may search by words, a code, a state or dates only."""
    G = request.POST if request.method == "POST" else request.GET
    f = {k: G.get(k, "").strip() for k in ("q", "by", "state", "category", "from", "to")}
    f["by"] = f["by"] or "auto"  # the kind of query is seen in it (issue 12 item 9)
    may_identity = user_can(request.user, Cap.VIEW_IDENTITY)  # type: ignore[arg-type]
    kind = search_kind_of(f["q"]) if f["by"] == "auto" else f["by"]
    if request.method == "GET" and f["q"] and may_identity and kind in selectors.IDENTITY_KINDS:
        return _search_refused(
            request,
            {**f, "q": ""},
            gettext("按姓名、电话或证件号码检索请使用检索表单（不放在网址中）。"),
            {},
            may_identity,
        )
    try:
        # the one parser of the form's filters: the page's 台账 reads them through it as well
        sq = selectors.search_query_parse(G)
    except ApplicationError as e:  # a bad date or a reversed range: at its field, kept typed
        return _search_refused(request, f, e.message, e.fields, may_identity)
    page = selectors.petition_search_for_user(
        user=request.user,  # type: ignore[arg-type]
        q=sq.q,
        by=sq.by,
        state=sq.state,
        category=sq.category,
        received_from=sq.received_from,
        received_to=sq.received_to,
        cursor=G.get("cursor"),
    )
    if f["q"] and page.by in selectors.IDENTITY_KINDS:
        services.search_identity_record(user=request.user, by=page.by, found=page.items)  # type: ignore[arg-type]
    rows = [
        {
            "p": p,
            "code": ids.format_tracking_code(p.tracking_code),
            "state_label": STATE_LABELS.get(p.state, p.state),  # type: ignore[call-overload]
        }
        for p in page.items
    ]
    kinds = _search_kinds(may_identity)
    response = render(
        request,
        "web/search.html",
        {
            "f": f,
            "rows": rows,
            "terms": page.terms,
            "searched_by": page.by,
            "searched_label": selectors.SEARCH_KINDS.get(page.by, ""),
            # buttons of small forms that post the query again (never links carrying it)
            "other_kinds": [
                (label, [(k2, v) for k2, v in {**f, "by": k}.items() if v])
                for k, label in kinds
                if k not in ("auto", page.by)
            ],
            "next_cursor": page.next_cursor,
            "query": [(k, v) for k, v in f.items() if v],
            "kinds": kinds,
            "states": [(s.value, label) for s, label in STATE_LABELS.items()],
            "categories": [(c.value, label) for c, label in CATEGORY_LABELS.items()],
        },
    )
    response["Cache-Control"] = "no-store"  # the answer may name petitioners
    return response
