"""The hot issues of a user's jurisdiction as the page's rows: the petitions through the user's
gate, clustered (``issues.hot_issues``), masked and counted. Computed by the worker
(``snapshots``), read by the page (``views``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import Forbidden
from xinfang.core.masking import mask_text
from xinfang.directory.models import Region, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.insight.hot.issues import hot_issues
from xinfang.insight.hot.vectors import HashedBodies
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


def window_ids(*, user: User, weeks: int, now: datetime) -> list[int]:
    """The petitions the user's hot issues of ``weeks`` group: the newest ``MAX_PETITIONS`` of
    the window ending at ``now`` through the user's gate, newest first (one query)."""
    return list(
        _window(user, weeks, now)
        .order_by("-received_at", "-id")
        .values_list("id", flat=True)[:MAX_PETITIONS]
    )


def window_count(*, user: User, weeks: int, now: datetime, ids: list[int]) -> int:
    """How many petitions the window holds (the page says so): ``len(ids)`` unless the cap cut."""
    if len(ids) < MAX_PETITIONS:
        return len(ids)
    return _window(user, weeks, now).count()


def _window(user: User, weeks: int, now: datetime) -> QuerySet[Petition]:
    return _petitions(user).filter(
        received_at__gt=now - timedelta(weeks=weeks), received_at__lte=now
    )


class RowBank:
    """What clustering reads of each petition (title, body, time, region, a writer digest),
    fetched once by id and kept for the other scopes of one refresh run (bounded). ``hashed``:
    the bodies' cut n-grams, which may outlive the run (a petition's text never changes)."""

    def __init__(self, limit: int = 100_000, hashed: HashedBodies | None = None) -> None:
        self.limit = limit
        self.rows: dict[int, tuple[str, str, datetime, str, str]] = {}
        self.hashed = hashed if hashed is not None else HashedBodies()

    def get(self, ids: list[int]) -> list[tuple[int, str, str, datetime, str, str]]:
        missing = [i for i in ids if i not in self.rows]
        if len(self.rows) + len(missing) > self.limit:
            self.rows.clear()
            missing = list(ids)
        for k in range(0, len(missing), 5000):
            chunk = missing[k : k + 5000]
            writer: dict[int, str] = {}
            for pid, idd, phd in (
                Party.objects.filter(petition_id__in=chunk, role=PartyRole.PETITIONER)
                .order_by("petition_id", "id")
                .values_list("petition_id", "id_digest", "phone_digest")
            ):
                writer.setdefault(pid, idd or phd or "")
            for pid, title, content, at, region in Petition.objects.filter(
                pk__in=chunk
            ).values_list("id", "title", "content", "received_at", "region_id"):
                self.rows[pid] = (title, content, at, region, writer.get(pid, ""))
        return [(i, *self.rows[i]) for i in ids if i in self.rows]


def hot_rows_for_user(*, user: User, weeks: int = DEFAULT_WEEKS, gate: bool = True) -> list[HotRow]:
    """The hot issues of the user's jurisdiction in the last ``weeks`` weeks, hottest first.
    ``gate=False``: for a caller that shows only petitions the user may read anyway (prevention's
    policy-matter hints, for staff who record them), not the hot-issue page's figures."""
    if gate and not user_can(user, Cap.VIEW_HOT_ISSUES):
        raise Forbidden(gettext("您的角色不能查看热点问题"))
    now = timezone.localtime(clock.now())
    return hot_rows_of(ids=window_ids(user=user, weeks=weeks, now=now), weeks=weeks, now=now)


def hot_rows_of(
    *, ids: list[int], weeks: int, now: datetime, bank: RowBank | None = None
) -> list[HotRow]:
    """The hot issues among the petitions ``ids`` (a window's, read through a gate by
    ``window_ids``), as of ``now``: a function of the ids alone, so scopes whose windows hold the
    same petitions share one computation. ``bank``: rows and cut bodies kept between calls."""
    bank = bank or RowBank()
    rows = bank.get(ids)
    region_of = {r[0]: r[4] for r in rows}
    issues = hot_issues(
        [
            {
                "id": str(pid),
                "title": title,
                "body": content,
                "time": timezone.localtime(at).replace(tzinfo=None),
                **({"user": writer} if writer else {}),
            }
            for pid, title, content, at, _, writer in rows
        ],
        now=timezone.localtime(now).replace(tzinfo=None),
        window_days=weeks * 7,
        hashed_bodies=bank.hashed,
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
