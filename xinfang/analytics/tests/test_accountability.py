"""Art. 41 items 1-3 in the report and on the trends page: the organs most complained about
(never persons; an accused organ never counts the accusation against it), transfers,
assignments and supervision, and the policy proposals with whether they were adopted. Every
number in the DOCX equals the trends page's."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest

from conftest import local
from xinfang.analytics.accountability import TOP_ORGANS, accountability_for_user
from xinfang.analytics.dispatch import dispatch_rebuild, dispatch_refresh
from xinfang.analytics.services import rates_rebuild
from xinfang.directory.models import Role
from xinfang.directory.services import staff_create
from xinfang.petitions.services import petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

MAR, DEC = date(2025, 1, 1), date(2025, 12, 1)


def _accuse(register, accused, when, **over):  # type: ignore[no-untyped-def]
    return register(title="检举", category="accusation", route=None, accused_organ_id=accused.pk,
                    received_at=when, at=when, **over).petition


@pytest.fixture
def year(world, register):  # type: ignore[no-untyped-def]
    """2025: three accusations against housing, one against the court, one against the county
    office itself (hidden from its analyst), one naming the analyst's colleague; two appeals
    transferred, one assigned; two supervision notices (one answered late); two proposals."""
    from xinfang.prevention.services import policy_matter_create, policy_matter_respond
    from xinfang.resolution.services import supervision_issue, supervision_reply

    dispatch_refresh()  # built (empty) before: every step below reaches the tally by its queue
    for d in (3, 4, 5):
        _accuse(register, world.housing, local(2025, 3, d))
    _accuse(register, world.court, local(2025, 4, 1))
    # against the county office: registered at the city office and sent to the county's
    # discipline commission, so it lies in the county office's region
    p = _accuse(register, world.county_po, local(2025, 4, 2), organ=world.city_po,
                actor=world.city_clerk)
    petition_act(petition_id=p.pk, action="transfer", actor=world.city_clerk,
                 at=local(2025, 4, 2), data={"to_organ_id": world.discipline.pk})
    _accuse(register, world.housing, local(2024, 12, 30))  # another year: not counted
    named = staff_create(username="colleague", password="test-pass-123",
                         organ=world.county_po, roles=[Role.ANALYST])
    _accuse(register, world.court, local(2025, 5, 6), accused_staff_ids=[named.pk])
    held = []
    for i, when in enumerate((local(2025, 3, 10), local(2025, 4, 10), local(2025, 5, 10))):
        p = register(received_at=when, at=when).petition
        petition_act(petition_id=p.pk, action="transfer" if i < 2 else "assign",
                     actor=world.clerk if i < 2 else world.po_head, at=when,
                     data={"to_organ_id": world.housing.pk,
                           **({} if i < 2 else {"report_due": "2025-06-30"})})
        held.append(p)
    a = supervision_issue(actor=world.clerk, organ=world.housing, petition_ids=[held[0].pk],
                          reasons=["delay"], facts="逾期未告知受理情况。", listed=True,
                          at=local(2025, 4, 1))
    supervision_issue(actor=world.clerk, organ=world.housing, petition_ids=[held[1].pk],
                      reasons=["perfunctory"], facts="答复敷衍。", at=local(2025, 6, 1))
    supervision_reply(actor=world.head, notice_id=a.pk, reply="已整改。", at=local(2025, 5, 20))
    m = policy_matter_create(actor=world.po_head, organ=world.county_gov,
                             title="老旧小区加装电梯补贴标准", description="多件信访反映补贴标准不一",
                             at=local(2025, 2, 1))
    policy_matter_respond(actor=world.po_head, matter_id=m.pk, response_kind="fund",
                          response="设立专项资金", on=date(2025, 7, 1), at=local(2025, 7, 1))
    policy_matter_create(actor=world.po_head, organ=world.county_gov, title="餐饮油烟执法职责",
                         description="职责交叉", at=local(2025, 8, 1))
    rates_rebuild(as_of=date(2025, 9, 1))
    dispatch_refresh()  # the tick's (analytics.dispatch): the queued steps folded in
    return named


def test_the_organs_most_complained_about_are_counted_most_first_and_never_against_the_reader(
    world, year
):
    a = accountability_for_user(user=world.analyst, month_from=MAR, month_to=DEC)
    # the county office's own analyst: the accusation against the office is not there at all
    assert [(o.organ, o.n) for o in a.complained] == [("青山县住房和城乡建设局", 3),
                                                      ("青山县人民法院", 2)]
    assert a.complained_total == 5
    # the colleague an accusation names does not count it; the city office counts the county
    # office's accusation (it lies below the city office, and accuses neither it nor its
    # ancestors)
    colleague = accountability_for_user(user=year, month_from=MAR, month_to=DEC)
    assert [(o.organ, o.n) for o in colleague.complained] == [("青山县住房和城乡建设局", 3),
                                                             ("青山县人民法院", 1)]
    city = staff_create(username="cityanalyst", password="test-pass-123", organ=world.city_po,
                        roles=[Role.ANALYST])
    c = accountability_for_user(user=city, month_from=MAR, month_to=DEC)
    assert ("青山县信访局", 1) in [(o.organ, o.n) for o in c.complained]
    assert c.complained_total == 6
    # never a person: no staff name anywhere in the figures
    assert "colleague" not in str(a) and "张三" not in str(a)
    assert TOP_ORGANS >= 2


def test_transfers_assignments_supervision_and_proposals_are_counted_in_the_period(world, year):
    a = accountability_for_user(user=world.analyst, month_from=MAR, month_to=DEC,
                                today=date(2025, 9, 1))
    assert a.dispatch == [("transfer", "转送", 2), ("assign", "交办", 1)]
    s = a.supervision
    assert (s.issued, s.listed, s.replied, s.replied_late, s.open, s.open_overdue) == (
        2, 1, 1, 1, 1, 1)  # replied 05-20, past its 30 days; the June notice is past its date
    assert [(p.title, p.status) for p in a.proposals] == [
        ("老旧小区加装电梯补贴标准", "已出台政策措施"), ("餐饮油烟执法职责", "研究中")]
    assert a.proposals_adopted == 1
    from django.utils import translation

    with translation.override("en"):  # walker #12: the status stayed Chinese on the English page
        en = accountability_for_user(user=world.analyst, month_from=MAR, month_to=DEC,
                                     today=date(2025, 9, 1))
    assert [p.status for p in en.proposals] == ["Policy response issued", "Under study"]
    april = accountability_for_user(user=world.analyst, month_from=date(2025, 4, 1),
                                    month_to=date(2025, 4, 1), today=date(2025, 9, 1))
    assert april.dispatch == [("transfer", "转送", 1), ("assign", "交办", 0)]
    assert april.supervision.issued == 1 and april.proposals == []
    assert [(o.organ, o.n) for o in april.complained] == [("青山县人民法院", 1)]


def test_a_notice_about_an_accusation_against_the_reader_is_not_counted(world, register, year):
    from xinfang.resolution.services import supervision_issue

    p = _accuse(register, world.county_po, local(2025, 6, 2), organ=world.city_po,
                actor=world.city_clerk)
    petition_act(petition_id=p.pk, action="transfer", actor=world.city_clerk,
                 at=local(2025, 6, 2), data={"to_organ_id": world.discipline.pk})
    supervision_issue(actor=world.city_clerk, organ=world.discipline, petition_ids=[p.pk],
                      reasons=["delay"], facts="请书面反馈。", at=local(2025, 6, 3))
    dispatch_refresh()
    before = accountability_for_user(user=world.analyst, month_from=MAR, month_to=DEC)
    # the accused county office sees neither the accusation nor the notice about it
    assert before.supervision.issued == 2
    assert before.dispatch[0][2] == 2
    city = staff_create(username="cityanalyst", password="test-pass-123", organ=world.city_po,
                        roles=[Role.ANALYST])
    c = accountability_for_user(user=city, month_from=MAR, month_to=DEC)
    assert c.supervision.issued == 3 and c.dispatch[0][2] == 4  # and the April one


def test_an_accusation_naming_the_reader_never_counts_in_their_transfers_once_it_moved(
    world, register, year
):
    """Review A item 1 (Art. 30 para 3): the steps on an accusation naming the reader are
    subtracted as the hourly fold counted them, by the same keys: the accusation moving out
    of the reader's scope after the rebuild must not put its transfer back in their figures.
    The figures say when they were counted."""
    from xinfang.analytics.reports import accountability_tables
    from xinfang.petitions.models import Petition

    p = _accuse(register, world.court, local(2025, 6, 5), accused_staff_ids=[year.pk])
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, at=local(2025, 6, 5),
                 data={"to_organ_id": world.housing.pk})
    dispatch_refresh()
    analyst = accountability_for_user(user=world.analyst, month_from=MAR, month_to=DEC)
    assert analyst.dispatch[0][2] == 3  # the two appeals and the accusation
    named = accountability_for_user(user=year, month_from=MAR, month_to=DEC)
    assert named.dispatch[0][2] == 2
    # later, before the next fold, the accusation leaves the county (sent up to the city)
    Petition.objects.filter(pk=p.pk).update(current_organ=world.city_po)
    named = accountability_for_user(user=year, month_from=MAR, month_to=DEC)
    assert named.dispatch[0][2] == 2
    assert named.dispatch_as_of is not None
    titles = [t for t, _, _ in accountability_tables(named)]
    assert any(t.startswith("转送、交办情况（计数于 2025-09-01 ") for t in titles), titles


def _dispatch_rows():  # type: ignore[no-untyped-def]
    from xinfang.analytics.models import DispatchNamed, DispatchTally

    keys = ("current_organ_id", "accused_organ_id", "action", "month", "n")
    return (sorted(DispatchTally.objects.exclude(n=0).values_list(*keys)),
            sorted(DispatchNamed.objects.exclude(n=0).values_list("user_id", *keys)))


def test_the_queued_steps_folded_in_equal_a_whole_recount(world, register, year):
    """The hourly fold (``dispatch_refresh``) moves the tally as counting everything again
    would: a transfer that moves an accusation naming a colleague to another organ, the staff
    it names recorded again (the colleague no longer, another now), an objection that sends it
    back with its transfer counted and a second transfer, a registration voided, an
    assignment."""
    from xinfang.analytics.accountability import dispatch_counts
    from xinfang.analytics.models import DispatchDelta
    from xinfang.petitions.services import petition_accused_set

    other = staff_create(username="other", password="test-pass-123", organ=world.county_po,
                         roles=[Role.ANALYST])
    p = _accuse(register, world.court, local(2025, 6, 5), accused_staff_ids=[year.pk])
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, at=local(2025, 6, 5),
                 data={"to_organ_id": world.housing.pk})
    dispatch_refresh()
    assert dispatch_counts(user=year, month_from=MAR, month_to=DEC)[0][2] == 2
    assert dispatch_counts(user=other, month_from=MAR, month_to=DEC)[0][2] == 3
    petition_accused_set(petition_id=p.pk, actor=world.head, staff_ids=[other.pk])
    # housing objects (not its matter): back to the county office with its transfer counted,
    # which sends it on to the discipline commission
    petition_act(petition_id=p.pk, action="object", actor=world.head, at=local(2025, 6, 6),
                 reason="不属于本机关职责范围")
    petition_act(petition_id=p.pk, action="objection_accept", actor=world.po_head,
                 at=local(2025, 6, 7), reason="异议成立")
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, at=local(2025, 6, 7),
                 data={"to_organ_id": world.discipline.pk})
    q = register(received_at=local(2025, 7, 1), at=local(2025, 7, 1)).petition
    petition_act(petition_id=q.pk, action="void", actor=world.clerk, at=local(2025, 7, 2),
                 reason="重复登记")  # (a transfer tells the petitioner: no voiding after it)
    r = register(received_at=local(2025, 7, 3), at=local(2025, 7, 3)).petition
    petition_act(petition_id=r.pk, action="assign", actor=world.po_head, at=local(2025, 7, 3),
                 data={"to_organ_id": world.housing.pk, "report_due": "2025-08-30"})
    assert DispatchDelta.objects.exists()
    dispatch_refresh()
    assert not DispatchDelta.objects.exists()
    folded = _dispatch_rows()
    assert dispatch_counts(user=year, month_from=MAR, month_to=DEC)[0][2] == 4  # two of p
    assert dispatch_counts(user=other, month_from=MAR, month_to=DEC)[0][2] == 2
    assert dispatch_counts(user=other, month_from=MAR, month_to=DEC)[1][2] == 2  # assignments
    dispatch_rebuild()
    assert _dispatch_rows() == folded
    assert folded[1]  # the named users' rows are compared too


def _page_tables(body: str) -> dict[str, list[list[str]]]:
    out = {}
    for caption, table in re.findall(r"<h3>([^<]+)</h3>\s*<table class=\"art41\"[^>]*>(.*?)</table>",
                                     body, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        out[caption] = [re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", r) for r in rows]
    return out


def test_every_art41_number_in_the_docx_equals_the_trends_page(client, world, year):
    from docx import Document

    client.force_login(world.analyst)
    r = client.post("/analytics/report/", {"kind": "annual", "year": "2025", "month": "",
                                           "commentary": "", "format": "docx"})
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading 1")]
    got = {h: [[c.text for c in row.cells] for row in t.rows]
           for h, t in zip(heads, doc.tables, strict=True)}
    page = client.get("/analytics/trends/?month_from=2025-01&month_to=2025-12")
    assert page.status_code == 200
    shown = _page_tables(page.content.decode())
    counted = next(c for c in shown if c.startswith("转送、交办情况"))  # with its as-of time
    assert counted.startswith("转送、交办情况（计数于 2025-09-01 ")
    captions = ["被投诉较多的机关或者单位", counted, "督办情况", "政策性建议及采纳情况",
                "政策性建议明细"]
    assert list(shown) == captions
    for caption in captions:
        assert got[caption] == shown[caption], caption
    assert got["被投诉较多的机关或者单位"][1:] == [["青山县住房和城乡建设局", "3"],
                                                 ["青山县人民法院", "2"],
                                                 ["被检举控告机关合计", "5"]]
    assert got["督办情况"][1] == ["督办通知", "2"]
    assert got["政策性建议及采纳情况"][1:] == [["提出政策性建议", "2"], ["已出台政策措施", "1"]]
    # the accused county office's name is in no Art. 41 table of its own analyst's report
    assert all("青山县信访局" not in cell for c in captions for row in got[c] for cell in row)
