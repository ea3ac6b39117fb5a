"""Adversarial confidentiality: the staff of an accused organ, and of every organ below it, try
every way in to an accusation against them and get nothing, not even a count (Art. 30 para 3,
Art. 46(5)). The accuser's identity is shown only to the staff handling the accusation.
"""

from __future__ import annotations

import re

import pytest
import time_machine

from conftest import local
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.petitions.services import PartyInput, petition_act
from xinfang.petitions.workflow import Action

pytestmark = pytest.mark.django_db

ACCUSER = "赵检举"
PHONE = "13912345678"
TITLE = "检举青山县住建局违规审批"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(local(2025, 9, 1), tick=False):
        yield


@pytest.fixture
def accusation(world, register):
    """An accusation against the county housing bureau, transferred to the county discipline
    commission, with an organ below the accused bureau."""
    from xinfang.directory.services import organ_create

    world.housing_team = organ_create(
        name="青山县住建局执法大队",
        kind=OrganKind.COMPETENT,
        level=Level.COUNTY,
        region=world.county,
        parent=world.housing,
    )
    p = register(
        title=TITLE,
        category="accusation",
        route=None,
        accused_organ_id=world.housing.pk,
        received_at=local(2025, 8, 28),
        at=local(2025, 8, 28),
        parties=[
            PartyInput(role="petitioner", name=ACCUSER, phone=PHONE, id_number="11010119900307803X")
        ],
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": world.discipline.pk},
    )
    p.refresh_from_db()
    return p


def _same(html: str) -> str:
    """The page without what differs between any two requests (the CSRF token)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def _accused_staff(world, where: str, role: str):
    from xinfang.directory.services import staff_create

    organ = world.housing if where == "accused" else world.housing_team
    return staff_create(
        username=f"x-{where}-{role}", password="Adversary-123", organ=organ, roles=[role]
    )


ADVERSARIES = [(w, r.value) for w in ("accused", "below_accused") for r in Role]


@pytest.mark.parametrize(("where", "role"), ADVERSARIES, ids=[f"{w}-{r}" for w, r in ADVERSARIES])
def test_the_accused_find_nothing_anywhere(client, world, accusation, where, role):
    from xinfang.api.services import token_issue
    from xinfang.petitions import selectors

    user = _accused_staff(world, where, role)
    client.force_login(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    p = accusation
    missing = 10**6

    # selectors (what every list, search, export and drill-down is built on)
    assert not selectors.petition_queryset_for_user(user=user).filter(pk=p.pk).exists()
    assert (
        selectors.petition_queryset_for_user(user=user).filter(category="accusation").count() == 0
    )
    items, _ = selectors.petition_list_for_user(user=user, category="accusation")
    assert items == []
    assert selectors.worklist_for_user(user=user).items == []

    # pages: the worklist does not show it, the petition and its documents answer as for
    # a petition that does not exist
    html = client.get("/worklist/").content.decode()
    assert TITLE not in html and ACCUSER not in html
    for path in (
        f"/petitions/{p.pk}/",
        f"/documents/petitions/{p.pk}/",
        f"/documents/petitions/{p.pk}/1/",
        f"/documents/petitions/{p.pk}/1.docx",
    ):
        hidden = client.get(path)
        absent = client.get(path.replace(str(p.pk), str(missing), 1))
        assert hidden.status_code == absent.status_code == 404, path
        body = hidden.content.decode(errors="replace")
        assert TITLE not in body and ACCUSER not in body
        assert _same(body.replace(f"/{p.pk}", "/N")) == _same(
            absent.content.decode(errors="replace").replace(f"/{missing}", "/N")
        ), path
    r = client.post(f"/petitions/{p.pk}/act/close/", {"reason": "x"})
    assert r.status_code == 404

    # API: list and every search filter, worklist, detail, action
    for q in (
        {},
        {"category": "accusation"},
        {"state": p.state},
        {"region_code": "990102"},
        {"received_from": "2025-08-01"},
    ):
        r = client.get("/api/v1/petitions", q, **auth)
        assert r.status_code in (200, 401)
        if r.status_code == 200:
            assert r.json()["items"] == [] and set(r.json()) == {"items", "next_cursor"}
            assert r.json()["next_cursor"] is None
    r = client.get("/api/v1/worklist", **auth)
    assert r.status_code == 401 or r.json()["items"] == []
    hidden = client.get(f"/api/v1/petitions/{p.pk}", **auth)
    absent = client.get(f"/api/v1/petitions/{missing}", **auth)
    assert hidden.status_code == absent.status_code and hidden.status_code in (401, 404)
    assert hidden.content == absent.content
    for action in ("acknowledge", "close", "transfer"):
        r = client.post(
            f"/api/v1/petitions/{p.pk}/actions/{action}",
            {"data": {"to_organ_id": world.county_po.pk}},
            content_type="application/json",
            **auth,
        )
        assert r.status_code in (401, 404) and TITLE not in r.content.decode()

    # the admin site
    r = client.get("/admin/petitions/petition/")
    assert TITLE not in r.content.decode(errors="replace")


def test_an_accusation_is_never_routed_to_the_accused_or_below_it(client, world, register):
    from xinfang.api.services import token_issue
    from xinfang.directory.services import organ_create

    team = organ_create(
        name="青山县住建局执法大队",
        kind=OrganKind.COMPETENT,
        level=Level.COUNTY,
        region=world.county,
        parent=world.housing,
    )
    p = register(
        title=TITLE,
        category="accusation",
        route=None,
        accused_organ_id=world.housing.pk,
        received_at=local(2025, 8, 28),
    ).petition
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    for target in (world.housing, team):
        r = client.post(
            f"/api/v1/petitions/{p.pk}/actions/transfer",
            {"data": {"to_organ_id": target.pk}},
            content_type="application/json",
            **auth,
        )
        assert r.status_code == 400
        assert "不得转送给被检举控告的单位或其下级" in r.json()["fields"]["to_organ_id"][0]
    p.refresh_from_db()
    assert p.current_organ_id == world.county_po.pk


def test_the_accused_cannot_register_an_accusation_against_themselves(register, world):
    from xinfang.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as e:
        register(
            organ=world.housing,
            actor=world.head,
            category="accusation",
            route=None,
            accused_organ_id=world.housing.pk,
        )
    assert "第三十条第三款" in e.value.fields["accused_organ_id"][0]


def test_the_accusers_identity_is_shown_only_to_the_staff_handling_it(client, world, accusation):
    from xinfang.audit.models import AuditRecord
    from xinfang.directory.services import staff_create
    from xinfang.petitions.selectors import petition_detail_for_user

    handler = staff_create(
        username="jw", password="Handler-pass-1", organ=world.discipline, roles=[Role.HANDLER]
    )
    supervisor = staff_create(
        username="dc", password="Handler-pass-1", organ=world.county_gov, roles=[Role.SUPERVISOR]
    )
    head_above = world.city_head  # organ head of the county government: above, not handling

    mine = petition_detail_for_user(user=handler, petition_id=accusation.pk)["parties"][0]
    assert mine["name"] == ACCUSER and mine["phone"] == PHONE and not mine["masked"]
    assert (
        AuditRecord.objects.filter(
            kind="identity.view", actor_id=handler.pk, object_id=str(accusation.pk)
        ).count()
        == 1
    )
    for user in (supervisor, head_above, world.clerk):
        # the clerk registered it, but it is no longer with the petition office... the office
        # of the region still sees the file (routing duty) but not who the accuser is
        try:
            seen = petition_detail_for_user(user=user, petition_id=accusation.pk)["parties"][0]
        except Exception:  # not visible at all is fine too
            continue
        assert seen["name"] != ACCUSER and ACCUSER[0] == seen["name"][0] and seen["masked"]
        assert seen["phone"] == "139****5678" and seen["id_number"].startswith("110")
        assert "*" in seen["id_number"]
        assert not AuditRecord.objects.filter(kind="identity.view", actor_id=user.pk).exists()
    client.force_login(head_above)
    html = client.get(f"/petitions/{accusation.pk}/").content.decode()
    assert ACCUSER not in html and PHONE not in html


def test_masked_identities_for_roles_without_view_identity_on_ordinary_petitions(world, register):
    from xinfang.directory.services import staff_create
    from xinfang.petitions.selectors import petition_detail_for_user

    p = register(
        parties=[
            PartyInput(
                role="petitioner", name="张三", phone="13800001234", id_number="11010119900307803X"
            )
        ]
    ).petition
    leader = staff_create(
        username="ld", password="Leader-pass-1", organ=world.county_po, roles=[Role.LEADER]
    )
    seen = petition_detail_for_user(user=leader, petition_id=p.pk)["parties"][0]
    assert seen == {
        "role": "petitioner",
        "name": "张三",
        "id_number": "110***********803X",
        "phone": "138****1234",
        "address": "",
        "masked": True,
    }
    clear = petition_detail_for_user(user=world.clerk, petition_id=p.pk)["parties"][0]
    assert clear["phone"] == "13800001234" and clear["id_number"] == "11010119900307803X"
