"""Pages refuse what they cannot use at its field, in the reader's language (fixui items 3, 4).

Before: ``/export/petitions.xlsx?state=bogus`` exported every petition as if no filter had been
given; ``9999-12-31`` (a day that exists, beyond what the system takes) was called a format
error. ``core.dates`` is the one parser: its ``DayOutOfRange`` gets the one message.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from xinfang.core.dates import BadDay, DayOutOfRange, day_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _page(client, user, url, lang):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(url)


@pytest.mark.parametrize("query", ["state=bogus", "category=x", "channel=x", "region_code=abc",
                                   "flag=x"])  # fmt: skip
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_old_list_export_refuses_a_bad_filter(client, world, register, query, fmt):
    register()
    r = _page(client, world.po_head, f"/export/petitions.{fmt}?{query}", "zh-hans")
    assert r.status_code == 400 and "筛选条件有误" in r.content.decode()
    assert not r.get("Content-Disposition")
    r = _page(client, world.po_head, f"/export/petitions.{fmt}?{query}", "en")
    assert r.status_code == 400 and "Invalid filter" in r.content.decode()
    good = _page(client, world.po_head, f"/export/petitions.{fmt}?state=registered", "en")
    assert good.status_code == 200 and good["Content-Disposition"]


def test_a_day_beyond_the_range_is_out_of_range_not_a_format_error():
    with pytest.raises(DayOutOfRange):
        day_of("9999-12-31")
    with pytest.raises(DayOutOfRange):
        day_of("1899-12-31")
    with pytest.raises(BadDay) as e:
        day_of("2026-02-30")
    assert not isinstance(e.value, DayOutOfRange)


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("/search/?q=x&from=9999-12-31", "clerk"),
        ("/export/petitions.xlsx?received_to=9999-12-31", "po_head"),
        ("/analytics/trends/?month_from=9999-12", "analyst"),
    ],
)
def test_a_page_says_a_day_is_out_of_range(client, world, url, who):
    zh = _page(client, getattr(world, who), url, "zh-hans")
    assert zh.status_code == 400, zh.content[:300]
    assert "日期超出范围：须在 1900-01-01 至 2999-12-31 之间" in zh.content.decode()
    en = _page(client, getattr(world, who), url, "en")
    assert en.status_code == 400
    assert "Date out of range: it must lie between 1900-01-01 and 2999-12-31" in en.content.decode()
    assert "格式" not in en.content.decode()
