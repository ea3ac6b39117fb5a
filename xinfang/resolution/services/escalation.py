"""The escalation ladder run by ``xinfang tick`` (job ``resolution.escalate``): on every open
deadline (a supervision notice's reply date, a petition's statutory limit T1–T10) each step of
``ladder.py`` whose day has come is recorded once. Idempotent: the steps already recorded are
left out, and the unique constraints refuse a second row if two runs overlap.

The petitions' deadlines are selected in SQL (``escalation_due_deadlines``): only those at a
step whose day has come and that was not yet recorded on them, so an hourly run reads the day's
steps, not every open deadline. The few open supervision notices are read whole."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, ExpressionWrapper, F, Func, IntegerField, OuterRef, Q

from xinfang.core import clock
from xinfang.deadlines.models import Deadline
from xinfang.directory.models import Organ, OrganKind
from xinfang.resolution.ladder import ORDER, Ladder, Step
from xinfang.resolution.models import Audience, Escalation, NoticeStatus, SupervisionNotice

CHUNK = 2000
EPOCH = date(1970, 1, 1)

Stamp = Callable[[], datetime]

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

    def organs_without(self) -> list[int]:
        """The organs with no higher petition office (the province's, or a region whose parent
        has none): the step "the office above" has nobody to tell there, so it is never
        recorded and must not be selected again every hour."""
        by_region = self._load()
        return [
            pk
            for pk, region in Organ.objects.values_list("pk", "region_id")
            if by_region.get(region) is None
        ]

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
    stamp = clock.advancing(now)  # each step is recorded at the time it is, not the job's start
    ladder = ladder_from_settings()
    higher = _HigherOffices()
    made: Counter[str] = Counter()
    _notices(ladder, today, stamp, higher, made)
    _deadlines(ladder, today, stamp, higher, made)
    return {f"{k}": v for k, v in sorted(made.items())}


def _notices(
    ladder: Ladder, today: date, stamp: Stamp, higher: _HigherOffices, made: Counter[str]
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
            new.append(_row(s, to, due, notice_id=pk))
            made[f"notice_{s.value}"] += 1
    _record(new, stamp())


class _DayNumber(Func):
    """A date column as its day number (days since 1970-01-01), in SQL on both databases: the
    ladder's rule in ``_step_due`` compares whole days."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):  # type: ignore[no-untyped-def]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} - DATE '1970-01-01')", params

    def as_sqlite(self, compiler, connection, **extra):  # type: ignore[no-untyped-def]
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(julianday({sql}) - 2440587.5 AS INTEGER)", params


def _day(d: date) -> int:
    return (d - EPOCH).days


def _step_due(ladder: Ladder, step: Step, today: date) -> Q:
    """``ladder.due_steps`` as a condition on a deadline's dates, for one step (the test holds
    the two equal over every edge: ``resolution/tests/test_escalation_sql.py``).

    - ``head``: its day ``due + 1`` has come: ``due < today``;
    - ``higher``: ``due + 1 + higher_days <= today``;
    - ``warn``: not after the due day (``due >= today``), a span that is not negative
      (``due >= start``: otherwise no warning is ever true), and its day has come:
      ``start + ceil(span * p / 100) <= today``. With ``n = today - start`` a whole number,
      ``ceil(x) <= n`` is ``x <= n``, so ``span * p <= 100 * n``, that is
      ``p * day(due) + (100 - p) * day(start) <= 100 * day(today)`` (the cap at ``span``
      in ``fires_on`` only matters on the due day itself, where this already holds).
    """
    if step == Step.HEAD:
        return Q(due_date__lt=today)
    if step == Step.HIGHER:
        return Q(due_date__lte=today - timedelta(days=1 + ladder.higher_days))
    return (
        Q(due_date__gte=today)
        & Q(due_date__gte=F("start_date"))
        & Q(warn_weight__lte=100 * _day(today))
    )


def escalation_due_deadlines(
    *, ladder: Ladder, today: date, no_higher: Collection[int] = ()
) -> list[tuple[int, date, int, Step]]:
    """The open deadlines at a step of the ladder that was not yet recorded on them, found in
    SQL (the rows returned are the steps to record): ``(deadline id, due date, owner organ,
    step)``, in the order of the ladder's steps, then of the deadlines. A deadline paused over
    a hearing (T10) does not run, so it does not climb either. The owners in ``no_higher``
    have no office above (``_HigherOffices.organs_without``): their "office above" step is
    left out, as it would never be recorded."""
    p = ladder.warn_percent
    running = Deadline.objects.filter(
        outcome="open", paused=False, owner_organ__isnull=False
    ).alias(
        warn_weight=ExpressionWrapper(
            p * _DayNumber("due_date") + (100 - p) * _DayNumber("start_date"),
            output_field=IntegerField(),
        )
    )
    out: list[tuple[int, date, int, Step]] = []
    for step in ORDER:
        told = Escalation.objects.filter(deadline_id=OuterRef("pk"), step=step.value)
        at_step = running.filter(_step_due(ladder, step, today))
        if step == Step.HIGHER and no_higher:
            at_step = at_step.exclude(owner_organ_id__in=list(no_higher))
        rows = (
            at_step.filter(~Exists(told))
            .order_by("pk")
            .values_list("pk", "due_date", "owner_organ_id")
        )
        out.extend((pk, due, organ_id, step) for pk, due, organ_id in rows.iterator(CHUNK))
    return out


def _deadlines(
    ladder: Ladder, today: date, stamp: Stamp, higher: _HigherOffices, made: Counter[str]
) -> None:
    """Only the deadlines at a step not yet recorded are read (issue 14: reading every open
    deadline to find a day's steps took 11 s at 10^5 open)."""
    due_steps = escalation_due_deadlines(
        ladder=ladder, today=today, no_higher=higher.organs_without()
    )
    duty = _duty_keys([pk for pk, *_ in due_steps])
    new = []
    for pk, due, organ_id, step in due_steps:
        to = _recipient(step, organ_id, higher)
        if to is None:
            continue
        petition_id, code, start = duty[pk]
        row = _row(step, to, due, deadline_id=pk)
        row.petition_id, row.code, row.start_date = petition_id, code, start
        new.append(row)
        made[f"deadline_{step.value}"] += 1
    _record(new, stamp())


def _duty_keys(deadline_ids: list[int]) -> dict[int, tuple[int, str, date]]:
    """Each deadline's duty key (petition, limit, start): what its steps keep should the row
    go (``Escalation``)."""
    out: dict[int, tuple[int, str, date]] = {}
    for i in range(0, len(deadline_ids), CHUNK):
        for pk, *key in Deadline.objects.filter(pk__in=deadline_ids[i : i + CHUNK]).values_list(
            "pk", "petition_id", "code", "start_date"
        ):
            out[pk] = tuple(key)  # type: ignore[assignment]
    return out


def _row(
    step: Step,
    to: int,
    due: date,
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
    )


def _record(rows: list[Escalation], at: datetime) -> None:
    """Write the steps, each dated when it is written: the organ is told now (the day and time
    its page and 台账 show), which may be minutes after the tick began."""
    for r in rows:
        r.fired_on, r.recorded_at = clock.local_date(at), at
    Escalation.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CHUNK)
