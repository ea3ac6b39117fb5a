"""Issue 12 item 11: the worklist says which deadline each date is, how many rows there are and
where the page sits among them, and never shows a bare "—" for an open item."""

from __future__ import annotations

import re

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


def test_the_site_root_leads_petitioners_to_the_portal_and_staff_to_the_login(client):
    html = client.get("/").content.decode()
    assert 'href="/portal/"' in html and 'href="/portal/track/"' in html
    assert 'href="/login/"' in html
    client.cookies["django_language"] = "en"
    html = client.get("/").content.decode()
    assert "submit a petition online" in html
