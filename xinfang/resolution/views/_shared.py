"""What the resolution pages share: the capability check, parsing (bad input is a 400 with a
clear message, never a 500), the form's one-time key."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext

from xinfang.core.day_params import day_field
from xinfang.core.errors import ApplicationError
from xinfang.core.ids import normalize_tracking_code
from xinfang.core.inputs import is_digits
from xinfang.core.once import FIELD, once
from xinfang.directory.permissions import Cap, user_can_act
from xinfang.petitions.selectors import petition_queryset_for_user
from xinfang.resolution.access import require


def need(request: HttpRequest, cap: Cap) -> None:
    require(request.user, cap)  # type: ignore[arg-type]


def parse_date(value: str | None, field: str, errors: dict[str, list[str]]) -> date | None:
    """An optional date; a malformed one is an error on ``field``."""
    return day_field(value, field=field, errors=errors, message=gettext("日期格式应为 年-月-日"))


def parse_int(value: str | None, *, field: str = "") -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not is_digits(value) or len(value) > 12:
        raise ApplicationError(gettext("参数有误：%(f)s") % {"f": field or value[:20]})
    return int(value)


def one_time_key(request: HttpRequest) -> str:
    """The key a form posts back (the models' ``submission``): the posted one, or new."""
    posted = (request.POST.get("submission") or "").strip() if request.method == "POST" else ""
    try:
        return str(uuid.UUID(posted))
    except ValueError:
        return str(uuid.uuid4())


def step_once(
    request: HttpRequest,
    *,
    kind: str,
    record_id: int,
    action: str,
    do: Callable[[HttpRequest, int, str], str],
    page: Callable[..., HttpResponse],
    then: Callable[[], HttpResponse],
) -> HttpResponse:
    """Take one step on a record from its page (a hearing, a relief application): once per
    posted token, so a refresh or a double click does nothing twice (issue 12, item 2); a
    refused step comes back on the page with its reasons and a 400, what was typed kept;
    otherwise back to the record's page (PRG). A 403, 404 or 5xx is raised as it is."""
    try:
        with once(scope=f"{kind}.{action}", key=request.POST.get(FIELD)) as claim:
            if claim.prior is None:
                messages.success(request, do(request, record_id, action))
                claim.result = {kind: record_id}
    except ApplicationError as e:
        if e.status >= 500 or e.status in (403, 404):
            raise
        fields = e.fields or {"": [e.message]}
        return page(
            request,
            record_id,
            errors={action: [m for v in fields.values() for m in v]},
            status=409 if e.status == 409 else 400,  # 409: already there (a simultaneous post)
        )
    return then()


def petition_pk_by_code(user, raw: str | None) -> int | None:  # type: ignore[no-untyped-def]
    """The petition a form names by its tracking code, within what ``user`` may see; the code as
    the petition page shows it (groups of four with spaces) or typed in lower case is found."""
    code = normalize_tracking_code(raw or "")[:16]
    if not code:
        return None
    return (
        petition_queryset_for_user(user=user)
        .filter(tracking_code=code)
        .values_list("pk", flat=True)
        .first()
    )


def list_page(
    request: HttpRequest,
    *,
    statuses: Sequence[tuple[str, str]],
    listing: Callable[..., Any],
    template: str,
    **extra: Any,
) -> HttpResponse:
    """A list of one kind of record (hearings, mediations, suggestions, relief): filtered by
    one of its ``statuses`` (another one is a clear 400), newest first by keyset (``cursor``),
    through ``listing`` (the kind's ``*_list_for_user``, its access scope)."""
    need(request, Cap.RESOLUTION_VIEW)
    status = request.GET.get("status", "")
    if status and status not in {value for value, _label in statuses}:
        raise ApplicationError(gettext("筛选条件有误"))
    page = listing(
        user=request.user,
        status=status,
        cursor=parse_int(request.GET.get("cursor"), field="cursor"),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"page": page, "status": status, "statuses": statuses, "query": query.urlencode()}
    return render(request, template, {**context, **extra})


def petition_of_record(user, petition_id: int, step: Any) -> tuple[Any, bool]:  # type: ignore[no-untyped-def]
    """For a record's page: its petition as ``user`` may see it (None: outside the petitions
    gate - the page then shows neither its title nor its texts), and whether ``user`` may take
    the record's steps (``step``: a role that may, at the organ holding the petition now)."""
    petition = (
        petition_queryset_for_user(user=user)
        .filter(pk=petition_id)
        .only("pk", "title", "tracking_code", "state", "current_organ_id", "is_anonymous")
        .first()
    )
    return petition, may_act_on(user, petition, step)


def may_act_on(user, petition: Any, step: Any) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``user`` may take a record's ``step`` on ``petition`` (as the gate returned it,
    None outside it): a role that may, at the organ holding the petition now."""
    return (
        petition is not None
        and user_can_act(user, step)
        and getattr(user, "organ_id", None) == petition.current_organ_id
    )
