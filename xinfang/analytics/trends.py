"""Trends for leaders and analysts: petitions received by month and category, the channel
mix, first-time and repeated petitions, and the regions (listed by code, never ranked by
count: regulation.md §11). Read from ``VolumeTally`` under the statistics gate, less the
petitions that name the user (Art. 30 para 3), as the rate pages are."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext

from xinfang.analytics.models import VolumeTally
from xinfang.core.errors import Forbidden
from xinfang.directory.models import Region, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.models import Channel
from xinfang.petitions.selectors import petitions_naming, statistics_scope
from xinfang.petitions.workflow import CATEGORY_LABELS, Category, State


@dataclass(frozen=True)
class Trends:
    months: list[date]
    categories: list[tuple[str, str]]  # (key, label)
    by_month_category: dict[date, dict[str, int]]
    channels: list[tuple[str, str, int]]  # (key, label, n)
    first_repeat: dict[date, tuple[int, int]]  # month -> (first-time, repeated)
    regions: list[tuple[str, str, int]]  # (code, name, n), in code order
    total: int


#: The keys of ``VolumeTally`` the page breaks the volumes down by.
KEYS = ("month", "category", "channel", "repeat", "region_id")


def _counts(user: User, month_from: date | None, month_to: date | None) -> Counter:  # type: ignore[type-arg]
    """Petitions by every key of ``KEYS``, in two queries whatever the data: the rollup grouped
    by its keys (the jurisdiction and the accused-organ exclusion are conditions on its gate
    keys), less the petitions that name the user."""
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        raise Forbidden(gettext("您的角色不能查看统计数据"))
    scope = statistics_scope(user=user)
    out: Counter = Counter()  # type: ignore[type-arg]
    if scope is None:
        return out
    tally = VolumeTally.objects.filter(scope)
    # the rollup leaves voided registrations out (issue 12), so the subtraction must too
    named = petitions_naming(user=user).filter(scope).exclude(state=State.VOIDED).annotate(
        month=TruncMonth("received_at"),
        repeat=ExpressionWrapper(Q(repeat_of__isnull=False), output_field=BooleanField()))
    if month_from:
        tally = tally.filter(month__gte=month_from)
    if month_to:
        tally = tally.filter(month__lte=month_to)
    for r in tally.values(*KEYS).annotate(k=Sum("n")).order_by():
        out[tuple(r[f] for f in KEYS)] += r["k"]
    for p in named.values(*KEYS):
        key = tuple(_day(p[f]) if f == "month" else "" if f == "category" and not p[f] else p[f]
                    for f in KEYS)
        m = key[0]
        if (month_from and m < month_from) or (month_to and m > month_to):
            continue
        out[key] -= 1
    return +out


def _by(counts: Counter, *fields: str) -> Counter:  # type: ignore[type-arg]
    """``counts`` summed onto some of ``KEYS``."""
    at = [KEYS.index(f) for f in fields]
    out: Counter = Counter()  # type: ignore[type-arg]
    for key, n in counts.items():
        out[tuple(key[i] for i in at)] += n
    return +out


def _day(value):  # type: ignore[no-untyped-def]
    return value.date() if hasattr(value, "date") else value


def trends_for_user(*, user: User, month_from: date | None = None,
                    month_to: date | None = None) -> Trends:
    counts = _counts(user, month_from, month_to)
    mc = _by(counts, "month", "category")
    by_month: dict[date, dict[str, int]] = defaultdict(dict)
    for (m, c), n in mc.items():
        by_month[m][c or ""] = n
    cats = sorted({c for per in by_month.values() for c in per})
    labels = [(c, gettext(str(CATEGORY_LABELS[Category(c)])) if c else gettext("未分类")) for c in cats]
    ch = Counter()  # type: ignore[var-annotated]
    for (_m, c), n in _by(counts, "month", "channel").items():
        ch[c] += n
    names = dict(Channel.choices)
    # the choices' labels are Chinese msgids: translated here, in the request's language
    channels = [(k, gettext(str(names.get(k, k))), ch[k]) for k in Channel.values if ch[k]]
    fr: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for (m, rep), n in _by(counts, "month", "repeat").items():
        fr[m][1 if rep else 0] += n
    rg = Counter()  # type: ignore[var-annotated]
    for (_m, r), n in _by(counts, "month", "region_id").items():
        rg[r] += n
    rnames = dict(Region.objects.filter(code__in=list(rg)).values_list("code", "name"))
    return Trends(
        months=sorted(by_month),
        categories=labels,
        by_month_category=dict(by_month),
        channels=channels,
        first_repeat={m: (v[0], v[1]) for m, v in sorted(fr.items())},
        regions=[(code, rnames.get(code, code), rg[code]) for code in sorted(rg)],
        total=sum(mc.values()),
    )

