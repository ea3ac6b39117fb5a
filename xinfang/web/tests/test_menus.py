"""Issue 12, item 6: the staff menu comes from the permission table; for every role, every item
it shows opens (no 无权访问 behind a visible link)."""

from __future__ import annotations

import re

import pytest

from xinfang.directory.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _menu(html: str) -> list[str]:
    header = html[html.index('<header class="top">') : html.index("</header>")]
    links = re.findall(r'<a(?: class="[^"]*")? href="([^"]+)"', header)
    return [u for u in links if u.startswith("/") and u != "/"]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_menu_item_a_role_sees_opens(client, world, role):
    from xinfang.directory.services import staff_create

    user = staff_create(username=f"u-{role}", password=None, organ=world.county_po, roles=[role])
    client.force_login(user)
    html = client.get("/", follow=True).content.decode()
    if "<header" not in html:
        html = client.get("/search/").content.decode()
    items = _menu(html)
    for url in items:
        r = client.get(url)
        assert r.status_code == 200, (role, url, r.status_code)
    if role == Role.LEADER:
        assert "/analytics/" in items, "a leader sees the statistics"
    if role == Role.HANDLER:
        assert not any(u.startswith("/intake") for u in items)
