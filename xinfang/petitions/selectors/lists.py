"""The worklist and the filtered lists of petitions, keyset-paginated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, F, OuterRef, Q, QuerySet, Subquery, Value
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
from xinfang.petitions.selectors.worklist_counts import WorklistCounts, worklist_counts


@dataclass(frozen=True)
class Page:
    items: list[Petition]
    next_cursor: str | None
    total: int | None = None  # rows of the whole list (the worklist counts them)
    start: int | None = 0  # rows before this page (None: not known, a cursor without it)
    total_more: bool = False  # ``total`` is a floor: there are more rows (a bounded count)


#: The most rows a filtered worklist counts exactly when the rollup cannot count it (a state,
#: category, channel or region filter): past it the page says "more than 1,000" (issue 14).
COUNT_CAP = 1000
#: The rows before a page, carried by its cursor: at most this (a longer list is not paged).
START_MAX = 10**9


def _cursor(p: Petition, start: int) -> str:
    """Where the next page starts: after ``p`` (its due date and id), the ``start``-th row."""
    return f"{p.next_due.isoformat() if p.next_due else '9999-12-31'}_{p.pk}_{start}"


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


def list_order(dated: bool) -> tuple[str, ...]:
    """A list with a received-date range in ``RECEIVED_ORDER`` (the range bounds the index
    walk); without one, newest registered first by id (the primary key's walk: cheap however
    the received dates lie on disk)."""
    return RECEIVED_ORDER if dated else ("-id",)


def list_after(qs: QuerySet[Petition], cursor: str | None, dated: bool) -> QuerySet[Petition]:
    """``qs`` past ``cursor`` in ``list_order(dated)``; a cursor no page gave out is a 400."""
    if not cursor:
        return qs
    if dated:
        return received_after(qs, cursor)
    return qs.filter(id__lt=cursor_id(cursor))


def list_cursor(p: Petition, dated: bool) -> str:
    return received_cursor(p) if dated else str(p.pk)


def list_cursor_check(cursor: str, dated: bool) -> None:
    if dated:
        received_cursor_parse(cursor)
    else:
        cursor_id(cursor)


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


def _parse_cursor(cursor: str | None) -> tuple[date, int, int | None] | None:
    """(due date, id, rows before) of a worklist cursor; the rows before are None in a cursor
    given out before they were carried (``date_id``)."""
    if not cursor:
        return None
    try:
        d, rest = cursor.split("_", 1)
        pk, _, start = rest.partition("_")
        if start and not (start.isascii() and start.isdigit() and len(start) <= 10
                          and int(start) <= START_MAX):  # fmt: skip
            raise ValueError(start)
        return date.fromisoformat(d), cursor_id(pk), int(start) if start else None
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
    count_cap: int | None = None,
    counts: WorklistCounts | None = None,
) -> Page:
    """What the user's organ must do next, nearest due date first (keyset pagination).

    ``region``: a region code; its subregions match too (``990100`` also finds ``990102``).
    ``due``: ``running``, ``due_soon`` or ``overdue``, the colour of the row (``due_status``),
    turned into a range of ``next_due`` so that the ``petition_worklist`` index still serves it;
    petitions with no due date have no colour and match none of them.
    ``flag``: one of ``petitions.flags.LISTED`` (major or urgent, supervised …); an unknown
    value matches nothing. ``counted``: also count the rows of the whole list (the worklist page
    shows "共 N 件，本页第 a–b 件"; the rows before the page come with its cursor). Unfiltered or
    filtered by ``due``/``flag`` alone the count is the rollup's (``counts``, read when not
    given: ``worklist_counts``), exact and not growing with the list; with another filter it is
    a COUNT, stopped after ``count_cap`` rows when given (``Page.total_more``)."""
    limit = min(limit or settings.XINFANG_PAGE_SIZE, 200)
    if user.organ_id is None or not user_can(user, Cap.VIEW_PETITIONS):
        return Page([], None, total=0 if counted else None)
    # What the indexes hold (the organ's open petitions by due date; by state, category or
    # channel; flagged): the page's keys are read from them alone, then its rows by id.
    held: QuerySet[Petition] = Petition.objects.filter(current_organ_id=user.organ_id, is_open=True)
    held = _filtered(held, state=state, category=category, channel=channel)
    if region:
        held = held.filter(region_code_range(region_prefix(region)))
    if due:
        held = held.filter(due_range(due, today or clock.today()))
    if flag:
        held = held.filter(flag_q(flag))
    qs = held.filter(_exclusions(user))
    after = _parse_cursor(cursor)
    items = _page_rows(held, _exclusions(user), after, limit + 1, undated=not due)
    more = len(items) > limit
    items = items[:limit]
    start = 0 if after is None else after[2]
    total, total_more = None, False
    if counted:
        if (due and due not in DUE_FILTERS) or (flag and flag not in {f.value for f in LISTED}):
            total = 0  # a value no select offers matches nothing (the export's 400 is its parser's)
        elif not (state or category or channel or region):
            counts = counts or worklist_counts(user=user, today=today or clock.today())
            total = counts.count(due=due, flag=flag)
        elif count_cap is not None:
            total = qs.order_by().values("pk")[: count_cap + 1].count()
            total, total_more = min(total, count_cap), total > count_cap
        else:
            total = qs.count()
    return Page(
        items,
        _cursor(items[-1], (start or 0) + len(items)) if more and items else None,
        total=total,
        start=start,
        total_more=total_more,
    )


def _page_rows(
    held: QuerySet[Petition],
    allowed: Q,
    after: tuple[date, int, int | None] | None,
    want: int,
    *,
    undated: bool,
) -> list[Petition]:
    """The next ``want`` rows of the worklist after ``after``, in its order (next due date, id;
    petitions with no due date last, by id), those ``allowed`` (the accusation exclusions).

    Keys first, from the index alone, then the rows by id: with the exclusions and the row's
    columns (a join, a subquery) in one query, the planner misjudged how many rows match and
    read and sorted all the organ's open petitions for one page (issue 14, EXPLAIN in
    bench/README.md). A key whose row is excluded is skipped and more are read."""
    items: list[Petition] = []
    pos = None if after is None else (after[0], after[1])
    while len(items) < want:
        need = want - len(items)
        keys = _page_keys(held, pos, need, undated=undated)
        if not keys:
            break
        rows = Petition.objects.filter(allowed, pk__in=[k for _, k in keys])
        found = {p.pk: p for p in _list_columns(rows)}
        items += [found[k] for _, k in keys if k in found]
        pos = (keys[-1][0] or FAR, keys[-1][1])
        if len(keys) < need:
            break  # the list ends here
    return items


def _page_keys(
    held: QuerySet[Petition], pos: tuple[date, int] | None, n: int, *, undated: bool
) -> list[tuple[date | None, int]]:
    """The next ``n`` (next due date, id) of ``held`` after ``pos``, in the worklist's order.
    ``next_due >= d`` bounds the index range; the rest of the keyset condition filters it."""
    keys: list[tuple[date | None, int]] = []
    if pos is None:  # the first page: one read of the index, whose order puts NULL last
        order = (F("next_due").asc(nulls_last=True), "id")
        return list(held.order_by(*order).values_list("next_due", "id")[:n])
    if pos[0] != FAR:
        d, pk = pos
        dated = held.filter(next_due__gte=d).filter(Q(next_due__gt=d) | Q(id__gt=pk))
        keys = list(dated.order_by("next_due", "id").values_list("next_due", "id")[:n])
    if len(keys) < n and undated:
        rest = held.filter(next_due__isnull=True)
        if pos[0] == FAR:
            rest = rest.filter(id__gt=pos[1])
        keys += list(rest.order_by("id").values_list("next_due", "id")[: n - len(keys)])
    return keys


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


def list_filters_check(given: Mapping[str, str | None], *, region_param: str = "region") -> None:
    """The worklist's rule for every list of petitions (the API's ``/petitions``, its export,
    the page's CSV/XLSX export; fixui items 2, 3): a filter value that is not one of its
    options raises ``worklist_bad_filter`` (a 400 at that filter), never an empty list.
    ``region_param``: the name the caller gives the region filter (``region_code``)."""
    _good, errors = worklist_filters({k: v for k, v in given.items() if v})
    if errors:
        if "region" in errors and region_param != "region":
            errors[region_param] = errors.pop("region")
        raise worklist_bad_filter(errors)


def flag_q(flag: str) -> Q:
    """Petitions with ``flag`` on (regulation.md §6.1); an unknown flag matches nothing."""
    if flag not in {f.value for f in LISTED}:
        return Q(pk__in=[])
    return Q(**{flag: True})


def worklist_flag_counts(*, user: User, counts: WorklistCounts | None = None) -> dict[str, int]:
    """How many of the user's organ's open petitions carry each flag, and how many major or
    urgent ones still await their report (Art. 25): from the rollup (``worklist_counts``)."""
    counts = counts or worklist_counts(user=user, today=clock.today())
    return counts.flags()


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and its subregions (GB/T 2260: 2, 4 or 6 digits)."""
    code = "".join(ch for ch in code if ch.isdigit())[:12]
    if len(code) > 6:  # a township (9 digits) or village (12): the code itself
        return code
    prefix = code.rstrip("0")
    return prefix + "0" * (len(prefix) % 2) if prefix else code


def region_code_range(prefix: str, field: str = "region_id") -> Q:
    """The regions whose code starts with ``prefix`` (digits), as a range of ``region_id``:
    ``prefix <= code < the next prefix``. Unlike ``LIKE 'prefix%'`` (which a B-tree serves only
    under the "C" collation) a range is one range of the ``petition_open_by_region`` index under
    any collation that orders digit strings digit by digit (issue 14)."""
    rest = prefix.rstrip("9")
    if not rest:  # "9", "99"…: no code after them
        return Q(**{f"{field}__gte": prefix})
    upper = rest[:-1] + chr(ord(rest[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


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
    ).order_by().values("provisional")[:1]
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
    """Every petition the user may see, filtered, newest first: by received date (keyset on
    received_at, id) when a received-date range is given, else by id. A reversed range is a 400."""
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
    dated = bool(received_from or received_to)
    qs = list_after(qs, cursor, dated)
    items = list(_list_columns(qs.order_by(*list_order(dated)))[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (list_cursor(items[-1], dated) if more and items else None)
