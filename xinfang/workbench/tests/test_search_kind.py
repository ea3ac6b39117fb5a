"""Issue 12 item 9: the search box sees what was typed (a tracking code, a phone number, an
identity number or words) and searches that way, without the clerk changing the mode first."""

from __future__ import annotations

import pytest

from xinfang.core import ids
from xinfang.petitions.services import PartyInput
from xinfang.workbench.text import search_kind_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ID = "110101199003071233"  # a valid check digit (GB 11643)


@pytest.mark.parametrize(
    ("q", "kind"),
    [
        ("ABCD EFGH JKMN PQRS", "code"),
        ("abcd-efgh-jkmn-pqrs", "code"),
        ("13911112222", "phone"),
        ("+86 139-1111-2222", "phone"),
        ("(0571) 8765 4321", "phone"),
        ("１３９１１１１２２２２", "phone"),
        (ID, "id_number"),
        ("11010119900307777x", "id_number"),
        ("餐馆油烟扰民", "text"),
        ("2025 年 8 月", "text"),
        ("12345", "text"),
        ("幸福路 12 号", "text"),
    ],
)
def test_the_kind_of_a_query_is_seen_in_it(q, kind):
    assert search_kind_of(q) == kind


def _found(client, q):
    r = client.post("/search/", {"q": q})  # the form posts (issue 11)
    assert r.status_code == 200
    return r.content.decode()


def test_a_phone_a_code_an_id_number_and_words_are_each_found_from_the_one_box(
    client, world, register
):
    p = register(
        title="幸福路路灯损坏",
        parties=[PartyInput(role="petitioner", name="王五", phone="13911112222", id_number=ID)],
    ).petition
    register(title="另一件事", parties=[PartyInput(role="petitioner", name="赵六")])
    client.force_login(world.clerk)
    for q in ("139 1111 2222", ids.format_tracking_code(p.tracking_code).lower(), ID, "路灯"):
        html = _found(client, q)
        assert "幸福路路灯损坏" in html and "另一件事" not in html, q
    assert "联系电话" in _found(client, "13911112222")  # it says how it searched
    assert "证件号码" in _found(client, ID)
    # and offers the other ways, keeping the query (forms that post it again)
    html = _found(client, "13911112222")
    assert 'name="by" value="text"' in html and 'name="q" value="13911112222"' in html
    assert "?q=" not in html and "13911112222&" not in html


def test_a_phone_an_id_number_or_a_name_is_never_searched_from_a_url(client, world, register):
    """Issue 11: a GET carrying an identity (a bookmark, a link, a typed URL) is refused with the
    form to post it; words, codes and filters still work by GET."""
    register(
        title="幸福路路灯损坏",
        parties=[PartyInput(role="petitioner", name="王五", phone="13911112222", id_number=ID)],
    )
    client.force_login(world.clerk)
    for q in ({"q": "13911112222"}, {"q": ID}, {"q": "王五", "by": "name"}):
        r = client.get("/search/", q)
        html = r.content.decode()
        assert r.status_code == 400 and "幸福路路灯损坏" not in html, q
        assert 'method="post"' in html and f'value="{q["q"]}"' not in html  # not kept in the form
    assert "幸福路路灯损坏" in client.get("/search/", {"q": "路灯"}).content.decode()
    html = client.post("/search/", {"q": "王五", "by": "name"}).content.decode()
    assert "幸福路路灯损坏" in html


def test_a_role_without_identity_search_gets_a_text_search_for_a_phone_number(
    client, world, register
):
    from xinfang.audit.models import AuditRecord

    register(parties=[PartyInput(role="petitioner", name="王五", phone="13911112222")])
    client.force_login(world.analyst)
    html = _found(client, "13911112222")
    assert "小区楼下餐馆油烟噪声扰民" not in html, "no phone search without view_identity"
    assert not AuditRecord.objects.filter(kind="identity.search").exists()
    client.force_login(world.clerk)
    assert "小区楼下餐馆油烟噪声扰民" in _found(client, "13911112222")
    assert AuditRecord.objects.filter(kind="identity.search").count() == 1


def test_filters_without_words_say_what_to_type(client, world):
    """walker #1 (stop 29): a state or a date range with an empty search box showed an empty
    page, no table and no word; it now says that the filters narrow a search."""
    client.force_login(world.clerk)
    for r in (
        client.post("/search/", {"q": "", "state": "registered", "from": "2025-01-01"}),
        client.get("/search/?from=2020-01-01&to=2026-12-31"),
    ):
        assert r.status_code == 200
        assert "请输入检索内容" in r.content.decode()
    assert "请输入检索内容" not in client.get("/search/").content.decode()
