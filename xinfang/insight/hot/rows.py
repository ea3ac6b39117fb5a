"""The hot issues of a user's jurisdiction as the page's rows: the petitions through the user's
gate, clustered (``issues.hot_issues``), masked and counted. Computed by the worker
(``snapshots``), read by the page (``views``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import Forbidden
from xinfang.core.masking import mask_text
from xinfang.directory.models import Region, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.insight.hot.issues import hot_issues
from xinfang.petitions.models import Party, PartyRole, Petition
from xinfang.petitions.selectors import (
    petition_queryset_for_statistics,
    petition_queryset_for_user,
)

DEFAULT_WEEKS = 8
MAX_WEEKS = 52
#: The newest petitions of the period that are grouped (the clustering's time and memory grow
#: faster than linearly: ~9 s for 4,300 real messages on one core, bench/insight/HOT.md); the
#: page says so.
MAX_PETITIONS = 5000
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class HotRow:
    label: str
    place: str  # the estate, road or organisation most of its titles name ("" if none)
    terms: tuple[str, ...]
    size: int
    people: int
    recent: int
    growth: float
    span_days: int
    places: tuple[str, ...]
    weekly: tuple[int, ...]
    week_starts: tuple[str, ...]
    sparkline: str
    surge: bool
    surge_weeks: tuple[str, ...]
    # the petitions of the issue (read through the user's gate): for the policy-matter
    # suggestions of prevention, never shown here
    member_ids: tuple[int, ...] = ()


def _sparkline(values: tuple[int, ...]) -> str:
    top = max(values, default=0)
    if top <= 0:
        return _BARS[0] * len(values)
    return "".join(_BARS[min(len(_BARS) - 1, round(v / top * (len(_BARS) - 1)))] for v in values)


def _petitions(user: User) -> QuerySet[Petition]:
    """The petitions the user's hot issues count: never a voided registration (issue 12)."""
    if user_can(user, Cap.VIEW_PETITIONS):
        return petition_queryset_for_user(user=user).exclude(state="voided")
    return petition_queryset_for_statistics(user=user).exclude(state="voided")


def hot_rows_for_user(*, user: User, weeks: int = DEFAULT_WEEKS, gate: bool = True) -> list[HotRow]:
    """The hot issues of the user's jurisdiction in the last ``weeks`` weeks, hottest first.
    ``gate=False``: for a caller that shows only petitions the user may read anyway (prevention's
    policy-matter hints, for staff who record them), not the hot-issue page's figures."""
    if gate and not user_can(user, Cap.VIEW_HOT_ISSUES):
        raise Forbidden(gettext("您的角色不能查看热点问题"))
    now = timezone.localtime(clock.now())
    since = now - timedelta(weeks=weeks)
    qs = _petitions(user).filter(received_at__gt=since, received_at__lte=now)
    rows = list(
        qs.order_by("-received_at", "-id").values_list(
            "id", "title", "content", "received_at", "region_id"
        )[:MAX_PETITIONS]
    )
    ids = [r[0] for r in rows]
    writer: dict[int, str] = {}
    for i in range(0, len(ids), 5000):
        for pid, idd, phd in (
            Party.objects.filter(petition_id__in=ids[i : i + 5000], role=PartyRole.PETITIONER)
            .order_by("petition_id", "id")
            .values_list("petition_id", "id_digest", "phone_digest")
        ):
            writer.setdefault(pid, idd or phd or "")
    region_of = {r[0]: r[4] for r in rows}
    issues = hot_issues(
        [
            {
                "id": str(pid),
                "title": title,
                "body": content,
                "time": timezone.localtime(at).replace(tzinfo=None),
                **({"user": writer[pid]} if writer.get(pid) else {}),
            }
            for pid, title, content, at, _ in rows
        ],
        now=now.replace(tzinfo=None),
        window_days=weeks * 7,
    )
    names = dict(
        Region.objects.filter(
            pk__in={region_of[int(i)] for x in issues for i in x.member_ids}
        ).values_list("code", "name")
    )
    out = []
    for x in issues:
        places = sorted({region_of[int(i)] for i in x.member_ids})
        out.append(
            HotRow(
                label=mask_text(x.label),
                place=mask_text(x.place),
                terms=tuple(mask_text(t) for t in x.terms),
                size=x.size,
                people=x.people,
                recent=x.recent,
                growth=round(x.growth, 2),
                span_days=x.span_days,
                places=tuple(names.get(c, c) for c in places),
                weekly=x.weekly,
                week_starts=tuple(d.isoformat() for d in x.week_starts),
                sparkline=_sparkline(x.weekly),
                surge=x.surge,
                surge_weeks=tuple(d.isoformat() for d in x.surge_weeks),
                member_ids=tuple(int(i) for i in x.member_ids),
            )
        )
    return out


