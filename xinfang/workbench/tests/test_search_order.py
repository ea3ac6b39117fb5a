"""Search with a received-date range lists the newest received first and pages on (received
date, id), so that the range starts the index walk at its end (issue 14); without one, the
newest registered first (by id); its dates are read by ``core.dates`` and a bad or reversed
range is a 400 that keeps what was typed."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture(params=["queued", "indexed"])
def settle(request):
    """The same answers for petitions still queued for the index and for indexed ones."""
    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.services import search_index_pending

    def _settle():
        if request.param == "indexed":
            search_index_pending()
            assert not SearchPending.objects.exists()
        else:
            assert SearchPending.objects.exists()

    return _settle


@pytest.fixture(autouse=True, params=[2000, 0], ids=["rare-first", "every-word-common"])
def rare(request, monkeypatch):
    """Both SQLite paths: a rare word's petitions looked up first, and every word common
    (``IN`` per word undated, ``EXISTS`` per word in a date range; bench/README.md, "10^6 on
    SQLite, current code"). PostgreSQL has one path (its GIN index); it runs them alike."""
    from xinfang.workbench import selectors

    monkeypatch.setattr(selectors, "RARE", request.param)
    return request.param


def _search(user, **kw):
    from xinfang.workbench.selectors import petition_search_for_user

    return petition_search_for_user(user=user, q="油烟", **kw)


def _all_pages(user, limit, **kw):
    seen, cursor = [], None
    while True:
        page = _search(user, limit=limit, cursor=cursor, **kw)
        seen += [p.pk for p in page.items]
        cursor = page.next_cursor
        if not cursor:
            return seen


def test_within_a_date_range_the_newest_received_comes_first(world, register, settle):
    from datetime import date

    late_letter = register(received_at=local(2025, 8, 20)).petition
    old_letter = register(received_at=local(2025, 6, 1)).petition  # registered after it
    newest = register(received_at=local(2025, 8, 31)).petition
    settle()
    dated = _search(world.clerk, received_from=date(2025, 1, 1)).items
    assert [p.pk for p in dated] == [newest.pk, late_letter.pk, old_letter.pk]
    undated = _search(world.clerk).items  # without a range: the newest registered first
    assert [p.pk for p in undated] == [newest.pk, old_letter.pk, late_letter.pk]


def test_a_date_range_finds_only_the_petitions_holding_every_word(world, register, settle):
    from datetime import date

    smoke = register(received_at=local(2025, 8, 20)).petition.pk
    register(received_at=local(2025, 8, 21), title="路灯不亮", content="幸福小区门口路灯坏了一个月")
    register(received_at=local(2025, 8, 22), title="餐馆噪声", content="幸福小区楼下餐馆噪声扰民")
    settle()
    in_range = {"received_from": date(2025, 8, 1), "received_to": date(2025, 8, 31)}
    assert _all_pages(world.clerk, 1, **in_range) == [smoke]
    from xinfang.workbench.selectors import petition_search_for_user

    both = petition_search_for_user(user=world.clerk, q="油烟 噪声", **in_range).items
    assert [p.pk for p in both] == [smoke]


def test_pages_follow_one_another_through_equal_dates(world, register, settle):
    same = [register(received_at=local(2025, 8, 20)).petition.pk for _ in range(3)]
    older = register(received_at=local(2025, 8, 1)).petition.pk
    newer = register(received_at=local(2025, 8, 25)).petition.pk
    settle()
    from datetime import date

    expected = [newer, *sorted(same, reverse=True), older]
    for limit in (1, 2, 3, 50):
        assert _all_pages(world.clerk, limit, received_to=date(2025, 8, 31)) == expected, limit
    by_id = sorted([*same, older, newer], reverse=True)
    assert _all_pages(world.clerk, 2) == by_id


def test_a_date_range_holds_whole_local_days(world, register, settle):
    def at(d, h, m):
        return timezone.make_aware(datetime(2025, 8, d, h, m))

    before = register(received_at=at(9, 23, 59)).petition.pk
    first = register(received_at=at(10, 0, 0)).petition.pk
    last = register(received_at=at(12, 23, 59)).petition.pk
    after = register(received_at=at(13, 0, 0)).petition.pk
    settle()
    from datetime import date

    d10, d12 = date(2025, 8, 10), date(2025, 8, 12)
    assert _all_pages(world.clerk, 1, received_from=d10, received_to=d12) == [last, first]
    assert _all_pages(world.clerk, 50, received_to=date(2025, 8, 9)) == [before]
    assert _all_pages(world.clerk, 50, received_from=date(2025, 8, 13)) == [after]
    assert _all_pages(world.clerk, 50, received_from=d12, received_to=d12) == [last]


@pytest.mark.parametrize(
    "cursor",
    [
        "123",
        "x_1",
        "1_x",
        "_1",
        "1_",
        "1" * 40 + "_1",
        "1_0",
        "-" + "9" * 17 + "_1",
        "1_1\x00",
        "１_1",
    ],
)
def test_a_cursor_no_page_gave_out_is_a_400(world, cursor):
    from datetime import date

    from xinfang.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as e:
        _search(world.clerk, cursor=cursor, received_from=date(2025, 1, 1))
    assert e.value.status == 400 and "cursor" in e.value.fields
    if "_" in cursor:  # without a range the cursor is an id
        with pytest.raises(ApplicationError):
            _search(world.clerk, cursor=cursor)


def test_a_reversed_range_is_a_400_not_an_empty_page(world, register, client):
    from datetime import date

    from xinfang.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as e:
        _search(world.clerk, received_from=date(2025, 8, 2), received_to=date(2025, 8, 1))
    assert (e.value.status, e.value.code, list(e.value.fields)) == (400, "reversed_range", ["from"])


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        ({"from": "2025-08-02", "to": "2025-08-01"}, "from", "起始日期晚于截止日期"),
        ({"from": "2025-02-30"}, "from", "请按 年-月-日 填写日期"),
        ({"to": "9999-12-31"}, "to", "日期超出范围：须在 1900-01-01 至 2999-12-31 之间"),
        ({"to": "20250801"}, "to", "请按 年-月-日 填写日期"),
    ],
)
def test_the_search_page_refuses_bad_dates_at_their_field_keeping_what_was_typed(
    client, world, register, dates, field, message
):
    register()
    client.force_login(world.clerk)
    r = client.post("/search/", {"q": "油烟", "by": "text", **dates})
    assert r.status_code == 400
    page = r.content.decode()
    assert f'id="s-{field}-error">{message}<' in page
    assert 'value="油烟"' in page  # what was typed stays
    for v in dates.values():
        assert f'value="{v}"' in page
    assert "<tbody>" not in page  # no "nothing found" table for a search not made


def test_the_api_refuses_a_reversed_range_and_a_day_out_of_range(client, world):
    from xinfang.api.services import token_issue

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    r = client.get(
        "/api/v1/search",
        {"q": "油烟", "received_from": "2025-08-02", "received_to": "2025-08-01"},
        **auth,
    )
    assert r.status_code == 400 and r.json()["code"] == "reversed_range"
    r = client.get("/api/v1/search", {"q": "油烟", "received_to": "9999-12-31"}, **auth)
    assert r.status_code in (400, 422)
