"""Repeat petitions in the app: the index, same-matter lists, linking, the Art. 36(3) flag."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.cache import cache

from conftest import local
from xinfang.audit.models import AuditRecord
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.insight.matters import index as matters_index
from xinfang.insight.matters.selectors import (
    art36_flags_at_intake,
    matter_group_for_user,
    matters_count,
    same_matter_for_user,
)
from xinfang.insight.matters.services import matter_link, matter_unlink
from xinfang.insight.models import MatterLink
from xinfang.petitions.models import Petition
from xinfang.petitions.selectors import petition_queryset_for_statistics
from xinfang.petitions.services import PartyInput, petition_act

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

OIL = (
    "幸福小区餐馆油烟扰民",
    "幸福小区楼下三家餐馆每晚营业至凌晨，油烟噪声严重影响休息，请求处理。",
)
WAGES = (
    "拖欠农民工工资",
    "东湖建筑公司拖欠我们二十名农民工工资共计三十万元，多次讨要未果，请求帮助追讨。",
)
ROAD = (
    "红旗路路面破损",
    "青山县红旗路中段路面破损严重，雨天积水，车辆行人通行困难，请求尽快维修。",
)
ACCUSE = (
    "检举信访局工作人员索要好处费",
    "青山县信访局某工作人员在接待时索要好处费五千元，承诺帮助加快办理，请求查处。",
)
OPINION = {
    "outcome": "not_support",
    "request": "请求拆除",
    "facts": "经查",
    "decision": "不予支持",
    "legal_basis": "《某条例》",
}


@pytest.fixture(autouse=True)
def _fresh_index():
    matters_index.repeat_index_reset()
    cache.clear()
    yield
    matters_index.repeat_index_reset()


def _state(p: Petition) -> tuple:
    p = Petition.objects.get(pk=p.pk)
    return (
        p.state,
        p.current_organ_id,
        p.repeat_of_id,
        p.next_due,
        p.events.count(),
        p.deadlines.count() if hasattr(p, "deadlines") else None,
    )


def _accusation(world, register, title, content, phone="13900000001"):
    p = register(
        title=title,
        content=content,
        organ=world.city_po,
        actor=world.city_clerk,
        category="accusation",
        route=None,
        accused_organ_id=world.county_po.pk,
        received_at=local(2025, 8, 20),
        at=local(2025, 8, 20),
        parties=[PartyInput(role="petitioner", name="王检举", phone=phone)],
    ).petition
    petition_act(
        petition_id=p.pk,
        action="transfer",
        actor=world.city_clerk,
        at=date(2025, 8, 21),
        data={"to_organ_id": world.discipline.pk},
    )
    return p


def test_the_index_finds_a_reworded_petition_and_says_which_words_are_shared(world, register):
    first = register().petition
    register(title=WAGES[0], content=WAGES[1])
    register(title=ROAD[0], content=ROAD[1])
    hits = same_matter_for_user(user=world.clerk, title=OIL[0], body=OIL[1])
    assert [h.id for h in hits] == [first.pk]
    assert 0.25 <= hits[0].score < 1 and hits[0].why
    # A petition registered after the index was built is found without a rebuild.
    later = register(title="幸福小区楼下餐馆油烟", content=OIL[1]).petition
    ids = [h.id for h in same_matter_for_user(user=world.clerk, title=OIL[0], body=OIL[1])]
    assert set(ids) == {first.pk, later.pk}
    # Another matter finds nothing of these.
    road = same_matter_for_user(user=world.clerk, title="学校乱收费", body="某中学违规收取补课费")
    assert road == []


def test_the_intake_fragment_lists_text_matches_with_score_and_why(client, world, register):
    first = register().petition
    client.force_login(world.clerk)
    r = client.post("/intake/similar/", {"title": OIL[0], "content": OIL[1]})
    body = r.content.decode()
    assert r.status_code == 200
    assert f"/petitions/{first.pk}/" in body and "相似度" in body and "共同词语" in body


def test_the_accused_organ_never_sees_an_accusation_through_the_similar_list(
    client, world, register
):
    p = _accusation(world, register, *ACCUSE)
    # The county petition office is the accused organ: nothing, not even at its intake desk.
    assert same_matter_for_user(user=world.clerk, title=ACCUSE[0], body=ACCUSE[1]) == []
    client.force_login(world.clerk)
    r = client.post("/intake/similar/", {"title": ACCUSE[0], "content": ACCUSE[1]})
    assert ACCUSE[0] not in r.content.decode() and f"/petitions/{p.pk}/" not in r.content.decode()
    # The city office, which registered it, sees it.
    hits = same_matter_for_user(user=world.city_clerk, title=ACCUSE[0], body=ACCUSE[1])
    assert [h.id for h in hits] == [p.pk]


def test_linking_then_unlinking_restores_both_petitions_and_is_audited(world, register):
    a = register().petition
    b = register(title=OIL[0], content=OIL[1], received_at=local(2025, 4, 1)).petition
    before = (_state(a), _state(b))
    matter = matter_link(petition_id=b.pk, other_id=a.pk, actor=world.clerk, reason="同一油烟问题")
    group = matter_group_for_user(user=world.clerk, petition_id=b.pk)
    assert group["matter_id"] == matter.pk and [m["id"] for m in group["members"]] == [a.pk]
    assert (_state(a), _state(b)) == before  # grouping changes neither petition's own file
    with pytest.raises(ApplicationError):
        matter_link(petition_id=a.pk, other_id=b.pk, actor=world.clerk, reason="再次")
    matter_unlink(petition_id=b.pk, actor=world.clerk, reason="并非同一事项")
    assert not MatterLink.objects.filter(unlinked_at__isnull=True).exists()
    assert matter_group_for_user(user=world.clerk, petition_id=a.pk) is None
    assert (_state(a), _state(b)) == before
    links = MatterLink.objects.order_by("petition_id")
    assert [(x.linked_by_id, x.unlinked_by_id) for x in links] == [(world.clerk.pk,) * 2] * 2
    kinds = list(
        AuditRecord.objects.filter(kind__startswith="matter.").values_list("kind", flat=True)
    )
    assert kinds == ["matter.link", "matter.unlink"]


def test_linking_needs_a_reason_and_the_organ_holding_the_petition(world, register):
    a = register().petition
    b = register(title=OIL[0], content=OIL[1]).petition
    with pytest.raises(ApplicationError) as e:
        matter_link(petition_id=b.pk, other_id=a.pk, actor=world.clerk, reason=" ")
    assert "reason" in e.value.fields
    with pytest.raises((Forbidden, NotFound)):  # the housing bureau does not hold it
        matter_link(petition_id=b.pk, other_id=a.pk, actor=world.handler, reason="同一")
    with pytest.raises(NotFound):  # an analyst reads no petition at all
        matter_link(petition_id=b.pk, other_id=a.pk, actor=world.analyst, reason="同一")
    assert not MatterLink.objects.exists()


def test_the_accused_organ_cannot_link_an_accusation(world, register):
    acc = _accusation(world, register, *ACCUSE)
    mine = register().petition
    with pytest.raises(NotFound):
        matter_link(petition_id=mine.pk, other_id=acc.pk, actor=world.clerk, reason="同一")


def test_a_third_petition_joins_the_group_and_a_group_counts_once(world, register):
    a = register().petition
    b = register(title=OIL[0], content=OIL[1]).petition
    c = register(title="幸福小区油烟", content=OIL[1]).petition
    register(title=WAGES[0], content=WAGES[1])
    qs = petition_queryset_for_statistics(user=world.analyst)
    assert matters_count(qs) == 4
    m1 = matter_link(petition_id=b.pk, other_id=a.pk, actor=world.clerk, reason="同一")
    m2 = matter_link(petition_id=c.pk, other_id=b.pk, actor=world.clerk, reason="同一")
    assert m1.pk == m2.pk
    assert matters_count(qs) == 2
    # only the members inside the counted set count: a count without c (an accusation
    # hidden from this reader, another date range) sees a and b as one matter, and the wage one
    assert matters_count(qs.exclude(pk=c.pk)) == 2
    assert matters_count(qs.exclude(pk__in=[b.pk, c.pk])) == 2
    # Leaving a group of three keeps the other two together.
    matter_unlink(petition_id=c.pk, actor=world.clerk, reason="不同")
    assert matters_count(qs) == 3
    assert MatterLink.objects.filter(unlinked_at__isnull=True).count() == 2


def test_the_petition_page_lists_possible_same_matters_and_links_them(client, world, register):
    a = register().petition
    b = register(title=OIL[0], content=OIL[1], received_at=local(2025, 4, 1)).petition
    client.force_login(world.clerk)
    body = client.get(f"/petitions/{b.pk}/").content.decode()
    assert "可能是同一事项" in body and f"/petitions/{a.pk}/" in body and "归入同一事项" in body
    url = f"/insight/petitions/{b.pk}/matter/link/"
    assert client.get(url).status_code == 405
    r = client.post(url, {"other_id": a.pk, "reason": ""})
    assert r.status_code == 400 and not MatterLink.objects.exists()
    r = client.post(url, {"other_id": a.pk, "reason": "同一油烟问题"})
    assert r.status_code == 302
    body = client.get(f"/petitions/{a.pk}/").content.decode()
    assert "已归入同一事项" in body and "同一油烟问题" in body and "解除归并" in body
    r = client.post(f"/insight/petitions/{a.pk}/matter/unlink/", {"reason": "不是"})
    assert r.status_code == 302 and not MatterLink.objects.filter(unlinked_at=None).exists()
    # Staff of another organ cannot see the petition: 404, as for a missing one.
    client.force_login(world.handler)
    assert client.post(url, {"other_id": a.pk, "reason": "x"}).status_code == 404


def test_the_analytics_page_shows_the_number_of_matters(client, world, register):
    a = register().petition
    b = register(title=OIL[0], content=OIL[1]).petition
    matter_link(petition_id=b.pk, other_id=a.pk, actor=world.clerk, reason="同一")
    client.force_login(world.analyst)
    body = client.get("/analytics/").content.decode()
    assert '<strong id="total">2</strong>' in body and '<strong id="matters">1</strong>' in body


def _terminated(world, register, phone="13800000000"):
    """A petition whose procedure ended with a re-review opinion (Art. 36)."""
    p = register(
        at=local(2025, 3, 4), parties=[PartyInput(role="petitioner", name="张三", phone=phone)]
    ).petition

    def act(action, actor, on, **kw):
        petition_act(petition_id=p.pk, action=action, actor=actor, at=on, **kw)

    act("transfer", world.clerk, date(2025, 3, 5), data={"to_organ_id": world.housing.pk})
    act("acknowledge", world.handler, date(2025, 3, 10))
    act("start_handling", world.handler, date(2025, 3, 11))
    act("issue_opinion", world.head, date(2025, 4, 1), data=OPINION)
    act("request_review", world.city_head, date(2025, 4, 10))
    act("decide_review", world.city_head, date(2025, 4, 20), data={**OPINION, "outcome": "uphold"})
    act(
        "record_delivery",
        world.city_head,
        date(2025, 4, 22),
        data={"method": "post", "signed": "true"},
    )
    act("request_re_review", world.prov_head, date(2025, 5, 6))
    act("decide_re_review", world.prov_head, date(2025, 5, 30), data=OPINION)
    p.refresh_from_db()
    assert p.state == "terminated"
    return p


FLAG = "可能属于第三十六条第三款情形"


def test_the_art36_flag_shows_for_the_same_petitioner_after_re_review(client, world, register):
    old = _terminated(world, register)
    # The city petition office can see the terminated petition (held in its region).
    flags = art36_flags_at_intake(
        user=world.city_clerk, title=OIL[0], body=OIL[1], phone="138-0000-0000"
    )
    assert [f.id for f in flags] == [old.pk]
    # Another person writing about the same matter is not flagged.
    assert (
        art36_flags_at_intake(user=world.city_clerk, title=OIL[0], body=OIL[1], phone="13700000000")
        == []
    )
    # The same person about another matter is not flagged either.
    assert (
        art36_flags_at_intake(
            user=world.city_clerk, title=WAGES[0], body=WAGES[1], phone="13800000000"
        )
        == []
    )
    client.force_login(world.city_clerk)
    r = client.post("/intake/similar/", {"title": OIL[0], "content": OIL[1], "phone": "13800000000"})
    assert FLAG in r.content.decode() and f"/petitions/{old.pk}/" in r.content.decode()
    # On the new petition's page; the software decides nothing: it stays registered.
    new = register(
        title=OIL[0],
        content=OIL[1],
        organ=world.city_po,
        actor=world.city_clerk,
        received_at=local(2025, 7, 1),
        at=local(2025, 7, 1),
    ).petition
    body = client.get(f"/petitions/{new.pk}/").content.decode()
    assert FLAG in body and "由工作人员确认" in body
    assert Petition.objects.get(pk=new.pk).state == "registered"
    other = register(
        title=OIL[0],
        content=OIL[1],
        organ=world.city_po,
        actor=world.city_clerk,
        parties=[PartyInput(role="petitioner", name="李四", phone="13700000000")],
    ).petition
    assert FLAG not in client.get(f"/petitions/{other.pk}/").content.decode()


def test_the_flag_is_not_raised_for_a_petition_still_in_handling(world, register):
    register()  # same petitioner, same text, but not ended by re-review
    assert (
        art36_flags_at_intake(user=world.clerk, title=OIL[0], body=OIL[1], phone="13800000000")
        == []
    )


def test_the_rebuild_command_saves_a_snapshot_that_a_fresh_process_loads(world, register):
    from django.core.management import call_command

    first = register().petition
    out = io.StringIO()
    call_command("repeats_rebuild", "--save", stdout=out)
    assert "已索引" in out.getvalue()
    assert matters_index.snapshot_path().exists()
    matters_index.repeat_index_reset()
    later = register(title="幸福小区楼下餐馆油烟", content=OIL[1]).petition
    ids = {h.id for h in same_matter_for_user(user=world.clerk, title=OIL[0], body=OIL[1])}
    assert ids == {first.pk, later.pk}  # loaded from the snapshot, then caught up
    matters_index.snapshot_path().unlink()


@pytest.mark.django_db(transaction=True)
def test_a_large_index_is_built_in_the_background_without_holding_the_page(
    client, world, register, monkeypatch
):
    """Above INLINE_BUILD_MAX petitions the first page does not wait minutes for the repeat
    index: it says the index is being built, a thread builds it, and then the matches show."""
    import time

    from xinfang.insight.matters import index as matters_index

    first = register(title="幸福小区楼下餐馆油烟噪声扰民").petition
    second = register(title="幸福小区楼下餐馆油烟噪声扰民").petition
    matters_index.repeat_index_reset()
    monkeypatch.setattr(matters_index, "INLINE_BUILD_MAX", 0)
    monkeypatch.setattr(matters_index, "snapshot_path", lambda: world_tmp_missing())
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{second.pk}/").content.decode()
    assert "相似事项索引正在建立" in page
    deadline = time.monotonic() + 30
    while not matters_index.repeat_index_ready() and time.monotonic() < deadline:
        time.sleep(0.05)
    page = client.get(f"/petitions/{second.pk}/").content.decode()
    assert "相似事项索引正在建立" not in page and f"/petitions/{first.pk}/" in page
    matters_index.repeat_index_reset()


def world_tmp_missing():
    from pathlib import Path

    return Path("/nonexistent/xinfang/repeats.pickle")
