"""A step that leaves a petition with another installation's organ is either sent to the peer
or refused (review-b #2-#4): never taken with no message and no clock (Arts. 22, 23)."""

from __future__ import annotations

import pytest

from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Level, Organ, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.models import OutboundMessage, Peer, RemoteOrgan
from xinfang.federation.selectors import peers_configured, peers_configured_forget
from xinfang.federation.services import peer_add, peer_deactivate, remote_organ_set
from xinfang.federation.tests.test_handover import OTHER
from xinfang.petitions.models import Petition
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db


def _peer():
    return peer_add(name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=e.public_key_text(OTHER))  # fmt: skip


def _refused(world, p, action, organ, **data):
    with pytest.raises(ApplicationError):
        petition_act(petition_id=p.pk, action=action, actor=world.clerk, data={"to_organ_id": organ.pk, **data})  # fmt: skip
    p = Petition.objects.get(pk=p.pk)
    assert p.current_organ_id != organ.pk
    assert not OutboundMessage.objects.exists()


def test_a_transfer_to_an_organ_whose_peer_is_off_is_refused(world, register):
    peer = _peer()
    organ = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE, region=world.county)  # fmt: skip
    remote_organ_set(organ=organ, peer=peer, remote_organ_id=17)
    peer_deactivate(peer=peer, actor=None)
    _refused(world, register().petition, "transfer", organ)


def test_a_referral_to_an_external_organ_is_refused(world, register):
    organ = organ_create(name="江西省某法院", kind=OrganKind.POLITICAL_LEGAL, level=Level.PROVINCE, region=world.county)  # fmt: skip
    remote_organ_set(organ=organ, peer=_peer(), remote_organ_id=18)
    _refused(world, register().petition, "refer_legal", organ, category="appeal")


def test_a_peer_added_by_another_process_is_seen_despite_the_no_peer_cache(world, register):
    peers_configured_forget()
    p = register().petition
    assert peers_configured() is False  # this process cached "no peers"
    pk = e.public_key_text(OTHER)
    peer = Peer.objects.create(name="江西省信访系统", url="http://127.0.0.1:8639/", public_key=pk, key_id=e.key_id(pk))  # fmt: skip
    organ = organ_create(name="江西省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE, region=world.county)  # fmt: skip
    RemoteOrgan.objects.create(organ=organ, peer=peer, remote_organ_id=17)
    Organ.objects.filter(pk=organ.pk).update(external=True)
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": organ.pk})  # fmt: skip
    assert list(OutboundMessage.objects.values_list("kind", flat=True)) == ["transfer"]
    peers_configured_forget()
