"""People's suggestions (Art. 29) and mediation (Art. 33) in a real browser: a suggestion under
study is opened, decided as adopted with its reply, and appears on the public portal's list on a
phone without the suggester's name; a matter in handling is mediated, both parties' signatures
are recorded and the signed agreement is printed with the signatures and the remedy route."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, no_horizontal_scroll, phone_context, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_suggestion_is_decided_and_appears_on_the_public_list_on_a_phone(
    live_server, browser, world, register
):
    from xinfang.petitions.models import Petition
    from xinfang.resolution.tests.test_suggestion import under_study

    p = under_study(world, register)
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.head)
    page = ctx.new_page()
    url = live_server.url
    page.goto(f"{url}/resolution/suggestions/")
    page.get_by_role("link", name="立项研究").click()
    page.locator("#s-petition").fill(p.tracking_code)
    page.locator("#s-subject").fill("老旧小区加装电梯简化审批")
    page.get_by_role("button", name="立项研究").click()
    page.get_by_role("status").filter(has_text="已立项研究").wait_for()
    page.locator("input[name=decision][value=adopted]").check()
    page.locator("#d-reply").fill("经研究论证，该建议切实可行，予以采纳，已在全县推行。")
    page.locator("#d-summary").fill("已采纳：全县老旧小区加装电梯推行“一梯一策”。")
    page.get_by_role("button", name="作出决定并答复").click()
    page.get_by_role("status").filter(has_text="已作出决定并答复建议人").wait_for()
    assert page.locator("#suggestion-status").inner_text() == "予以采纳"
    page.locator("#suggestion-reply").click()
    assert "信访事项答复意见书" in page.content() and "予以采纳" in page.content()
    assert Petition.objects.get(pk=p.pk).state == "replied"
    ctx.close()

    phone = phone_context(browser)  # a member of the public, no login
    pp = phone.new_page()
    pp.goto(f"{url}/portal/")
    pp.get_by_role("link", name="查看已采纳的建议").click()
    card = pp.locator("#public-suggestions li").first
    card.wait_for()
    text = card.inner_text()
    assert "老旧小区加装电梯简化审批" in text and "一梯一策" in text and "予以采纳" in text
    body = pp.content()
    assert "张三" not in body and "13800000000" not in body and p.tracking_code not in body
    no_horizontal_scroll(pp)
    phone.close()


def test_a_mediation_is_recorded_and_both_signatures_make_the_agreement(
    live_server, browser, world, register
):
    from xinfang.petitions.models import Petition
    from xinfang.resolution.tests.test_mediation import in_handling

    p = in_handling(world, register)
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.handler)
    page = ctx.new_page()
    url = live_server.url
    page.goto(f"{url}/resolution/mediations/")
    page.get_by_role("link", name="记录调解").click()
    page.locator("#m-petition").fill(p.tracking_code)
    page.locator("#m-held").fill("2025-09-01")
    page.locator("#m-place").fill("住建局调解室")
    page.locator("#m-mediator").fill("王调解")
    page.locator("#m-present").fill("张三；李四；王调解")
    page.locator("#m-agreed").fill("餐馆加装隔音设施，22时后停止室外经营。")
    page.locator("input[name=name_0]").fill("张三")
    page.locator("input[name=name_1]").fill("李四")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="记录调解").click()
    page.get_by_role("status").filter(has_text="已记录调解").wait_for()
    for name, how, said in (
        ("张三", "in_person", "已登记签字"),
        ("李四", "written", "双方均已签字"),
    ):
        page.locator("#g-signer").select_option(label=name)
        page.locator("#g-method").select_option(how)
        page.locator("#sign-form").get_by_role("button", name="登记签字").click()
        page.get_by_role("status").filter(has_text=said).wait_for()
    assert page.locator("#mediation-status").inner_text() == "已签订协议"
    assert Petition.objects.get(pk=p.pk).state == "settled"
    page.locator("#mediation-agreement").click()
    html = page.content()
    assert "信访事项调解协议书" in html and "张三（信访人一方）" in html
    assert "当面签字" in html and "书面签署" in html and "诉讼" in html
    ctx.close()
