"""The dispute screening ledger's pages: the ledger (an organ and everything below it), a new
entry, an entry with its mediation steps and outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, NotFound
from xinfang.core.once import token_new
from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention.access import organs_in_scope
from xinfang.prevention.exports import ledger_xlsx as ledger_xlsx_bytes
from xinfang.prevention.models import DisputeKind, DisputeStatus, Outcome, PartySide, StepKind
from xinfang.prevention.selectors import (
    LedgerFilter,
    dispute_count,
    dispute_get_for_user,
    dispute_ledger,
    dispute_monthly_report,
    party_name_for,
)
from xinfang.prevention.services import (
    PartyInput,
    dispute_close,
    dispute_record,
    dispute_step_add,
)
from xinfang.prevention.views._shared import (
    XLSX,
    download,
    need,
    one_time_key,
    parse_date,
    parse_int,
    parse_month,
)

PARTY_ROWS = 4
DIRECT_EXPORT_MAX = 5000  # entries an export may have to be sent at once, not in the background


def ledger_filter(request: HttpRequest, data=None) -> LedgerFilter:  # type: ignore[no-untyped-def]
    data = request.GET if data is None else data
    kind = data.get("kind", "")
    status = data.get("status", "")
    if kind and kind not in DisputeKind.values or status and status not in DisputeStatus.values:
        raise ApplicationError(gettext("筛选条件有误"))
    return LedgerFilter(
        cycle=parse_month(data.get("cycle")),
        kind=kind,
        status=status,
        organ_id=parse_int(data.get("organ"), field="organ"),
    )


@login_required
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    flt = ledger_filter(request)
    page = dispute_ledger(
        user=request.user,  # type: ignore[arg-type]
        flt=flt,
        cursor=parse_int(request.GET.get("cursor"), field="cursor"),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "prevention/ledger.html",
        {
            "ledger": page,
            "flt": flt,
            "kinds": DisputeKind.choices,
            "statuses": DisputeStatus.choices,
            "organs": organs_in_scope(request.user),  # type: ignore[arg-type]
            "query": query.urlencode(),
            "once": token_new(),
            "may_export": user_can(request.user, Cap.EXPORT),  # type: ignore[arg-type]
            "may_record": user_can(request.user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
        },
    )


def _parties(request: HttpRequest) -> list[PartyInput]:
    out = []
    for i in range(PARTY_ROWS):
        out.append(
            PartyInput(
                side=request.POST.get(f"party-{i}-side", ""),
                name=request.POST.get(f"party-{i}-name", ""),
                asks=request.POST.get(f"party-{i}-asks", ""),
            )
        )
    return out


@login_required
def dispute_new(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_RECORD)
    organs = list(organs_in_scope(request.user))  # type: ignore[arg-type]
    errors: dict[str, list[str]] = {}
    message = ""
    if request.method == "POST":
        organ_id = parse_int(request.POST.get("organ"), field="organ")
        organ = next((o for o in organs if o.pk == organ_id), None)
        if organ is None:
            errors["organ"] = [gettext("请选择排查单位")]
        found_on = parse_date(request.POST.get("found_on"), "found_on", errors)
        if not errors:
            try:
                d = dispute_record(
                    actor=request.user,  # type: ignore[arg-type]
                    organ=organ,  # type: ignore[arg-type]
                    kind=request.POST.get("kind", ""),
                    place=request.POST.get("place", ""),
                    summary=request.POST.get("summary", ""),
                    found_on=found_on,  # type: ignore[arg-type]
                    responsible=request.POST.get("responsible", ""),
                    parties=_parties(request),
                    submission=one_time_key(request),
                )
            except ApplicationError as e:
                errors, message = e.fields, e.message
            else:
                messages.success(request, gettext("已登记矛盾纠纷"))
                return redirect("prevention:dispute", dispute_id=d.pk)
        message = message or gettext("请检查标出的内容")
    return render(
        request,
        "prevention/dispute_new.html",
        {
            "organs": organs,
            "default_organ": getattr(request.user, "organ_id", None),
            "kinds": DisputeKind.choices,
            "sides": PartySide.choices,
            "party_rows": [
                {
                    "i": i,
                    "side": request.POST.get(f"party-{i}-side", "applicant" if i == 0 else ""),
                    "name": request.POST.get(f"party-{i}-name", ""),
                    "asks": request.POST.get(f"party-{i}-asks", ""),
                }
                for i in range(PARTY_ROWS)
            ],
            "post": request.POST if request.method == "POST" else {},
            "submission": one_time_key(request),
            "today": clock.today(),
            "errors": errors,
            "message": message,
        },
        status=400 if errors else 200,
    )


def _detail(request: HttpRequest, dispute_id: int, *, errors=None, form="", status=200):  # type: ignore[no-untyped-def]
    d = dispute_get_for_user(user=request.user, dispute_id=dispute_id)  # type: ignore[arg-type]
    parties = [
        {"side": p.get_side_display(), "name": party_name_for(request.user, p.name), "asks": p.asks}  # type: ignore[arg-type]
        for p in d.parties.all()
    ]
    return render(
        request,
        "prevention/dispute.html",
        {
            "d": d,
            "parties": parties,
            "steps": list(d.steps.select_related("recorded_by")),
            "links": list(d.decision_links.select_related("decision", "risk")),
            "may_record": user_can(request.user, Cap.PREVENTION_RECORD),  # type: ignore[arg-type]
            "step_kinds": StepKind.choices,
            "outcomes": Outcome.choices,
            "today": clock.today(),
            "errors": errors or {},
            "form": form,
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@login_required
@require_GET
def dispute_page(request: HttpRequest, dispute_id: int) -> HttpResponse:
    return _detail(request, dispute_id)


@login_required
@require_POST
def dispute_step(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute_get_for_user(user=request.user, dispute_id=dispute_id)  # type: ignore[arg-type]
    need(request, Cap.PREVENTION_RECORD)
    errors: dict[str, list[str]] = {}
    on = parse_date(request.POST.get("on"), "on", errors)
    if not errors:
        try:
            dispute_step_add(
                actor=request.user,  # type: ignore[arg-type]
                dispute_id=dispute_id,
                kind=request.POST.get("kind", ""),
                on=on,  # type: ignore[arg-type]
                note=request.POST.get("note", ""),
            )
        except NotFound:
            raise
        except ApplicationError as e:
            if e.status != 400:
                raise
            errors = e.fields or {"note": [e.message]}
        else:
            messages.success(request, gettext("已记录调解步骤"))
            return redirect("prevention:dispute", dispute_id=dispute_id)
    return _detail(request, dispute_id, errors=errors, form="step", status=400)


@login_required
@require_POST
def dispute_outcome(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute_get_for_user(user=request.user, dispute_id=dispute_id)  # type: ignore[arg-type]
    need(request, Cap.PREVENTION_RECORD)
    errors: dict[str, list[str]] = {}
    on = parse_date(request.POST.get("on"), "on", errors)
    if not errors:
        try:
            dispute_close(
                actor=request.user,  # type: ignore[arg-type]
                dispute_id=dispute_id,
                outcome=request.POST.get("outcome", ""),
                on=on,  # type: ignore[arg-type]
                note=request.POST.get("note", ""),
                referred_to=request.POST.get("referred_to", ""),
                tracking_code=request.POST.get("tracking_code", ""),
            )
        except ApplicationError as e:
            if e.status != 400:
                raise
            errors = e.fields or {"note": [e.message]}
        else:
            messages.success(request, gettext("已记录化解结果"))
            return redirect("prevention:dispute", dispute_id=dispute_id)
    return _detail(request, dispute_id, errors=errors, form="outcome", status=400)


def ledger_title(request: HttpRequest, flt: LedgerFilter) -> str:
    organ = getattr(request.user, "organ", None)
    title = gettext("%(organ)s矛盾纠纷排查化解台账") % {"organ": organ.name if organ else ""}
    if flt.cycle:
        title += gettext("（%(y)s年%(m)s月）") % {"y": flt.cycle.year, "m": flt.cycle.month}
    return title


@login_required
@require_GET
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    need(request, Cap.PREVENTION_VIEW)
    need(request, Cap.EXPORT)
    flt = ledger_filter(request)
    rows = dispute_count(user=request.user, flt=flt)  # type: ignore[arg-type]
    if rows > DIRECT_EXPORT_MAX:
        # a long ledger is written by the worker (the ledger page's export button), never
        # while a web worker waits
        raise ApplicationError(
            gettext("台账共 %(n)s 件，请在台账页面点击“导出台账”，由后台生成后下载") % {"n": rows},
            status=409,
        )
    data = ledger_xlsx_bytes(user=request.user, flt=flt, title=ledger_title(request, flt))  # type: ignore[arg-type]
    stamp = flt.cycle.strftime("%Y-%m") if flt.cycle else clock.today().isoformat()
    return download(data, XLSX, f"dispute-ledger-{stamp}.xlsx")


@login_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """The monthly screening report, printable (A4)."""
    need(request, Cap.PREVENTION_VIEW)
    flt = ledger_filter(request)
    cycle = flt.cycle or clock.today().replace(day=1)
    rep = dispute_monthly_report(user=request.user, cycle=cycle, organ_id=flt.organ_id)  # type: ignore[arg-type]
    return render(
        request,
        "prevention/report.html",
        {"rep": rep, "statuses": DisputeStatus.choices, "outcomes": Outcome.choices},
    )
