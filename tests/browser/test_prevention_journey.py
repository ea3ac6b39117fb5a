"""Source prevention in a real browser: a village dispute recorded at the township, mediated,
then turned into a petition with the link kept both ways; and a risk assessment of a draft
decision from its registration to its DOCX report."""

from __future__ import annotations

import io

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def township(world):
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create

    region = Region.objects.create(
        code="990102001", name="青山镇", level=Level.TOWNSHIP, parent=world.county
    )
    organ = organ_create(
        name="青山镇人民政府",
        kind=OrganKind.COMPETENT,
        level=Level.TOWNSHIP,
        region=region,
        parent=world.county_gov,
    )
    clerk = staff_create(
        username="townclerk", password="test-pass-123", organ=organ, roles=[Role.REGISTRAR]
    )
    head = staff_create(
        username="townhead", password="test-pass-123", organ=organ, roles=[Role.ORGAN_HEAD]
    )
    return organ, clerk, head


def _context(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 860}, accept_downloads=True
    )


def test_a_village_dispute_is_mediated_then_turned_into_a_petition(
    live_server, browser, world, township, register
):
    from conftest import local
    from xinfang.core.ids import format_tracking_code
    from xinfang.petitions.services import petition_act
    from xinfang.petitions.workflow import Action
    from xinfang.prevention.models import Dispute

    organ, clerk, _ = township
    ctx = _context(browser)
    sign_in(ctx, live_server, clerk)
    page = ctx.new_page()
    url = live_server.url

    # 1. recorded from the menu
    page.goto(f"{url}/search/")
    page.get_by_role("link", name="源头预防").click()
    page.get_by_role("link", name="登记矛盾纠纷").click()
    page.get_by_label("纠纷类型").select_option("land")
    page.get_by_label("发生地点").fill("青山镇东村三组")
    page.get_by_label("纠纷简况").fill("两户村民因承包地边界发生争执，一方在地界上砌墙。")
    page.get_by_label("化解责任人").fill("王调解")
    page.locator("#p0-name").fill("赵大")
    page.locator("#p0-asks").fill("拆除越界围墙")
    page.locator("#p1-side").select_option("respondent")
    page.locator("#p1-name").fill("钱二")
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_role("status").filter(has_text="已登记矛盾纠纷").wait_for()
    assert page.locator("#dispute-status").inner_text() == "在排查"
    page.reload()  # a refresh never records twice
    assert Dispute.objects.count() == 1

    # 2. mediated
    page.locator("summary", has_text="记录调解步骤").click()
    page.get_by_label("方式").select_option("mediation")
    page.get_by_label("经过").fill("村委会组织双方现场核对承包合同")
    page.locator("details.action").first.get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已记录调解步骤").wait_for()
    assert page.locator("#dispute-status").inner_text() == "调解中"
    assert "村委会组织双方现场核对承包合同" in page.locator("#steps").inner_text()

    # 3. the parties do not agree; one petitions, the county office transfers it here
    p = register(
        title="承包地边界争议", received_at=local(2025, 8, 28), at=local(2025, 8, 28)
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": organ.pk},
    )
    page.locator("summary", has_text="记录化解结果").click()
    page.get_by_label("化解结果").select_option("petition")
    page.get_by_label("转为信访事项时：该信访事项的查询码").fill("NOT A CODE")
    page.get_by_label("结果说明").fill("当事人选择信访")
    page.locator("details.action[open]").get_by_role("button", name="保存").click()
    page.get_by_role("alert").wait_for()  # refused, what was typed is kept
    assert page.get_by_label("结果说明").input_value() == "当事人选择信访"
    page.get_by_label("转为信访事项时：该信访事项的查询码").fill(
        format_tracking_code(p.tracking_code)
    )
    page.locator("details.action[open]").get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已记录化解结果").wait_for()
    assert page.locator("#dispute-status").inner_text() == "已转为信访事项"

    # 4. the link is kept both ways
    page.locator("#dispute-petition").click()
    page.locator("#prevention-panel").get_by_text("源自矛盾纠纷台账").wait_for()
    page.locator("#prevention-panel").get_by_role("link").click()
    assert page.locator("#dispute-status").inner_text() == "已转为信访事项"

    # 5. the ledger shows it, and exports it: asked for on the page, written by the worker
    page.get_by_role("link", name="矛盾纠纷排查化解台账").click()
    assert page.locator("#ledger-total").inner_text() == "1"
    page.get_by_role("button", name="导出台账（XLSX）").click()
    page.locator("#export-state").get_by_text("排队中").wait_for()
    from xinfang.prevention.models import LedgerExport
    from xinfang.prevention.tasks import ledger_export_run

    ledger_export_run.func(export_id=LedgerExport.objects.get().pk)  # what `xinfang worker` does
    page.reload()
    with page.expect_download() as dl:
        page.locator("#export-download").click()
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][3] == "土地承包" and rows[2][11] == "已转为信访事项"
    ctx.close()


def test_a_risk_assessment_from_registration_to_its_docx_report(
    live_server, browser, world, township
):
    from docx import Document

    organ, clerk, head = township
    url = live_server.url
    ctx = _context(browser)
    sign_in(ctx, live_server, clerk)
    page = ctx.new_page()
    page.goto(f"{url}/prevention/decisions/")
    page.get_by_role("link", name="登记重大决策事项").click()
    page.get_by_label("类型").select_option("project")
    page.get_by_label("决策事项名称").fill("青山镇老街棚户区改造项目")
    page.get_by_label("涉及范围").fill("老街东段 120 户住房及沿街商铺")
    page.get_by_label("涉及人数（约）").fill("420")
    page.get_by_label("主要内容").fill("拆除老街东段危旧房屋，原地新建安置房。")
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_role("status").filter(has_text="已登记重大决策事项").wait_for()

    page.locator("summary", has_text="记录评估工作").click()
    page.get_by_label("评估方式").select_option("hearing")
    page.get_by_label("参与人次").fill("86")
    page.get_by_label("主要意见").fill("多数住户同意改造，对补偿标准有疑虑")
    page.locator("details.action[open]").get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()

    page.locator("summary", has_text="增加风险点").click()
    page.get_by_label("风险点", exact=True).fill("补偿标准低于周边项目")
    page.get_by_label("发生可能性").select_option("3")
    page.get_by_label("影响程度").select_option("3")
    page.get_by_label("防范化解措施").fill("公开测算依据，参照周边项目调整补偿")
    page.locator("details.action[open]").get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    assert page.locator("#decision-level").inner_text() == "高风险"
    assert (
        page.locator("summary", has_text="作出评估结论").count() == 0
    )  # a clerk does not conclude
    ctx.close()

    ctx = _context(browser)
    sign_in(ctx, live_server, head)
    page = ctx.new_page()
    page.goto(f"{url}/prevention/decisions/")
    page.get_by_role("link", name="青山镇老街棚户区改造项目").click()
    page.locator("summary", has_text="作出评估结论").click()
    page.get_by_label("评估结论").select_option("proceed_with_measures")
    page.get_by_label("结论理由").fill("落实补偿措施后风险可控")
    page.locator("details.action[open]").get_by_role("button", name="保存").click()
    page.get_by_role("status").filter(has_text="已保存").wait_for()
    assert page.locator("#decision-conclusion").inner_text().startswith("采取措施后实施")
    with page.expect_download() as dl:
        page.get_by_role("link", name="下载评估报告（DOCX）").click()
    doc = Document(io.BytesIO(open(dl.value.path(), "rb").read()))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "青山镇老街棚户区改造项目" in text and "采取措施后实施" in text
    assert "补偿标准低于周边项目" in cells and "高风险" in cells and "听证会" in cells
    ctx.close()
