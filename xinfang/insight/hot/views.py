"""The hot-issues page (/insight/hot/): many petitions about one matter, for analysts and leaders.

Issues are about matters and places (regulation §11): the page shows each issue's label and
words, the place its titles name, how many petitions and how many distinct petitioners (a count
of blind-index digests, never a name, phone or list of people), growth, the regions it spans and
a weekly sparkline, and warns of a surge. Petitions are read through the user's jurisdiction: the case-reading gate for
roles that read petitions, the statistics gate (same exclusions) for analysts; an accusation is
never counted for the accused organ. Gated by ``Cap.VIEW_HOT_ISSUES``. The page shows the
last snapshot the worker computed for the reader's scope (``insight.hot.snapshots``) and its
time; a scope never computed is filled at once only when that is cheap (the same petitions as
another scope's snapshot, or a small window), else the worker is woken.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xinfang.core import clock
from xinfang.core.errors import Forbidden
from xinfang.core.inputs import is_digits
from xinfang.core.tasks import task_enqueue_once
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.insight.hot.rows import (  # noqa: F401 (names other modules import from here)
    DEFAULT_WEEKS,
    MAX_PETITIONS,
    MAX_WEEKS,
    HotRow,
    _petitions,
    hot_rows_for_user,
)
from xinfang.insight.hot.snapshots import FRESH_FOR, hot_scope, hot_snapshot_read, snapshot_rows
from xinfang.insight.hot.tasks import hot_snapshots_task
from xinfang.insight.models import HotSnapshot


def _cache_key(user: User, weeks: int) -> str:
    return f"insight:hot:{user.pk}:{weeks}:{clock.today().isoformat()}"


def hot_rows_cached(*, user: User, weeks: int = DEFAULT_WEEKS, gate: bool = True) -> list[HotRow]:
    """The user's hot issues: the worker's last snapshot of the user's scope if there is one,
    else computed and kept ``XINFANG_HOT_CACHE_SECONDS`` (prevention's policy-matter
    suggestions; the page itself groups only a small window)."""
    if gate and not user_can(user, Cap.VIEW_HOT_ISSUES):
        raise Forbidden(gettext("您的角色不能查看热点问题"))
    snap = (
        HotSnapshot.objects.filter(  # a stale one is absent (snapshots.FRESH_FOR)
            scope=hot_scope(user),
            weeks=weeks,
            computed_at__isnull=False,
            checked_at__gte=clock.now() - FRESH_FOR,
        )
        .defer("ids")
        .first()
    )
    if snap is not None:
        return snapshot_rows(snap.rows)
    # Per user: the jurisdiction's exclusions are per user (an accused organ, named staff).
    key = _cache_key(user, weeks)
    issues = cache.get(key)
    if issues is None:
        issues = hot_rows_for_user(user=user, weeks=weeks, gate=gate)
        cache.set(key, issues, settings.XINFANG_HOT_CACHE_SECONDS)
    return issues


@login_required
@require_GET
def hot_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user_can(user, Cap.VIEW_HOT_ISSUES):  # type: ignore[arg-type]
        raise Forbidden(gettext("您的角色不能查看热点问题"))
    raw = (request.GET.get("weeks") or "").strip()
    if raw and not (is_digits(raw) and len(raw) <= 3 and 1 <= int(raw) <= MAX_WEEKS):
        # refused at the field with what was typed kept, never silently replaced by another
        # period (fixui item 5: "0", "abc" or "999" showed 1, 8 or 52 weeks as if asked for)
        return render(
            request,
            "insight/hot.html",
            {
                "issues": [],
                "weeks": "".join(c for c in raw[:20] if c.isprintable()),
                "weeks_error": gettext("周数应为 1 至 %(max)s 之间的整数") % {"max": MAX_WEEKS},
                "default_weeks": DEFAULT_WEEKS,
                "max_weeks": MAX_WEEKS,
                "max_petitions": MAX_PETITIONS,
            },
            status=400,
        )
    weeks = int(raw) if raw else DEFAULT_WEEKS
    snap = hot_snapshot_read(user=user, weeks=weeks, now=clock.now())  # type: ignore[arg-type]
    if snap.computed_at is None:  # never computed yet: asked for, the worker is woken
        task_enqueue_once(hot_snapshots_task)
    return render(
        request,
        "insight/hot.html",
        {
            "issues": snap.rows,
            "computed_at": snap.computed_at,
            "analysed": snap.petitions,
            "weeks": weeks,
            "default_weeks": DEFAULT_WEEKS,  # computed ahead for every reader: the way out
            "max_weeks": MAX_WEEKS,
            "max_petitions": MAX_PETITIONS,
        },
    )
