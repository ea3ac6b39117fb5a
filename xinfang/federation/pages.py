"""Staff pages of the key exchange (issue 20), for administrators only: the peers (their key
ids, state, messages waiting and organs served), a form to record one with its public key, and
deactivation. The same services as ``xinfang manage federation_peer``; every change audited.
Forms carry ``{% once_token %}``; POST/redirect/GET; an error keeps what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.permissions import user_administers_installation
from xinfang.federation.keys import own_key_id, own_public_key
from xinfang.federation.models import OutboundMessage, Peer
from xinfang.federation.selectors import transfers_waiting
from xinfang.federation.services import peer_activate, peer_add, peer_deactivate

FIELD_MAX = {"name": 100, "url": 300, "public_key": 100}
REASON_MAX = 500
TRANSFERS_SHOWN = 200  # the transfers waiting listed on the confirmation (the count says all)


def _admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    # trust anchors of the whole installation: its province-level administrators only
    if not user_administers_installation(request.user):  # type: ignore[arg-type]
        raise Forbidden(gettext("只有省级管理员可以管理对接系统"))
    return request.user


def _peers() -> list[Peer]:
    """The peers with their waiting messages and organs served (two queries)."""
    pending = dict(
        OutboundMessage.objects.filter(status=OutboundMessage.PENDING)
        .values("peer")
        .annotate(n=Count("id"))
        .values_list("peer", "n")
    )
    out = list(Peer.objects.annotate(organ_count=Count("organs")).order_by("name"))
    for p in out:
        p.pending = pending.get(p.pk, 0)  # type: ignore[attr-defined]
    return out


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def peers(request: HttpRequest) -> HttpResponse:
    actor = _admin(request)
    errors: dict[str, list[str]] = {}
    message = ""
    form = {k: "" for k in FIELD_MAX}
    status = 200
    if request.method == "POST":
        form = {k: str(request.POST.get(k, ""))[: FIELD_MAX[k] * 4] for k in FIELD_MAX}
        if any("\x00" in v for v in form.values()):
            errors, message, status = {}, gettext("内容含有不可用的字符"), 400
        else:
            try:
                peer = peer_add(actor=actor, **form)
            except ApplicationError as e:
                errors, message, status = e.fields, e.message, 400
            else:
                messages.success(
                    request,
                    gettext("已登记对接系统 %(name)s（公钥指纹 %(kid)s）")
                    % {"name": peer.name, "kid": peer.key_id},
                )
                return redirect("federation:peers")
    return render(
        request,
        "federation/peers.html",
        {
            "peers": _peers(),
            "own_public_key": own_public_key(),
            "own_key_id": own_key_id(),
            "form": form,
            "errors": errors,
            "message": message,
        },
        status=status,
    )


def _waiting(peer: Peer) -> dict[str, object]:
    """What waits in the outbox for ``peer``: by kind, the petitions concerned, the oldest."""
    rows = list(
        OutboundMessage.objects.filter(peer=peer, status=OutboundMessage.PENDING).values_list(
            "kind", "petition_id", "created_at"
        )
    )
    kinds: dict[str, int] = {}
    for kind, _pid, _at in rows:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "count": len(rows),
        "transfers": kinds.get("transfer", 0),
        "others": len(rows) - kinds.get("transfer", 0),
        "petitions": len({pid for _k, pid, _a in rows if pid is not None}),
        "oldest": min((at for _k, _p, at in rows), default=None),
    }


def _peer_or_404(peer_id: int) -> Peer:
    peer = Peer.objects.filter(pk=peer_id).first()
    if peer is None:
        raise NotFound(gettext("没有这个对接系统"))
    return peer


def _confirm(request: HttpRequest, peer_id: int, *, withdraw: bool) -> HttpResponse:
    """The confirmation of a withdrawal (停用) or a re-activation (重新启用): a GET shows what
    it does (and, for a withdrawal, the messages left waiting for the peer); the POST needs the
    box ticked and a reason, both audited. A repeat finds the peer in that state already."""
    actor = _admin(request)
    peer = _peer_or_404(peer_id)
    reason, confirmed, errors, status = "", False, {}, 200
    if request.method == "POST":
        confirmed = request.POST.get("confirm") == "1"  # kept as sent when the form is refused
        reason = str(request.POST.get("reason", ""))[: REASON_MAX * 4].strip()
        if "\x00" in reason:
            errors["reason"] = [gettext("内容含有不可用的字符")]
        elif not reason or len(reason) > REASON_MAX:
            errors["reason"] = [gettext("请填写理由（不超过 %(n)s 字）") % {"n": REASON_MAX}]
        if not confirmed:
            errors["confirm"] = [gettext("请勾选确认")]
        if not errors:
            if withdraw:
                if peer.is_active:
                    peer_deactivate(peer=peer, actor=actor, reason=reason)
                messages.success(request, gettext("已停用对接系统 %(name)s") % {"name": peer.name})
            else:
                if not peer.is_active:
                    peer_activate(peer=peer, actor=actor, reason=reason)
                messages.success(
                    request, gettext("已重新启用对接系统 %(name)s") % {"name": peer.name}
                )
            return redirect("federation:peers")
        status = 400
    return render(
        request,
        "federation/peer_confirm.html",
        {
            "peer": peer,
            "withdraw": withdraw,
            "waiting": _waiting(peer),
            # which offices to tell: each transfer waiting, by tracking code (issue 20)
            "transfers": transfers_waiting(peer=peer, limit=TRANSFERS_SHOWN),
            "reason": reason,
            "confirmed": confirmed,
            "errors": errors,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def peer_disable(request: HttpRequest, peer_id: int) -> HttpResponse:
    return _confirm(request, peer_id, withdraw=True)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def peer_enable(request: HttpRequest, peer_id: int) -> HttpResponse:
    return _confirm(request, peer_id, withdraw=False)
