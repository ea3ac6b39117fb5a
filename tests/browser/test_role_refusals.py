"""One refusal per role, in a real browser: each role is turned away from a page it may not use."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, phone_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "12345678"


@pytest.fixture(autouse=True)
def _no_lookup_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _known_password(p):  # type: ignore[no-untyped-def]
    from django.conf import settings

    from xinfang.core import ids

    type(p).objects.filter(pk=p.pk).update(
        query_secret=ids.hash_query_password(p.tracking_code, PASSWORD, settings.SECRET_KEY)
    )


def _staff(world, role):  # type: ignore[no-untyped-def]
    from xinfang.directory.services import staff_create

    organ = None if role == "admin" else world.county_po
    return staff_create(username=f"r-{role}", password="test-pass-123", organ=organ, roles=[role])


def _open_in_portal(page, url, p) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/portal/track/")
    page.get_by_label("查询码").fill(p.tracking_code)
    page.get_by_label("查询密码").fill(PASSWORD)
    page.get_by_role("button", name="查询", exact=True).click()
    page.get_by_role("heading", name=p.title).wait_for()


def _refused_evaluation(browser, live_server, world, register, user) -> None:  # type: ignore[no-untyped-def]
    """Staff never rate a petition on the petitioner's behalf (regulation §8.2)."""
    from tests.flows import opinion_delivered
    from xinfang.feedback.models import Evaluation

    p = opinion_delivered(world, register)
    _known_password(p)
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, user)
    page = ctx.new_page()
    _open_in_portal(page, live_server.url, p)
    response = page.goto(f"{live_server.url}/portal/p/{p.tracking_code}/evaluate/handling/")
    assert response.status == 403
    assert page.get_by_role("alert").inner_text().startswith("工作人员不能代为评价")
    assert not Evaluation.objects.exists()
    ctx.close()


def _refused_admin_site(browser, live_server, user) -> None:  # type: ignore[no-untyped-def]
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, user)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url  # Django's admin sends a non-admin user to its login
    assert page.get_by_role("link", name="信访事项").count() == 0
    ctx.close()


def _refused_petition_page(browser, live_server, user, p) -> None:  # type: ignore[no-untyped-def]
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, user)
    page = ctx.new_page()
    response = page.goto(f"{live_server.url}/petitions/{p.pk}/")
    assert response.status == 404 and p.title not in page.content()
    response = page.goto(f"{live_server.url}/documents/petitions/{p.pk}/")
    assert response.status == 404
    ctx.close()


def test_a_petitioner_gets_no_staff_page_and_no_other_petition(live_server, browser, world, register):
    mine, other = register(title="我的信访事项").petition, register(title="别人的信访事项").petition
    _known_password(mine)
    ctx = phone_context(browser)
    page = ctx.new_page()
    _open_in_portal(page, live_server.url, mine)
    page.goto(f"{live_server.url}/worklist/")
    assert "/login/" in page.url
    page.goto(f"{live_server.url}/portal/p/{other.tracking_code}/")
    assert "/portal/track/" in page.url and "别人的信访事项" not in page.content()
    ctx.close()


def test_a_registrar_cannot_open_a_petition_held_by_another_office(live_server, browser, world, register):
    p = register(organ=world.city_po, actor=world.city_clerk, title="市信访局登记的事项").petition
    _refused_petition_page(browser, live_server, world.clerk, p)


def test_a_handler_cannot_open_a_petition_not_yet_sent_to_its_organ(live_server, browser, world, register):
    p = register(title="尚在县信访局的事项").petition
    _refused_petition_page(browser, live_server, world.handler, p)


def test_an_organ_head_cannot_evaluate_the_handling_of_its_own_organ(live_server, browser, world, register):
    _refused_evaluation(browser, live_server, world, register, world.head)


def test_a_supervisor_cannot_use_the_admin_site(live_server, browser, world):
    _refused_admin_site(browser, live_server, _staff(world, "supervisor"))


def test_a_leader_cannot_use_the_admin_site(live_server, browser, world):
    _refused_admin_site(browser, live_server, _staff(world, "leader"))


def test_an_analyst_cannot_evaluate_for_a_petitioner(live_server, browser, world, register):
    _refused_evaluation(browser, live_server, world, register, world.analyst)


def test_a_system_administrator_cannot_read_petitions(live_server, browser, world, register):
    p = register(title="系统管理员不能阅看的事项").petition
    _refused_petition_page(browser, live_server, _staff(world, "admin"), p)
