"""Documents addressed to the petitioner: content, layout fields, DOCX, and the staff pages."""

from __future__ import annotations

import io

import pytest

from conftest import local
from tests.flows import OPINION, act, opinion_delivered, review_decided

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def docs_of(p):  # type: ignore[no-untyped-def]
    from xinfang.documents.selectors import document_list

    return {d.kind: d for d in document_list(petition=p)}


def test_every_petitioner_facing_step_yields_a_dated_numbered_document_of_its_organ(
    world, register
):
    p = opinion_delivered(world, register)
    docs = docs_of(p)
    assert list(docs) == ["transfer_notice", "acknowledgement", "extension_notice", "opinion"]
    assert docs["transfer_notice"].organ == "青山县信访局"
    assert "转送青山县住房和城乡建设局办理" in docs["transfer_notice"].sections[1].text
    assert docs["acknowledgement"].organ == "青山县住房和城乡建设局"
    assert docs["acknowledgement"].issued_on_text == "2025年8月5日"
    assert docs["transfer_notice"].number == "青山信转告〔2025〕1号"  # 机关代字: name's first two
    assert docs["acknowledgement"].number == "青山信受告〔2025〕1号"
    assert docs["opinion"].number == "青山信处〔2025〕1号"
    for d in docs.values():
        assert d.recipient == "张三" and d.title


def test_document_numbers_run_per_organ_kind_and_year(world, register):
    """Each organ numbers each kind of document from 1 every year, in the order issued; the
    number is given once, when the step is written, and the admin's 机关代字 is used."""
    from xinfang.petitions.services import petition_act

    world.county_po.abbreviation = "青信"
    world.county_po.save(update_fields=["abbreviation"])

    def transferred(when):
        p = register(received_at=when, at=when).petition
        petition_act(
            petition_id=p.pk,
            action="transfer",
            actor=world.clerk,
            at=when,
            data={"to_organ_id": world.housing.pk},
        )
        return docs_of(p)["transfer_notice"].number

    assert transferred(local(2024, 12, 30)) == "青信信转告〔2024〕1号"
    assert transferred(local(2024, 12, 31)) == "青信信转告〔2024〕2号"
    assert transferred(local(2025, 1, 6)) == "青信信转告〔2025〕1号"
    p = opinion_delivered(world, register)
    assert docs_of(p)["transfer_notice"].number == "青信信转告〔2025〕2号"
    assert docs_of(p)["transfer_notice"].number == "青信信转告〔2025〕2号"  # stable
    assert docs_of(p)["acknowledgement"].number == "青山信受告〔2025〕1号"  # the housing bureau


def test_the_acknowledgement_names_the_route_the_procedure_and_the_sixty_days(world, register):
    p = opinion_delivered(world, register)
    text = " ".join(s.text for s in docs_of(p)["acknowledgement"].sections)
    assert "六十日内办结" in text and "第三十四条" in text and "第（六）项" in text


def test_the_extension_notice_gives_the_reason_and_the_new_due_date(world, register):
    p = opinion_delivered(world, register)
    d = docs_of(p)["extension_notice"]
    text = " ".join(s.text for s in d.sections)
    assert "需要委托环境监测机构夜间监测" in text and "延长30日" in text
    assert "延长后的办理期限至2025年11月3日" in text  # 08-05 + 60 + 30 = 11-03 (a Monday)


def test_the_opinion_prints_article_32_and_the_remedy_route_with_its_time_limit(world, register):
    p = opinion_delivered(world, register)
    d = docs_of(p)["opinion"]
    sections = {s.heading: s.text for s in d.sections if s.heading}
    assert sections["信访请求"] == OPINION["request"]
    assert sections["事实和理由"] == OPINION["facts"]
    assert sections["处理意见"].startswith("不予支持。")
    assert sections["依据"] == OPINION["legal_basis"]
    assert "30日内请求青山县人民政府复查" in d.remedy and "第三十五条" in d.remedy
    assert d.is_decision and d.delivery is not None and d.delivery.method == "邮寄送达"


def test_review_and_re_review_opinions_name_the_next_remedy_or_their_finality(world, register):
    p = opinion_delivered(world, register)
    act(world, p, "request_review", None, (2025, 8, 28))
    review_decided(world, p, day=(2025, 9, 1))
    act(world, p, "request_re_review", None, (2025, 9, 1))
    act(
        world,
        p,
        "decide_re_review",
        world.prov_head,
        (2025, 9, 1),
        request="请求撤销",
        facts="复核查明事实清楚。",
        decision="维持复查意见。",
        legal_basis="《信访工作条例》第三十六条",
    )
    docs = docs_of(p)
    review = docs["review_opinion"]
    assert review.organ == "青山县人民政府" and "东湖市人民政府请求复核" in review.remedy
    assert review.sections[0].text.startswith("你不服青山县住房和城乡建设局于2025年8月20日")
    final = docs["re_review_opinion"]
    assert (
        final.organ == "东湖市人民政府"
        and "不再受理" in final.remedy
        and "第三十六条第三款" in final.remedy
    )


def test_a_notice_of_non_acceptance_gives_the_ground_and_the_reason(world, register):
    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    act(
        world,
        p,
        "not_accept",
        world.clerk,
        (2025, 8, 4),
        "同一事项正由东湖市住房和城乡建设局办理",
        ground="duplicate_higher",
    )
    d = docs_of(p)["non_acceptance"]
    text = " ".join(s.text for s in d.sections)
    assert "第十九条第三款" in text and "正由东湖市住房和城乡建设局办理" in text
    assert d.title == "信访事项不予受理告知书" and d.organ == "青山县信访局"


def test_an_anonymous_petitioner_is_addressed_as_the_petitioner(world, register):
    p = register(
        is_anonymous=True, parties=[], received_at=local(2025, 8, 1), at=local(2025, 8, 2)
    ).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    assert docs_of(p)["transfer_notice"].recipient == "信访人"


def test_the_docx_is_an_a4_word_document_with_the_same_text(world, register):
    import docx

    from xinfang.documents.render import document_docx

    p = opinion_delivered(world, register)
    d = docs_of(p)["opinion"]
    w = docx.Document(io.BytesIO(document_docx(d)))
    text = "\n".join(par.text for par in w.paragraphs)
    for part in (
        d.title,
        d.number,
        d.organ,
        "张三：",
        OPINION["decision"],
        d.remedy,
        "（印章）",
        "2025年8月20日",
    ):
        assert part in text, part
    assert round(w.sections[0].page_width.mm) == 210 and round(w.sections[0].page_height.mm) == 297


# --- staff pages ------------------------------------------------------------------------------


def test_the_petition_page_links_each_document_and_the_page_prints_it(client, world, register):
    p = opinion_delivered(world, register)
    opinion = p.events.get(action="issue_opinion")
    client.force_login(world.head)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f'href="/documents/petitions/{p.pk}/{opinion.seq}/"' in page
    r = client.get(f"/documents/petitions/{p.pk}/{opinion.seq}/")
    html = r.content.decode()
    assert r.status_code == 200 and "信访处理意见书" in html and "已于 2025-08-25 邮寄送达" in html
    assert "document.css" in html and "<script" not in html and "style=" not in html
    r = client.get(f"/documents/petitions/{p.pk}/{opinion.seq}.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    index = client.get(f"/documents/petitions/{p.pk}/").content.decode()
    assert index.count("DOCX") == 4


def test_documents_are_refused_outside_jurisdiction_and_without_login(client, world, register):
    p = opinion_delivered(world, register)
    opinion = p.events.get(action="issue_opinion")
    r = client.get(f"/documents/petitions/{p.pk}/{opinion.seq}/")
    assert r.status_code == 302 and "/login/" in r["Location"]
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    elsewhere = staff_create(
        username="disc", password="test-pass-123", organ=world.discipline, roles=[Role.HANDLER]
    )
    client.force_login(elsewhere)  # the county discipline commission never held it
    assert client.get(f"/documents/petitions/{p.pk}/{opinion.seq}/").status_code == 404
    assert client.get(f"/documents/petitions/{p.pk}/{opinion.seq}.docx").status_code == 404


def test_an_event_without_a_document_has_none(client, world, register):
    p = opinion_delivered(world, register)
    start = p.events.get(action="start_handling")
    client.force_login(world.head)
    assert client.get(f"/documents/petitions/{p.pk}/{start.seq}/").status_code == 404


def _text(doc) -> str:  # type: ignore[no-untyped-def]
    return "".join(s.text for s in doc.sections)


def test_a_document_addresses_one_petitioner_as_you_and_several_as_you_all(world, register):
    """Issue 12, item 8: the notice printed "你（你们）" literally; it now fills in the form."""
    from xinfang.petitions.services import PartyInput

    one = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    two = register(
        received_at=local(2025, 8, 1),
        at=local(2025, 8, 2),
        parties=[
            PartyInput(role="petitioner", name="张三", phone="13800000000"),
            PartyInput(role="petitioner", name="李四", phone="13800000001"),
        ],
    ).petition
    for p in (one, two):
        act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
        act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    for kind in ("transfer_notice", "acknowledgement"):
        single, several = _text(docs_of(one)[kind]), _text(docs_of(two)[kind])
        assert "（你们）" not in single + several
        assert "你于" in single and "你们" not in single
        assert "你们于" in several and "你" not in several.replace("你们", "")
