"""Issue 18: the records of resolution and oversight over an accusation never reach the organ it
accuses, nor any organ below it (Art. 30 para 3, Art. 46(5)), whatever the role.

The accusation is the one of ``test_leaks``: against the county government, held by the city
discipline commission's inspection group stationed in the county. Every record is the
inspection group's (or, for a supervision notice, the county office's own): the county
petition office, below the accused government, has all of them in its jurisdiction
(``test_every_record_is_in_the_adversarys_reach`` proves it), so every "sees nothing" below
fails when the rule goes; the city office sees each one on its list, so the lists are read.

Planted faults this file catches (rerun: make the change, run this file):
- drop ``~Q(petition__in=hidden_petitions…)`` in ``resolution.access.petition_record_scope``
  (backlog cases, hearings, mediations, suggestions) or in ``relief_scope``;
- drop ``~Q(pk__in=accusing…)`` in ``resolution.access.notice_scope`` (the notice and its
  escalations);
- let ``directory.selectors.organ_ancestor_ids`` return only the organ itself (the county
  office is then not "below the accused" any more).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import local
from tests.test_leaks import ACCUSER, TITLE, accusation, inspection  # noqa: F401 (fixtures)
from xinfang.directory.models import Role

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NOTICE = "青信督〔2025〕7号"
RELIEF = "信救〔2025〕9号"
HEARING = "听通〔2025〕3号"
MISSING = 10**6


@pytest.fixture
def records(world, accusation):  # noqa: F811 (the fixture imported above)
    """One record of each kind over the accusation, in the county office's jurisdiction."""
    from xinfang.deadlines.models import Deadline
    from xinfang.resolution.models import (
        BacklogCase,
        Escalation,
        Hearing,
        Mediation,
        MediationSigner,
        ReliefApplication,
        ReliefFund,
        Suggestion,
        SupervisionNotice,
        SupervisionPetition,
    )

    holder = accusation.current_organ  # the inspection group, in the county's region
    day = local(2025, 9, 1)
    notice = SupervisionNotice.objects.create(
        office=world.county_po,
        organ=holder,
        reasons=["delay"],
        facts=f"{TITLE}：转送后逾期未办理。",
        number=NOTICE,
        issued_on=day.date(),
        reply_due=local(2025, 10, 1).date(),
        issued_by=world.clerk,
        issued_at=day,
    )
    SupervisionPetition.objects.create(notice=notice, petition=accusation)
    deadline = Deadline.objects.filter(petition=accusation).first()
    steps = [
        Escalation.objects.create(
            step="warn",
            notice=notice,
            to_organ=holder,
            audience="handler",
            due_date=notice.reply_due,
            fired_on=day.date(),
            recorded_at=day,
        )
    ]
    if deadline is not None:
        steps.append(
            Escalation.objects.create(
                step="warn",
                deadline=deadline,
                petition_id=deadline.petition_id,
                code=deadline.code,
                start_date=deadline.start_date,
                to_organ=holder,
                audience="handler",
                due_date=deadline.due_date,
                fired_on=day.date(),
                recorded_at=day,
            )
        )
    case = BacklogCase.objects.create(
        petition=accusation,
        organ=holder,
        proposed_reason="登记已 91 日仍未办结（标准：超过 90 日）",
        proposed_on=day.date(),
    )
    hearing = Hearing.objects.create(
        petition=accusation,
        organ=holder,
        stage="handling",
        reason=f"{TITLE}：事实争议较大",
        scheduled_for=local(2025, 9, 10),
        place="听证室",
        notice_number=HEARING,
        notice_on=day.date(),
        created_by=world.city_clerk,
        created_at=day,
    )
    fund = ReliefFund.objects.create(organ=world.city_po, year=2025, balance=Decimal("100"))
    relief = ReliefApplication.objects.create(
        petition=accusation,
        organ=holder,
        fund=fund,
        number=RELIEF,
        reasons=f"{ACCUSER}生活困难",
        hardship="重病",
        amount_requested=Decimal("50"),
        applied_on=day.date(),
        applied_by=world.city_clerk,
    )
    mediation = Mediation.objects.create(
        petition=accusation,
        organ=holder,
        kind="mediation",
        held_on=day.date(),
        place="调解室",
        mediator="调解人",
        present=ACCUSER,
        agreed=f"{ACCUSER}与青山县人民政府就{TITLE}达成协议",
        created_by=world.city_clerk,
        created_at=day,
    )
    signer = MediationSigner.objects.create(mediation=mediation, side="petitioner", name=ACCUSER)
    suggestion = Suggestion.objects.create(
        petition=accusation,
        organ=holder,
        subject=f"{TITLE}的建议",
        created_by=world.city_clerk,
        created_at=day,
    )
    return {
        "notice": notice,
        "steps": steps,
        "case": case,
        "hearing": hearing,
        "relief": relief,
        "mediation": mediation,
        "signer": signer,
        "suggestion": suggestion,
    }


LISTS = (
    "/resolution/supervision/",
    "/resolution/supervision/?status=open",
    "/resolution/escalations/",
    "/resolution/backlog/",
    "/resolution/hearings/",
    "/resolution/relief/",
    "/resolution/mediations/",
    "/resolution/suggestions/",
    "/portal/suggestions/",
)
SECRETS = (TITLE, ACCUSER, NOTICE, RELIEF, HEARING)
# the 台账 each list offers ({% export_button %}): the same rows as the list, in a file
EXPORTS = ("backlog", "escalations", "hearings", "mediations", "notices", "relief", "suggestions")


def _exported(client, kind: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Ask for ``kind``'s 台账 as the list offers it; (status, every cell's text when made)."""
    import io

    from openpyxl import load_workbook

    r = client.post("/analytics/exports/new/", {"once": f"adv-{kind}", "kind": kind, "query": ""})
    if r.status_code != 302:
        return r.status_code, r.content.decode(errors="replace")
    f = client.get(r["Location"])
    assert f.status_code == 200, kind
    ws = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True).active
    return 302, "\n".join(str(c) for row in ws.iter_rows(values_only=True) for c in row)


def _pages(r: dict) -> list[tuple[str, str, dict]]:
    """Each record's pages and the posts on them: (method, path, data); ``r`` gives each
    record's id (the real ones, or ids that do not exist)."""
    n, c, h, rl, m, sg = (r[k] for k in KINDS)
    return [
        ("get", f"/resolution/supervision/{n}/", {}),
        ("post", f"/resolution/supervision/{n}/reply/", {"reply": "x"}),
        ("get", f"/resolution/backlog/{c}/", {}),
        ("post", f"/resolution/backlog/{c}/decide/", {"decision": "confirm"}),
        ("get", f"/resolution/hearings/{h}/", {}),
        ("post", f"/resolution/hearings/{h}/open/", {}),
        ("post", f"/resolution/hearings/{h}/cancel/", {"cancel_reason": "x"}),
        ("get", f"/resolution/relief/{rl}/", {}),
        ("get", f"/resolution/relief/{rl}/notice/", {}),
        ("post", f"/resolution/relief/{rl}/decide/", {"decision": "approve"}),
        ("get", f"/resolution/mediations/{m}/", {}),
        ("post", f"/resolution/mediations/{m}/refuse/", {"signer": "1"}),
        ("get", f"/resolution/suggestions/{sg}/", {}),
        ("post", f"/resolution/suggestions/{sg}/decide/", {"decision": "adopted", "reply": "x"}),
    ]


KINDS = ("notice", "case", "hearing", "relief", "mediation", "suggestion")


def test_every_record_is_in_the_adversarys_reach(world, records):
    """Without the accusation exclusions the county office WOULD see every record: its
    jurisdiction covers the inspection group (the organ of each record) and it issued the
    notice itself. The city office does see each one."""
    from xinfang.petitions.selectors.access import organs_within_q
    from xinfang.resolution import selectors
    from xinfang.resolution.models import (
        BacklogCase,
        Hearing,
        Mediation,
        ReliefApplication,
        Suggestion,
    )

    own = world.clerk.organ
    for model, key in (
        (BacklogCase, "case"),
        (Hearing, "hearing"),
        (ReliefApplication, "relief"),
        (Mediation, "mediation"),
        (Suggestion, "suggestion"),
    ):
        assert model.objects.filter(organs_within_q(own), pk=records[key].pk).exists(), key
    assert records["notice"].office_id == own.pk
    today = local(2025, 9, 2).date()
    city = world.city_clerk
    assert [x.pk for x in selectors.notice_list_for_user(user=city).rows] == [records["notice"].pk]
    assert {x.pk for x in selectors.escalation_list_for_user(user=city).rows} == {
        x.pk for x in records["steps"]
    }
    assert len(selectors.backlog_list_for_user(user=city, today=today).rows) == 1
    for listing in (
        selectors.hearing_list_for_user,
        selectors.relief_list_for_user,
        selectors.mediation_list_for_user,
        selectors.suggestion_list_for_user,
    ):
        assert len(listing(user=city).rows) == 1, listing.__name__


ADVERSARIES = [r.value for r in Role]


@pytest.mark.parametrize("role", ADVERSARIES)
def test_the_office_below_the_accused_sees_no_resolution_record_whatever_its_role(
    client, world, records, role
):
    """Every role at the county office (below the accused government): no record of any kind
    on any list or through any selector, and each record's page and each post on it answers as
    for a record that does not exist (the same status, none of the accusation's words)."""
    from xinfang.directory.services import staff_create
    from xinfang.resolution import selectors

    user = staff_create(
        username=f"adv-{role}", password="Adversary-123", organ=world.county_po, roles=[role]
    )
    today = local(2025, 9, 2).date()
    assert selectors.notice_list_for_user(user=user).rows == []
    assert selectors.escalation_list_for_user(user=user).rows == []
    assert selectors.backlog_list_for_user(user=user, today=today).rows == []
    for listing in (
        selectors.hearing_list_for_user,
        selectors.relief_list_for_user,
        selectors.mediation_list_for_user,
        selectors.suggestion_list_for_user,
    ):
        assert listing(user=user).rows == [], listing.__name__

    client.force_login(user)
    for url in LISTS:
        body = client.get(url).content.decode(errors="replace")
        for secret in SECRETS:
            assert secret not in body, (url, secret)
    for kind in EXPORTS:  # the list's 台账: none of it either (or no file at all for the role)
        status, text = _exported(client, kind)
        assert status in (302, 403), (kind, status)
        for secret in SECRETS:
            assert secret not in text, (kind, secret)
    assert _exported(client, "no-such-kind")[0] == 404
    real = _pages({k: records[k].pk for k in KINDS})
    none = _pages(dict.fromkeys(KINDS, MISSING))
    for (method, path, data), (_m, gone, _d) in zip(real, none, strict=True):
        hidden = getattr(client, method)(path, data)
        absent = getattr(client, method)(gone, data)
        assert hidden.status_code == absent.status_code, path
        assert hidden.status_code in (403, 404), path
        body = hidden.content.decode(errors="replace")
        for secret in SECRETS:
            assert secret not in body, (path, secret)


def test_the_accused_organ_itself_sees_no_resolution_record(client, world, records):
    """The county government's head (the accused organ: the notice the county office issued is
    below it) and the county office's head: on no list."""
    for user in (world.city_head, world.po_head):  # cityhead sits at the county government
        client.force_login(user)
        for url in LISTS:
            body = client.get(url).content.decode(errors="replace")
            assert not any(s in body for s in SECRETS), (user, url)


def test_the_exclusions_are_what_hides_them(world, records):
    """The rule, read off the scopes: each record is in the county office's organ jurisdiction
    and out of its scope only by the accusation exclusion (not by accident of jurisdiction)."""
    from xinfang.resolution.access import (
        hidden_petitions,
        notice_scope,
        petition_record_scope,
        relief_scope,
    )
    from xinfang.resolution.models import Mediation, ReliefApplication, SupervisionNotice

    user = world.po_head
    assert records["mediation"].petition_id in {x["pk"] for x in hidden_petitions(user)}
    assert not Mediation.objects.filter(petition_record_scope(user)).exists()
    assert not ReliefApplication.objects.filter(relief_scope(user)).exists()
    assert not SupervisionNotice.objects.filter(notice_scope(user)).exists()
