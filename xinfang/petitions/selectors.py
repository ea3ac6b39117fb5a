"""Reads of petitions. Interface code gets petitions only through the ``*_for_user`` gates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import NotFound
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.statutes import STATUTES, Kind, Status, status_on
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.models import Petition

# GB/T 2260: a region's code begins with its province (2 digits), city (4) and county (6).
_REGION_PREFIX = {"national": 0, "province": 2, "city": 4, "county": 6, "township": 9}


def _visible(user: User) -> Q:
    """Jurisdiction, the one rule for every list, search, page, API call and export.

    A petition is visible while it is with the user's organ or an organ below it (a petition
    office: with any organ of its region), and only to a role that may read petitions; never,
    while it accuses the user's organ or an organ above it, to the accused organ's staff or
    anyone below it, and never to a staff member it names (Art. 30 para 3, Art. 46(5))."""
    if not user_can(user, Cap.VIEW_PETITIONS):
        return Q(pk__in=[])
    return _jurisdiction(user)


def _jurisdiction(user: User) -> Q:
    """Where the user's organ may look, with both accusation exclusions; no role check (the
    callers decide which capability reads through it: petitions, or de-identified counts)."""
    organ: Organ | None = user.organ if user.is_authenticated else None
    if organ is None:
        return Q(pk__in=[])
    return _held(organ) & _exclusions(user)


def _held(organ: Organ) -> Q:
    """Held by the organ or one below it (a petition office: by any organ of its region)."""
    below = organ.path or f"/{organ.pk}/"
    held = Q(current_organ__path__startswith=below)
    if organ.kind == OrganKind.PETITION_OFFICE:
        held |= _in_region(organ)
    return held


def statistics_scope(*, user: User) -> Q | None:
    """The jurisdiction of ``petition_queryset_for_statistics`` without the petitions that name
    the user, as a condition on ``current_organ`` and ``accused_organ_id`` alone: what a rollup
    keyed by those (``analytics.PetitionTally``) can express. The caller subtracts the
    petitions naming the user (``petitions_naming``). None: nothing to count."""
    organ = user.organ if user.is_authenticated else None
    if organ is None or not user_can(user, Cap.VIEW_DEIDENTIFIED):
        return None
    return _held(organ) & ~Q(accused_organ_id__in=_ancestor_ids(organ))


def petitions_naming(*, user: User) -> QuerySet[Petition]:
    """The petitions an accusation names ``user`` in (to leave out of the user's counts)."""
    return Petition.objects.filter(_names(user))


def _exclusions(user: User) -> Q:
    """The two accusation exclusions alone (for reads already bounded to the user's organ)."""
    organ = user.organ
    ancestors = _ancestor_ids(organ) if organ is not None else []
    return ~Q(accused_organ_id__in=ancestors) & ~_names(user)


def _names(user: User) -> Q:
    """The petitions that name ``user`` as accused (a subquery: no join, no duplicate rows)."""
    named = Petition.accused_staff.through.objects.filter(user_id=user.pk)
    return Q(pk__in=named.values("petition_id"))


def petition_names_user(*, petition: Petition, user: User) -> bool:
    """Whether ``petition`` names ``user`` as accused (the service gate's recusal check)."""
    return Petition.accused_staff.through.objects.filter(
        petition_id=petition.pk, user_id=user.pk
    ).exists()


def _in_region(office: Organ) -> Q:
    # An organ's level is its region's level, so the prefix needs no query.
    prefix = office.region_id[: _REGION_PREFIX.get(office.level, len(office.region_id))]
    return Q(current_organ__region__code__startswith=prefix) if prefix else Q()


def _ancestor_ids(organ: Organ) -> list[int]:
    # The user's organ is the accused organ or lies in its subtree exactly when the accused
    # organ is one of the ids on the user's organ's materialised path.
    return [int(x) for x in (organ.path or f"/{organ.pk}/").strip("/").split("/") if x]


def petition_queryset_for_user(*, user: User) -> QuerySet[Petition]:
    """Every petition the user may see (for admin lists and exports: filter further)."""
    return Petition.objects.filter(_visible(user))


def petition_queryset_for_statistics(*, user: User) -> QuerySet[Petition]:
    """The petitions an analyst's counts are taken over: the same jurisdiction and the same
    exclusions as ``_visible``, read only by ``view_deidentified`` (aggregates, never rows)."""
    if not user_can(user, Cap.VIEW_DEIDENTIFIED):
        return Petition.objects.none()
    return Petition.objects.filter(_jurisdiction(user))


def petition_get_for_user(*, user: User, petition_id: int) -> Petition:
    """The petition if the user may see it; otherwise NotFound, the same answer as for a
    petition that does not exist (nothing tells the accused that an accusation exists)."""
    p = (
        Petition.objects.filter(_visible(user), pk=petition_id)
        .select_related(
            "current_organ",
            "registering_organ",
            "handling_organ",
            "review_organ",
            "re_review_organ",
            "region",
            "accused_organ",
        )
        .first()
    )
    if p is None:
        raise NotFound(gettext("未找到该信访事项，或不在您的查看范围内"))
    return p


@dataclass(frozen=True)
class Page:
    items: list[Petition]
    next_cursor: str | None


def _cursor(p: Petition) -> str:
    return f"{p.next_due.isoformat() if p.next_due else '9999-12-31'}_{p.pk}"


def _parse_cursor(cursor: str | None) -> tuple[date, int] | None:
    if not cursor:
        return None
    try:
        d, pk = cursor.split("_", 1)
        return date.fromisoformat(d), int(pk)
    except ValueError:
        return None


FAR = date(9999, 12, 31)


def _filtered(qs: QuerySet[Petition], **filters: str | None) -> QuerySet[Petition]:
    """Apply the equality filters that were given (state, category, channel)."""
    return qs.filter(**{k: v for k, v in filters.items() if v})


def worklist_for_user(
    *,
    user: User,
    cursor: str | None = None,
    limit: int | None = None,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region: str | None = None,
    due: str | None = None,
    today: date | None = None,
) -> Page:
    """What the user's organ must do next, nearest due date first (keyset pagination).

    ``region``: a region code; its subregions match too (``990100`` also finds ``990102``).
    ``due``: ``running``, ``due_soon`` or ``overdue``, the colour of the row (``due_status``),
    turned into a range of ``next_due`` so that the ``petition_worklist`` index still serves it;
    petitions with no due date have no colour and match none of them."""
    limit = min(limit or settings.XINFANG_PAGE_SIZE, 200)
    if user.organ_id is None or not user_can(user, Cap.VIEW_PETITIONS):
        return Page([], None)
    qs: QuerySet[Petition] = Petition.objects.filter(
        Q(current_organ_id=user.organ_id, is_open=True) & _exclusions(user)
    )
    qs = _filtered(qs, state=state, category=category, channel=channel)
    if region:
        qs = qs.filter(region__code__startswith=region_prefix(region))  # no join: the FK column
    if due:
        qs = qs.filter(due_range(due, today or clock.today()))
    # Petitions with no due date sort last: they are stored with NULL and fetched after the rest.
    after = _parse_cursor(cursor)
    dated = qs.filter(next_due__isnull=False)
    if after is not None:
        d, pk = after
        if d == FAR:
            dated = dated.none()
        else:
            dated = dated.filter(Q(next_due__gt=d) | Q(next_due=d, id__gt=pk))
    items = list(_list_columns(dated.order_by("next_due", "id"))[: limit + 1])
    if len(items) <= limit and not due:
        undated = qs.filter(next_due__isnull=True)
        if after is not None and after[0] == FAR:
            undated = undated.filter(id__gt=after[1])
        items += list(_list_columns(undated.order_by("id"))[: limit + 1 - len(items)])
    more = len(items) > limit
    items = items[:limit]
    return Page(items, _cursor(items[-1]) if more and items else None)


DUE_FILTERS = ("running", "due_soon", "overdue")


def region_prefix(code: str) -> str:
    """The code prefix shared by a region and its subregions (GB/T 2260: 2, 4 or 6 digits)."""
    code = "".join(ch for ch in code if ch.isdigit())[:12]
    if len(code) > 6:  # a township (9 digits) or village (12): the code itself
        return code
    prefix = code.rstrip("0")
    return prefix + "0" * (len(prefix) % 2) if prefix else code


def due_range(due: str, today: date) -> Q:
    """``next_due`` range of a deadline colour as of ``today`` (the rule of ``status_on``:
    overdue after the due date, due soon within ``XINFANG_DUE_SOON_DAYS`` days, the due date
    itself included). An unknown value matches nothing."""
    soon = today + timedelta(days=settings.XINFANG_DUE_SOON_DAYS)
    if due == "overdue":
        return Q(next_due__lt=today)
    if due == "due_soon":
        return Q(next_due__gte=today, next_due__lte=soon)
    if due == "running":
        return Q(next_due__gt=soon)
    return Q(pk__in=[])


def _list_columns(qs: QuerySet[Petition]) -> QuerySet[Petition]:
    return qs.select_related("region").only(
        "id",
        "tracking_code",
        "title",
        "state",
        "category",
        "channel",
        "received_at",
        "next_due",
        "region__name",
        "is_collective",
        "extended",
        "current_organ_id",
    )


def petition_list_for_user(
    *,
    user: User,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region_code: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Petition], str | None]:
    """Every petition the user may see, newest first, filtered; keyset on (received_at, id)."""
    limit = max(1, min(limit, 200))
    qs = Petition.objects.filter(_visible(user))
    qs = _filtered(qs, state=state, category=category, channel=channel)
    if region_code:
        qs = qs.filter(region__code__startswith=region_code.rstrip("0") or region_code)
    if received_from:
        qs = qs.filter(received_at__date__gte=received_from)
    if received_to:
        qs = qs.filter(received_at__date__lte=received_to)
    if cursor:
        try:
            pk = int(cursor)
        except ValueError:
            pk = None
        if pk is not None:
            qs = qs.filter(id__lt=pk)
    items = list(_list_columns(qs.order_by("-id"))[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return items, (str(items[-1].pk) if more and items else None)


@dataclass(frozen=True)
class DeadlineView:
    code: str
    step: str
    basis: str
    kind: str
    owner: str
    start: date
    due: date
    status: Status
    days_left: int
    extension_days: int
    paused_days: int
    closed_on: date | None


def deadlines_of(petition: Petition, today: date | None = None) -> list[DeadlineView]:
    today = today or clock.today()
    out = []
    rows = (
        Deadline.objects.filter(petition=petition)
        .select_related("owner_organ")
        .order_by("start_date", "id")
    )
    for d in rows:
        st = STATUTES[d.code]
        if d.outcome == "lapsed":
            status = Status.EXPIRED
        else:
            status = status_on(
                due=d.due_date,
                today=today,
                kind=st.kind,
                met=d.outcome == "met",
                void=d.outcome == "void",
                paused=d.paused,
                due_soon_days=settings.XINFANG_DUE_SOON_DAYS,
            )
        out.append(
            DeadlineView(
                code=d.code,
                step=st.step,
                basis=st.basis,
                kind=st.kind.value,
                owner=d.owner_organ.name
                if d.owner_organ
                else ("信访人" if st.kind == Kind.WINDOW else ""),
                start=d.start_date,
                due=d.due_date,
                status=status,
                days_left=(d.due_date - today).days,
                extension_days=d.extension_days,
                paused_days=d.paused_days,
                closed_on=d.closed_on,
            )
        )
    return out


def due_status(next_due: date | None, today: date | None = None) -> str:
    """Colour of a worklist row: running (green), due_soon (amber), overdue (red), none."""
    if next_due is None:
        return "none"
    today = today or clock.today()
    return status_on(
        due=next_due, today=today, kind=Kind.DUTY, due_soon_days=settings.XINFANG_DUE_SOON_DAYS
    ).value


def petition_actions_for_user(*, user: User, petition: Petition) -> list[str]:
    """The steps the law allows now that this user may take (what pages and the API offer)."""
    from xinfang.petitions.services import actor_may, petition_context
    from xinfang.petitions.workflow import State, available_actions

    allowed = available_actions(State(petition.state), petition_context(petition))
    window_due = _open_window_due(petition)
    today = clock.today()

    def timely(a: str) -> bool:
        # The remedy windows (T7, T9): a request is offered until the due date, the
        # "expired unused" step only after it (the service enforces the same dates).
        if a == "expire_window":
            return window_due is not None and today > window_due
        if a in ("request_review", "request_re_review") and window_due is not None:
            return today <= window_due
        return True

    return [a.value for a in allowed if timely(a.value) and actor_may(petition, a, user) is None]


def _open_window_due(petition: Petition) -> date | None:
    return (
        Deadline.objects.filter(petition=petition, code__in=("T7", "T9"), outcome="open")
        .order_by("-start_date")
        .values_list("due_date", flat=True)
        .first()
    )


def _accused_staff_of(p: Petition) -> list[dict]:
    """The staff an accusation names (no query for other petitions, which name no one)."""
    if p.category != "accusation":
        return []
    out = []
    for u in p.accused_staff.select_related("organ").order_by("id"):
        name = u.display_name or u.get_full_name() or u.get_username()
        organ = u.organ.name if u.organ else ""
        out.append(
            {"id": u.pk, "name": name, "organ": organ, "label": f"{name}（{organ}）" if organ else name}
        )
    return out


def petition_detail_for_user(*, user: User, petition_id: int) -> dict:
    """Everything a petition page or the API detail shows, in one read."""
    from xinfang.petitions.privacy import parties_for_user
    from xinfang.petitions.workflow import ACTION_LABELS, STATE_LABELS, Action, State

    p = petition_get_for_user(user=user, petition_id=petition_id)
    events = list(p.events.select_related("actor", "organ").order_by("seq"))
    labels = {a.value: lbl for a, lbl in ACTION_LABELS.items()} | {"receive": "接收"}
    return {
        "id": p.pk,
        "tracking_code": p.tracking_code,
        "title": p.title,
        "content": p.content,
        "channel": p.channel,
        "received_at": p.received_at,
        "category": p.category,
        "route": p.route,
        "region_code": p.region_id,
        "region": p.region.name,
        "state": p.state,
        "state_label": STATE_LABELS[State(p.state)],
        "current_organ": p.current_organ.name,
        "handling_organ": p.handling_organ.name if p.handling_organ else None,
        "is_collective": p.is_collective,
        "head_count": p.head_count,
        "is_anonymous": p.is_anonymous,
        "confidential": p.confidential,
        "accused_staff": _accused_staff_of(p),
        "accused_persons": p.accused_persons,
        "extended": p.extended,
        "in_hearing": p.in_hearing,
        "parties": parties_for_user(user=user, petition=p),
        "timeline": [
            {
                "seq": e.seq,
                "action": e.action,
                "action_label": labels.get(e.action, e.action),
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": str(e.actor) if e.actor else None,
                "organ": e.organ.name if e.organ else None,
                "occurred_at": e.occurred_at,
                "recorded_at": e.recorded_at,
                "reason": e.reason,
                "data": e.data,
            }
            for e in events
        ],
        "deadlines": [
            {
                "code": d.code,
                "step": d.step,
                "legal_basis": d.basis,
                "kind": d.kind,
                "owner": d.owner,
                "start": d.start,
                "due": d.due,
                "status": d.status.value,
                "days_left": d.days_left,
                "extension_days": d.extension_days,
                "paused_days": d.paused_days,
                "closed_on": d.closed_on,
            }
            for d in deadlines_of(p)
        ],
        "available_actions": petition_actions_for_user(user=user, petition=p),
        "action_labels": {a.value: ACTION_LABELS[a] for a in Action},
        "petition": p,
        "attachments": list(
            p.attachments.order_by("id").values("id", "original_name", "content_type", "size")
        ),
        "linked": _linked_for_user(user, p),
    }


def _linked_for_user(user: User, p: Petition) -> list[dict]:
    """Earlier and later petitions about the same matter that the user may see."""
    ids = [x for x in [p.repeat_of_id] if x] + list(p.repeats.values_list("id", flat=True)[:50])
    if not ids:
        return []
    rows = Petition.objects.filter(_visible(user), pk__in=ids).order_by("received_at")
    return [
        {
            "id": x.pk,
            "title": x.title,
            "received_at": x.received_at,
            "earlier": x.pk == p.repeat_of_id,
        }
        for x in rows.only("id", "title", "received_at")
    ]


def attachment_for_user(*, user: User, petition_id: int, attachment_id: int):  # type: ignore[no-untyped-def]
    """An attachment of a petition the user may see (the same gate), or NotFound."""
    p = petition_get_for_user(user=user, petition_id=petition_id)
    a = p.attachments.filter(pk=attachment_id).first()
    if a is None:
        raise NotFound(gettext("未找到该附件"))
    return a
