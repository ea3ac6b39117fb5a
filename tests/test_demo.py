"""The demo province: a small seed reaches every state of the procedure through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from xinfang.core import clock
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.statutes import STATUTES, Kind
from xinfang.demo import demo_seed
from xinfang.directory.models import Organ, Role
from xinfang.petitions.models import Channel, Party, Petition, PetitionEvent
from xinfang.petitions.workflow import Category, State

pytestmark = pytest.mark.django_db


def test_a_small_demo_reaches_every_state_with_overdue_and_extended_petitions_and_logins():
    today = clock.today()
    result = demo_seed(petitions=200, seed=11)

    assert result["errors"] == []
    states = set(Petition.objects.values_list("state", flat=True))
    assert states == {s.value for s in State}
    assert result["petitions"] >= 200

    duty = [code for code, st in STATUTES.items() if st.kind == Kind.DUTY]
    overdue = Deadline.objects.filter(outcome="open", code__in=duty, due_date__lt=today)
    assert overdue.exists()
    assert Petition.objects.filter(is_open=True, next_due__lt=today).exists()
    assert Petition.objects.filter(extended=True).exists()

    # every channel and category; collective, anonymous, with an agent
    assert set(Petition.objects.values_list("channel", flat=True)) == set(Channel.values)
    categories = set(Petition.objects.exclude(category="").values_list("category", flat=True))
    assert categories == {c.value for c in Category}
    assert Petition.objects.filter(is_collective=True, head_count__gte=5).exists()
    assert Petition.objects.filter(is_anonymous=True).exists()
    assert Party.objects.filter(role="agent").exists()

    # all in the past, in order, and an Art. 36(3) refusal of a repeat after termination
    assert not PetitionEvent.objects.filter(occurred_at__date__gte=today).exists()
    refusal = PetitionEvent.objects.filter(
        action="not_accept", data__ground="same_facts_after_re_review"
    ).first()
    assert refusal is not None
    assert refusal.petition.repeat_of.events.filter(action="decide_re_review").exists()

    # an accusation never sits with the accused organ or below it
    for p in Petition.objects.filter(accused_organ__isnull=False).select_related(
        "accused_organ", "current_organ"
    ):
        assert not p.current_organ.path.startswith(p.accused_organ.path)

    # a login for every role at the province, a city and a county; one password for all
    logins = result["logins"]
    assert {x["role"] for x in logins} == set(Role.values)
    for prefix in ("province", "city", "county"):
        assert {x["role"] for x in logins if x["username"].startswith(f"{prefix}_")} == set(
            Role.values
        )
    user = authenticate(username="county_clerk", password=result["password"])
    assert user is not None and user.organ.kind == "petition_office"
    assert Organ.objects.filter(region__code="990000").exists()

    # the clerks chose a topic for each registered petition: the demo's own training history
    from xinfang.insight.models import TopicDecision

    decided = TopicDecision.objects.select_related("petition", "topic")
    assert decided.count() >= 150
    assert {d.topic.name for d in decided} >= {"城乡建设", "劳动和社会保障", "教育文体"}
    assert not decided.filter(petition__state="received").exists()  # not yet registered
    assert all(d.decided_by_organ_id == d.petition.registering_organ_id for d in decided[:50])


def test_seed_demo_refuses_a_database_that_already_has_petitions(register):
    register()
    with pytest.raises(CommandError, match="已有信访事项"):
        call_command("seed_demo", petitions=10)


def test_the_demo_fills_the_first_countys_prevention_records_through_the_services():
    from xinfang.prevention.models import (
        Conference,
        ConferenceTask,
        Decision,
        DecisionLink,
        Dispute,
        PolicyMatterPetition,
    )

    result = demo_seed(petitions=200, seed=11)
    assert result["errors"] == []
    statuses = set(Dispute.objects.values_list("status", flat=True))
    assert {"open", "mediating", "settled", "referred", "petition"} <= statuses
    assert Dispute.objects.filter(petition__isnull=False).exists()
    assert Decision.objects.filter(status="concluded").exists()
    assert DecisionLink.objects.filter(risk__isnull=True).exists()
    assert ConferenceTask.objects.filter(entries__kind="follow_up").exists()
    assert Conference.objects.count() == 1 and PolicyMatterPetition.objects.exists()


def test_the_demo_has_supervision_notices_answered_open_and_listed_with_their_escalations():
    from xinfang.resolution.models import Escalation, SupervisionNotice

    result = demo_seed(petitions=200, seed=11)
    assert result["errors"] == []
    statuses = set(SupervisionNotice.objects.values_list("status", flat=True))
    assert statuses == {"open", "replied"}
    assert SupervisionNotice.objects.filter(listed=True).exists()
    assert Escalation.objects.filter(notice__isnull=False).exists()
    assert Petition.objects.filter(supervised=True).exists()
