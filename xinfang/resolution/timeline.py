"""What resolution adds to a petition's timeline (registered in apps.py through
``petitions.extensions``, ADR 0010): a merged, read-only feed of its own records. Nothing here
writes the petition: the petition's state stays with ``petition_act`` (a hearing's start and
end are petition events already and show as such).

Entries, each only for a user who may see the record (``access.backlog_scope``,
``hearing_scope``, ``relief_scope``: never for the accused organ, Art. 30 para 3):

- backlog case: confirmed (with the leader in charge, Art. 18 para 2) or not listed; each
  milestone done; the close-out;
- hearing: the notice (scheduled, with time and place; Arts. 31(6), 36 para 2); the
  publication of the re-review opinion after it;
- relief (Art. 37): the application, each approval step, each payment.

All of it is read in ONE query (a UNION of the record kinds): the petition page's query count
is pinned (xinfang/web/tests/test_pages.py). A record known only by its date is placed at the
end of that day, after the petition's own events of the day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import (
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.extensions import TimelineItem, present
from xinfang.petitions.models import Petition
from xinfang.resolution.access import backlog_scope, hearing_scope, relief_scope
from xinfang.resolution.models import (
    BacklogCase,
    BacklogMilestone,
    FundEntry,
    Hearing,
    ReliefApplication,
    ReliefDecision,
)

COLUMNS = ("tl_kind", "tl_ref", "tl_day", "tl_at", "tl_when", "tl_a", "tl_b", "tl_c", "tl_amount")
TEXT = 200  # a long outcome or note is cut on the timeline; the record's page has it whole


def _cols(qs: QuerySet, kind: str, ref: Any, **over: Any) -> QuerySet:
    """One branch of the union: the same columns, in the same order, in every branch."""
    # typed NULLs: PostgreSQL resolves a bare NULL of the first branch as text
    none = {
        "tl_day": Cast(Value(None), output_field=DateField()),
        "tl_at": Cast(Value(None), output_field=DateTimeField()),
        "tl_when": Cast(Value(None), output_field=DateTimeField()),
        "tl_a": Value("", output_field=CharField()),
        "tl_b": Value("", output_field=CharField()),
        "tl_c": Value("", output_field=CharField()),
        "tl_amount": Cast(Value(None), output_field=DecimalField(max_digits=12, decimal_places=2)),
    }
    none.update(over)
    cols = {"tl_kind": Value(kind, output_field=CharField()), "tl_ref": ref, **none}
    return qs.order_by().annotate(**{k: cols[k] for k in COLUMNS}).values(*COLUMNS)


def _text(field: str) -> Cast:
    return Cast(F(field), output_field=CharField())


def _kinds_present(petition_id: int) -> tuple[bool, bool, bool]:
    """Whether the petition has any backlog case, hearing, relief application at all (one
    small query, no scope: it only decides which branches the scoped union needs, and most
    petitions have none of them; what is shown is still read through each record's scope)."""
    row = (
        Petition.objects.filter(pk=petition_id)
        .values_list(
            Exists(BacklogCase.objects.filter(petition_id=OuterRef("pk"))),
            Exists(Hearing.objects.filter(petition_id=OuterRef("pk"))),
            Exists(ReliefApplication.objects.filter(petition_id=OuterRef("pk"))),
        )
        .first()
    )
    return (bool(row[0]), bool(row[1]), bool(row[2])) if row else (False, False, False)


def records_of_petition(
    *, petition_id: int, user: Any, kinds: tuple[bool, bool, bool] | None = None
) -> list[dict[str, Any]]:
    """The rows of every resolution record of the petition the user may see (one query; two
    when it has any: ``_kinds_present`` first, unless ``kinds`` says which it has)."""
    has_cases, has_hearings, has_relief = kinds or _kinds_present(petition_id)
    if not (has_cases or has_hearings or has_relief):
        return []
    ref = Cast(F("pk"), output_field=IntegerField())
    cases = BacklogCase.objects.filter(backlog_scope(user), petition_id=petition_id)
    hearings = Hearing.objects.filter(hearing_scope(user), petition_id=petition_id)
    apps = ReliefApplication.objects.filter(relief_scope(user), petition_id=petition_id)
    app_ids = apps.values("pk")
    case_branches = [
        _cols(
            cases.filter(decided_on__isnull=False),
            "case_decided",
            ref,
            tl_day=F("decided_on"),
            tl_a=F("status"),
            tl_b=F("leader"),
            tl_c=F("decision_note"),
        ),
        _cols(
            cases.filter(closed_on__isnull=False),
            "case_closed",
            ref,
            tl_day=F("closed_on"),
            tl_a=F("outcome"),
        ),
        _cols(
            BacklogMilestone.objects.filter(case__in=cases.values("pk"), done_on__isnull=False),
            "milestone",
            Cast(F("case_id"), output_field=IntegerField()),
            tl_day=F("done_on"),
            tl_a=F("title"),
            tl_b=_text("due_on"),
        ),
    ]
    hearing_branches = [
        _cols(
            hearings,
            "hearing",
            ref,
            tl_at=F("created_at"),
            tl_a=F("notice_number"),
            tl_b=F("place"),
            tl_when=F("scheduled_for"),
        ),
        _cols(
            hearings.filter(published_on__isnull=False),
            "hearing_published",
            ref,
            tl_day=F("published_on"),
            tl_a=F("notice_number"),
        ),
    ]
    relief_branches = [
        _cols(
            apps,
            "relief",
            ref,
            tl_day=F("applied_on"),
            tl_a=F("number"),
            tl_amount=F("amount_requested"),
        ),
        _cols(
            ReliefDecision.objects.filter(application__in=app_ids),
            "relief_step",
            Cast(F("application_id"), output_field=IntegerField()),
            tl_day=F("on"),
            tl_a=F("step"),
            tl_b=_text("approve"),
            tl_c=F("note"),
            tl_amount=F("application__amount_approved"),
        ),
        _cols(
            FundEntry.objects.filter(application__in=app_ids),
            "relief_paid",
            Cast(F("application_id"), output_field=IntegerField()),
            tl_at=F("recorded_at"),
            tl_a=F("application__number"),
            tl_amount=F("amount"),
        ),
    ]
    branches = [
        *(case_branches if has_cases else []),
        *(hearing_branches if has_hearings else []),
        *(relief_branches if has_relief else []),
    ]
    first, *rest = branches
    return list(first.union(*rest, all=True))


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _moment(v: Any) -> datetime | None:
    """A datetime column of the union (SQLite may hand it back as text, in UTC)."""
    if isinstance(v, str):
        v = datetime.fromisoformat(v)
    if isinstance(v, datetime) and timezone.is_naive(v):
        v = timezone.make_aware(v, timezone.utc)
    return v


def _day(v: Any) -> date | None:
    return date.fromisoformat(v[:10]) if isinstance(v, str) else v


def _cut(s: str) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= TEXT else s[:TEXT] + "…"


def _yuan(d: Decimal | None) -> str:
    return "" if d is None else f"{Decimal(d):.2f} 元"


def _truthy(s: Any) -> bool:
    return str(s).strip().lower() in ("1", "true", "t")


def _item(r: dict[str, Any]) -> TimelineItem | None:
    """One row as an entry, in the record's language (zh-hans; the page translates the label)."""
    kind, ref = r["tl_kind"], r["tl_ref"]
    day = _day(r["tl_day"])
    at = _moment(r["tl_at"]) or (_end_of(day) if day else None)
    if at is None:
        return None
    a, b, c = r["tl_a"] or "", r["tl_b"] or "", r["tl_c"] or ""
    if kind == "case_decided":
        url = reverse("resolution:backlog_case", args=[ref])
        if a == "rejected":
            return TimelineItem(at=at, label="不列为积案", text=_cut(c), url=url)
        return TimelineItem(at=at, label="列为积案", text=f"包案领导：{b}", url=url)
    if kind == "case_closed":
        url = reverse("resolution:backlog_case", args=[ref])
        return TimelineItem(at=at, label="积案化解办结", text=_cut(a), url=url)
    if kind == "milestone":
        url = reverse("resolution:backlog_case", args=[ref])
        return TimelineItem(
            at=at, label="积案化解节点完成", text=f"{_cut(a)}（计划 {b[:10]}）", url=url
        )
    if kind == "hearing":
        url = reverse("resolution:hearing", args=[ref])
        moment = _moment(r["tl_when"])
        when = f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""
        return TimelineItem(at=at, label="听证通知", text=f"{a}：{when} {_cut(b)}", url=url)
    if kind == "hearing_published":
        url = reverse("resolution:hearing", args=[ref])
        return TimelineItem(at=at, label="听证后复核意见公示", text=a, url=url)
    url = reverse("resolution:relief", args=[ref])
    amount = _yuan(r["tl_amount"])
    if kind == "relief":
        return TimelineItem(at=at, label="信访救助申请", text=f"{a}：申请 {amount}", url=url)
    if kind == "relief_step":
        who = "申请机关负责人审核" if a == "head" else "救助资金管理机关审批"
        yes = _truthy(b)
        said = "同意" if yes else "不同意"
        extra = f"，批准 {amount}" if yes and a == "fund" and amount else ""
        note = f"：{_cut(c)}" if c else ""
        return TimelineItem(at=at, label="信访救助审批", text=f"{who}{said}{extra}{note}", url=url)
    if kind == "relief_paid":
        return TimelineItem(at=at, label="信访救助发放", text=f"{a}：发放 {amount}", url=url)
    return None


def resolution_timeline(*, petition: Any, user: Any) -> Iterable[TimelineItem]:
    """The petition's backlog, hearing and relief records as timeline entries, for the user."""
    if not user_can(user, Cap.RESOLUTION_VIEW) or getattr(user, "organ", None) is None:
        return []
    known = [present(petition, x) for x in ("backlog", "hearings", "relief")]
    kinds = None if None in known else (bool(known[0]), bool(known[1]), bool(known[2]))
    rows = records_of_petition(petition_id=petition.pk, user=user, kinds=kinds)
    items = [i for i in (_item(r) for r in rows) if i is not None]
    return sorted(items, key=lambda i: i.at)
