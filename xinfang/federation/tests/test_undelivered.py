"""A transfer to another installation whose message is not delivered (walker finding 1): the
sending office's page says "未送达", never that the petition reached the handling organ, and
says when nothing will be sent at all (the peer withdrawn).

Planted faults: the chain panel's ``chain.external`` branch removed (the test fails; with
``_arrived`` also without its ``to_external`` condition the page said "到达承办机关" the day of
the transfer); the panel's undelivered branch back to the old text."""

from __future__ import annotations

import pytest

from xinfang.core import clock
from xinfang.directory.models import Level, OrganKind
from xinfang.directory.services import organ_create
from xinfang.federation import envelope as e
from xinfang.federation.services import (
    outbox,
    outbox_deliver,
    peer_add,
    peer_deactivate,
    remote_organ_set,
)
from xinfang.petitions.services import petition_act

pytestmark = pytest.mark.django_db

OTHER = e.private_key_from_secret("the other installation, undelivered")


@pytest.fixture
def remote(world):
    peer = peer_add(
        name="邻省测试", url="https://xf3.example.gov.cn/", public_key=e.public_key_text(OTHER)
    )
    organ = organ_create(name="青山区铁路管理处", kind=OrganKind.COMPETENT, level=Level.COUNTY, region=world.county)  # fmt: skip
    return remote_organ_set(organ=organ, peer=peer, remote_organ_id=102)


def test_an_undelivered_transfer_is_said_undelivered_not_arrived(
    world, register, remote, client, monkeypatch
):
    p = register().petition
    petition_act(petition_id=p.pk, action="transfer", actor=world.clerk, data={"to_organ_id": remote.organ.pk})  # fmt: skip
    client.force_login(world.clerk)
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "未送达" in page and "自动重试" in page
    assert "到达承办机关，全链用时" not in page
    assert "是否送达见“跨系统转送”" in page
    assert "不再计算办理期限" not in page  # not said before the other side has it
    peer_deactivate(peer=remote.peer, reason="演练")
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "未送达" in page and "转送消息不会发出" in page
    # re-activated and delivered: acknowledged, and the duty left with it
    from xinfang.federation.services import peer_activate

    peer_activate(peer=remote.peer, reason="演练结束")
    monkeypatch.setattr(outbox, "_post", lambda url, data: (200, {"tracking_code": "XYZ2345678"}))
    outbox_deliver(now=clock.now())
    page = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "未送达" not in page and "确认接收" in page and "不再计算办理期限" in page
