"""The receiving endpoint: ``POST /federation/v1/messages`` takes one signed message from a
known peer (docs/federation.md). No session, no cookie, no CSRF token: the Ed25519 signature
of a peer whose key our administrators recorded is the only credential."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xinfang.core import clock
from xinfang.federation.keys import own_key_id
from xinfang.federation.services import InboxRefusal, inbox_receive


def _refused(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"status": "refused", "code": code, "message": message, "fields": fields or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


@csrf_exempt
@require_POST
def messages(request: HttpRequest) -> JsonResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refused(400, "malformed", "bad Content-Length")
    if length <= 0:
        return _refused(400, "malformed", "empty message")
    if length > settings.XINFANG_FEDERATION_MAX_BYTES:
        return _refused(413, "too_large", "message too large")
    if request.content_type != "application/json":
        return _refused(415, "media_type", "expected application/json")
    raw = request.read(length + 1)
    if len(raw) > length:
        return _refused(400, "malformed", "body longer than Content-Length")
    try:
        receipt = inbox_receive(raw=raw, now=clock.now())
    except InboxRefusal as e:
        return _refused(e.status, e.code, e.message, e.fields)
    return JsonResponse(
        {
            "status": "duplicate" if receipt.duplicate else "applied",
            "receiver": own_key_id(),
            **receipt.result,
        },
        json_dumps_params={"ensure_ascii": False},
    )
