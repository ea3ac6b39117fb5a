"""The kinds of 台账 export (issue 16): ONE registry, one entry a staff list. A kind is the list's
own selector read page after page with its own cursor (so the file holds the rows the page shows,
in its order), the columns, the masking rule and the capabilities of the list's read gate.

- ``caps``: what the list's page needs (and ``export``, except the de-identified statistics);
  the button is shown, the export asked for and the file written only with all of them, as the
  requester's rights are at each moment (a right lost in between fails the export).
- ``params``: the page's filters from its query string, checked as the page checks them (a bad
  value is a 400 when asked, never a failed file later).
- ``page``: one page of the list (``items``, the next cursor, and the count when asked).
- ``rows``: the page's records as cells, personal data masked unless ``user_may_see_identity``
  (``petitions.exports``); the records of an accusation never reach the accused organ or the
  staff it names because the list's own scope never yields them (Art. 30 para 3, Art. 46(5)).

The resolution lists (and a relief fund's ledger) are declared in ``export_kinds_resolution``,
the reception calendar, down-visits and joint handling in ``export_kinds_reception``, the risk
assessments, joint conferences and policy matters in ``export_kinds_prevention``, the search
results and the history imports in ``export_kinds_desk``, the mechanism in ``export_base``;
this module is the registry and holds the petition worklist and the statistics' drill-down.
Every kind writes in the language of the request that asked for it (``exports``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics import (  # noqa: F401  (they register their kinds)
    export_kinds_desk,
    export_kinds_prevention,
    export_kinds_reception,
    export_kinds_resolution,
)
from xinfang.analytics.export_base import (
    KINDS,
    Chunk,
    Kind,
    Params,
    kind_register,
    text_param,
)
from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap


def kind_get(name: str) -> Kind:
    try:
        return KINDS[str(name)]
    except KeyError:
        raise NotFound(gettext("没有这种台账")) from None


def kinds_all() -> dict[str, Kind]:
    return dict(KINDS)


# -- the petition worklist (web:worklist) ---------------------------------------------------
_WORKLIST_KEYS = ("state", "category", "channel", "region", "due", "flag")


def _worklist_params(q: QueryDict) -> Params:
    from xinfang.petitions.selectors import worklist_bad_filter, worklist_filters

    for k in _WORKLIST_KEYS:
        text_param(q, k)  # long or NUL: the same 400 as every kind's
    good, errors = worklist_filters(q)  # the page's own parser (walker item 19)
    if errors:
        raise worklist_bad_filter(errors)
    return {k: v for k, v in good.items() if v}


def _worklist_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.core import clock
    from xinfang.petitions.selectors import worklist_for_user

    page = worklist_for_user(
        user=user,
        cursor=cursor,
        limit=min(limit, 200),
        counted=counted,
        today=clock.today(),
        **{k: p.get(k) or None for k in _WORKLIST_KEYS},
    )
    return Chunk(page.items, page.next_cursor, page.total)


def _worklist_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    from xinfang.petitions.exports import petition_rows

    return petition_rows(user=user, petition_ids=[p.pk for p in items], shown=shown)


def _worklist_headers() -> tuple[str, ...]:
    from xinfang.petitions.exports import HEADER

    return tuple(HEADER)


kind_register(Kind(
    name="petitions", title=gettext_lazy("待办信访事项台账"), page_url="web:worklist",
    caps=(Cap.VIEW_PETITIONS, Cap.EXPORT), params=_worklist_params, page=_worklist_page,
    rows=_worklist_rows, headers=_worklist_headers(), types="t" * 14,
    widths=(18, 30, 10, 12, 8, 11, 14, 22, 11, 8, 16, 12, 14, 22), chunk=200,
))  # fmt: skip


# -- the statistics' drill-down (analytics:drill): de-identified, the statistics gate ---------
DRILL_HEADERS = ("查询码", "收到日期", "渠道", "类别", "状态", "计入机关", "结果", "天数")


def drill_filters(p: Params):  # type: ignore[no-untyped-def]
    from xinfang.analytics.rate_selectors import Filters

    day = lambda v: date.fromisoformat(v) if v else None  # noqa: E731
    return Filters(
        month_from=day(p.get("month_from")),
        month_to=day(p.get("month_to")),
        organ_id=p.get("organ_id"),
        region_id=p.get("region_id"),
        channel=p.get("channel"),
        category=p.get("category"),
    )


def _drill_params(q: QueryDict) -> Params:
    raise NotFound()  # asked for from the drill-down's own form (export_views.drill_export_new)


def _drill_qs(user: User, p: Params):  # type: ignore[no-untyped-def]
    from xinfang.analytics.rate_selectors import drill_queryset

    return drill_queryset(
        user=user, metric=p["metric"], outcomes=p.get("outcomes") or None, filters=drill_filters(p)
    )


def _drill_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.analytics.rate_selectors import with_stage_days

    qs = _drill_qs(user, p)
    total = qs.count() if counted else None
    facts = list(
        qs.filter(id__gt=cursor or 0)
        .order_by("id")[:limit]
        .values_list("id", "petition_id", "organ__name", "outcome", "days")
    )
    # the days the drill-down page shows (a rate's own rows carry none)
    timed = with_stage_days(p["metric"], [f[1:] for f in facts])
    facts = [(f[0], *t) for f, t in zip(facts, timed, strict=True)]
    return Chunk(facts, facts[-1][0] if len(facts) == limit else None, total)


def _drill_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    from xinfang.analytics.rate_selectors import drill_rows

    return [
        [r.tracking_code, r.received, r.channel, r.category, r.state, r.organ, r.outcome, r.days]
        for r in drill_rows([f[1:] for f in items], user=user)
    ]


kind_register(Kind(
    name="rates_drill", title=gettext_lazy("指标明细台账"), page_url="analytics:drill",
    caps=(Cap.VIEW_DEIDENTIFIED,), params=_drill_params, page=_drill_page, rows=_drill_rows,
    headers=DRILL_HEADERS, types="tdtttttn", widths=(18, 11, 10, 12, 12, 24, 12, 6), chunk=5000,
))  # fmt: skip
