"""Issue 12 item 11: the worklist says which deadline each date is, how many rows there are and
where the page sits among them, and never shows a bare "—" for an open item."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conftest import local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_each_date_names_its_deadline_and_the_list_is_counted_and_paged(
    client, world, register, settings
):
    for day in (1, 18, 30):
        register(title=f"八月{day}日收到", received_at=local(2025, 8, day), at=local(2025, 8, day))
    settings.XINFANG_PAGE_SIZE = 2
    client.force_login(world.clerk)
    html = client.get("/worklist/").content.decode()
    assert "共 3 件，本页第 1–2 件" in html
    assert html.count("T1 转送交办") == 2, "a petition office's date is its 15 days to route (Art. 22)"
    assert "<span class=\"muted\">—</span>" not in html
    nxt = re.search(r'href="\?cursor=([^"]+)"', html)
    assert nxt
    page2 = client.get("/worklist/", {"cursor": nxt.group(1)}).content.decode()
    assert "共 3 件，本页第 3–3 件" in page2 and "第一页" in page2
    assert "八月30日收到" in page2 and "八月1日收到" not in page2


def test_the_worklist_of_a_filter_counts_only_its_rows(client, world, register):
    register(title="甲", received_at=local(2025, 8, 1), at=local(2025, 8, 2))
    register(title="乙", received_at=local(2025, 8, 30), at=local(2025, 8, 31))
    client.force_login(world.clerk)
    html = client.get("/worklist/", {"due": "overdue"}).content.decode()
    assert "共 1 件，本页第 1–1 件" in html


def test_the_worklist_shows_how_many_are_overdue_and_due_soon_as_of_today(
    client, world, register
):
    """Issue 14: the badges count from the rollup by due date, so tomorrow's overdue petitions
    are overdue tomorrow without any job having run."""
    import time_machine

    from xinfang.petitions.models import Petition

    for day in (1, 12, 18, 30):
        register(title=f"八月{day}日收到", received_at=local(2025, 8, day), at=local(2025, 8, day))
    for when in (local(2025, 9, 1), local(2025, 9, 20)):
        with time_machine.travel(when, tick=False):
            client.force_login(world.clerk)  # a session idle for days has ended
            today = when.date()
            dues = list(Petition.objects.filter(is_open=True).values_list("next_due", flat=True))
            overdue = sum(d < today for d in dues)
            soon = sum(today <= d <= today + timedelta(days=3) for d in dues)
            html = client.get("/worklist/").content.decode()
        assert f'href="?due=overdue">已超期</a> <strong>{overdue}</strong>' in html, when
        assert f'href="?due=due_soon">即将到期</a> <strong>{soon}</strong>' in html, when
    assert overdue == 4  # by 09-20 every one of them


def test_a_filter_the_rollup_cannot_count_is_counted_up_to_a_bound(
    client, world, register, monkeypatch
):
    """A state, category, channel or region filter is counted by a COUNT stopped after
    ``COUNT_CAP`` rows: "more than N", never a scan of every open petition."""
    from xinfang.petitions import selectors

    for day in (1, 18, 30):
        register(title=f"八月{day}日收到", received_at=local(2025, 8, day), at=local(2025, 8, day))
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    client.force_login(world.clerk)
    html = client.get("/worklist/", {"state": "registered"}).content.decode()
    assert "共超过 2 件，本页第 1–3 件" in html
    assert "共 3 件，本页第 1–3 件" in client.get("/worklist/").content.decode()  # the rollup's
    client.cookies["django_language"] = "en"
    html = client.get("/worklist/", {"state": "registered"}).content.decode()
    assert "more than 2 in all, 1–3 on this page" in html


def test_a_cursor_given_out_before_it_carried_its_position_still_pages(client, world, register):
    for day in (1, 18, 30):
        register(title=f"八月{day}日收到", received_at=local(2025, 8, day), at=local(2025, 8, day))
    from xinfang.petitions.models import Petition

    p = Petition.objects.order_by("next_due", "id").first()
    client.force_login(world.clerk)
    r = client.get("/worklist/", {"cursor": f"{p.next_due.isoformat()}_{p.pk}"})
    assert r.status_code == 200 and "共 3 件" in r.content.decode() and "第一页" in r.content.decode()
    for bad in (f"{p.next_due.isoformat()}_{p.pk}_x", f"{p.next_due.isoformat()}_{p.pk}_-1",
                f"{p.next_due.isoformat()}_{p.pk}_{10**12}"):
        assert client.get("/worklist/", {"cursor": bad}).status_code == 400, bad


def test_the_site_root_leads_petitioners_to_the_portal_and_staff_to_the_login(client):
    html = client.get("/").content.decode()
    assert 'href="/portal/"' in html and 'href="/portal/track/"' in html
    assert 'href="/login/"' in html
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "submit a petition online" in html
