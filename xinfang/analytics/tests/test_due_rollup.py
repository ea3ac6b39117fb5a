"""The rates page's open petitions per organ (overdue, due soon): the worklist's own figures
(issue 16). One definition (``petitions.selectors.worklist_due_by_organ`` over the worklist's
rollup ``WorklistTally``): the petitions an organ holds, by the nearest open duty or window it
must watch (T4 objection windows included), equal at the moment of reading to the count over
the petitions themselves and to each organ's own worklist, for readers named in an accusation
and in an accused organ too; and every figure lists exactly its petitions."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from conftest import local
from xinfang.analytics.rate_selectors import due_by_organ, due_drill
from xinfang.petitions.selectors import petition_queryset_for_statistics, worklist_counts
from xinfang.petitions.selectors.worklist_counts import bucket_of
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db]


def act(p, action, actor, on, **kw):  # type: ignore[no-untyped-def]
    return petition_act(petition_id=p.pk, action=action, actor=actor, at=on, **kw)


def _direct(user, today: date) -> Counter:  # type: ignore[no-untyped-def,type-arg]
    """From the petitions: each open one the user may count, at its holder, by the colour of
    its next due date (the worklist's rule)."""
    out: Counter = Counter()  # type: ignore[type-arg]
    for organ, nd in petition_queryset_for_statistics(user=user).filter(is_open=True).values_list(
        "current_organ_id", "next_due"
    ):
        b = bucket_of(nd, today)
        if b in ("overdue", "due_soon"):
            out[(organ, b)] += 1
    return out


def _shown(user, today: date) -> Counter:  # type: ignore[no-untyped-def,type-arg]
    got: Counter = Counter()  # type: ignore[type-arg]
    for d in due_by_organ(user=user, today=today):
        got[(d.organ_id, "overdue")] += d.overdue
        got[(d.organ_id, "due_soon")] += d.due_soon
    return +got


def _listed(user, organ_id: int, due: str, today: date) -> list[int]:  # type: ignore[no-untyped-def]
    rows, total, nxt, after = [], None, None, None
    while True:
        page, total, nxt = due_drill(user=user, organ_id=organ_id, due=due, today=today,
                                     after=after, limit=2)
        rows += [r.petition_id for r in page]
        if nxt is None:
            break
        after = nxt
    assert len(rows) == len(set(rows)) == total, (user.username, organ_id, due, today)
    return rows


@pytest.fixture
def history(world, register):  # type: ignore[no-untyped-def]
    """Open petitions at the county office and housing (transferred: a T4 window and T3), an
    accusation against the county government naming one city analyst, held by the city office."""
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    named = staff_create(username="n1", password=None, organ=world.city_po, roles=[Role.ANALYST])
    control = staff_create(username="c1", password=None, organ=world.city_po, roles=[Role.ANALYST])
    day = date(2025, 3, 3)  # a Monday
    ps = [register(at=local(2025, 3, 3), received_at=local(2025, 3, 3)).petition for _ in range(4)]
    act(ps[0], "transfer", world.clerk, day, data={"to_organ_id": world.housing.pk})
    act(ps[1], "transfer", world.clerk, day, data={"to_organ_id": world.housing.pk})
    act(ps[1], "acknowledge", world.handler, day + timedelta(days=1))
    register(
        at=local(2025, 3, 3), received_at=local(2025, 3, 3), category="accusation", route=None,
        accused_organ_id=world.county_gov.pk, accused_staff_ids=[named.pk],
        organ=world.city_po, actor=world.city_clerk,
    )
    above = staff_create(username="g1", password=None, organ=world.city_gov, roles=[Role.ANALYST])
    return [world.analyst, named, control, above], day


DAYS = (0, 5, 7, 8, 14, 16, 40)


def test_the_open_petitions_per_organ_are_those_counted_from_the_petitions(world, history):
    """For the county office's analyst, a city analyst an accusation names and one it does not,
    and an analyst of the city government, on days before and after the due dates: the figures
    equal the count over the petitions the reader may count, and each figure's list holds
    exactly its petitions. Plant: drop the named part of the union and n1's lines differ."""
    readers, day = history
    checked = 0
    for user in readers:
        for d in DAYS:
            today = day + timedelta(days=d)
            want = _direct(user, today)
            assert _shown(user, today) == +want, (user.username, today)
            checked += sum(want.values())
            for (organ, due), n in want.items():
                listed = _listed(user, organ, due, today)
                assert len(listed) == n
    assert checked
    named, control = readers[1], readers[2]
    # the accusation naming n1 is never counted for n1, and it is for its colleague
    assert any(_direct(named, day + timedelta(days=d)) != _direct(control, day + timedelta(days=d))
               for d in DAYS)


def test_each_organs_line_is_its_worklists_figure_t4_windows_included(world, history):
    """Housing's line, read by the county office's analyst, is what housing's own worklist
    shows under 已超期 and 即将到期, day by day. Transferred on Monday 3 March, its T4 objection
    window (5 working days) ends on 10 March, before T3 (18 March): on 8 March the petition is
    due soon on the worklist, and so on the rates page. Plant: count open statutory duties by
    owning organ (the old table: no T4) and 8 March shows none due soon at housing."""
    readers, day = history
    analyst = readers[0]
    for d in DAYS:
        today = day + timedelta(days=d)
        mine = worklist_counts(user=world.handler, today=today)
        line = {x.organ_id: x for x in due_by_organ(user=analyst, today=today)}.get(world.housing.pk)
        assert (line.overdue if line else 0) == mine.count(due="overdue"), today
        assert (line.due_soon if line else 0) == mine.count(due="due_soon"), today
    on_8th = {x.organ_id: x for x in due_by_organ(user=analyst, today=date(2025, 3, 8))}
    assert on_8th[world.housing.pk].due_soon == 1  # the T4 window of the transferred petition


def test_the_figures_link_to_their_petitions_and_the_list_refuses_bad_input(client, world, history):
    readers, day = history
    client.force_login(world.analyst)
    from xinfang.core import clock

    today = clock.today()
    page = client.get("/analytics/rates/").content.decode()
    table = page[page.index('id="due"'):]
    links = re.findall(r'<a href="(/analytics/rates/due/\?organ=(\d+)&amp;due=(\w+))">(\d+)</a>', table)
    assert links
    for url, organ, due, n in links:
        listed = client.get(url.replace("&amp;", "&")).content.decode()
        assert listed.count("<code>") == int(n) == len(_listed(world.analyst, int(organ), due, today))
        assert "张三" not in listed  # de-identified
    for q in ("organ=x&due=overdue", "organ=1&due=late", "organ=1&due=overdue&after=2025-13-01.1",
              "organ=1&due=overdue&after=%00", "organ=1&due=overdue&votes=1",
              "organ=" + "9" * 30 + "&due=overdue"):
        assert client.get(f"/analytics/rates/due/?{q}").status_code == 400, q
    client.force_login(world.handler)  # no statistics right
    assert client.get(f"/analytics/rates/due/?organ={world.housing.pk}&due=overdue").status_code == 403


def test_the_open_petitions_are_read_in_one_statement(world, register, django_assert_num_queries):
    """The rollup and the named part in one UNION ALL (a change committing meanwhile is seen
    whole or not at all), then the organs' names: no read of the petitions."""
    for _ in range(2):
        register(at=local(2025, 3, 3), received_at=local(2025, 3, 3))
    user = world.analyst
    user.organ  # noqa: B018  (the gate reads the user's organ: not this statement)
    with django_assert_num_queries(3) as q:  # ancestors of the user's organ, the union, names
        lines = due_by_organ(user=user, today=date(2025, 3, 20))
    assert sum(line.overdue for line in lines) == 2
    assert sum("UNION ALL" in x["sql"] for x in q.captured_queries) == 1
    assert not any('FROM "petitions_petition"' in x["sql"].split("UNION ALL")[0]
                   for x in q.captured_queries)
