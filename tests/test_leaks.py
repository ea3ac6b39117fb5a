"""Issue 11: the seven leaks found on side surfaces that bypassed the gate, each reproduced.

The adversaries here are users who WOULD see the accusation but for the rule (Art. 30 para 3,
Art. 46(5)): the petition office of the county whose government is accused sits below the
accused organ and its region covers the organ holding the accusation. ``test_the_adversary_is_
in_reach`` proves it, so every "sees nothing" below fails when the rule goes.

Planted faults that each test here catches (rerun: make the change, run this file):
- leak 1: drop ``petition_id__in=visible`` in ``insight.classify.selectors.organ_hints_for``;
- leak 3: drop the ``view_identity`` check, the ``restricted`` filter or the audit record in
  ``petitions.similar.petition_similar_for_user``;
- leak 4: read ``Petition.objects`` instead of the actor's queryset for ``repeat_of_id`` in
  ``petitions.services.register_rules._validate_registration``; drop the ``_visible_to`` check in
  ``petitions.services.steps._validate_step``;
- leak 6: call ``authenticate()`` without the request in ``api.services.token_issue_for_login``;
- leak 7: leave petition offices out of the accusable organs, or register an accusation against
  the receiving office at that office.
"""

from __future__ import annotations

import pytest

from conftest import local
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.petitions.services import PartyInput, petition_act
from xinfang.petitions.workflow import Action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TITLE = "检举青山县人民政府违规征地"
ACCUSER = "赵检举"
PHONE = "13912345678"


@pytest.fixture
def inspection(world):
    """An organ in the county's region that is NOT below the county government: the city
    discipline commission's inspection group stationed in the county."""
    from xinfang.directory.services import organ_create

    return organ_create(
        name="东湖市纪委监委驻青山县纪检监察组",
        kind=OrganKind.DISCIPLINE,
        level=Level.COUNTY,
        region=world.county,
        parent=world.city_gov,
    )


@pytest.fixture
def accusation(world, inspection):
    """An accusation against the county government, registered at the city office, its topic
    decided, and transferred to the inspection group in the county."""
    from xinfang.insight.classify.services import topic_decide
    from xinfang.insight.models import Topic
    from xinfang.petitions.services import petition_register
    from xinfang.petitions.services.register import PetitionInput

    p = petition_register(
        data=PetitionInput(
            channel="letter",
            title=TITLE,
            content="青山县人民政府违规征收幸福村集体土地，请求调查处理。",
            region_code="990102",
            category="accusation",
            accused_organ_id=world.county_gov.pk,
            received_at=local(2025, 8, 28),
            parties=[PartyInput(role="petitioner", name=ACCUSER, phone=PHONE)],
        ),
        organ=world.city_po,
        actor=world.city_clerk,
        at=local(2025, 8, 28),
    ).petition
    topic_decide(
        petition=p, topic=Topic.objects.get(name="国土资源", parent=None), actor=world.city_clerk
    )
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.city_clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": inspection.pk},
    )
    p.refresh_from_db()
    return p


def test_the_adversary_is_in_reach(world, accusation):
    """Without the accusation exclusion the county office's clerk WOULD see it (its region
    covers the inspection group), and the city office does see it: the tests below are not
    vacuous."""
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import access, petition_queryset_for_user

    assert Petition.objects.filter(access._held(world.clerk.organ), pk=accusation.pk).exists()
    assert not petition_queryset_for_user(user=world.clerk).filter(pk=accusation.pk).exists()
    assert petition_queryset_for_user(user=world.city_clerk).filter(pk=accusation.pk).exists()


# --- leak 1: the desk's organ hint ---------------------------------------------------------


def test_the_desks_organ_hint_does_not_count_an_accusation_against_the_users_organ(
    client, world, register, inspection
):
    from xinfang.insight.classify.selectors import organ_hints_for
    from xinfang.insight.classify.services import topic_decide
    from xinfang.insight.models import Topic

    land = Topic.objects.get(name="国土资源", parent=None)
    ordinary = register(title="征地补偿款未到位").petition  # held by the county office
    topic_decide(petition=ordinary, topic=land, actor=world.clerk)
    client.force_login(world.clerk)
    q = {"title": "测试", "region_code": "990102", "topic": str(land.pk)}
    before = client.post("/intake/similar/", q).content.decode()
    hints = organ_hints_for(user=world.clerk, topic=land, region_code="990102")
    assert hints.total == 1 and "100%" in before  # the hint is shown: the test can see it

    # now the accusation against the county government arrives in the region
    from xinfang.petitions.services import petition_register
    from xinfang.petitions.services.register import PetitionInput

    p = petition_register(
        data=PetitionInput(
            channel="letter",
            title=TITLE,
            content="检举内容",
            region_code="990102",
            category="accusation",
            accused_organ_id=world.county_gov.pk,
            parties=[PartyInput(role="petitioner", name=ACCUSER)],
        ),
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    topic_decide(petition=p, topic=land, actor=world.city_clerk)
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.city_clerk,
        data={"to_organ_id": inspection.pk},
    )
    after = client.post("/intake/similar/", q).content.decode()
    assert organ_hints_for(user=world.clerk, topic=land, region_code="990102").total == 1
    assert after == before
    # the control: the city office, which may see it, counts it
    assert organ_hints_for(user=world.city_clerk, topic=land, region_code="990102").total == 2


# --- leak 3: the desk's phone match ---------------------------------------------------------


def test_the_desks_phone_match_does_not_reidentify_an_accuser(client, world, accusation):
    from xinfang.audit.models import AuditRecord
    from xinfang.petitions.services import petition_register
    from xinfang.petitions.services.register import PetitionInput
    from xinfang.petitions.similar import petition_similar_for_user

    # an accusation against the housing bureau, held by the county office itself: the office
    # sees it (not accused), but a phone lookup must not tell who wrote it unless it holds it
    p = petition_register(
        data=PetitionInput(
            channel="letter",
            title="检举县住建局违规审批",
            content="检举内容",
            region_code="990102",
            category="accusation",
            accused_organ_id=world.housing.pk,
            parties=[PartyInput(role="petitioner", name="钱检举", phone="13700001111")],
        ),
        organ=world.county_po,
        actor=world.clerk,
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.clerk,
        data={"to_organ_id": world.discipline.pk},
    )
    from xinfang.petitions.selectors import petition_queryset_for_user

    assert petition_queryset_for_user(user=world.clerk).filter(pk=p.pk).exists()  # in reach
    client.force_login(world.clerk)
    html = client.post("/intake/similar/", {"phone": "13700001111"}).content.decode()
    assert "检举县住建局违规审批" not in html
    assert petition_similar_for_user(user=world.clerk, phone="13700001111") == []
    # the commission handling it finds it (the control)
    from xinfang.directory.services import staff_create

    jw = staff_create(
        username="jw-reg", password="Jw-pass-1234", organ=world.discipline, roles=[Role.REGISTRAR]
    )
    assert [m.petition.pk for m in petition_similar_for_user(user=jw, phone="137 0000 1111")] == [
        p.pk
    ]
    # every phone lookup is recorded, with what it found and not the number
    recs = AuditRecord.objects.filter(kind="identity.search").order_by("seq")
    assert [(r.actor_id, r.data["petition_ids"]) for r in recs] == [
        (world.clerk.pk, []),
        (world.clerk.pk, []),
        (jw.pk, [p.pk]),
    ]
    assert all("13700001111" not in str(r.data) for r in recs)


def test_a_user_who_may_not_see_identities_gets_no_phone_match(world, register):
    from xinfang.audit.models import AuditRecord
    from xinfang.directory.permissions import CAPABILITIES, Cap
    from xinfang.petitions.similar import petition_similar_for_user

    register(parties=[PartyInput(role="petitioner", name="张三", phone="13800001234")])
    assert petition_similar_for_user(user=world.clerk, phone="13800001234")  # may: found
    no_identity = [r for r, caps in CAPABILITIES.items() if Cap.VIEW_IDENTITY not in caps]
    from xinfang.directory.services import staff_create

    for role in no_identity:
        u = staff_create(
            username=f"ni-{role}", password="No-ident-123", organ=world.county_po, roles=[role]
        )
        assert petition_similar_for_user(user=u, phone="13800001234") == [], role
    assert AuditRecord.objects.filter(kind="identity.search").count() == 1


# --- leak 4: repeat_of_id --------------------------------------------------------------------


def test_repeat_of_a_hidden_petition_answers_as_one_that_does_not_exist(client, world, accusation):
    from xinfang.api.services import token_issue
    from xinfang.petitions.models import Petition

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.clerk)}"}
    body = {
        "channel": "letter",
        "title": "再次反映征地问题",
        "content": "内容",
        "region_code": "990102",
        "category": "appeal",
        "route": 6,
        "parties": [{"role": "petitioner", "name": "孙某"}],
    }
    hidden = client.post(
        "/api/v1/petitions",
        {**body, "repeat_of_id": accusation.pk},
        content_type="application/json",
        **auth,
    )
    absent = client.post(
        "/api/v1/petitions",
        {**body, "repeat_of_id": 10**6},
        content_type="application/json",
        **auth,
    )
    assert hidden.status_code == absent.status_code == 400
    assert hidden.json() == absent.json()
    assert not Petition.objects.filter(repeat_of=accusation).exists()
    # the city office, which sees it, may link to it
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=world.city_clerk)}"}
    ok = client.post(
        "/api/v1/petitions",
        {**body, "repeat_of_id": accusation.pk},
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 201, ok.content


def test_not_accepting_as_a_repeat_is_no_oracle_on_a_hidden_earlier_petition(
    world, register, accusation
):
    """Art. 36(3) refusal reads the earlier petition's history; for an earlier petition the
    clerk may not see, the answer is the one for no earlier petition at all."""
    from xinfang.core.errors import ApplicationError
    from xinfang.petitions.models import Petition, PetitionEvent

    PetitionEvent.objects.create(
        petition=accusation,
        seq=99,
        action=Action.DECIDE_RE_REVIEW,
        from_state="x",
        to_state="x",
        occurred_at=local(2025, 8, 30),
        recorded_at=local(2025, 8, 30),
    )
    answers = []
    for earlier in (None, accusation):
        p = register().petition
        Petition.objects.filter(pk=p.pk).update(repeat_of=earlier)
        with pytest.raises(ApplicationError) as e:
            petition_act(
                petition_id=p.pk,
                action=Action.NOT_ACCEPT,
                actor=world.clerk,
                reason="同一事实",
                data={"ground": "same_facts_after_re_review", "confirmed": True},
            )
        answers.append((e.value.message, e.value.fields))
    assert answers[0] == answers[1]
    # the control: an earlier petition the clerk sees, with the same history, is accepted as one
    seen = register().petition
    PetitionEvent.objects.create(
        petition=seen,
        seq=99,
        action=Action.DECIDE_RE_REVIEW,
        from_state="x",
        to_state="x",
        occurred_at=local(2025, 8, 30),
        recorded_at=local(2025, 8, 30),
    )
    p = register().petition
    Petition.objects.filter(pk=p.pk).update(repeat_of=seen)
    petition_act(
        petition_id=p.pk,
        action=Action.NOT_ACCEPT,
        actor=world.clerk,
        reason="同一事实",
        data={"ground": "same_facts_after_re_review", "confirmed": True},
    )


# --- leak 6: the API token endpoint and the per-address limit ----------------------------------


def test_the_api_token_endpoint_counts_failures_per_address_and_records_the_address(
    client, world, settings
):
    from xinfang.audit.models import AuditRecord

    settings.XINFANG_LOGIN_IP_FAILURE_LIMIT = 3

    def token(username: str, password: str, ip: str):  # type: ignore[no-untyped-def]
        return client.post(
            "/api/v1/auth/token",
            {"username": username, "password": password},
            content_type="application/json",
            REMOTE_ADDR=ip,
        )

    for i in range(3):  # three different names: no per-name lockout, only the address counts
        assert token(f"guess{i}", "wrong", "203.0.113.9").status_code == 401
    failed = AuditRecord.objects.filter(kind="login.failed").order_by("seq")
    assert [r.ip for r in failed] == ["203.0.113.9"] * 3
    # the address is locked out, even with the right password; another address is not
    assert token("clerk", "test-pass-123", "203.0.113.9").status_code == 401
    assert token("clerk", "test-pass-123", "198.51.100.7").status_code == 200


# --- leak 7: a petition office as the accused organ -------------------------------------------


def test_the_desk_names_a_petition_office_as_accused_and_forwards_it_to_the_next_higher_office(
    client, world
):
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import petition_queryset_for_user

    client.force_login(world.clerk)
    page = client.get("/intake/letter/").content.decode()
    assert f'value="{world.county_po.pk}"' in page  # the county office is in the picker
    r = client.post(
        "/intake/letter/",
        {
            "title": "检举县信访局工作人员推诿",
            "content": "县信访局对来信不登记不答复。",
            "received_on": "2025-08-28",
            "region_code": "990102",
            "category": "accusation",
            "accused_organ_id": str(world.county_po.pk),
            "p_name": ACCUSER,
        },
        follow=True,  # registration answers with a redirect to its receipt
    )
    assert r.status_code == 200, r.content.decode()[:600]
    p = Petition.objects.get()
    assert p.current_organ_id == p.registering_organ_id == world.city_po.pk
    html = r.content.decode()
    assert "东湖市信访局" in html and f"/petitions/{p.pk}/" not in html  # no link to a 404
    # the accused office no longer sees it; the next-higher office does
    assert not petition_queryset_for_user(user=world.clerk).filter(pk=p.pk).exists()
    assert not petition_queryset_for_user(user=world.po_head).filter(pk=p.pk).exists()
    assert petition_queryset_for_user(user=world.city_clerk).filter(pk=p.pk).exists()


def test_the_portal_names_a_petition_office_as_accused_and_it_goes_above_it(client, world):
    from xinfang.petitions.models import Petition

    page = client.get("/portal/submit/", {"region": "990102"}).content.decode()
    assert "青山县信访局" in page
    r = client.post(
        "/portal/submit/",
        {
            "region": "990102",
            "title": "检举县信访局工作人员推诿",
            "content": "县信访局对来信不登记不答复。",
            "name": ACCUSER,
            "phone": PHONE,
            "category": "accusation",
            "accused_organ": str(world.county_po.pk),
            "privacy_read": "on",
        },
        follow=True,  # the submission answers with a redirect to its receipt
    )
    assert r.status_code == 200, r.content.decode()[:600]
    p = Petition.objects.get()
    assert p.accused_organ_id == world.county_po.pk
    assert p.current_organ_id == world.city_po.pk


# --- supervision (issue 18): a notice over an accusation never reaches those it accuses ------


def test_a_supervision_notice_over_an_accusation_is_hidden_from_staff_it_names(
    client, world, inspection
):
    """The city office supervises the inspection group over an accusation that names one of the
    group's own staff: the named staff member sees neither the notice nor its escalations, on
    no page (404 like a notice that does not exist), while a colleague does. The accused county
    government's subtree cannot be given the notice at all. Planted fault: drop the
    ``~Q(pk__in=accusing…)`` term of ``resolution.access.notice_scope``."""
    from xinfang.directory.services import staff_create
    from xinfang.petitions.services import petition_register
    from xinfang.petitions.services.register import PetitionInput
    from xinfang.resolution.services import escalate, supervision_issue

    named = staff_create(
        username="named-head", password="test-pass-123", organ=inspection, roles=[Role.ORGAN_HEAD]
    )
    colleague = staff_create(
        username="colleague", password="test-pass-123", organ=inspection, roles=[Role.ORGAN_HEAD]
    )
    p = petition_register(
        data=PetitionInput(
            channel="letter",
            title=TITLE,
            content="检举纪检监察组干部收受好处。",
            region_code="990102",
            category="accusation",
            accused_staff_ids=[named.pk],
            received_at=local(2025, 8, 28),
            parties=[PartyInput(role="petitioner", name=ACCUSER, phone=PHONE)],
        ),
        organ=world.city_po,
        actor=world.city_clerk,
        at=local(2025, 8, 28),
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.city_clerk,
        at=local(2025, 8, 29),
        data={"to_organ_id": inspection.pk},
    )
    n = supervision_issue(
        actor=world.city_clerk,
        organ=inspection,
        petition_ids=[p.pk],
        reasons=["delay"],
        facts=f"{TITLE}：转送后逾期未办理。",
    )
    escalate(now=local(2025, 12, 1))
    client.force_login(colleague)
    assert n.number in client.get("/resolution/supervision/").content.decode()
    assert client.get(f"/resolution/supervision/{n.pk}/").status_code == 200
    assert n.number in client.get("/resolution/escalations/").content.decode()
    client.force_login(named)
    for url in ("/resolution/supervision/", "/resolution/escalations/"):
        html = client.get(url).content.decode()
        assert n.number not in html and TITLE not in html, url
    assert client.get(f"/resolution/supervision/{n.pk}/").status_code == 404
    r = client.post(f"/resolution/supervision/{n.pk}/reply/", {"reply": "x"})
    assert r.status_code == 404


def test_a_backlog_case_over_an_accusation_is_hidden_from_the_accused_organ(
    client, world, accusation
):
    """A backlog case of an accusation against the county government: the city office's clerk
    sees it; the county office's clerk (below the accused government, though its region covers
    the inspection group) sees it on no page and cannot post to it (404 like a case that does
    not exist). Planted fault: drop the ``~Q(petition__in=hidden_petitions…)`` term of
    ``resolution.access.backlog_scope``."""
    from xinfang.resolution.models import BacklogCase

    case = BacklogCase.objects.create(
        petition=accusation,
        organ=accusation.current_organ,
        proposed_reason="登记已 91 日仍未办结（标准：超过 90 日）",
        proposed_on=accusation.registered_at.date(),
    )
    client.force_login(world.city_clerk)
    assert client.get(f"/resolution/backlog/{case.pk}/").status_code == 200
    assert f"/resolution/backlog/{case.pk}/" in client.get("/resolution/backlog/").content.decode()
    client.force_login(world.clerk)
    html = client.get("/resolution/backlog/").content.decode()
    assert f"/resolution/backlog/{case.pk}/" not in html and TITLE not in html
    assert client.get(f"/resolution/backlog/{case.pk}/").status_code == 404
    r = client.post(
        f"/resolution/backlog/{case.pk}/decide/", {"decision": "confirm", "leader": "x"}
    )
    assert r.status_code == 404


def test_a_hearing_over_an_accusation_is_hidden_from_the_accused_organ(client, world, accusation):
    """A hearing row over an accusation against the county government (the law gives none,
    but a category changed later must not open a door): the city office's clerk sees it; the
    county office's clerk (below the accused government) sees it on no page and cannot post to
    it (404, as for a hearing that does not exist). Planted fault: drop the
    ``~Q(petition__in=hidden_petitions…)`` term of ``resolution.access.hearing_scope``."""
    from xinfang.resolution.models import Hearing

    h = Hearing.objects.create(
        petition=accusation,
        organ=accusation.current_organ,
        stage="handling",
        reason="事实争议较大",
        scheduled_for=local(2025, 9, 10),
        place="听证室",
        notice_number="听通〔2025〕1号",
        notice_on=local(2025, 9, 1).date(),
        created_by=world.city_clerk,
        created_at=local(2025, 9, 1),
    )
    client.force_login(world.city_clerk)
    assert client.get(f"/resolution/hearings/{h.pk}/").status_code == 200
    assert f"/resolution/hearings/{h.pk}/" in client.get("/resolution/hearings/").content.decode()
    client.force_login(world.clerk)
    html = client.get("/resolution/hearings/").content.decode()
    assert f"/resolution/hearings/{h.pk}/" not in html and "听通〔2025〕1号" not in html
    assert client.get(f"/resolution/hearings/{h.pk}/").status_code == 404
    r = client.post(f"/resolution/hearings/{h.pk}/cancel/", {"cancel_reason": "x"})
    assert r.status_code == 404


def test_a_relief_application_over_an_accusation_is_hidden_from_the_accused_organ(
    client, world, accusation
):
    """A relief application of the county inspection group for the petitioner of an
    accusation against the county government, from the city office's fund: the city office's clerk sees it; the county
    office's clerk sees it on no page, cannot post to it (404), and the fund's ledger it may not
    open anyway (the city's fund is outside its jurisdiction). Planted fault: drop the
    ``~Q(petition__in=hidden_petitions…)`` term of ``resolution.access.relief_scope``."""
    from decimal import Decimal

    from xinfang.resolution.models import ReliefApplication, ReliefFund

    fund = ReliefFund.objects.create(organ=world.city_po, year=2025, balance=Decimal("100"))
    app = ReliefApplication.objects.create(
        petition=accusation,
        organ=accusation.current_organ,  # the county inspection group, in the county's region
        fund=fund,
        number="信救〔2025〕9号",
        reasons="生活困难",
        hardship="重病",
        amount_requested=Decimal("50"),
        applied_on=local(2025, 9, 1).date(),
        applied_by=world.city_clerk,
    )
    client.force_login(world.city_clerk)
    assert client.get(f"/resolution/relief/{app.pk}/").status_code == 200
    assert "信救〔2025〕9号" in client.get("/resolution/relief/").content.decode()
    client.force_login(world.clerk)
    html = client.get("/resolution/relief/").content.decode()
    assert f"/resolution/relief/{app.pk}/" not in html and "信救〔2025〕9号" not in html
    for url in (f"/resolution/relief/{app.pk}/", f"/resolution/relief/{app.pk}/notice/"):
        assert client.get(url).status_code == 404
    r = client.post(f"/resolution/relief/{app.pk}/decide/", {"decision": "approve"})
    assert r.status_code == 404
    assert client.get(f"/resolution/relief/funds/{fund.pk}/").status_code == 404


def test_an_accusation_cannot_be_supervised_at_the_accused_organ_or_below(world, accusation):
    from xinfang.core.errors import ApplicationError
    from xinfang.resolution.services import supervision_issue

    for organ in (world.county_gov, world.housing):
        with pytest.raises(ApplicationError) as e:
            supervision_issue(
                actor=world.city_clerk,
                organ=organ,
                petition_ids=[accusation.pk],
                reasons=["delay"],
                facts="逾期未办理。",
            )
        assert "petitions" in e.value.fields


def test_reception_never_shows_an_accusation_to_the_accused_organ(client, world, accusation):
    """Reception (Art. 18, Art. 30 para 3): the accusation is booked into a session of the
    inspection group (in the county's region, not below the accused county government), a
    record with a promise is written and a leader takes charge. The county office's clerk sees
    that session on its calendar (its region) but never the booking, the record, the promise or
    the petition on any board; the accused organ's own sessions refuse the booking.
    Planted fault: ``appointments_of_session`` without the petitions gate shows the title."""
    from datetime import date, time

    from xinfang.core.errors import ApplicationError
    from xinfang.reception.models import ReceptionSession
    from xinfang.reception.services import (
        PromiseInput,
        SessionInput,
        appointment_book_desk,
        leader_take_charge,
        record_write,
        session_publish,
    )

    inspection = accusation.current_organ
    s = session_publish(
        actor=world.city_clerk,
        data=SessionInput(
            organ=inspection,
            leader_id=world.prov_head.pk,
            on=date(2025, 9, 2),
            starts=time(9, 0),
            ends=time(11, 0),
            place="纪检监察组接待室",
            capacity=3,
        ),
    )
    b = appointment_book_desk(
        actor=world.city_clerk, session_id=s.pk, tracking_code=accusation.tracking_code
    )
    record_write(
        actor=world.city_clerk,
        petition_id=accusation.pk,
        received_by_id=world.prov_head.pk,
        attendees=ACCUSER,
        asked="请求调查违规征地",
        said="已受理，依规调查",
        promises=[PromiseInput("三十日内书面反馈调查进展", world.city_clerk.pk, date(2025, 9, 30))],
        session_id=s.pk,
        appointment_code=b.appointment.code,
    )
    leader_take_charge(
        actor=world.prov_head, petition_id=accusation.pk, leader_id=world.prov_head.pk
    )
    # the accused organ's own office cannot be given the booking
    own = ReceptionSession.objects.create(
        organ=world.county_po,
        on=date(2025, 9, 3),
        starts=time(9, 0),
        ends=time(10, 0),
        place="县信访局",
        leader=world.city_head,
        capacity=3,
        created_by=world.clerk,
        created_at=s.created_at,
    )
    with pytest.raises(ApplicationError):
        appointment_book_desk(
            actor=world.city_clerk, session_id=own.pk, tracking_code=accusation.tracking_code
        )
    client.force_login(world.clerk)
    seen = []
    for url in (
        "/reception/?from=2025-09-01",
        f"/reception/sessions/{s.pk}/",
        "/reception/board/",
        "/reception/records/1/",
    ):
        body = client.get(url).content.decode()
        seen.append((url, TITLE in body or ACCUSER in body or "三十日内书面反馈" in body))
    assert "纪检监察组接待室" in client.get("/reception/?from=2025-09-01").content.decode()
    assert not any(hit for _u, hit in seen), seen
    # even a promise the clerk was made to own stays off the clerk's board (the petitions
    # gate, not only the leader's petitions; planted fault checked: board_promises without it)
    from xinfang.reception.models import Promise

    Promise.objects.filter(petition=accusation).update(owner=world.clerk)
    assert "三十日内书面反馈" not in client.get("/reception/board/").content.decode()
    client.force_login(world.city_clerk)  # the control: the office above sees all of it
    assert TITLE in client.get(f"/reception/sessions/{s.pk}/").content.decode()


def test_the_hall_never_shows_an_accusation_to_the_accused_organ(client, world, accusation):
    """The one-stop hall (Art. 18 para 3, Art. 30 para 3): the accusation is booked into the
    inspection group's session of the day and has arrived. The county office's clerk (below the
    accused county government, the inspection group in its region) sees the session on the hall
    but not the booking, its code or its title, and cannot mark it arrived or call it in.
    Planted fault: ``hall_for_user`` without ``petition_id__in=visible`` shows the title."""
    from datetime import date, time

    from xinfang.core.errors import NotFound
    from xinfang.reception.services import (
        SessionInput,
        appointment_arrive,
        appointment_book_desk,
        appointment_call,
        session_publish,
    )

    s = session_publish(
        actor=world.city_clerk,
        data=SessionInput(
            organ=accusation.current_organ,
            leader_id=world.prov_head.pk,
            on=date(2025, 9, 1),
            starts=time(9, 0),
            ends=time(11, 0),
            place="纪检监察组接待室",
            capacity=3,
        ),
    )
    a = appointment_book_desk(
        actor=world.city_clerk, session_id=s.pk, tracking_code=accusation.tracking_code
    ).appointment
    appointment_arrive(actor=world.city_clerk, appointment_id=a.pk)
    client.force_login(world.clerk)
    body = client.get("/reception/hall/").content.decode()
    assert "纪检监察组接待室" in body  # the session itself is public (Art. 18 para 1)
    assert TITLE not in body and a.code not in body and ACCUSER not in body
    for step in (appointment_arrive, appointment_call):
        with pytest.raises(NotFound):
            step(actor=world.clerk, appointment_id=a.pk)
    assert client.post(f"/reception/hall/{a.pk}/call/").status_code == 404
    client.force_login(world.city_clerk)  # the control: the office above sees it waiting
    body = client.get("/reception/hall/").content.decode()
    assert TITLE in body and a.code in body


def test_a_down_visit_never_shows_an_accusation_to_the_accused_organ(client, world, accusation):
    """Down-visits (下访, Art. 18 para 2; Art. 30 para 3): the city office plans a visit of the
    inspection group (in the county's region, not below the accused county government) with the
    accusation and a record with a promise is written on it. The county office's clerk sees the
    plan (its region) but never the petition, the record, the promise or a link to write one,
    by list, plan page, board or record form; the accused organ's own plan refuses it.
    Planted fault: ``visit_petitions_for_user`` reading ``plan.items`` without the petitions
    gate shows the title."""
    from datetime import date

    from xinfang.core.errors import ApplicationError
    from xinfang.reception.services import PromiseInput, VisitInput, record_write, visit_plan

    def plan(organ, on):  # type: ignore[no-untyped-def]
        return visit_plan(
            actor=world.city_clerk,
            data=VisitInput(
                organ=organ,
                leader_id=world.prov_head.pk,
                on=on,
                place="幸福村村委会",
                petition_ids=[accusation.pk],
            ),
            at=local(2025, 9, 1, 8),
        )

    v = plan(accusation.current_organ, date(2025, 9, 1))
    record_write(
        actor=world.city_clerk,
        petition_id=accusation.pk,
        received_by_id=world.prov_head.pk,
        attendees=ACCUSER,
        asked="请求调查违规征地",
        said="已当面听取，依规调查",
        promises=[PromiseInput("三十日内书面反馈调查进展", world.city_clerk.pk, date(2025, 9, 30))],
        visit_id=v.pk,
        at=local(2025, 9, 1, 15),
    )
    with pytest.raises(ApplicationError):
        plan(world.county_gov, date(2025, 9, 2))
    client.force_login(world.clerk)
    seen = []
    for url in (
        "/reception/visits/",
        f"/reception/visits/{v.pk}/",
        "/reception/board/",
        f"/reception/records/new/?petition={accusation.pk}&visit={v.pk}",
    ):
        r = client.get(url)
        body = r.content.decode()
        seen.append(
            (url, TITLE in body or ACCUSER in body or "三十日内书面反馈" in body
             or f"petition={accusation.pk}&" in body)
        )  # fmt: skip
    assert "幸福村村委会" in client.get(f"/reception/visits/{v.pk}/").content.decode()
    assert not any(hit for _u, hit in seen), seen
    client.force_login(world.city_clerk)  # the control: the office above sees all of it
    body = client.get(f"/reception/visits/{v.pk}/").content.decode()
    assert TITLE in body and "三十日内书面反馈" in body


def test_joint_handling_never_shows_an_accusation_to_the_accused_organ(client, world, accusation):
    """Joint handling (联合办理, Art. 30 para 3): the accusation is jointly handled, led by the
    inspection group. The county office's clerk (below the accused county government) sees it
    neither in the list nor by its page; the city office above does. Planted fault (checked):
    ``reception.selectors.joint`` without the petitions gate shows the title."""
    from datetime import date

    from xinfang.core.errors import NotFound
    from xinfang.reception.models import JointHandling
    from xinfang.reception.selectors.joint import joint_get_for_user, joint_list_for_user

    j = JointHandling.objects.create(
        petition=accusation, lead=accusation.current_organ, limit=date(2025, 10, 27),
        started_by=world.city_clerk, started_at=local(2025, 9, 1),
    )  # fmt: skip
    assert j not in joint_list_for_user(user=world.clerk)
    with pytest.raises(NotFound):
        joint_get_for_user(user=world.clerk, joint_id=j.pk)
    client.force_login(world.clerk)
    for url in ("/reception/joint/", f"/reception/joint/{j.pk}/"):
        assert TITLE not in client.get(url).content.decode()
    assert j in joint_list_for_user(user=world.city_clerk)  # the control: the office above
    assert joint_get_for_user(user=world.city_clerk, joint_id=j.pk) == j


def test_open311_never_shows_an_accusation_even_marked_for_publication(client, world, accusation):
    """Open311's public GET requests (issue 20) read one rule, ``exchange.open311.selectors.
    NEVER_SHOWN``: an accusation whose request row says "publish" is still not shown, by list,
    by id or with the client's own key. Planted fault (checked): drop the accusation and the accused-organ lines of the rule."""
    from xinfang.exchange.models import Open311Request
    from xinfang.exchange.open311.keys import open311_key_issue

    row, key = open311_key_issue(name="随手拍", actor=None)
    Open311Request.objects.create(
        petition=accusation, service_code="accusation", key=row, publish=True,
        requested_at=local(2025, 8, 28),
    )  # fmt: skip
    for url in (
        "/open311/v2/requests.json",
        f"/open311/v2/requests.json?api_key={key}&extensions=true",
        f"/open311/v2/requests.json?service_request_id={accusation.tracking_code}",
    ):
        r = client.get(url)
        assert r.status_code == 200 and r.json() == []
    r = client.get(f"/open311/v2/requests/{accusation.tracking_code}.json?api_key={key}")
    assert r.status_code == 404 and TITLE not in r.content.decode()


# --- history imports (issue 16): an imported accusation is an accusation like any other ------


@pytest.fixture
def imported_accusation(world, inspection):
    """The city office imports, from its old 台账, an accusation against the county government
    that it had transferred to the inspection group in the county."""
    from xinfang.imports.services import import_rows, import_source_get, mapping_for
    from xinfang.imports.tabular import read_table
    from xinfang.imports.tests.test_import import csv_bytes, row

    table = read_table(csv_bytes([row(**{
        "行号": "JB-7", "登记机关": "东湖市信访局", "标题": TITLE, "信访人": ACCUSER,
        "联系电话": PHONE, "类别": "检举控告类", "处理途径": "", "被检举控告单位": "青山县人民政府",
        "转送机关": inspection.name, "答复日期": "", "处理结果": "", "答复内容": "",
        "送达日期": "", "归档日期": "", "评价": "", "评价日期": "",
    })]), name="old.csv")  # fmt: skip
    source = import_source_get(name="市信访局旧系统", organ=world.city_po)
    out = import_rows(source=source, table=table, mapping=mapping_for(source, table.header),
                      actor=world.city_clerk, dry_run=False)  # fmt: skip
    assert out.committed, out.report.as_dict()
    from xinfang.petitions.models import Petition

    return Petition.objects.get(title=TITLE)


def test_an_imported_accusation_is_hidden_from_the_accused_organ_and_those_below_it(
    client, world, imported_accusation
):
    """Planted fault: register imported rows with ``accused_organ_id=None`` in
    ``imports.services._import_one``: the county office sees the accusation and this fails."""
    from xinfang.analytics.services import rates_rebuild
    from xinfang.directory.services import staff_create
    from xinfang.petitions.selectors import (
        petition_queryset_for_statistics,
        petition_queryset_for_user,
    )

    p = imported_accusation
    assert p.accused_organ_id == world.county_gov.pk and p.category == "accusation"
    assert petition_queryset_for_user(user=world.city_clerk).filter(pk=p.pk).exists()  # reach
    accused = staff_create(username="govanalyst", password="Adversary-123",
                           organ=world.county_gov, roles=[Role.ANALYST, Role.ORGAN_HEAD])  # fmt: skip
    for user in (world.clerk, accused):  # below the accused; the accused organ itself
        assert not petition_queryset_for_user(user=user).filter(pk=p.pk).exists()
        assert not petition_queryset_for_statistics(user=user).filter(pk=p.pk).exists()
    rates_rebuild()
    for user in (world.clerk, accused):
        client.force_login(user)
        for url in ("/worklist/", f"/search/?q={TITLE[:4]}", "/imports/", "/imports/1/",
                    "/analytics/rates/drill/?metric=accept", "/analytics/rates/",
                    *(f"/analytics/rates/due/?organ={p.current_organ_id}&due={d}"
                      for d in ("overdue", "due_soon"))):  # fmt: skip
            body = client.get(url).content.decode()
            assert TITLE not in body and ACCUSER not in body and p.tracking_code not in body, url


def test_a_row_id_imported_by_another_organ_tells_nothing(world, imported_accusation):
    """The county office importing a file of "the same source" with the same row id gets no
    "already imported": the sources and their rows are each organ's own."""
    from xinfang.imports.services import import_rows, import_source_get, mapping_for
    from xinfang.imports.tabular import read_table
    from xinfang.imports.tests.test_import import TODAY, csv_bytes, row

    table = read_table(csv_bytes([row(**{"行号": "JB-7"})]), name="x.csv")
    source = import_source_get(name="市信访局旧系统", organ=world.county_po)
    out = import_rows(source=source, table=table, mapping=mapping_for(source, table.header),
                      actor=world.clerk, dry_run=True, today=TODAY)  # fmt: skip
    assert out.report.skipped == [] and out.report.problems == [] and out.imported == 1


def test_a_suggestion_and_a_mediation_over_an_accusation_are_hidden_from_the_accused_organ(
    client, world, accusation
):
    """A suggestion study and a mediation record over an accusation against the county
    government (the law makes neither for an accusation, Arts. 29, 33, but a category changed
    later must not open a door): the city office's clerk sees them; the county office's clerk
    (below the accused government) sees them on no page, cannot post to them (404), and the
    public list never shows a study that was not published. Planted fault: drop the
    ``~Q(petition__in=hidden_petitions…)`` term of ``resolution.access.petition_record_scope``."""
    from xinfang.resolution.models import Mediation, MediationSigner, Suggestion

    s = Suggestion.objects.create(
        petition=accusation,
        organ=accusation.current_organ,
        subject=f"{TITLE}的建议",
        created_by=world.city_clerk,
        created_at=local(2025, 9, 1),
    )
    m = Mediation.objects.create(
        petition=accusation,
        organ=accusation.current_organ,
        kind="mediation",
        held_on=local(2025, 9, 1).date(),
        place="调解室",
        mediator="调解人",
        present=ACCUSER,
        agreed=f"{TITLE}：协议",
        created_by=world.city_clerk,
        created_at=local(2025, 9, 1),
    )
    signer = MediationSigner.objects.create(mediation=m, side="petitioner", name=ACCUSER)
    client.force_login(world.city_clerk)
    assert TITLE in client.get("/resolution/suggestions/").content.decode()
    assert client.get(f"/resolution/suggestions/{s.pk}/").status_code == 200
    assert (
        f"/resolution/mediations/{m.pk}/" in client.get("/resolution/mediations/").content.decode()
    )
    client.force_login(world.clerk)
    for url in ("/resolution/suggestions/", "/resolution/mediations/", "/portal/suggestions/"):
        html = client.get(url).content.decode()
        assert TITLE not in html and ACCUSER not in html, url
    assert client.get(f"/resolution/suggestions/{s.pk}/").status_code == 404
    assert client.get(f"/resolution/mediations/{m.pk}/").status_code == 404
    r = client.post(
        f"/resolution/suggestions/{s.pk}/decide/", {"decision": "adopted", "reply": "x"}
    )
    assert r.status_code == 404
    r = client.post(f"/resolution/mediations/{m.pk}/refuse/", {"signer": signer.pk})
    assert r.status_code == 404
