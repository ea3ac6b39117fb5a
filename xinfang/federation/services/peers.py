"""The key exchange: peers and the organs they serve. Every change is audited."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ
from xinfang.federation.envelope import key_id, public_key_parse
from xinfang.federation.keys import own_public_key
from xinfang.federation.models import Peer, RemoteOrgan
from xinfang.federation.selectors import peers_configured_forget


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def peer_url_problem(url: str) -> str:
    """Why ``url`` cannot be a peer's address ("" when it can). Personal data travels in the
    messages: https, or plain http to this machine only (two installations in a test)."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return gettext("地址应为 https://主机/ 形式")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        return gettext("对方地址必须使用 https（仅本机回环地址可用 http）")
    if parts.query or parts.fragment or parts.username:
        return gettext("地址不应包含查询参数、片段或用户名")
    return ""


def peer_add(*, name: str, url: str, public_key: str, actor: Any = None) -> Peer:
    """Record another installation: its name, root URL and public key (read out and checked
    by its key id between the two administrators). Audited as ``federation.peer_add``."""
    name, url, public_key = (name or "").strip(), (url or "").strip(), (public_key or "").strip()
    fields: dict[str, list[str]] = {}
    if not name or len(name) > 100:
        fields["name"] = [gettext("名称为 1 至 100 个字符")]
    if problem := peer_url_problem(url):
        fields["url"] = [problem]
    try:
        public_key_parse(public_key)
    except ValueError:
        fields["public_key"] = [gettext("公钥应为 44 个字符的 Base64（32 字节 Ed25519 公钥）")]
    else:
        if public_key == own_public_key():
            fields["public_key"] = [gettext("这是本系统自己的公钥")]
        elif Peer.objects.filter(public_key=public_key).exists():
            fields["public_key"] = [gettext("该公钥已登记")]
    if name and Peer.objects.filter(name=name).exists():
        fields["name"] = [gettext("该名称已登记")]
    if fields:
        raise ApplicationError(gettext("对接系统信息有误"), fields=fields)
    if not url.endswith("/"):
        url += "/"
    peers_configured_forget()  # this process asks again (a rolled-back add: it finds none)
    with transaction.atomic():
        peer = Peer.objects.create(
            name=name, url=url, public_key=public_key, key_id=key_id(public_key)
        )
        audit_record(
            kind="federation.peer_add",
            actor=actor,
            object_type="federation.peer",
            object_id=peer.pk,
            data={"name": name, "url": url, "key_id": peer.key_id},
        )
    return peer


def peer_deactivate(*, peer: Peer, actor: Any = None, reason: str = "") -> Peer:
    """Stop trusting a peer (a compromised key): its messages are refused from now on, and
    nothing more is sent to it. Audited as ``federation.peer_deactivate`` with the reason and
    the messages left waiting for it (they stay in the outbox: re-activated, it gets them)."""
    from xinfang.federation.models import OutboundMessage

    waiting = OutboundMessage.objects.filter(peer=peer, status=OutboundMessage.PENDING).count()
    return _peer_set_active(peer, False, actor, reason, waiting=waiting)


def peer_activate(*, peer: Peer, actor: Any = None, reason: str = "") -> Peer:
    """Trust a withdrawn peer again (the same key, checked again by telephone): its messages are
    accepted and the outbox's waiting messages go to it at the next tick. Audited as
    ``federation.peer_activate``. A key that was compromised is not re-activated: record the
    peer's new key under a new name instead."""
    return _peer_set_active(peer, True, actor, reason)


def _peer_set_active(peer: Peer, active: bool, actor: Any, reason: str, **extra: Any) -> Peer:
    """Switch a peer on or off, with its audit record (``federation.peer_(de)activate``)."""
    with transaction.atomic():
        Peer.objects.filter(pk=peer.pk).update(is_active=active)
        peer.is_active = active
        audit_record(
            kind="federation.peer_activate" if active else "federation.peer_deactivate",
            actor=actor,
            object_type="federation.peer",
            object_id=peer.pk,
            data={
                "name": peer.name,
                "key_id": peer.key_id,
                "reason": (reason or "").strip()[:500],
                **extra,
            },
        )
    return peer


def remote_organ_set(
    *, organ: Organ, peer: Peer, remote_organ_id: int, actor: Any = None
) -> RemoteOrgan:
    """Declare that ``organ`` of our directory is served by ``peer`` (its id there): a
    transfer to it travels to the peer. Audited as ``federation.remote_organ``."""
    if not 1 <= remote_organ_id <= 2**31 - 1:
        raise ApplicationError(gettext("对方机关编号无效"), fields={"remote_organ_id": [gettext("应为正整数")]})
    with transaction.atomic():
        row, _created = RemoteOrgan.objects.update_or_create(
            organ=organ, defaults={"peer": peer, "remote_organ_id": remote_organ_id}
        )
        # The directory's own mark: a transfer to it starts no deadline here (tracker, issue 20).
        Organ.objects.filter(pk=organ.pk).update(external=True)
        organ.external = True
        audit_record(
            kind="federation.remote_organ",
            actor=actor,
            object_type="directory.organ",
            object_id=organ.pk,
            data={"peer": peer.name, "key_id": peer.key_id, "remote_organ_id": remote_organ_id},
        )
    return row
