"""The worklist and the filtered lists of petitions, keyset-paginated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.day_params import days_ordered
from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.flags import LISTED
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors.access import _exclusions, _visible


@dataclass(frozen=True)
class Page:
    items: list[Petition]
    next_cursor: str | None
    total: int | None = None  # rows of the whole list (the worklist counts them)
    start: int = 0  # rows before this page


def _cursor(p: Petition) -> str:
    return f"{p.next_due.isoformat() if p.next_due else '9999-12-31'}_{p.pk}"


def bad_cursor() -> ApplicationError:
    """A cursor that no page gave out: a 400, never page 1 again (issue 13 §1.9)."""
    return ApplicationError(
        gettext("翻页位置无效，请从第一页重新开始"),
        code="invalid",
        fields={"cursor": [gettext("不是本系统给出的翻页位置")]},
    )


def cursor_id(cursor: str) -> int:
    """The row id of an id cursor (newest first lists), or ``bad_cursor``."""
    if not cursor.isascii() or not cursor.isdigit() or not 0 < int(cursor) < 2**63:
        raise bad_cursor()
    return int(cursor)


#: Lists newest received first: by the ``petition_received (received_at, id)`` index, so a
#: received-date range starts at its end and a page stops after its rows (issue 14).
RECEIVED_ORDER = ("-received_at", "-id")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def received_cursor(p: Petition) -> str:
    """The cursor after ``p`` in a list in ``RECEIVED_ORDER``: its received instant (in
    microseconds since 1970, UTC) and its id."""
    return f"{(p.received_at - _EPOCH) // _US}_{p.pk}"


def received_after(qs: QuerySet[Petition], cursor: str | None) -> QuerySet[Petition]:
    """``qs`` past ``cursor`` (``received_cursor``) in ``RECEIVED_ORDER``; a cursor no page
    gave out is a 400. The plain bound on ``received_at`` lets the index start there."""
    if not cursor:
        return qs
    at, pk = received_cursor_parse(cursor)
    return qs.filter(received_at__lte=at).filter(Q(received_at__lt=at) | Q(id__lt=pk))


def received_cursor_parse(cursor: str) -> tuple[datetime, int]:
    us, sep, pk = cursor.partition("_")
    digits = us[1:] if us.startswith("-") else us
    if not sep or not is_digits(digits) or len(digits) > 17:
        raise bad_cursor()
    try:
        at = _EPOCH + int(us) * _US
    except OverflowError:
        raise bad_cursor() from None
    return at, cursor_id(pk)


def _parse_cursor(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    try:
        d, pk = cursor.split("_", 1)
        return date.fromisoformat(d), cursor_id(pk)
    except ValueError:
        raise bad_cursor() from None


FAR = date(9999, 12, 31)


def _filtered(qs: QuerySet[Petition], **filters: str | None) -> QuerySet[Petition]:
    """Apply the equality filters that were given (state, category, channel)."""
    return qs.filter(**{k: v for k, v in filters.items() if v})


def worklist_for_user(
    *,
    user: User,
    cursor: str | None = None,
    limit: int | None = None,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region: str | None = None,
    due: str | None = None,
    flag: str | None = None,
    today: date | None = None,
    counted: bool = False,
) -> Page:
    """What the user's organ must do next, nearest due date first (keyset pagination).

    ``region``: a region code; its subregions match too (``990100`` also finds ``990102``).
    ``due``: ``running``, ``due_soon`` or ``overdue``, the colour of the row (``due_status``),
    turned into a range of ``next_due`` so that the ``petition_worklist`` index still serves it;
    petitions with no due date have no colour and match none of them.
    ``flag``: one of ``petitions.flags.LISTED`` (major or urgent, supervised …); an unknown
    value matches nothing. ``counted``: also count the rows of the whole list and those before
    this page (two more queries; the worklist page shows "共 N 件，本页第 a–b 件")."""
    limit = min(limit or settings.XINFANG_PAGE_SIZE, 200)
    if user.organ_id is None or not user_can(user, Cap.VIEW_PETITIONS):
        return Page([], None)
    qs: QuerySet[Petition] = Petition.objects.filter(
        Q(current_organ_id=user.organ_id, is_open=True) & _exclusions(user)
    )
    qs = _filtered(qs, state=state, category=category, channel=channel)
    if region:
        qs = qs.filter(region__code__startswith=region_prefix(region))  # no join: the FK column
    if due:
        qs = qs.filter(due_range(due, today or clock.today()))
    if flag:
        qs = qs.filter(flag_q(flag))
    # Petitions with no due date sort last: they are stored with NULL and fetched after the rest.
    after = _parse_cursor(cursor)
    dated = qs.filter(next_due__isnull=False)
    if after is not None:
        d, pk = after
        if d == FAR:
            dated = dated.none()
        else:
            dated = dated.filter(Q(next_due__gt=d) | Q(next_due=d, id__gt=pk))
    items = list(_list_columns(dated.order_by("next_due", "id"))[: limit + 1])
    if len(items) <= limit and not due:
        undated = qs.filter(next_due__isnull=True)
        if after is not None and after[0] == FAR:
            undated = undated.filter(id__gt=after[1])
        items += list(_list_columns(undated.order_by("id"))[: limit + 1 - len(items)])
    more = len(items) > limit
    items = items[:limit]
    return Page(
        items,
        _cursor(items[-1]) if more and items else None,
        total=qs.count() if counted else None,
        start=_rows_before(qs, after) if counted else 0,
    )


def _rows_before(qs: QuerySet[Petition], after: tuple[date, int] | None) -> int:
    """How many rows of the worklist come before a page that starts after ``after``."""
    if after is None:
        return 0
    d, pk = after
    dated = qs.filter(next_due__isnull=False)
    if d == FAR:
        return dated.count() + qs.filter(next_due__isnull=True, id__lte=pk).count()
    return dated.filter(Q(next_due__lt=d) | Q(next_due=d, id__lte=pk)).count()


@dataclass(frozen=True)
class Due:
    code: str  # the statute's code (deadlines.statutes): T6, T3 …
    due: date
    ours: bool  # the user's organ must act by then (else a window of the petitioner or another)


def worklist_dues(*, items: list[Petition], organ_id: int | None) -> dict[int, Due]:
    """Which deadline each row's date is (one query for the page): the open deadline falling on
    ``next_due``; for a row without one, the nearest open limit of anyone (the petitioner's
    window to ask for review, another organ's duty), so a running limit is never shown as "—"."""
    rows = Deadline.objects.filter(
        petition_id__in=[p.pk for p in items], outcome="open"
    ).order_by("due_date", "id")
    found: dict[int, Due] = {}
    by_id = {p.pk: p for p in items}
    for d in rows.values("petition_id", "code", "due_date", "owner_organ_id"):
        p = by_id[d["petition_id"]]
        ours = d["owner_organ_id"] in (organ_id, None)
        prior = found.get(p.pk)
        if p.next_due is not None:
            if ours and d["due_date"] == p.next_due and (prior is None or not prior.ours):
                found[p.pk] = Due(d["code"], d["due_date"], True)
        elif prior is None:
            found[p.pk] = Due(d["code"], d["due_date"], False)
    return found


DUE_FILTERS = ("running", "due_soon", "overdue")
WORKLIST_FILTER_KEYS = ("state", "category", "channel", "region", "due", "flag")


def worklist_filters(q: Mapping[str, str]) -> tuple[dict[str, str | None], dict[str, list[str]]]:
    """The worklist's filters from a query string, as the page and its 台账 export read them
    (walker item 19): the values it can read, and a message for each it cannot (a value no
    select offers, a region that is not a code) - never silently dropped nor "共 0 件"."""
    from xinfang.petitions.models import Channel
    from xinfang.petitions.workflow import CATEGORY_LABELS, STATE_LABELS

    allowed: dict[str, set[str]] = {
        "state": {s.value for s in STATE_LABELS},
        "category": {c.value for c in CATEGORY_LABELS},
        "channel": {c.value for c in Channel},
        "due": set(DUE_FILTERS),
        "flag": {f.value for f in LISTED},
    }
    good: dict[str, str | None] = {}
    errors: dict[str, list[str]] = {}
    for k in WORKLIST_FILTER_KEYS:
        v = (q.get(k) or "").strip()
        if not v:
            good[k] = None
            continue
        if k == "region":
            ok = v.isascii() and v.isdigit() and len(v) in (2, 4, 6, 9, 12)
        else:
            ok = v in allowed[k]
        if ok:
            good[k] = v
        else:
            good[k] = None
            errors[k] = [
                gettext("不是有效的区划代码")
                if k == "region"
                else gettext("没有这个选项，请从列表中选择")
            ]
    return good, errors


def worklist_bad_filter(errors: dict[str, list[str]]) -> ApplicationError:
    return ApplicationError(gettext("筛选条件有误"), code="bad_param", fields=errors, status=400)


def flag_q(flag: str) -> Q:
    """Petitions with ``flag`` on (regulation.md §6.1); an unknown flag matches nothing."""
    if flag not in {f.value for f in LISTED}:
        return Q(pk__in=[])
    return Q(**{flag: True})


def worklist_flag_counts(*, user: User) -> dict[str, int]:
    """How many of the user's organ's open petitions carry each flag, and how many major or
    urgent ones still await their report (Art. 25). One query, served by the flag indexes."""
    keys = [f.value for f in LISTED] + ["major_urgent_unreported"]
    if user.organ_id is None or not user_can(user, Cap.VIEW_PETITIONS):
        return dict.fromkeys(keys, 0)
    qs = Petition.objects.filter(
        Q(current_organ_id=user.organ_id, is_open=True) & _exclusions(user)
    )
    counts = qs.aggregate(
        **{f"n_{f.value}": Count("pk", filter=Q(**{f.value: True})) for f in LISTED},
        n_major_urgent_unreported=Count(
            "pk", filter=Q(major_urgent=True, major_urgent_reported=False)
        ),
    )
    return {k: int(counts[f"n_{k}"] or 0) for k in keys}


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and its subregions (GB/T 2260: 2, 4 or 6 digits)."""
    code = "".join(ch for ch in code if ch.isdigit())[:12]
    if len(code) > 6:  # a township (9 digits) or village (12): the code itself
        return code
    prefix = code.rstrip("0")
    return prefix + "0" * (len(prefix) % 2) if prefix else code


def due_range(due: str, today: date) -> Q:
    """``next_due`` range of a deadline colour as of ``today`` (the rule of ``status_on``:
    overdue after the due date, due soon within ``XINFANG_DUE_SOON_DAYS`` days, the due date
    itself included). An unknown value matches nothing."""
    soon = today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
    if due == "overdue":
        return Q(next_due__lt=today)
    if due == "due_soon":
        return Q(next_due__gte=today, next_due__lte=soon)
    if due == "running":
        return Q(next_due__gt=soon)
    return Q(pk__in=[])


def _list_columns(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    """The columns lists show, and whether the next due date is provisional (ADR 0012).

    The provisional mark is a scalar subquery, looked up for each row of the page by the
    petition's deadlines (``deadline_petition``). As an ``EXISTS``, PostgreSQL hashed it: every
    open provisional deadline read for each page, 50-100 ms at 10^6 and growing with the open
    petitions (issue 14), since it weighs a hash against the rows before the ``LIMIT``."""
    provisional = Deadline.objects.filter(
        petition_id=OuterRef("pk"), outcome="open", provisional=True, due_date=OuterRef("next_due")
    ).values("provisional")[:1]
    return (
        qs.select_related("region")
        .annotate(
            next_due_provisional=Coalesce(
                Subquery(provisional, output_field=BooleanField()), Value(False)
            )
        )
        .only(
            "id",
            "tracking_code",
            "title",
            "state",
            "category",
            "channel",
            "received_at",
            "next_due",
            "region__name",
            "is_collective",
            "extended",
            "current_organ_id",
            "major_urgent",
            "major_urgent_reported",
            "supervised",
            "leader_case",
            "backlog",
            "joint_handling",
        )
    )


def petition_list_for_user(
    *,
    user: User,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region_code: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    flag: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Petition], str | None]:
    """Every petition the user may see, the newest received first, filtered; keyset on
    (received_at, id). A reversed date range is a 400."""
    limit = max(1, min(limit, 200))
    days_ordered(
        received_from, received_to, field="received_from", message=gettext("起始日期晚于截止日期")
    )
    qs = Petition.objects.filter(_visible(user))
    qs = _filtered(qs, state=state, category=category, channel=channel)
    if region_code:
        qs = qs.filter(region__code__startswith=region_code.rstrip("0") or region_code)
    qs = qs.filter(clock.on_local_days("received_at", received_from, received_to))
    if flag:
        qs = qs.filter(flag_q(flag))
    qs = received_after(qs, cursor)
    items = list(_list_columns(qs.order_by(*RECEIVED_ORDER))[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (received_cursor(items[-1]) if more and items else None)
