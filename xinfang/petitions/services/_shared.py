"""Helpers the petition services share: event rows, dates and their checks, organs."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ, User
from xinfang.petitions.models import Petition, PetitionEvent


def _new_event(
    petition: Petition,
    seq: int,
    action: str,
    source: str,
    target: str,
    actor: User | None,
    organ: Organ,
    at: datetime,
    now: datetime,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor_organ: Organ | None = None,
) -> PetitionEvent:
    return PetitionEvent(
        petition=petition,
        seq=seq,
        action=str(action),
        from_state=str(source),
        to_state=str(target),
        actor=actor,
        actor_organ=actor_organ if actor_organ is not None else (actor.organ if actor else None),
        organ=organ,
        occurred_at=at,
        recorded_at=now,
        reason=reason,
        data=data or {},
    )


def _event_time(at: datetime | date | None, previous: datetime, now: datetime) -> datetime:
    """The real time of an event, validated: not in the future, not before the previous event."""
    if at is None:
        when = now
    elif isinstance(at, datetime):
        when = _as_datetime(at)
    else:
        when = _as_datetime(at)
        if clock.local_date(when) == clock.local_date(now):
            when = now
        elif when < previous and clock.local_date(when) == clock.local_date(previous):
            when = previous
    if when > now + timedelta(minutes=5):
        raise ApplicationError(
            gettext("日期不能晚于今天"), fields={"at": [gettext("日期不能晚于今天")]}
        )
    if when < previous and clock.local_date(when) < clock.local_date(previous):
        raise ApplicationError(
            gettext("日期不能早于上一步办理日期"),
            fields={
                "at": [
                    gettext("日期不能早于上一步办理日期 %(date)s")
                    % {"date": clock.local_date(previous)}
                ]
            },
        )
    return max(when, previous)


def _as_datetime(at: datetime | date) -> datetime:
    if isinstance(at, datetime):
        return at if timezone.is_aware(at) else timezone.make_aware(at)
    return timezone.make_aware(datetime.combine(at, time(12, 0)))


def _date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def _int(v: Any) -> int | None:
    """An integer a 64-bit column can hold, or None (a huge one is as good as none: no 500)."""
    try:
        n = int(v)
    except (TypeError, ValueError, OverflowError):
        return None
    return n if -(2**63) <= n < 2**63 else None


def _organ(v: Any) -> Organ | None:
    pk = _int(v)
    if pk is None:
        return None
    return Organ.objects.filter(pk=pk, is_active=True).first()


def _in_subtree(organ: Organ, root: Organ | None) -> bool:
    """Whether ``organ`` is ``root`` or below it."""
    if root is None:
        return False
    return organ.pk == root.pk or (bool(root.path) and organ.path.startswith(root.path))


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, val in data.items():
        if isinstance(val, (date, datetime)):
            out[k] = val.isoformat()
        else:
            out[k] = val
    return out
