"""The sending side's copy of a petition once the installation it went to concludes it (issue
20, ADR 0018): the copy stays "transferred" with no clock of ours, but it is no longer open
here, and the staff page and the petitioner's portal say it was concluded there; a later step
over there (a review asked) opens it again; the figures count it once, as transferred, and
never as an acceptance overdue here.

Planted faults (each watched failing, then restored): ``_update_apply`` without
``_concluded_sync`` - the copy stayed open and the portal said "已转送"; ``rates.outcomes``
without ``_handed_out`` - the transfer out counted as an acceptance overdue at the organ over
there; ``backlog_propose_due`` without the external-organ exclusion - the copy was proposed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.flows import portal_open
from xinfang.analytics.rates import Metric, PetitionFacts, Step, outcomes
from xinfang.core import clock
from xinfang.directory.models import Level, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.models import Link
from xinfang.federation.services import inbox_receive, peer_add, remote_organ_set
from xinfang.federation.tests.test_handover import OTHER, _handed_over, _wire
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


@pytest.fixture
def remote(world):
    peer = peer_add(name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=e.public_key_text(OTHER))  # fmt: skip
    organ = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE, region=world.county)  # fmt: skip
    return remote_organ_set(organ=organ, peer=peer, remote_organ_id=17)


def _report(p, seq: int, action: str, state: str, label: str, *, is_open: bool) -> None:
    link = Link.objects.get(petition=p, direction="out")
    body = {"transfer_id": link.transfer_id, "seq": seq, "action": action, "state": state,
            "state_label": label, "occurred_at": clock.now().isoformat(), "organ": "江西省南昌市住建局",
            "note": "", "document": {}, "is_open": is_open}  # fmt: skip
    inbox_receive(raw=_wire("update", body), now=clock.now())


def test_a_petition_concluded_over_there_is_concluded_here_and_says_so(
    world, register, remote, client
):
    p = _handed_over(world, register, remote)
    _report(p, 3, "acknowledge", "acknowledged", "已受理", is_open=True)
    p = Petition.objects.get(pk=p.pk)
    assert (p.state, p.is_open, p.concluded_elsewhere) == ("transferred", True, False)

    portal_open(client, p)
    page = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "已转至江西省信访局办理（已受理）" in page and "江西省信访系统" not in page and "江西省南昌市住建局" in page

    _report(p, 6, "reply", "replied", "已答复", is_open=False)
    p = Petition.objects.get(pk=p.pk)
    assert (p.state, p.is_open, p.concluded_elsewhere) == ("transferred", False, True)
    # no clock of ours started or stopped: the duty left with the petition (ADR 0018)
    assert not p.deadlines.filter(outcome="open").exists() and p.next_due is None
    flag = p.events.order_by("-seq").first()
    assert (flag.action, flag.actor_id, flag.to_state) == ("flag", None, "transferred")
    assert flag.data["flag"] == "concluded_elsewhere" and flag.data["remote_state"] == "replied"

    page = client.get(f"/portal/p/{p.tracking_code}/").content.decode()
    assert "已在江西省信访局办结（已答复）" in page and "目前办理机关" not in page
    client.logout()
    client.force_login(world.clerk)
    staff = client.get(f"/petitions/{p.pk}/").content.decode()
    assert 'id="concluded-elsewhere"' in staff and "对方系统已办结" in staff

    # a step reported late (an earlier seq) changes nothing; a later one that reopens does
    _report(p, 5, "start_handling", "in_handling", "办理中", is_open=True)
    assert not Petition.objects.get(pk=p.pk).is_open
    _report(p, 7, "reopen_window", "opinion_issued", "已出具处理意见", is_open=True)
    p = Petition.objects.get(pk=p.pk)
    assert (p.is_open, p.concluded_elsewhere) == (True, False)
    assert "对方系统重新办理" in client.get(f"/petitions/{p.pk}/").content.decode()


def test_a_petition_concluded_over_there_is_no_backlog_candidate_here(world, register, remote):
    from xinfang.resolution.models import BacklogCase, BacklogCriterion
    from xinfang.resolution.services import backlog_propose_due

    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="open_days", threshold=1)
    p = _handed_over(world, register, remote)
    local = register().petition  # ours, open as long: proposed
    backlog_propose_due(now=clock.now() + timedelta(days=5))
    assert set(BacklogCase.objects.values_list("petition_id", flat=True)) == {local.pk}
    assert Petition.objects.get(pk=p.pk).is_open  # still handled over there: not ours to list


def test_a_transfer_to_another_installation_is_never_an_acceptance_overdue_here():
    received = date(2025, 3, 1)
    out = PetitionFacts(petition_id=1, received=received, current_organ_id=9, steps=[
        Step("register", received, 5), Step("transfer", date(2025, 3, 5), 9, {"to_external": True}),
    ])  # fmt: skip
    local = PetitionFacts(petition_id=2, received=received, current_organ_id=6, steps=[
        Step("register", received, 5), Step("transfer", date(2025, 3, 5), 6, {}),
    ])  # fmt: skip
    late = date(2025, 12, 31)
    assert [r for r in outcomes(out, as_of=late) if r.metric == Metric.ACCEPT] == []
    assert [r.outcome for r in outcomes(local, as_of=late) if r.metric == Metric.ACCEPT] == ["overdue"]  # fmt: skip
