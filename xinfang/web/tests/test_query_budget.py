"""Issue 14: the number of SQL queries of each staff page is pinned, and does not grow with the
data. A new panel that adds a query (or a query per row) fails here, and whoever adds it
raises the budget on purpose, having looked at its plan (bench/README.md).

The pages are those of every role's menu (the permission table builds the menus) and the
petition page, each opened with a few petitions and again with three times as many."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.directory.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

#: The most queries each page may run (over every role that opens it). Raise one only with
#: a reason, and check the new query's plan at 10^6 petitions.
#: Measured 2026-12-07 on SQLite; PostgreSQL runs the same queries. Every page one fewer since
#: the session's user is read with their organ (``ThrottledModelBackend.get_user``; pagespeed).
BUDGET: dict[str, int] = {
    "/account/approvals/": 6,
    "/analytics/": 7,  # was 10: both tables from one grouped query of the rollup (pages)
    # was 23: every rate and stage in one grouped query of RateTally, labels in one (pages)
    "/analytics/rates/": 8,
    "/analytics/report/": 3,
    # Art. 41 items 1-3 (analytics.accountability); was 17: VolumeTally read once, the
    # transfers from DispatchTally (pages)
    "/analytics/trends/": 12,  # + the named staff's transfers, from the tally's own snapshot (DispatchNamed)
    "/calendar/": 7,
    "/exchange/keys/": 7,  # the Open311 keys (issue 20), reached from the peers' page
    "/federation/peers/": 7,  # the peers, their waiting messages, their organs (issue 20)
    "/imports/": 5,  # the history import's list of the user's runs (issue 16)
    # the worker's snapshot of the reader's scope; a window not yet computed asks for it (+3)
    "/insight/hot/": 7,
    "/intake/": 6,  # -1: the organ's region code is its key (web.intake._regions_for; pagespeed)
    # +1: the federation panel (federation_link_petition index); +1: the resolution timeline
    # (backlog, hearing and relief entries in one UNION query, resolution/timeline.py)
    # -2 (pagespeed): the user's organ with the user; the open review window from the deadlines
    # the page reads anyway. A moved petition also saves the transfer chain's own reads of
    # events and deadlines and its second gate query (bench/page_profile.py)
    # -7 (pagespeed): one presence query says which apps' records the petition has at all
    # (petitions.extensions.presence_read); the panels with none run no query of their own
    "/petitions/<id>/": 18,
    "/prevention/disputes/": 6,
    "/reception/": 4,
    "/resolution/supervision/": 4,
    "/routing/rules/": 5,
    "/resolution/backlog/": 5,
    "/search/": 3,
    # +1: the drafts waiting to be signed or corrected (issue 12, item 7); -1: the region list
    # read without the organ's region row (pagespeed)
    "/worklist/": 11,
}


def _menu(html: str) -> list[str]:
    header = html[html.index('<header class="top">') : html.index("</header>")]
    links = re.findall(r'<a(?: class="[^"]*")? href="([^"]+)"', header)
    return [u for u in links if u.startswith("/") and u != "/"]


def _counts(client, urls):  # type: ignore[no-untyped-def]
    out = {}
    for url in urls:
        client.get(url)  # warm: per-process caches (regions, the calendar) are not per page
        with CaptureQueriesContext(connection) as q:
            r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        out[url] = len(q.captured_queries)
    return out


def _key(url: str) -> str:
    return re.sub(r"/\d+/", "/<id>/", url)


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_each_staff_page_runs_a_pinned_number_of_queries(client, world, register, role):
    from xinfang.directory.services import staff_create

    user = staff_create(username=f"q-{role}", password=None, organ=world.county_po, roles=[role])
    client.force_login(user)
    first = [register().petition for _ in range(2)]
    html = client.get("/", follow=True).content.decode()
    if "<header" not in html:
        html = client.get("/search/").content.decode()
    urls = _menu(html)
    if client.get(f"/petitions/{first[0].pk}/").status_code == 200:
        urls.append(f"/petitions/{first[0].pk}/")
    few = _counts(client, urls)
    for _ in range(6):
        register()
    many = _counts(client, urls)
    grew = {u: (few[u], many[u]) for u in urls if many[u] > few[u]}
    assert not grew, f"queries grow with the rows (a query per row?): {grew}"
    over = {_key(u): n for u, n in many.items() if n > BUDGET.get(_key(u), 0)}
    assert not over, f"{role}: over the pinned budget {over} (BUDGET in {__file__})"


#: The worklist with each of its filters (issue 14): the counts come from the rollup (due, flag)
#: or a count stopped at 1,000 rows (state, category, channel, region: +1 query); the page's
#: keys from an index, then its rows by id.
WORKLIST_FILTERED: dict[str, int] = {
    "/worklist/?due=overdue": 11,
    "/worklist/?flag=supervised": 11,
    "/worklist/?state=registered": 12,
    "/worklist/?category=appeal": 12,
    "/worklist/?channel=letter": 12,
    "/worklist/?region=990102": 12,
}


def test_the_worklist_runs_a_pinned_number_of_queries_with_each_filter_and_page(
    client, world, register, settings
):
    settings.XINFANG_PAGE_SIZE = 2  # a next page with a few petitions
    for _ in range(3):
        register()
    client.force_login(world.clerk)
    nxt = re.search(r'href="\?cursor=([^"]+)"', client.get("/worklist/").content.decode())
    assert nxt
    urls = [*WORKLIST_FILTERED, f"/worklist/?cursor={nxt.group(1)}"]
    few = _counts(client, urls)
    for _ in range(6):
        register()
    many = _counts(client, urls)
    grew = {u: (few[u], many[u]) for u in urls if many[u] > few[u]}
    assert not grew, f"queries grow with the rows: {grew}"
    budget = {**WORKLIST_FILTERED, urls[-1]: BUDGET["/worklist/"]}
    over = {u: n for u, n in many.items() if n > budget[u]}
    assert not over, over
