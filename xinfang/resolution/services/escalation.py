"""The escalation ladder run by ``xinfang tick`` (job ``resolution.escalate``): on every open
deadline (a supervision notice's reply date, a petition's statutory limit T1–T10) each step of
``ladder.py`` whose day has come is recorded once. Idempotent: the steps already recorded are
left out, and the unique constraints refuse a second row if two runs overlap."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.conf import settings

from xinfang.core import clock
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ, OrganKind
from xinfang.resolution.ladder import Ladder, Step
from xinfang.resolution.models import Audience, Escalation, NoticeStatus, SupervisionNotice

CHUNK = 2000

AUDIENCE = {Step.WARN: Audience.HANDLER, Step.HEAD: Audience.HEAD, Step.HIGHER: Audience.OFFICE}


def ladder_from_settings() -> Ladder:
    return Ladder(
        warn_percent=int(getattr(settings, "XINFANG_ESCALATION_WARN_PERCENT", 80)),
        higher_days=int(getattr(settings, "XINFANG_ESCALATION_HIGHER_DAYS", 5)),
    )


class _HigherOffices:
    """The next-higher petition office of an organ: the petition office of the region above the
    organ's region (a county organ's deadline goes to the city's office), looked up once."""

    def __init__(self) -> None:
        self._by_region: dict[str, int | None] | None = None
        self._organ_region: dict[int, str] = {}

    def _load(self) -> dict[str, int | None]:
        if self._by_region is None:
            from xinfang.directory.models import Region

            offices = dict(
                Organ.objects.filter(kind=OrganKind.PETITION_OFFICE, is_active=True)
                .order_by("-pk")
                .values_list("region_id", "pk")
            )
            self._by_region = {
                code: offices.get(parent)
                for code, parent in Region.objects.values_list("code", "parent_id")
            }
        return self._by_region

    def of(self, organ_id: int) -> int | None:
        if organ_id not in self._organ_region:
            self._organ_region[organ_id] = (
                Organ.objects.filter(pk=organ_id).values_list("region_id", flat=True).first() or ""
            )
        return self._load().get(self._organ_region[organ_id])


def _recipient(step: Step, organ_id: int, higher: _HigherOffices) -> int | None:
    return higher.of(organ_id) if step == Step.HIGHER else organ_id


def escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Record every escalation step due today; returns the number recorded by step."""
    now = now or clock.now()
    today = clock.local_date(now)
    ladder = ladder_from_settings()
    higher = _HigherOffices()
    made: Counter[str] = Counter()
    _notices(ladder, today, now, higher, made)
    _deadlines(ladder, today, now, higher, made)
    return {f"{k}": v for k, v in sorted(made.items())}


def _notices(
    ladder: Ladder, today: date, now: datetime, higher: _HigherOffices, made: Counter[str]
) -> None:
    rows = SupervisionNotice.objects.filter(status=NoticeStatus.OPEN).values_list(
        "pk", "issued_on", "reply_due", "organ_id", "office_id"
    )
    todo = []
    for pk, start, due, organ_id, office_id in rows.iterator(chunk_size=CHUNK):
        steps = ladder.due_steps(start=start, due=due, today=today)
        if steps:
            todo.append((pk, due, organ_id, office_id, steps))
    done = set(
        Escalation.objects.filter(notice_id__in=[t[0] for t in todo]).values_list(
            "notice_id", "step"
        )
    )
    new = []
    for pk, due, organ_id, office_id, steps in todo:
        for s in steps:
            if (pk, s.value) in done:
                continue
            to = higher.of(office_id) if s == Step.HIGHER else organ_id
            if to is None:
                continue
            new.append(_row(s, to, due, today, now, notice_id=pk))
            made[f"notice_{s.value}"] += 1
    Escalation.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)


def _deadlines(
    ladder: Ladder, today: date, now: datetime, higher: _HigherOffices, made: Counter[str]
) -> None:
    # a deadline paused over a hearing (T10) does not run, so it does not climb either
    rows = Deadline.objects.filter(
        outcome="open", paused=False, owner_organ__isnull=False
    ).values_list("pk", "start_date", "due_date", "owner_organ_id")
    batch: list[tuple[int, date, int, list[Step]]] = []
    for pk, start, due, organ_id in rows.iterator(chunk_size=CHUNK):
        steps = ladder.due_steps(start=start, due=due, today=today)
        if steps:
            batch.append((pk, due, organ_id, steps))
        if len(batch) >= CHUNK:
            _deadline_batch(batch, today, now, higher, made)
            batch = []
    if batch:
        _deadline_batch(batch, today, now, higher, made)


def _deadline_batch(
    batch: list[tuple[int, date, int, list[Step]]],
    today: date,
    now: datetime,
    higher: _HigherOffices,
    made: Counter[str],
) -> None:
    done = set(
        Escalation.objects.filter(deadline_id__in=[b[0] for b in batch]).values_list(
            "deadline_id", "step"
        )
    )
    new = []
    for pk, due, organ_id, steps in batch:
        for s in steps:
            if (pk, s.value) in done:
                continue
            to = _recipient(s, organ_id, higher)
            if to is None:
                continue
            new.append(_row(s, to, due, today, now, deadline_id=pk))
            made[f"deadline_{s.value}"] += 1
    Escalation.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)


def _row(
    step: Step,
    to: int,
    due: date,
    today: date,
    now: datetime,
    *,
    notice_id: int | None = None,
    deadline_id: int | None = None,
) -> Escalation:
    return Escalation(
        step=step.value,
        notice_id=notice_id,
        deadline_id=deadline_id,
        to_organ_id=to,
        audience=AUDIENCE[step],
        due_date=due,
        fired_on=today,
        recorded_at=now,
    )
