"""Tests that fail on the planted faults the old suite let survive (issue 11, "Today's tests
could not catch a leak below the accused").

Planted faults, each caught here (rerun: make the change, run this file):
- ``directory.selectors.organ_ancestor_ids`` returns only ``[organ.pk]``: the office below
  the accused sees the accusation (``test_an_office_two_levels_below_the_accused_does_not_see_it``);
- ``access._exclusions`` drops ``~Q(accused_organ_id__in=ancestors)``: the county office sees
  an accusation against the county government (same test);
- a row of ``CAPABILITIES`` gains or loses one of the facts below (``LAW``);
- ``audit.chain.record_hash`` leaves out ``organ_id``, ``actor_id`` or ``object_type``;
- ``petition_register_many`` no longer calls ``audit_petition_events``.
"""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import local
from xinfang.directory.models import Level, OrganKind, Role
from xinfang.directory.permissions import Cap, role_can
from xinfang.petitions.workflow import Action

# --- the permission table against facts from the law, written by hand ------------------------

#: (role, capability or action, allowed, the rule). Not derived from CAPABILITIES.
LAW = [
    (Role.ORGAN_HEAD, Action.ISSUE_OPINION, True, "Art. 32: the organ's head signs the opinion"),
    (Role.HANDLER, Action.ISSUE_OPINION, False, "Art. 32: a handler drafts, never signs"),
    (Role.REGISTRAR, Action.ISSUE_OPINION, False, "Art. 32"),
    (Role.ORGAN_HEAD, Action.EXTEND, True, "Art. 34: the head approves an extension"),
    (Role.HANDLER, Action.EXTEND, False, "Art. 34"),
    (Role.ORGAN_HEAD, Action.DECIDE_REVIEW, True, "Art. 35: the organ above decides a review"),
    (Role.HANDLER, Action.DECIDE_RE_REVIEW, False, "Art. 35"),
    (Role.REGISTRAR, Action.REGISTER, True, "Arts. 17-21: petition offices register"),
    (Role.ANALYST, Action.REGISTER, False, "an analyst handles no case"),
    (Role.REGISTRAR, Cap.VIEW_IDENTITY, True, "the desk must know who came"),
    (Role.SUPERVISOR, Cap.VIEW_IDENTITY, False, "Art. 46(5): identities only to those handling"),
    (Role.LEADER, Cap.VIEW_IDENTITY, False, "Art. 46(5)"),
    (Role.ANALYST, Cap.VIEW_IDENTITY, False, "Art. 46(5)"),
    (Role.ANALYST, Cap.VIEW_PETITIONS, False, "analysts see de-identified counts only"),
    (Role.ADMIN, Cap.VIEW_PETITIONS, False, "ADR 0013: the administrator reads no petition"),
    (Role.ADMIN, Cap.VIEW_IDENTITY, False, "ADR 0013"),
    (Role.ADMIN, Action.CLOSE, False, "ADR 0013: the administrator takes no step"),
]


@pytest.mark.parametrize(
    ("role", "what", "allowed", "rule"), LAW, ids=[f"{r}-{w}" for r, w, *_ in LAW]
)
def test_the_permission_table_agrees_with_the_law(role, what, allowed, rule):
    assert role_can(role, what) is allowed, rule


# --- below the accused ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_office_two_levels_below_the_accused_does_not_see_it(world):
    """Offices that would see it but for the rule: the county office and a township office
    under it, both below the accused county government, both with the holder in their region."""
    from xinfang.directory.models import Region
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import access, petition_queryset_for_user
    from xinfang.petitions.services import (
        PartyInput,
        PetitionInput,
        petition_act,
        petition_register,
    )

    township = Region.objects.create(
        code="990102001", name="城关镇", level=Level.TOWNSHIP, parent=world.county
    )
    office = organ_create(
        name="城关镇信访办",
        kind=OrganKind.PETITION_OFFICE,
        level=Level.TOWNSHIP,
        region=township,
        parent=world.county_po,
    )
    group = organ_create(
        name="市纪委监委驻城关镇纪检监察组",
        kind=OrganKind.DISCIPLINE,
        level=Level.TOWNSHIP,
        region=township,
        parent=world.city_gov,
    )
    p = petition_register(
        data=PetitionInput(
            channel="letter",
            title="检举县政府",
            content="内容",
            region_code="990102",
            category="accusation",
            accused_organ_id=world.county_gov.pk,
            received_at=local(2025, 8, 28),
            parties=[PartyInput(role="petitioner", name="甲")],
        ),
        organ=world.city_po,
        actor=world.city_clerk,
    ).petition
    petition_act(
        petition_id=p.pk,
        action=Action.TRANSFER,
        actor=world.city_clerk,
        data={"to_organ_id": group.pk},
    )
    for organ in (office, world.county_po):
        u = staff_create(
            username=f"u{organ.pk}", password="Pass-word-123", organ=organ, roles=[Role.REGISTRAR]
        )
        assert Petition.objects.filter(access._held(organ), pk=p.pk).exists()  # in reach
        assert not petition_queryset_for_user(user=u).filter(pk=p.pk).exists(), organ.name
    assert petition_queryset_for_user(user=world.city_clerk).filter(pk=p.pk).exists()


# --- the audit trail --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value"), [("actor_id", 999999), ("organ_id", 999999), ("object_type", "thing2")]
)
def test_editing_who_did_it_from_which_organ_or_about_what_is_detected(world, column, value):
    from xinfang.audit.models import AuditRecord
    from xinfang.audit.services import audit_record
    from xinfang.audit.verify import audit_verify

    for i in range(3):
        audit_record(
            kind="test.step", actor=world.clerk, object_type="thing", object_id="one", data={"i": i}
        )
    recs = list(AuditRecord.objects.order_by("seq"))
    assert all(r.actor_id == world.clerk.pk and r.organ_id == world.county_po.pk for r in recs)
    assert audit_verify().ok
    with connection.cursor() as c:
        c.execute(
            f"UPDATE {AuditRecord._meta.db_table} SET {column} = %s WHERE seq = %s",
            [value, recs[1].seq],
        )
    assert not audit_verify().ok


@pytest.mark.django_db
def test_bulk_registration_writes_the_same_audit_records_as_single_registration(world):
    from xinfang.audit.models import AuditRecord
    from xinfang.petitions.services import (
        PartyInput,
        PetitionInput,
        petition_register,
        petition_register_many,
    )

    item = PetitionInput(
        channel="letter",
        title="道路破损",
        content="幸福路坑洼",
        region_code="990102",
        category="appeal",
        route=6,
        received_at=local(2025, 3, 3),
        parties=[PartyInput(role="petitioner", name="张三")],
    )
    one = petition_register(data=item, organ=world.county_po, actor=world.clerk).petition
    (many,) = petition_register_many(items=[item], organ=world.county_po, actor=world.clerk)

    def rows(pk: int) -> list[tuple[str, int | None, int | None]]:
        return list(
            AuditRecord.objects.filter(object_type="petition", object_id=str(pk))
            .order_by("seq")
            .values_list("kind", "actor_id", "organ_id")
        )

    assert rows(one.pk) == rows(many.petition.pk)
    # the seal is in the record of the step it ends (ADR 0026), not a record of its own
    assert [k for k, *_ in rows(one.pk)] == ["petition.receive", "petition.register"]
    last = AuditRecord.objects.filter(object_type="petition", object_id=str(one.pk)).last()
    assert last.kind == "petition.register" and len(last.digest) == 64
