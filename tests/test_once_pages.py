"""Every state-changing form a page renders carries its one-time token (issue 13 §1.10, issue 12
item 2), and the same token sent twice acts once (desk, portal, workflow action, resolution).

``test_once_forms.py`` reads the templates; this module renders the pages. A small demo (every
state of the procedure, prevention, resolution, hearing and relief records) is crawled as each
of its county logins (every role; the province's and the city's see the same pages) and as a visitor and a
petitioner on the portal: from the home page every link the user is shown is followed (a few
of each URL pattern), and every ``<form method="post">`` of every page must carry a non-empty
``once`` field, unless the place it posts to is one of ``test_once_forms.EXEMPT``. A form a
template builds only in some state (an action's form, a reply box) is seen where the demo has
that state; the count of distinct places posted to is printed and bounded below.

Not crawled: the Django admin (its add/change forms carry the token through
``directory/admin_templates``; ``test_admin_role.py`` posts one twice), downloads, the logout link.

Planted faults this module catches (rerun: make the change, run this file):
- ``{% once_token %}`` removed from ``petitions/_actions.html`` (or any crawled form): the crawl
  names the page and the form;
- ``OnceFormMiddleware`` removed from ``MIDDLEWARE``: the workflow action sent twice is refused
  the second time (403), the supervision notice is issued twice (seen);
- ``@once_by_view`` claim removed from the desk (``web.views.intake``): two registrations.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from conftest import local
from tests.test_once_forms import EXEMPT

#: The pages are the same HTML on either database: the SQLite pass runs it (scripts/test).
pytestmark = [pytest.mark.django_db, pytest.mark.once]

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
HREF = re.compile(r'href="(/[^"#]*)"')
ONCE = re.compile(r'name="once"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="once"')
#: Links not followed, with the reason.
NOT_FOLLOWED = (
    ("/admin/", "Django's admin site: tests/test_admin_role.py (an add form sent twice)"),
    ("/static/", "files"),
    ("/logout/", "ends the session"),
    ("/i18n/", "changes the language"),
    ("/api/", "the API takes Idempotency-Key, not forms (tests/test_once.py)"),
    ("/-/", "health and metrics"),
)
PER_PATTERN = 2  # pages of each URL pattern crawled per user (a petition page, a notice …)
PAGES_PER_USER = 80


def _name(path: str) -> str | None:
    try:
        m = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return m.view_name


def _is_download(response) -> bool:  # type: ignore[no-untyped-def]
    ctype = response.get("Content-Type", "")
    return "text/html" not in ctype


def _forms(html: str, page: str) -> list[tuple[str, str, str]]:
    """(action, attributes, body) of every POST form of the page."""
    out = []
    for m in FORM.finditer(html):
        attrs, body = m.group(1), m.group(2)
        if not re.search(r"\bmethod=[\"']?post", attrs, re.I):
            continue
        a = re.search(r'\baction="([^"]*)"', attrs)
        action = unescape(a.group(1)) if a and a.group(1) else page
        out.append((action, attrs, body))
    return out


def _crawl(
    client: Client, start: list[str], who: str, seen_actions: Counter, missing: list[str]
) -> int:
    queue = list(start)
    done: set[str] = set()
    per_pattern: Counter = Counter()
    pages = 0
    while queue and pages < PAGES_PER_USER:
        url = queue.pop(0)
        if url in done or any(url.startswith(p) for p, _ in NOT_FOLLOWED):
            continue
        done.add(url)
        name = _name(url)
        if name is None:
            continue
        key = (name, tuple(sorted(k.split("=")[0] for k in urlsplit(url).query.split("&") if k)))
        if per_pattern[key] >= PER_PATTERN:
            continue
        per_pattern[key] += 1
        r = client.get(url)
        assert r.status_code < 500, (who, url, r.status_code)
        if r.status_code in (301, 302, 303) and r["Location"].startswith("/"):
            queue.insert(0, r["Location"])
            continue
        if r.status_code != 200 or _is_download(r):
            continue
        pages += 1
        html = r.content.decode("utf-8", "replace")
        for action, _attrs, body in _forms(html, url):
            target = _name(action) or action
            seen_actions[target] += 1
            if target in EXEMPT:
                continue
            m = ONCE.search(body)
            if m is None or not (m.group(1) or m.group(2)):
                missing.append(f"{who} on {url}: form posting to {action} ({target}) has no token")
        for link in HREF.findall(html):
            link = unescape(link)
            if link not in done:
                queue.append(link)
    return pages


def _token(html: str, action: str, page: str = "") -> str:
    """The token of the form of ``html`` (the page at ``page``) that posts to ``action``."""
    for a, _, body in _forms(html, page or action):
        if a == action:
            m = ONCE.search(body)
            assert m, f"the form posting to {action} carries a one-time token"
            return m.group(1) or m.group(2)
    raise AssertionError(f"no form posts to {action}")


# --- the same token twice acts once (these run before the module's demo is seeded) ----------


@pytest.mark.usefixtures("frozen")
def test_a_workflow_action_sent_twice_is_taken_once(client, world, register):
    from xinfang.petitions.models import PetitionEvent

    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 28)).petition
    client.force_login(world.clerk)
    page, action = f"/petitions/{p.pk}/", f"/petitions/{p.pk}/act/transfer/"
    form = {
        "to_organ_id": world.housing.pk,
        "reason": "",
        "once": _token(client.get(page).content.decode(), action),
    }
    first = client.post(action, form)
    assert first.status_code == 302, first.content.decode()[:500]
    again = client.post(action, form)  # the refresh, the double click
    assert again.status_code == 303 and again["Location"] == first["Location"]
    assert PetitionEvent.objects.filter(petition=p, action="transfer").count() == 1
    # the page the second answer leads to says nothing was done twice, and offers no transfer
    html = client.get(again["Location"]).content.decode()
    assert "这份表单已经提交过" in html


@pytest.mark.usefixtures("frozen")
def test_a_supervision_notice_sent_twice_is_issued_once(client, world, register):
    from xinfang.petitions.services import petition_act
    from xinfang.resolution.models import SupervisionNotice

    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 28)).petition
    petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.clerk,
        at=local(2025, 8, 28),
        data={"to_organ_id": world.housing.pk},
    )
    client.force_login(world.po_head)
    action = "/resolution/supervision/new/"
    token = _token(client.get(action).content.decode(), action)
    form = {
        "organ": world.housing.pk,
        "petitions": p.tracking_code,
        "reasons": ["delay"],
        "facts": "转送后逾期未告知受理情况，请依法办理并书面反馈。",
        "once": token,
    }
    first = client.post(action, form)
    assert first.status_code == 302, first.content.decode()[:800]
    again = client.post(action, form)
    assert again.status_code in (302, 303) and again["Location"] == first["Location"]
    assert SupervisionNotice.objects.count() == 1


@pytest.mark.usefixtures("frozen")
def test_the_desk_and_the_portal_sent_twice_register_once(client, world):
    """The desk and the portal claim their token themselves (``@once_by_view``); the token is
    taken from the rendered page, as a browser's refresh would send it again."""
    from xinfang.petitions.models import Petition

    client.force_login(world.clerk)
    desk = {
        "title": "幸福小区餐馆油烟扰民",
        "content": "楼下餐馆每晚营业至凌晨，请求处理。",
        "received_on": "2025-08-28",
        "region_code": "990102",
        "category": "appeal",
        "route": "6",
        "p_name": "张三",
        "p_phone": "13800000000",
        "once": _token(client.get("/intake/letter/").content.decode(), "/intake/letter/"),
    }
    assert client.post("/intake/letter/", desk).status_code == 302
    assert client.post("/intake/letter/", desk).status_code in (302, 303)
    assert Petition.objects.count() == 1
    visitor = Client()
    page = visitor.get("/portal/submit/?region=990102").content.decode()
    portal = {
        "region": "990102",
        "category": "appeal",
        "title": "幸福路路灯损坏三个月无人修",
        "content": "青山县幸福路 12 号至 40 号路段路灯损坏已三个月，夜间行人摔伤，请求尽快修复。",
        "name": "李四",
        "phone": "13900000000",
        "privacy_read": "on",
        "once": ONCE.search(page).group(1) or ONCE.search(page).group(2),
    }
    assert visitor.post("/portal/submit/", portal).status_code == 302
    assert visitor.post("/portal/submit/", portal).status_code == 302
    assert Petition.objects.count() == 2


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """A small demo, seeded once for this module and rolled back after it (conftest)."""
    from conftest import shared_data
    from xinfang.demo import demo_seed

    with shared_data(django_db_blocker):
        result = demo_seed(petitions=40, seed=11)
        assert result["errors"] == []
        yield result


def test_every_post_form_of_every_page_a_user_can_open_carries_the_one_time_token(demo):
    from tests import flows
    from xinfang.directory.models import Level, Region, User
    from xinfang.petitions.models import Petition

    seen: Counter = Counter()
    missing: list[str] = []
    pages = 0
    for login in demo["logins"]:
        if not login["username"].startswith("county_"):
            continue  # the same pages at the province and the city; the county holds most
        client = Client()
        client.force_login(User.objects.get(username=login["username"]))
        pages += _crawl(client, ["/"], login["username"], seen, missing)
    visitor = Client()
    region = Region.objects.filter(level=Level.COUNTY).order_by("code").first()
    starts = ["/portal/", f"/portal/submit/?region={region.code}", "/reception/book/"]
    pages += _crawl(visitor, starts, "visitor", seen, missing)
    petitioner = Client()
    answered = Petition.objects.filter(state="opinion_issued").first()
    flows.portal_open(petitioner, answered)
    pages += _crawl(
        petitioner, [f"/portal/p/{answered.tracking_code}/"], "petitioner", seen, missing
    )
    print(f"{pages} pages crawled, {len(seen)} places posted to: {sorted(seen)}")
    assert not missing, "\n".join(missing)
    # The crawl reached the forms that matter (a wrong start page finds none and passes).
    assert len(seen) >= 35, sorted(seen)
    for needed in ("web:petition_act", "portal:submit", "web:intake", "portal:request_review"):
        assert any(n.startswith(needed) for n in seen), (needed, sorted(seen))
