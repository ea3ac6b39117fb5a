"""Adversarial confidentiality: the staff of an accused organ, and of every organ below it, try
every way in to an accusation against them and get nothing, not even a count (Art. 30 para 3,
Art. 46(5)). The accuser's identity is shown only to the staff handling the accusation.
"""

from __future__ import annotations

import io
import re

import pytest

from conftest import local
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.petitions.services import PartyInput, petition_act
from xinfang.petitions.workflow import Action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

ACCUSER = "赵检举"
PHONE = "13912345678"
TITLE = "检举青山县住建局违规审批"


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
    # the expected answer, computed (never "either of two"): a token of a role without the
    # API is refused; with it, nothing of the accusation, as for a petition that does not exist
    from xinfang.directory.permissions import Cap, role_can

    api_ok = 200 if role_can(role, Cap.API) else 401

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
        assert r.status_code == api_ok
        if api_ok == 200:
            assert r.json()["items"] == [] and set(r.json()) == {"items", "next_cursor"}
            assert r.json()["next_cursor"] is None
    r = client.get("/api/v1/worklist", **auth)
    assert r.status_code == api_ok
    if api_ok == 200:
        assert r.json()["items"] == []
    hidden = client.get(f"/api/v1/petitions/{p.pk}", **auth)
    absent = client.get(f"/api/v1/petitions/{missing}", **auth)
    assert hidden.status_code == absent.status_code == (404 if api_ok == 200 else 401)
    assert hidden.content == absent.content
    for action in ("acknowledge", "close", "transfer"):
        r = client.post(
            f"/api/v1/petitions/{p.pk}/actions/{action}",
            {"data": {"to_organ_id": world.county_po.pk}},
            content_type="application/json",
            **auth,
        )
        assert r.status_code == (404 if api_ok == 200 else 401)
        assert TITLE not in r.content.decode()

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
        from xinfang.core.errors import NotFound
        from xinfang.petitions.selectors import petition_queryset_for_user

        if not petition_queryset_for_user(user=user).filter(pk=accusation.pk).exists():
            with pytest.raises(NotFound):
                petition_detail_for_user(user=user, petition_id=accusation.pk)
            continue
        seen = petition_detail_for_user(user=user, petition_id=accusation.pk)["parties"][0]
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


# --- staff named in an accusation ------------------------------------------------------------

NAMED_TITLE = "检举县纪委监委某干部收受财物"


@pytest.fixture
def named(world, register):
    """An accusation naming a housing bureau officer and an officer of the discipline commission
    that handles it (the organ holding it: only the naming keeps it from him)."""
    from xinfang.directory.services import staff_create

    officer = staff_create(
        username="jw-named",
        password="Named-pass-123",
        organ=world.discipline,
        roles=[Role.HANDLER, Role.ORGAN_HEAD],
    )
    colleague = staff_create(
        username="jw-other",
        password="Named-pass-123",
        organ=world.discipline,
        roles=[Role.HANDLER],
    )
    p = register(
        title=NAMED_TITLE,
        category="accusation",
        route=None,
        accused_staff_ids=[officer.pk, world.handler.pk],
        accused_persons="王某（村干部，非系统用户）",
        received_at=local(2025, 8, 28),
        at=local(2025, 8, 28),
        parties=[PartyInput(role="petitioner", name=ACCUSER, phone=PHONE)],
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": world.discipline.pk},
    )
    p.refresh_from_db()
    return p, officer, colleague


def test_a_named_staff_member_finds_nothing_even_in_the_organ_holding_it(client, world, named):
    from xinfang.api.services import token_issue
    from xinfang.core.errors import NotFound
    from xinfang.petitions import selectors

    p, officer, colleague = named
    missing = 10**6
    # the colleague in the same organ sees and may act on it
    assert selectors.petition_queryset_for_user(user=colleague).filter(pk=p.pk).exists()
    for user in (officer, world.handler):
        assert not selectors.petition_queryset_for_user(user=user).filter(pk=p.pk).exists()
        assert selectors.petition_list_for_user(user=user, category="accusation")[0] == []
        with pytest.raises(NotFound):
            selectors.petition_get_for_user(user=user, petition_id=p.pk)
        client.force_login(user)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
        hidden = client.get(f"/petitions/{p.pk}/")
        absent = client.get(f"/petitions/{missing}/")
        assert hidden.status_code == absent.status_code == 404
        assert NAMED_TITLE not in hidden.content.decode()
        hidden = client.get(f"/api/v1/petitions/{p.pk}", **auth)
        absent = client.get(f"/api/v1/petitions/{missing}", **auth)
        assert hidden.status_code == 404 and hidden.content == absent.content
        ids = [x["id"] for x in client.get("/api/v1/petitions", **auth).json()["items"]]
        assert p.pk not in ids
        for action in ("acknowledge", "close"):
            r = client.post(
                f"/api/v1/petitions/{p.pk}/actions/{action}",
                {},
                content_type="application/json",
                **auth,
            )
            assert r.status_code == 404
        r = client.post(
            f"/api/v1/petitions/{p.pk}/accused",
            {"staff_ids": []},
            content_type="application/json",
            **auth,
        )
        assert r.status_code == 404
        r = client.get("/export/petitions.csv")
        assert r.status_code == 200 and NAMED_TITLE not in r.content.decode("utf-8")


def test_the_service_refuses_a_named_staff_member_as_if_the_petition_did_not_exist(world, named):
    from xinfang.core.errors import NotFound

    p, officer, colleague = named
    with pytest.raises(NotFound):
        petition_act(petition_id=p.pk, action=Action.ACKNOWLEDGE, actor=officer)
    petition_act(petition_id=p.pk, action=Action.ACKNOWLEDGE, actor=colleague)


def test_a_named_staff_member_does_not_see_it_in_the_worklist(client, world, named):
    from xinfang.petitions import selectors

    p, officer, _ = named
    assert p.pk not in [x.pk for x in selectors.worklist_for_user(user=officer).items]


def test_naming_staff_is_only_for_accusations(register, world):
    from xinfang.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as e:
        register(accused_staff_ids=[world.handler.pk])
    assert "只有检举控告类" in e.value.fields["accused_staff_ids"][0]
    with pytest.raises(ApplicationError) as e:
        register(accused_persons="王某")
    assert "accused_persons" in e.value.fields
    with pytest.raises(ApplicationError) as e:
        register(category="accusation", route=None, accused_staff_ids=[10**6])
    assert "不存在" in e.value.fields["accused_staff_ids"][0]


def test_a_registrar_named_in_an_accusation_may_not_register_it(register, world):
    from xinfang.core.errors import Forbidden

    with pytest.raises(Forbidden):
        register(category="accusation", route=None, accused_staff_ids=[world.clerk.pk])


def test_the_handling_organ_names_staff_later_and_it_is_audited(client, world, register):
    from xinfang.api.services import token_issue
    from xinfang.audit.models import AuditRecord
    from xinfang.core.errors import ApplicationError, Forbidden
    from xinfang.petitions import selectors
    from xinfang.petitions.services import petition_accused_set

    p = register(title=NAMED_TITLE, category="accusation", route=None).petition
    assert selectors.petition_queryset_for_user(user=world.po_head).filter(pk=p.pk).exists()
    # another organ may not; the office holding it may, through the API
    with pytest.raises(Forbidden):
        petition_accused_set(petition_id=p.pk, actor=world.head, staff_ids=[world.po_head.pk])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    r = client.post(
        f"/api/v1/petitions/{p.pk}/accused",
        {"staff_ids": [world.po_head.pk], "persons": "王某"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200, r.content
    assert r.json() == {
        "id": p.pk,
        "accused_staff_ids": [world.po_head.pk],
        "accused_persons": "王某",
    }
    assert not selectors.petition_queryset_for_user(user=world.po_head).filter(pk=p.pk).exists()
    d = selectors.petition_detail_for_user(user=world.clerk, petition_id=p.pk)
    assert [u["id"] for u in d["accused_staff"]] == [world.po_head.pk]
    assert d["accused_persons"] == "王某"
    client.force_login(world.clerk)
    assert "被检举控告人" in client.get(f"/petitions/{p.pk}/").content.decode()
    rec = AuditRecord.objects.get(kind="petition.accused_set", object_id=str(p.pk))
    assert rec.data["after"] == [world.po_head.pk] and rec.actor_id == world.clerk.pk
    # naming oneself is refused; an appeal names no one
    with pytest.raises(ApplicationError):
        petition_accused_set(petition_id=p.pk, actor=world.clerk, staff_ids=[world.clerk.pk])
    appeal = register().petition
    r = client.post(
        f"/api/v1/petitions/{appeal.pk}/accused",
        {"staff_ids": [world.handler.pk]},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 400


def test_staff_can_be_named_at_registration_through_the_api(client, world):
    from xinfang.api.services import token_issue
    from xinfang.petitions import selectors

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    r = client.post(
        "/api/v1/petitions",
        {
            "channel": "letter",
            "title": NAMED_TITLE,
            "content": "检举内容",
            "region_code": "990102",
            "category": "accusation",
            "accused_staff_ids": [world.po_head.pk],
            "parties": [{"role": "petitioner", "name": ACCUSER}],
        },
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    assert not selectors.petition_queryset_for_user(user=world.po_head).exists()


# --- exports and analytics: the accused get no row and no count --------------------------------

EXPORTERS = [(w, r.value) for w in ("accused", "below_accused") for r in Role]


@pytest.mark.parametrize(("where", "role"), EXPORTERS, ids=[f"{w}-{r}" for w, r in EXPORTERS])
def test_the_accused_export_no_row_and_count_nothing(client, world, accusation, where, role):
    from openpyxl import load_workbook

    from xinfang.analytics.selectors import statistics_for_user
    from xinfang.api.services import token_issue
    from xinfang.audit.models import AuditRecord
    from xinfang.directory.permissions import Cap, role_can

    user = _accused_staff(world, where, role)
    client.force_login(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=user)}"}
    for url in ("/export/petitions.csv", "/export/petitions.xlsx"):
        for q in ({}, {"category": "accusation"}):
            r = client.get(url, q)
            if not role_can(role, Cap.EXPORT):
                assert r.status_code == 403
                continue
            assert r.status_code == 200
            if url.endswith(".csv"):
                lines = r.content.decode("utf-8").strip().splitlines()
                assert len(lines) == 1 and TITLE not in r.content.decode("utf-8")
            else:
                ws = load_workbook(io.BytesIO(r.content), read_only=True).active
                assert len(list(ws.iter_rows(values_only=True))) == 1
            # no count anywhere: no header names one
            assert not any(w in h.lower() for h in r.headers for w in ("count", "total", "rows"))
    for fmt in ("csv", "xlsx"):
        r = client.get("/api/v1/export/petitions", {"format": fmt}, **auth)
        assert r.status_code in (401, 403) or TITLE.encode() not in r.content
    # the 台账 of every list (analytics.export_kinds), the search results by words, code,
    # name and phone among them: no file names the accusation or the accuser, or counts it
    from urllib.parse import urlencode

    from xinfang.analytics.export_kinds import kinds_all

    searches = [
        {"q": TITLE},
        {"q": accusation.tracking_code, "by": "code"},
        {"q": ACCUSER, "by": "name"},
        {"q": PHONE, "by": "phone"},
    ]
    for name in sorted(kinds_all()):
        if name in ("rates_drill", "relief_fund"):  # the drill-down: below; a fund: no party
            continue
        for i, query in enumerate(searches if name == "search" else [{}]):
            r = client.post(
                "/analytics/exports/new/",
                {"once": f"acc-{name}-{i}", "kind": name, "query": urlencode(query)},
            )
            assert r.status_code in (302, 403), (name, query, r.status_code)
            if r.status_code == 302:
                f = client.get(r["Location"])
                assert f.status_code == 200, (name, query)
                ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True)
                text = " ".join(
                    str(c) for row in ws.active.iter_rows(values_only=True) for c in row
                )
                assert TITLE not in text and ACCUSER not in text and PHONE not in text, name
    assert all(
        rec.data["rows"] == 0 for rec in AuditRecord.objects.filter(kind="export", actor_id=user.pk)
    )
    if role_can(role, Cap.VIEW_DEIDENTIFIED):
        s = statistics_for_user(user=user)
        assert s.total == 0 and not any(c.category == "accusation" for c in s.by_category_state)
        assert client.get("/api/v1/analytics/summary", **auth).json()["total"] == 0
        assert client.get("/analytics/").status_code == 200
    else:
        assert client.get("/analytics/").status_code == 403


def test_an_analyst_named_in_an_accusation_does_not_count_it(world, named):
    from xinfang.analytics.selectors import statistics_for_user
    from xinfang.directory.services import staff_create

    p, _, _ = named
    analyst = staff_create(
        username="an-named", password="Analyst-pass-1", organ=world.county_po, roles=[Role.ANALYST]
    )
    assert statistics_for_user(user=analyst).total == 1
    p.accused_staff.add(analyst)
    assert statistics_for_user(user=analyst).total == 0


@pytest.mark.parametrize(("where", "role"), ADVERSARIES, ids=[f"{w}-{r}" for w, r in ADVERSARIES])
def test_the_accused_find_nothing_through_the_insight_pages(
    client, world, register, accusation, where, role
):
    """The topic and opinion-check panels, the matter links, the intake's similar-petitions
    fragment and the hot-issues page: nothing of an accusation against the user's organ, while
    the organ handling it (the control) does see it."""
    from xinfang.directory.services import staff_create

    for day in (28, 29):  # two more accusations on the same matter: enough for a hot issue
        p2 = register(
            title=TITLE,
            content="县住建局违规审批幸福小区加建项目，请求调查处理。",
            category="accusation",
            route=None,
            accused_organ_id=world.housing.pk,
            received_at=local(2025, 8, day),
            at=local(2025, 8, day),
            parties=[PartyInput(role="petitioner", name=f"钱{day}", phone=f"139000000{day}")],
        ).petition
        petition_act(
            petition_id=p2.pk,
            action=Action.TRANSFER,
            actor=world.clerk,
            at=local(2025, 8, 30),
            data={"to_organ_id": world.discipline.pk},
        )
    user = _accused_staff(world, where, role)
    client.force_login(user)
    p, missing = accusation, 10**6
    for path in (
        f"/petitions/{p.pk}/topic/",
        f"/petitions/{p.pk}/opinion-check/",
        f"/insight/petitions/{p.pk}/matter/link/",
    ):
        for method in ("get", "post"):
            hidden = getattr(client, method)(path, {"other_id": p2.pk, "reason": "x"})
            absent = getattr(client, method)(
                path.replace(str(p.pk), str(missing)), {"other_id": p2.pk, "reason": "x"}
            )
            assert hidden.status_code == absent.status_code == 404, (path, method)
            assert TITLE not in hidden.content.decode(errors="replace")
    similar = client.post("/intake/similar/", {"title": TITLE, "content": "违规审批加建项目"})
    assert similar.status_code in (200, 403) and TITLE not in similar.content.decode()
    from xinfang.insight.hot.snapshots import hot_snapshots_refresh

    hot_snapshots_refresh()  # what the worker does every few minutes: the page reads it
    hot = client.get("/insight/hot/", {"weeks": 8})
    assert hot.status_code in (200, 403)
    assert "违规审批" not in hot.content.decode() and "加建" not in hot.content.decode()
    if hot.status_code == 200:  # computed for this reader's scope, not "being computed"
        assert "本页结果计算于" in hot.content.decode()

    # the control: the discipline commission's analyst sees the issue, its clerk the matches
    analyst = staff_create(
        username="control-analyst", password="Control-123", organ=world.discipline, roles=[Role.ANALYST]
    )
    hot_snapshots_refresh()
    client.force_login(analyst)
    assert "违规审批" in client.get("/insight/hot/", {"weeks": 8}).content.decode()
    handler = staff_create(
        username="control-handler", password="Control-123", organ=world.discipline, roles=[Role.HANDLER]
    )
    client.force_login(handler)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f"/petitions/{p2.pk}/" in page  # listed as possibly the same matter
