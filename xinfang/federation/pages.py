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
from django.views.decorators.http import require_http_methods, require_POST

from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.permissions import Cap, user_can
from xinfang.federation.keys import own_key_id, own_public_key
from xinfang.federation.models import OutboundMessage, Peer
from xinfang.federation.services import peer_add, peer_deactivate

FIELD_MAX = {"name": 100, "url": 300, "public_key": 100}


def _admin(request: HttpRequest):  # type: ignore[no-untyped-def]
    if not user_can(request.user, Cap.ADMIN):  # type: ignore[arg-type]
        raise Forbidden(gettext("只有管理员可以管理对接系统"))
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


@login_required
@require_POST
def peer_disable(request: HttpRequest, peer_id: int) -> HttpResponse:
    actor = _admin(request)
    peer = Peer.objects.filter(pk=peer_id).first()
    if peer is None:
        raise NotFound(gettext("没有这个对接系统"))
    if peer.is_active:  # a repeat finds it stopped already
        peer_deactivate(peer=peer, actor=actor)
    messages.success(request, gettext("已停用对接系统 %(name)s") % {"name": peer.name})
    return redirect("federation:peers")
