"""Date-range filters count by local day, as bounds on the column (issue 14): the index on
``received_at`` is used, and the day's edges in Asia/Shanghai (UTC+8) fall where they should."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from xinfang.core import clock
from xinfang.petitions.models import Petition

pytestmark = [pytest.mark.django_db]


def _at(y, m, d, h, mi=0):  # type: ignore[no-untyped-def]
    return timezone.make_aware(datetime(y, m, d, h, mi))


def test_local_day_edges(world, register):
    inside_first = register(received_at=_at(2025, 8, 1, 0, 0)).petition  # 2025-07-31 16:00 UTC
    inside_last = register(received_at=_at(2025, 8, 3, 23, 59)).petition
    before = register(received_at=_at(2025, 7, 31, 23, 59)).petition
    after = register(received_at=_at(2025, 8, 4, 0, 0)).petition
    got = set(
        Petition.objects.filter(
            clock.on_local_days("received_at", date(2025, 8, 1), date(2025, 8, 3))
        ).values_list("pk", flat=True)
    )
    assert got == {inside_first.pk, inside_last.pk}
    assert before.pk not in got and after.pk not in got
    open_end = Petition.objects.filter(clock.on_local_days("received_at", date(2025, 8, 4), None))
    assert list(open_end.values_list("pk", flat=True)) == [after.pk]


def test_statistics_with_a_date_range_do_not_wrap_the_column(world, register):
    """``received_at__date`` compiled to a conversion of the column (a scan on PostgreSQL)."""
    from xinfang.analytics.selectors import statistics_for_user
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    register(received_at=_at(2025, 8, 2, 9))
    analyst = staff_create(
        username="an", password=None, organ=world.county_po, roles=[Role.ANALYST]
    )  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as q:
        s = statistics_for_user(
            user=analyst, received_from=date(2025, 8, 2), received_to=date(2025, 8, 20)
        )
    assert s.total == 1
    sql = " ".join(x["sql"] for x in q.captured_queries).lower()
    assert "at time zone" not in sql and "django_datetime_cast_date" not in sql
