"""The whole journey in a real browser: a petitioner submits on a phone; a clerk registers and
transfers; the competent organ accepts, handles, extends, issues an opinion and records its
delivery; the petitioner reads it, evaluates and requests review online; the review organ
decides, and the petitioner sees the review opinion."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    desktop_context,
    no_horizontal_scroll,
    phone_context,
    sign_in,
    staff_act,
    staff_sign,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "幸福小区楼下餐馆油烟噪声扰民"


@pytest.fixture(autouse=True)
def _no_lookup_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_petition_goes_from_a_phone_through_handling_to_a_review_decision(
    live_server, browser, world, tmp_path
):
    from xinfang.feedback.models import Evaluation
    from xinfang.petitions.models import Petition

    url = live_server.url
    phone = phone_context(browser)
    pp = phone.new_page()

    # --- 1. the petitioner submits on a phone-sized screen ------------------------------------
    pp.goto(f"{url}/portal/")
    no_horizontal_scroll(pp)
    pp.get_by_role("link", name="提出信访事项").click()
    pp.get_by_label("事项所在地").select_option("990102")
    pp.get_by_role("button", name="下一步").click()
    pp.get_by_label("信访事项类别").select_option("appeal")
    pp.get_by_label("标题", exact=True).fill(TITLE)
    pp.get_by_label("诉求、事实和理由").fill("三家餐馆每晚营业至凌晨，油烟和噪声严重影响休息，请求依法处理。")
    scan = tmp_path / "现场照片.png"
    scan.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 256)
    pp.get_by_label("附件").set_input_files(str(scan))
    pp.get_by_label("姓名或单位名称").fill("王五")
    pp.get_by_label("联系电话").fill("13700000000")
    pp.get_by_label("我已阅读上面的个人信息处理告知").check()
    no_horizontal_scroll(pp)
    pp.get_by_role("button", name="下一步：核对提交内容").click()
    pp.get_by_role("button", name="确认提交").click()
    pp.get_by_role("heading", name="信访事项已提交").wait_for()
    no_horizontal_scroll(pp)
    code = pp.locator("#code").inner_text()
    password = pp.locator("#password").inner_text()
    with pp.expect_download() as download:
        pp.get_by_role("button", name="下载查询凭证").click()
    receipt = open(download.value.path(), encoding="utf-8").read()
    assert code in receipt and password in receipt
    p = Petition.objects.get(title=TITLE)
    assert (p.state, p.channel, p.attachments.count()) == ("received", "online", 1)

    # --- 2. the clerk of the county petition office registers and transfers -------------------
    office = desktop_context(browser)
    sign_in(office, live_server, world.clerk)
    op = office.new_page()
    op.goto(f"{url}/worklist/")
    op.get_by_role("link", name=TITLE).click()
    staff_act(op, "登记")
    staff_act(op, "转送", select={"接收机关": {"label": "青山县住房和城乡建设局"}})
    office.close()

    # --- 3. the competent organ accepts, handles, extends, answers and delivers ----------------
    organ = desktop_context(browser)
    sign_in(organ, live_server, world.head)
    og = organ.new_page()
    og.goto(f"{url}/worklist/")
    og.get_by_role("link", name=TITLE).click()
    staff_act(og, "受理并书面告知", select={"类别": "appeal", "第三十一条途径": "6"})
    og.get_by_role("link", name="信访事项受理告知书").click()
    og.get_by_role("heading", name="信访事项受理告知书").wait_for()
    assert "六十日内办结" in og.content() and "印章" in og.content()
    og.go_back()
    staff_act(og, "开始办理")
    staff_sign(og, "延长办理期限", fill={"延长天数": "30", "延期理由": "需要委托环境监测机构夜间监测"})
    staff_sign(
        og,
        "出具处理意见书",
        select={"处理结论": "not_support"},
        fill={
            "信访人的请求": "请求责令餐馆停止夜间营业",
            "事实和理由": "经夜间监测，噪声未超标；油烟净化设施已安装。",
            "处理意见": "对停业请求不予支持；已责成餐馆 22 时后停止室外经营。",
            "依据": "《中华人民共和国噪声污染防治法》第六十四条",
        },
    )
    staff_act(og, "登记送达", select={"送达方式": "electronic", "签收情况": "true"})
    organ.close()

    # --- 4. the petitioner reads the opinion, evaluates and requests review --------------------
    pp.goto(f"{url}/portal/track/")
    pp.get_by_label("查询码").fill(code)
    pp.get_by_label("查询密码").fill(password)
    pp.get_by_role("button", name="查询", exact=True).click()
    pp.get_by_role("heading", name=TITLE).wait_for()
    no_horizontal_scroll(pp)
    steps = pp.locator("ol.steps-list").inner_text()
    for step in ("登记", "转送", "受理并书面告知", "延长办理期限", "出具处理意见书", "送达文书"):
        assert step in steps, step
    pp.get_by_role("link", name="信访处理意见书", exact=True).click()
    pp.get_by_role("heading", name="信访处理意见书").wait_for()
    opinion = pp.content()
    assert "救济途径和期限" in opinion and "30日内请求青山县人民政府复查" in opinion
    no_horizontal_scroll(pp)
    pp.go_back()
    pp.get_by_role("link", name="评价", exact=True).click()
    pp.get_by_label("不满意").check()
    pp.get_by_label("意见和建议").fill("夜间噪声问题没有根本解决")
    pp.get_by_role("button", name="提交评价").click()
    pp.get_by_role("status").filter(has_text="感谢您的评价").wait_for()
    assert Evaluation.objects.get(petition=p).rating == "dissatisfied"
    pp.get_by_label("请求复查的理由").fill("监测时间不在营业高峰")
    pp.get_by_role("button", name="申请复查").click()
    pp.get_by_role("heading", name="确认申请复查").wait_for()  # the confirmation step (item 13)
    pp.get_by_role("button", name="确认提交复查请求").click()
    pp.get_by_role("status").filter(has_text="复查请求已提交").wait_for()
    p.refresh_from_db()
    assert (p.state, p.current_organ_id) == ("review_requested", world.county_gov.pk)

    # --- 5. the review organ (one level up) decides -------------------------------------------
    review = desktop_context(browser)
    sign_in(review, live_server, world.city_head)
    rv = review.new_page()
    rv.goto(f"{url}/worklist/")
    rv.get_by_role("link", name=TITLE).click()
    staff_sign(
        rv,
        "出具复查意见",
        select={"复查结论": "uphold"},
        fill={
            "信访人的请求": "请求撤销处理意见",
            "事实和理由": "复查核实，原处理意见认定事实清楚、依据正确。",
            "处理意见": "维持原处理意见。",
            "依据": "《信访工作条例》第三十五条",
        },
    )
    staff_act(rv, "登记送达", select={"送达方式": "electronic", "签收情况": "true"})
    review.close()

    pp.reload()
    pp.get_by_role("link", name="信访事项复查意见书", exact=True).wait_for()
    assert pp.get_by_role("button", name="申请复核").is_visible()
    no_horizontal_scroll(pp)
    phone.close()
    p.refresh_from_db()
    assert p.state == "review_decided"

