"""The rates through the real services, the rates page and its drill-down (gate, bad input)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from conftest import local
from xinfang.analytics.rate_selectors import Filters, drill_down, rate_lines
from xinfang.analytics.services import rates_rebuild
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
OPINION = {"outcome": "not_support", "request": "请求拆除", "facts": "经查",
           "decision": "不予支持", "legal_basis": "《某条例》"}


def act(p, action, actor, on, **kw):  # type: ignore[no-untyped-def]
    return petition_act(petition_id=p.pk, action=action, actor=actor, at=on, **kw)


def _body(response) -> str:  # type: ignore[no-untyped-def]
    """The page without its CSRF and one-time tokens (they differ between any two requests)."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode())
    return re.sub(r'name="once" value="[\w-]+"', "", body)


def _rate(world, metric, **f):  # type: ignore[no-untyped-def]
    lines = rate_lines(user=world.analyst, metric=metric, by="organ", filters=Filters(**f))
    return {ln.key: (ln.rate.n, ln.rate.d) for ln in lines}


def test_a_transferred_and_extended_petition_counts_once_at_the_handling_organ(world, register):
    """Registered at the county office, transferred to housing, accepted, extended by 30
    days (Art. 34), answered after the first due date but within the extended one: on time,
    counted at housing only, once."""
    p = register(at=local(2025, 3, 4)).petition
    act(p, "transfer", world.clerk, date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    act(p, "acknowledge", world.handler, date(2025, 3, 10))
    act(p, "start_handling", world.handler, date(2025, 3, 11))
    act(p, "extend", world.head, date(2025, 4, 1), reason="需鉴定", data={"days": 30})
    act(p, "issue_opinion", world.head, date(2025, 5, 20), data=OPINION)  # > 60, < 90 days
    rates_rebuild(as_of=date(2025, 9, 1))
    h = world.housing.pk
    assert _rate(world, "accept") == {None: (1, 1), h: (1, 1)}
    assert _rate(world, "complete") == {None: (1, 1), h: (1, 1)}
    # the cohort month of the extended deadline (2025-03-10 + 90 days = 2025-06-08)
    assert _rate(world, "complete", month_from=date(2025, 6, 1), month_to=date(2025, 6, 1)) == {
        None: (1, 1), h: (1, 1)}
    assert _rate(world, "complete", month_to=date(2025, 5, 1)) == {None: (0, 0)}


def test_an_unaccepted_petition_becomes_overdue_at_its_holder_the_day_after(world, register):
    p = register(at=local(2025, 8, 1), received_at=local(2025, 8, 1)).petition
    act(p, "transfer", world.clerk, date(2025, 8, 2), data={"to_organ_id": world.housing.pk})
    rates_rebuild(as_of=date(2025, 8, 31))  # the due day (received + 30)
    assert _rate(world, "accept") == {None: (0, 0)}
    rates_rebuild(as_of=date(2025, 9, 1))
    assert _rate(world, "accept") == {None: (0, 1), world.housing.pk: (0, 1)}
    rows, total, nxt = drill_down(user=world.analyst, metric="accept", outcomes=["overdue"])
    assert total == 1 and rows[0].tracking_code == p.tracking_code and nxt is None


def test_the_rates_page_shows_numerators_and_denominators_and_links_to_the_petitions(
    client, world, register
):
    p = register(at=local(2025, 3, 4)).petition
    act(p, "transfer", world.clerk, date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    act(p, "acknowledge", world.handler, date(2025, 4, 10))  # late: due 2025-04-02
    rates_rebuild()
    client.force_login(world.analyst)
    page = client.get("/analytics/rates/").content.decode()
    assert re.search(r'<a href="[^"]+">0</a> / <a href="([^"]+)">1</a> = 0.0%', page)
    drill = re.search(r'id="rate-accept".*?<a href="[^"]+">0</a> / <a href="([^"]+)">1</a>',
                      page, re.S)
    assert drill
    listed = client.get(drill.group(1).replace("&amp;", "&")).content.decode()
    assert p.tracking_code in listed and "张三" not in listed  # no names on the drill-down
    assert "考核指标" in client.get("/analytics/").content.decode()  # in the analyst's menu


@pytest.mark.parametrize("query", [
    "by=votes", "month_from=2025-13", "month_to=%00", "organ=abc", "region=" + "9" * 30,
])
def test_bad_input_is_a_clear_400(client, world, query):  # type: ignore[no-untyped-def]
    client.force_login(world.analyst)
    assert client.get(f"/analytics/rates/?{query}").status_code == 400
    assert client.get(f"/analytics/rates/drill/?metric=accept&{query}").status_code in (200, 400)
    assert client.get("/analytics/rates/drill/?metric=nope").status_code == 400


@pytest.mark.parametrize("after", [
    "x", "2025-13-01.1.1", "2025-01-01.1", "2025-01-01.1.1%00", "2025-01-01." + "9" * 30 + ".1",
    "2025-02-30.1.1",
])
def test_a_page_cursor_it_cannot_read_is_a_400(client, world, after):  # type: ignore[no-untyped-def]
    client.force_login(world.analyst)
    r = client.get(f"/analytics/rates/drill/?metric=accept&outcome=late&after={after}")
    assert r.status_code == 400, after


@pytest.mark.parametrize("url", [
    "/analytics/rates/drill/?metric=accept&month=2026-13",  # a filter the page does not read
    "/analytics/rates/drill/?metric=accept&month=2026-05",
    "/analytics/rates/drill/?metric=accept&outcome=bogus",
    "/analytics/rates/?from=9999-99&to=0000-00",
    "/analytics/rates/?month_from=9999-99",
    "/analytics/?from=2026-02-30",
    "/analytics/?received_from=2026-02-30",
    "/analytics/?received_to=2026-2-3",
    "/analytics/trends/?month=2026-13",
    "/analytics/report/?year=99999&month=13",
    "/analytics/report/?kind=monthly&month=13",
    "/analytics/report/?yr=2025",
])
def test_a_filter_it_cannot_read_is_a_400_naming_it_never_unfiltered_figures(client, world, url):  # type: ignore[no-untyped-def]
    """Walker item 5: a dropped filter gave a 200 with every petition counted."""
    client.force_login(world.analyst)
    r = client.get(url)
    assert r.status_code == 400, url
    body = r.content.decode()
    assert re.search(r'(role="alert">[^<]+<)|(class="error">[^<]+<)', body), body  # says why


def test_the_filters_the_pages_read_still_work(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.analyst)
    for url in ("/analytics/?received_from=2026-02-01&received_to=",
                "/analytics/rates/?by=month&month_from=2025-01&month_to=2025-12&organ=",
                "/analytics/rates/drill/?metric=accept&outcome=on_time&month_from=2025-01",
                "/analytics/rates/drill/?metric=accept&outcome=late&after=2025-01-01.1.1",
                "/analytics/trends/?month_from=2025-01&month_to=",
                "/analytics/report/?kind=annual&year=2025&month="):
        assert client.get(url).status_code == 200, url
    page = client.get("/analytics/report/?kind=monthly&year=2024&month=7").content.decode()
    assert 'value="2024"' in page and 'value="7"' in page


def test_a_handler_has_neither_the_page_nor_the_menu_item(client, world):
    client.force_login(world.handler)
    assert client.get("/analytics/rates/").status_code == 403
    assert client.get("/analytics/rates/drill/?metric=accept").status_code == 403
    assert "/analytics/rates/" not in client.get("/").content.decode()


def test_the_accused_organ_and_the_named_staff_never_count_the_accusation(client, world, register):
    """Plant an accusation against the county government, accepted late by the city's housing
    bureau; an analyst
    in the accused organ, one in the county office below it, and one the accusation names:
    the page and every drill-down they reach are the same as without it. A control analyst at
    the city office sees it counted."""
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    county = staff_create(username="a1", password=None, organ=world.county_gov, roles=[Role.ANALYST])
    named = staff_create(username="a2", password=None, organ=world.city_housing, roles=[Role.ANALYST])
    handler = staff_create(username="h2", password=None, organ=world.city_housing, roles=[Role.HANDLER])
    control = staff_create(username="a3", password=None, organ=world.city_po, roles=[Role.ANALYST])
    adversaries = [county, world.analyst, named]

    def seen(user):  # type: ignore[no-untyped-def]
        rates_rebuild()
        client.force_login(user)
        page = _body(client.get("/analytics/rates/"))
        urls = re.findall(r'href="(/analytics/rates/drill/[^"]+)"', page)
        drills = [_body(client.get(u.replace("&amp;", "&"))) for u in urls]
        return page, drills

    before = {u.username: seen(u) for u in [*adversaries, control]}
    p = register(at=local(2025, 3, 4), category="accusation", route=None,
                 accused_organ_id=world.county_gov.pk, accused_staff_ids=[named.pk],
                 organ=world.city_po, actor=world.city_clerk).petition
    act(p, "transfer", world.city_clerk, date(2025, 3, 5),
        data={"to_organ_id": world.city_housing.pk})
    act(p, "acknowledge", handler, date(2025, 4, 10))
    for u in adversaries:
        page, drills = seen(u)
        assert (page, drills) == before[u.username], u.username
        assert not any(p.tracking_code in d for d in drills)
    page, drills = seen(control)
    assert page != before["a3"][0] and any(p.tracking_code in d for d in drills)


def test_the_drill_down_reads_as_english_sentences(client, world, register, settings):  # type: ignore[no-untyped-def]
    """Walker item 8: "42 in all.De-identified", "rate：On time", Chinese columns in English."""
    register(received_at=local(2025, 3, 4), at=local(2025, 3, 4))
    rates_rebuild(as_of=date(2025, 9, 1))
    client.force_login(world.analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/analytics/rates/drill/?metric=accept").content.decode()
    assert "<code>" in page
    assert "来信" not in page and "申诉求决类" not in page  # channel, category, status columns
    assert "in all. De-identified" in page and "：" not in page.split("<h1>")[1].split("</h1>")[0]


@pytest.mark.parametrize("url, start, end", [
    ("/analytics/?received_from=2026-12-01&received_to=2025-01-01", "2026-12-01", "2025-01-01"),
    ("/analytics/trends/?month_from=2026-10&month_to=2025-01", "2026-10", "2025-01"),
    ("/analytics/rates/?by=month&month_from=2026-10&month_to=2025-01", "2026-10", "2025-01"),
])
def test_a_reversed_range_is_a_400_at_the_field_keeping_what_was_typed(client, world, register, url, start, end):  # type: ignore[no-untyped-def]
    """Walker report item 5: a start after the end gave 200 and zeros that read as "none"."""
    register()
    client.force_login(world.analyst)
    r = client.get(url)
    body = r.content.decode()
    assert r.status_code == 400, url
    assert re.search(r'class="field-error" id="f-from-error">起始日期晚于截止日期<', body), body
    assert f'value="{start}"' in body and f'value="{end}"' in body
    assert 'id="total"' not in body  # no zeros to misread
    if "by=month" in url:
        assert 'name="by" value="month"' in body  # the other filters kept
    r = client.get("/analytics/rates/drill/?metric=accept&month_from=2026-10&month_to=2025-01")
    assert r.status_code == 400 and "起始日期晚于截止日期" in r.content.decode()
    assert client.get(url.replace("2025-01", "2026-12")).status_code == 200  # in order: fine


def test_the_drill_down_counts_nothing_and_its_queries_do_not_grow(client, world, register):
    """Issue 16: no COUNT over the rows behind a figure (its total is the rollup's), and the
    same queries with one late acceptance as with three (pages of any length)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def late(day):  # type: ignore[no-untyped-def]
        p = register(at=local(2025, 3, day)).petition
        act(p, "transfer", world.clerk, date(2025, 3, day + 1), data={"to_organ_id": world.housing.pk})
        act(p, "acknowledge", world.handler, date(2025, 4, 20))  # due 30 days after receipt
        return p

    url = "/analytics/rates/drill/?metric=accept&outcome=late"
    client.force_login(world.analyst)
    counts = []
    for days in ((3,), (4, 5)):
        for d in days:
            late(d)
        rates_rebuild()
        client.get(url)
        with CaptureQueriesContext(connection) as q:
            body = client.get(url).content.decode()
        counts.append(len(q.captured_queries))
        assert "COUNT(*)" not in " ".join(x["sql"] for x in q.captured_queries).upper().replace('"', "")
    assert "共 3 件" in body
    assert counts[0] == counts[1], counts


def test_a_petition_that_left_the_readers_gate_is_listed_until_the_fold_without_its_code(
    client, world, register
):
    """Issue 16 (review): the drill-down lists the rows the figure counted, with the gate keys
    as of the rollup's last fold (hourly). Transferred to housing, not accepted in time, the
    petition counts as overdue at housing; housing objects and the county office takes it back
    (Art. 23 para 3). Until the next fold housing's analyst still reads the figure 1 and its
    one line, but neither its tracking code, its category nor its state: the petition is no
    longer in that analyst's gate. After the fold it is gone from housing's figure. Plant:
    ``drill_rows`` without the reader and the code is listed."""
    from xinfang.analytics.rollup import rates_refresh
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    reader = staff_create(username="ha", password=None, organ=world.housing, roles=[Role.ANALYST])
    p = register(at=local(2025, 3, 4), received_at=local(2025, 3, 4)).petition
    act(p, "transfer", world.clerk, date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    rates_rebuild(as_of=date(2025, 4, 10))  # received + 30 days passed: overdue at housing
    rows, total, _ = drill_down(user=reader, metric="accept", outcomes=["overdue"])
    assert total == 1 and rows[0].tracking_code == p.tracking_code
    # entered after the fold, on paper within the T4 window (5 working days from 5 March)
    act(p, "object", world.handler, date(2025, 3, 7), reason="不属于本机关职权范围")
    act(p, "objection_accept", world.clerk, date(2025, 3, 7), reason="同意，收回另行转送")
    rows, total, _ = drill_down(user=reader, metric="accept", outcomes=["overdue"])
    assert total == 1 and len(rows) == 1  # the figure and its line, as the rollup counts them
    assert rows[0].tracking_code == "" and rows[0].state == "已移出您的统计范围"
    client.force_login(reader)
    body = client.get("/analytics/rates/drill/?metric=accept&outcome=overdue").content.decode()
    assert p.tracking_code not in body and "已移出您的统计范围" in body
    # the county office's analyst, whose gate it is in, reads it whole
    rows, _, _ = drill_down(user=world.analyst, metric="accept", outcomes=["overdue"])
    assert [r.tracking_code for r in rows] == [p.tracking_code]
    rates_refresh(as_of=date(2025, 4, 10))
    assert drill_down(user=reader, metric="accept", outcomes=["overdue"])[1] == 0


def test_rates_lines_by_category_and_channel_are_named_in_the_readers_language():
    """Walker finding: the English rates page listed 检举控告类 / 来信 as its line names."""
    from django.utils import translation

    from xinfang.analytics.rate_selectors import _names

    with translation.override("en"):
        cats = _names("category", ["accusation", ""])
        chans = _names("channel", ["letter", "fax"])
    assert cats["accusation"][0] == "Accusation or denunciation"
    assert cats[""][0] == "Uncategorised"
    assert (chans["letter"][0], chans["fax"][0]) == ("Letter", "Fax")
    with translation.override("zh-hans"):
        assert _names("category", ["accusation"])["accusation"][0] == "检举控告类"
