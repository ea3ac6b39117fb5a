"""Every state-changing form of the site is carried out once (issue 13 §1.10, DEVELOPERS.md).

A refresh of the page a POST answered, a double click or the browser's "send again" repeats a
submission: a second reception record, a second risk point, a second supervision reply. The
forms carry a one-time token (``{% once_token %}``, a builtin tag rendering the hidden field
``once``; a form re-shown after an error keeps its token), and this middleware, one place for
every form, claims it:

- the POST runs inside one transaction with the claim (``xinfang.core.once``'s ``OnceKey``), so
  of two identical submissions at once the second waits for the first;
- a POST answered by a redirect (POST/redirect/GET) keeps the claim with where it led; the same
  token again is answered by a redirect to that place, with a note that nothing was done twice;
- a POST answered otherwise (a form re-shown with its errors, a refusal) gives its claim up, so
  the corrected form, with the same token, goes through; a server error rolls everything back.

Views that claim their token themselves with a scope and a fingerprint of their own (the desk,
the portal's submission, the ledger export: they answer a repeat with its own receipt) are
marked ``@once_by_view`` and left to it. The API uses ``Idempotency-Key`` instead (not here).
``tests/test_once_forms.py`` checks that every form a page renders carries the token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.boundary import busy_answer
from xinfang.core.once import FIELD, KEY_MAX, digest

SCOPE = "form"  # OnceKey.scope of the claims made here


def once_by_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that claims its one-time token itself (``xinfang.core.once.once``)."""
    view.once_by_view = True  # type: ignore[attr-defined]
    return view


def _handled_by_view(request: HttpRequest) -> bool:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return True  # nothing to carry out: the 404 needs no claim
    func = match.func
    while func is not None:
        if getattr(func, "once_by_view", False):
            return True
        func = getattr(func, "__wrapped__", None)  # through login_required, require_POST, …
    return False


def _who(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    session = getattr(request, "session", None)
    return f"s{session.session_key}" if session is not None and session.session_key else "anon"


def claim_key(request: HttpRequest, token: str) -> str:
    """The digest a submission is known by: who sent it, to which address, with which token."""
    return digest(f"{_who(request)}|{request.path_info}|{token}")


class OnceFormMiddleware:
    def __init__(self, get_response):  # type: ignore[no-untyped-def]
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = self._token(request)
        if token is None:
            return self.get_response(request)
        try:
            return self._claimed(request, token)
        except (OperationalError, InterfaceError) as exc:
            # the database is busy (SQLite's "database is locked" while another writer runs):
            # everything of this POST was rolled back with the transaction; say "try again"
            # (503, Retry-After) as for a view (walker report item 1), never a 500
            return busy_answer(request, exc)

    def _claimed(self, request: HttpRequest, token: str) -> HttpResponse:
        from xinfang.core.models import OnceKey

        key = claim_key(request, token)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    OnceKey.objects.create(scope=SCOPE, key=key, created_at=clock.now())
            except IntegrityError:
                row = OnceKey.objects.filter(scope=SCOPE, key=key).first()
                where = (row.result or {}).get("location") if row is not None else None
                messages.info(
                    request, gettext("这份表单已经提交过，没有再次执行；以下是提交后的页面。")
                )
                return HttpResponseRedirect(where or request.path_info, status=303)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif 300 <= response.status_code < 400 and response.get("Location"):
                OnceKey.objects.filter(scope=SCOPE, key=key).update(
                    result={"location": response["Location"][:2000]}
                )
            else:
                try:  # an error re-shown or a refusal: the same token may be sent again
                    with transaction.atomic():
                        OnceKey.objects.filter(scope=SCOPE, key=key).delete()
                except DatabaseError:
                    transaction.set_rollback(True)  # the view left the transaction broken
        return response

    @staticmethod
    def _token(request: HttpRequest) -> str | None:
        if request.method != "POST" or request.path_info.startswith("/api/"):
            return None
        content_type = request.content_type or ""
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return None
        token = (request.POST.get(FIELD) or "").strip()
        if not token or len(token) > KEY_MAX or _handled_by_view(request):
            return None
        return token
