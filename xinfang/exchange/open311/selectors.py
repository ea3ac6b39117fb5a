"""What GET requests may show, and the filters of the specification and its common
extensions (page, page_size, updated_after, updated_before, extensions).

One rule decides what is public (``PUBLIC``): a request whose submitter consented to
publication ([ZJ Art. 26(4)]: nothing published without consent), that is not confidential,
not an accusation and names no accused organ or person (Art. 30 para 3, Art. 46(5)), and not
voided. A client that shows its own key sees its own unpublished requests as well, under the
same rule for confidentiality and accusations. No name, phone or e-mail is ever in an answer
(个人信息保护法 Art. 34)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.exchange.models import Open311Key, Open311Request
from xinfang.exchange.open311 import spec
from xinfang.exchange.open311.catalogue import service_list
from xinfang.petitions.models import Petition, PetitionEvent
from xinfang.petitions.workflow import ACTION_LABELS, STATE_LABELS, Action, Category, State

DEFAULT_DAYS = 90  # the specification: without dates, the last 90 days
PAGE_SIZE_DEFAULT = 1000  # the specification's maximum answer
PAGE_SIZE_MAX = 1000
IDS_MAX = 200

_ACCUSED_STAFF = Petition.accused_staff.through.objects.filter(petition_id=OuterRef("petition_id"))

#: The one rule of what may appear outside the petition office (see the module's docstring).
NEVER_SHOWN = (
    Q(petition__confidential=True)
    | Q(petition__category=Category.ACCUSATION)
    | Q(petition__accused_organ__isnull=False)
    | ~Q(petition__accused_persons="")
    | Q(petition__state=State.VOIDED)
)

#: As the portal says it (portal.selectors): steps inside the offices are not named.
_PUBLIC_STATE = {State.OBJECTED: "转送办理中", State.ROUTING: "登记分流中"}
#: Steps between offices that the petitioner is not shown (as on the portal).
#: "take_back": a hand-over to another installation that never arrived (issue 20).
_INTERNAL = frozenset(
    {"object", "objection_accept", "objection_reject", "report_result", "flag", "take_back"}
)


@dataclass(frozen=True)
class Query:
    service_request_ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    page: int = 1
    page_size: int = PAGE_SIZE_DEFAULT
    extensions: bool = False


def _when(name: str, raw: str, errs: list[str]) -> datetime | None:
    if not raw:
        return None
    try:
        value = parse_datetime(raw.strip().replace(" ", "+"))  # "+08:00" arrives as " 08:00"
    except ValueError:
        value = None
    if value is None:
        errs.append(gettext("%(name)s 应为 W3C 日期时间，如 2010-01-01T00:00:00Z") % {"name": name})
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _positive(name: str, raw: str, default: int, top: int, errs: list[str]) -> int:
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or not 1 <= int(raw) <= top:
        errs.append(gettext("%(name)s 应为 1 到 %(top)s 的整数") % {"name": name, "top": top})
        return default
    return int(raw)


def _list(raw: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in raw.split(",") if x.strip())


def query_parse(params: Any) -> Query:
    """The query string of GET requests; every problem is reported (400)."""
    errs: list[str] = []
    ids = _list(params.get("service_request_id", ""))
    if len(ids) > IDS_MAX:
        errs.append(gettext("service_request_id 一次不超过 %(n)s 个") % {"n": IDS_MAX})
    statuses = _list(params.get("status", ""))
    if any(s not in spec.STATUSES for s in statuses):
        errs.append(gettext("status 应为 open 或 closed"))
    q = Query(
        service_request_ids=ids,
        service_codes=_list(params.get("service_code", ""))[:IDS_MAX],
        start=_when("start_date", params.get("start_date", ""), errs),
        end=_when("end_date", params.get("end_date", ""), errs),
        statuses=statuses,
        updated_after=_when("updated_after", params.get("updated_after", ""), errs),
        updated_before=_when("updated_before", params.get("updated_before", ""), errs),
        page=_positive("page", params.get("page", ""), 1, 10**6, errs),
        page_size=_positive(
            "page_size", params.get("page_size", ""), PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, errs
        ),
        extensions=params.get("extensions", "").lower() == "true",
    )
    if q.start and q.end and q.start > q.end:
        errs.append(gettext("start_date 不能晚于 end_date"))
    if errs:
        raise ApplicationError(gettext("查询参数有误"), fields={"query": errs})
    return q


def requests_visible(*, key: Open311Key | None) -> QuerySet[Open311Request]:
    """The requests GET may show: published ones, and a client's own with its key."""
    mine = Q(publish=True) if key is None else Q(publish=True) | Q(key=key)
    return Open311Request.objects.filter(mine).exclude(NEVER_SHOWN).exclude(Exists(_ACCUSED_STAFF))


def requests_find(
    *, key: Open311Key | None, query: Query, now: datetime | None = None
) -> list[dict[str, Any]]:
    qs = requests_visible(key=key)
    if query.service_request_ids:
        qs = qs.filter(
            petition__tracking_code__in=[i.upper()[:16] for i in query.service_request_ids]
        )
    elif not (query.start or query.end or query.updated_after or query.updated_before):
        qs = qs.filter(requested_at__gte=(now or clock.now()) - timedelta(days=DEFAULT_DAYS))
    if query.service_codes:
        qs = qs.filter(service_code__in=query.service_codes)
    if query.start:
        qs = qs.filter(requested_at__gte=query.start)
    if query.end:
        qs = qs.filter(requested_at__lte=query.end)
    if query.statuses and set(query.statuses) != set(spec.STATUSES):
        qs = qs.filter(petition__is_open=query.statuses[0] == "open")
    if query.updated_after:
        qs = qs.filter(petition__last_event_at__gt=query.updated_after)
    if query.updated_before:
        qs = qs.filter(petition__last_event_at__lt=query.updated_before)
    first = (query.page - 1) * query.page_size
    qs = qs.select_related("petition__current_organ").order_by("-requested_at", "-id")
    if query.extensions:
        qs = qs.prefetch_related(
            Prefetch(
                "petition__events",
                queryset=PetitionEvent.objects.exclude(action__in=_INTERNAL).order_by("seq"),
            )
        )
    rows = list(qs[first : first + query.page_size])
    names = {s.code: s.name for s in service_list()} if rows else {}
    return [request_as_open311(r, names, extensions=query.extensions) for r in rows]


def request_get(
    *, key: Open311Key | None, service_request_id: str, extensions: bool = False
) -> dict[str, Any] | None:
    code = service_request_id.strip().upper()
    if not code.isascii() or not code.isalnum() or len(code) > 16:
        return None
    qs = requests_visible(key=key).filter(petition__tracking_code=code)
    qs = qs.select_related("petition__current_organ")
    r = qs.first()
    if r is None:
        return None
    return request_as_open311(r, {s.code: s.name for s in service_list()}, extensions=extensions)


def _iso(at: datetime | None) -> str | None:
    return timezone.localtime(at).isoformat(timespec="seconds") if at else None


def request_as_open311(
    r: Open311Request, names: dict[str, str], *, extensions: bool
) -> dict[str, Any]:
    p = r.petition
    state = State(p.state)
    out = spec.ordered(
        spec.REQUEST_FIELDS,
        {
            "service_request_id": p.tracking_code,
            "status": "open" if p.is_open else "closed",
            "status_notes": gettext(_PUBLIC_STATE.get(state, STATE_LABELS[state])),
            "service_name": names.get(r.service_code, r.service_code),
            "service_code": r.service_code,
            "description": p.content,
            "agency_responsible": p.current_organ.name,
            "service_notice": "",
            "requested_datetime": _iso(r.requested_at),
            "updated_datetime": _iso(p.last_event_at),
            "expected_datetime": None,
            "address": r.address_string,
            "address_id": p.region_id,
            "zipcode": "",
            "lat": float(r.lat) if r.lat is not None else None,
            "long": float(r.long) if r.long is not None else None,
            "media_url": r.media_url,
        },
    )
    if extensions:
        out["extended_attributes"] = {
            "channel": p.channel,
            "notes": [
                {
                    "datetime": _iso(e.occurred_at),
                    "summary": gettext("收到")
                    if e.action == "receive"
                    else gettext(ACTION_LABELS[Action(e.action)]),
                }
                for e in p.events.all()
                if e.action not in _INTERNAL and e.action != "flag"
            ],
        }
    return out
