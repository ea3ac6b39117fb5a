"""``xinfang manage federation_peer``: the key exchange between two installations.

    federation_peer key                                show our public key and its id
    federation_peer list                               the peers, their key ids, the outbox
    federation_peer add NAME URL PUBLIC_KEY            trust another installation
    federation_peer deactivate NAME [--reason ..]      stop trusting it
    federation_peer activate NAME [--reason ..]        trust a deactivated peer again
    federation_peer organ ORGAN_ID NAME REMOTE_ID      our organ ORGAN_ID is served by NAME
    federation_peer organ-add NAME REMOTE_ID --name 江西省信访局 --region 360000 [--kind ..]
                                                       create that organ in our directory first

Every change is audited (``federation.*`` records). Read the key id aloud to the other side's
administrator (telephone) before adding a key received by e-mail: see docs/federation.md.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Level, Organ, OrganKind, Region
from xinfang.directory.services import organ_create
from xinfang.federation.keys import own_key_id, own_public_key
from xinfang.federation.models import OutboundMessage, Peer, RemoteOrgan
from xinfang.federation.services import (
    peer_activate,
    peer_add,
    peer_deactivate,
    remote_organ_set,
)


class Command(BaseCommand):
    help = "对接其他信访系统：交换公钥、登记对方系统及其机关"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("key", help="本系统公钥及指纹")
        sub.add_parser("list", help="已登记的对接系统")
        add = sub.add_parser("add", help="登记对接系统")
        add.add_argument("name")
        add.add_argument("url")
        add.add_argument("public_key")
        off = sub.add_parser("deactivate", help="停用对接系统")
        off.add_argument("name")
        off.add_argument("--reason", default="")
        on = sub.add_parser("activate", help="重新启用已停用的对接系统")
        on.add_argument("name")
        on.add_argument("--reason", default="")
        org = sub.add_parser("organ", help="本系统机关由对接系统办理")
        org.add_argument("organ_id", type=int)
        org.add_argument("peer")
        org.add_argument("remote_organ_id", type=int)
        new = sub.add_parser("organ-add", help="新建由对接系统办理的机关")
        new.add_argument("peer")
        new.add_argument("remote_organ_id", type=int)
        new.add_argument("--name", required=True)
        new.add_argument("--region", required=True, help="区划代码")
        new.add_argument("--kind", default=OrganKind.PETITION_OFFICE, choices=OrganKind.values)
        new.add_argument("--level", default=Level.PROVINCE, choices=Level.values)

    def handle(self, *args, **o) -> None:  # type: ignore[no-untyped-def]
        try:
            getattr(self, "_" + o["what"].replace("-", "_"))(o)
        except ApplicationError as e:
            detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in e.fields.items())
            raise CommandError(f"{e.message} {detail}".strip()) from e

    def _peer(self, name: str) -> Peer:
        peer = Peer.objects.filter(name=name).first()
        if peer is None:
            raise CommandError(f"没有名为 {name} 的对接系统")
        return peer

    def _key(self, o) -> None:  # type: ignore[no-untyped-def]
        self.stdout.write(f"public_key {own_public_key()}\nkey_id {own_key_id()}")

    def _list(self, o) -> None:  # type: ignore[no-untyped-def]
        for p in Peer.objects.order_by("name"):
            pending = OutboundMessage.objects.filter(peer=p, status="pending").count()
            organs = ", ".join(
                f"{r.organ_id}->{r.remote_organ_id}" for r in RemoteOrgan.objects.filter(peer=p)
            )
            state = "active" if p.is_active else "inactive"
            self.stdout.write(
                f"{p.name}\t{p.key_id}\t{p.url}\t{state}\tpending={pending}\t{organs}"
            )

    def _add(self, o) -> None:  # type: ignore[no-untyped-def]
        peer = peer_add(name=o["name"], url=o["url"], public_key=o["public_key"])
        self.stdout.write(f"added {peer.name} key_id {peer.key_id}")

    def _deactivate(self, o) -> None:  # type: ignore[no-untyped-def]
        peer_deactivate(peer=self._peer(o["name"]), reason=o["reason"])
        self.stdout.write(f"deactivated {o['name']}")

    def _activate(self, o) -> None:  # type: ignore[no-untyped-def]
        peer = self._peer(o["name"])
        if peer.is_active:
            self.stdout.write(f"{peer.name} is active already")
            return
        peer_activate(peer=peer, reason=o["reason"])
        self.stdout.write(f"activated {peer.name} key_id {peer.key_id}")

    def _organ(self, o) -> None:  # type: ignore[no-untyped-def]
        organ = Organ.objects.filter(pk=o["organ_id"]).first()
        if organ is None:
            raise CommandError(f"没有编号为 {o['organ_id']} 的机关")
        remote_organ_set(
            organ=organ, peer=self._peer(o["peer"]), remote_organ_id=o["remote_organ_id"]
        )
        self.stdout.write(f"organ {organ.pk} served by {o['peer']} as {o['remote_organ_id']}")

    def _organ_add(self, o) -> None:  # type: ignore[no-untyped-def]
        peer = self._peer(o["peer"])
        region = Region.objects.filter(code=o["region"]).first()
        if region is None:
            raise CommandError(f"没有区划代码 {o['region']}")
        organ = organ_create(name=o["name"], kind=o["kind"], level=o["level"], region=region)
        remote_organ_set(organ=organ, peer=peer, remote_organ_id=o["remote_organ_id"])
        self.stdout.write(f"organ {organ.pk} served by {peer.name} as {o['remote_organ_id']}")
