"""The generator: ``demo_seed`` builds the province, plans the petitions and drives each through
the real services on its own past dates."""

from __future__ import annotations

import random
import time as _time
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.core.preparing import mark_progress, preparing_marker
from xinfang.demo._common import DAYS_BACK, DEMO_PASSWORD, A, S, _Clock, _ldate, _local, _own_clock
from xinfang.demo.organs import _directory, _logins, _Staff
from xinfang.demo.plans import _Planner
from xinfang.demo.repeats import _repeats
from xinfang.demo.states import _FINAL_OR_CLOSED, _Plan
from xinfang.demo.suggestions import suggestion_answer
from xinfang.demo.texts import PROVINCE
from xinfang.demo.topics import _topic_decisions
from xinfang.directory.models import Organ, OrganKind, Region, Role
from xinfang.petitions.models import Petition
from xinfang.petitions.services import (
    PetitionInput,
    petition_act,
    petition_register,
    petition_register_many,
)
from xinfang.petitions.workflow import State

DRIVE_BATCH = 25  # petitions driven through their steps per transaction, at most
#: A seed transaction holds SQLite's one write lock for about this long at most (seconds) ...
TURN_SECONDS = 0.3
#: ... and then, while the demo's server runs beside it, leaves the lock free this long: SQLite's
#: busy handler sleeps up to 100 ms between tries, so a writer of the server (a login, a
#: submission) waiting for the lock wakes inside the gap and takes its turn. Without the gap the
#: seed took the lock again at once and a login waited 20 s for nothing, then got a 503 (fixui
#: item 9: 503 after 23 s, 4 logins of 11 during the drive, load 9).
GAP_SECONDS = 0.15


class _Turns:
    """Short write transactions that leave the server's writers a turn (SQLite has one writer).

    ``due()``: the current transaction has held the lock for ``TURN_SECONDS``; ``give()`` after
    a commit: once that long has passed, sleep ``gap`` so that a waiting writer gets in (``gap``
    is 0 when no server runs beside the seed, as in ``manage.py seed_demo`` and the tests)."""

    def __init__(
        self,
        gap: float,
        budget: float = TURN_SECONDS,
        clock_: Callable[[], float] = _time.monotonic,
        sleep: Callable[[float], None] = _time.sleep,
    ) -> None:
        self.gap, self.budget, self.clock, self.sleep = gap, budget, clock_, sleep
        self.since = clock_()

    def due(self) -> bool:
        return self.clock() - self.since >= self.budget

    def give(self) -> None:
        if self.due():
            if self.gap > 0:
                self.sleep(self.gap)
            self.since = self.clock()


def demo_seed(
    *,
    seed: int = 7,
    petitions: int = 3000,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
    password: str = DEMO_PASSWORD,
    share_writes: bool = False,
) -> dict[str, Any]:
    """Fill an empty database with the demo province and ``petitions`` petitions.

    ``share_writes``: a server answers beside the seed (``xinfang demo``): after each short
    transaction the seed leaves SQLite's write lock free for a moment (``_Turns``).

    Returns ``{"password", "logins": [{"username", "role", "roles", "organ"}], "petitions",
    "events", "states": {state: count}, "seconds", "cpu_seconds", "errors"}``. Refuses
    (``ApplicationError``) when the database already holds petitions or the demo province.
    """
    if Petition.objects.exists():
        raise ApplicationError(
            "数据库中已有信访事项，演示数据只能生成到空数据库中", code="not_empty"
        )
    if Region.objects.filter(code=PROVINCE[0]).exists():
        raise ApplicationError("演示省份已存在", code="not_empty")
    marker = preparing_marker()
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("", encoding="utf-8")
    try:
        return _seed(
            seed=seed,
            petitions=petitions,
            today=today,
            progress=progress,
            password=password,
            turns=_Turns(GAP_SECONDS if share_writes else 0.0),
        )
    finally:
        marker.unlink(missing_ok=True)


def _seed(
    *,
    seed: int,
    petitions: int,
    today: date | None,
    progress: Callable[[str], None] | None,
    password: str,
    turns: _Turns,
) -> dict[str, Any]:
    started, cpu = _time.perf_counter(), _time.process_time()
    say = progress or (lambda _msg: None)
    rng = random.Random(seed)
    today = today or clock.today()
    errors: list[str] = []

    with _own_clock() as own:
        own.at = _local(today - timedelta(days=DAYS_BACK + 30), 9 * 60)
        say("生成机关和工作人员…")
        with transaction.atomic():
            province, cities, counties = _directory(rng)
            staff = _Staff(rng)
            logins = _logins(staff, province, cities[0], counties[0], password)

            from xinfang.demo.routing import routing_seed

            routing_seed([province, *cities, *counties])  # issue 20: every cell routes

        planner = _Planner(rng, province, cities, counties)
        plans = _plans(planner, rng, petitions, today)
        online = [p for p in plans if p.want == S.RECEIVED]
        plans = [p for p in plans if p.want != S.RECEIVED]

        say(f"登记 {len(plans) + len(online)} 件信访事项…")
        _register(plans, staff, own, rng, today, turns)
        _receive_online(online, planner, own, rng, today)
        _topic_decisions(plans)

        say("按办理流程推进…")
        _schedule(plans, rng, today)
        organs = {o.pk: o for o in Organ.objects.all()}
        total, i, shown = len(plans), 0, 0
        while i < total:
            with transaction.atomic():  # short: the server's writers wait for one batch only
                for _n in range(DRIVE_BATCH):
                    _drive(plans[i], staff, organs, own, errors)
                    i += 1
                    if i == total or turns.due():
                        break
            mark_progress(40 + 55 * i // total)
            turns.give()
            if i - shown >= 10 * DRIVE_BATCH or i == total:
                say(f"  {i}/{total}")
                shown = i

        say("复核终结后以同一事实和理由再次信访（第三十六条第三款）…")
        _repeats(plans, planner, staff, own, rng, today, errors)

    say("源头预防：矛盾纠纷台账、风险评估、联席会议、政策类问题…")
    from xinfang.demo.prevention import prevention_seed

    prevention_seed(county=counties[0], staff=staff, rng=rng, today=today)

    say("督办：督办通知、书面反馈、逐级催办…")
    from xinfang.demo.resolution import resolution_seed

    resolution_seed(county=counties[0], staff=staff, rng=rng, today=today)
    say("听证与信访救助…")
    from xinfang.demo.resolution import hearing_relief_seed

    hearing_relief_seed(county=counties[0], staff=staff, today=today)
    say("人民建议与调解和解…")
    from xinfang.demo.suggestions import suggestion_mediation_seed

    suggestion_mediation_seed(county=counties[0], staff=staff, today=today)

    say("接访：接访日、预约、接谈记录、包案、联合办理、下访…")
    from xinfang.demo.reception import reception_seed

    reception_seed(
        province=province, city=cities[0], county=counties[0], staff=staff, rng=rng, today=today
    )

    say("建立全文检索索引…")
    from xinfang.workbench.services import search_index_pending

    search_index_pending()  # what the server's indexer thread has not done yet

    from xinfang.petitions.models import PetitionEvent

    states = Counter(Petition.objects.values_list("state", flat=True))
    return {
        "password": password,
        "logins": logins,
        "petitions": sum(states.values()),
        "events": PetitionEvent.objects.count(),
        "states": dict(sorted(states.items())),
        "seconds": round(_time.perf_counter() - started, 1),
        "cpu_seconds": round(_time.process_time() - cpu, 1),
        "errors": errors,
    }


def _plans(planner: _Planner, rng: random.Random, n: int, today: date) -> list[_Plan]:
    """Showcase petitions that end in each state (some long overdue), then random stories."""
    per_state = max(2, n // 400)
    plans: list[_Plan] = []
    open_states = {s for s in State} - _FINAL_OR_CLOSED - {S.VOIDED}
    for want in State:
        for k in range(per_state):
            if want == S.RECEIVED:
                plans.append(_Plan(None, None, None, {}, [], 0, want=S.RECEIVED))  # type: ignore[arg-type]
                continue
            # half the showcase petitions in handling have had their time limit extended;
            # half of them all sit with the organs of the county and city logins
            extra: dict[str, Any] = {"extend": True} if want == S.IN_HANDLING and k % 2 == 0 else {}
            if k % 2 == 1 or want in (S.REGISTERED, S.ROUTING, S.OBJECTED):
                extra["demo_county"] = True
            plan = planner.plan(want, **extra)
            span = plan.lag_days + sum(s.gap for s in plan.steps) + 1
            if want in open_states:
                # a third are long overdue (积案), the rest within their limits
                slack = rng.randint(25, 150) if k % 3 == 2 else rng.randint(1, 6)
            else:
                slack = rng.randint(1, 200)
            slack = min(slack, max(1, DAYS_BACK - span))
            plan.received_at = _local(
                today - timedelta(days=span + slack), rng.randint(8 * 60 + 30, 17 * 60)
            )
            plans.append(plan)
    plans += _chain_plans(planner, rng, today)
    for _ in range(max(0, n - len(plans))):
        plan = planner.plan()
        # a few stall: nobody takes the next step (old unresolved petitions)
        if plan.steps and rng.random() < 0.035:
            plan.steps = plan.steps[: rng.randint(0, len(plan.steps) - 1)]
            while plan.steps and plan.steps[-1].action == A.HEARING_START:
                plan.steps.pop()
        # spread over the 18 months, somewhat more in recent months
        age = rng.uniform(1, DAYS_BACK) if rng.random() < 0.7 else rng.triangular(1, DAYS_BACK, 1)
        plan.received_at = _local(
            today - timedelta(days=int(age)), rng.randint(8 * 60 + 30, 17 * 60)
        )
        plans.append(plan)
    return plans


def _chain_plans(planner: _Planner, rng: random.Random, today: date) -> list[_Plan]:
    """Petitions mid-way down the transfer chain (issue 20), recent, at the demo county: two
    still with the county office within or past its share (T1a), one that reached the county
    bureau, and one the bureau objected to, back with the county office (Art. 23 para 3)."""
    out = []
    for want, keep in (
        (S.TRANSFERRED, 1),
        (S.TRANSFERRED, 1),
        (S.TRANSFERRED, None),
        (S.OBJECTED, None),
    ):
        plan = planner.plan(
            want, intake="upper_po", chain=True, demo_county=True, category="appeal"
        )
        if keep is not None:
            plan.steps = plan.steps[:keep]  # the city office sent it down; the county holds it
        span = plan.lag_days + sum(s.gap for s in plan.steps) + 1
        plan.received_at = _local(
            today - timedelta(days=span + rng.randint(0, 4)), rng.randint(8 * 60 + 30, 17 * 60)
        )
        out.append(plan)
    return out


def _register(
    plans: list[_Plan],
    staff: _Staff,
    own: _Clock,
    rng: random.Random,
    today: date,
    turns: _Turns,
) -> None:
    """Register in batches: one ``petition_register_many`` per intake organ and day."""
    groups: dict[tuple[int, date], list[_Plan]] = defaultdict(list)
    for p in plans:
        assert p.received_at is not None
        if p.lag_days == 0 or _ldate(p.received_at) + timedelta(days=p.lag_days) >= today:
            reg = p.received_at + timedelta(minutes=rng.randint(5, 90))
        else:
            reg = _local(
                _ldate(p.received_at) + timedelta(days=p.lag_days), rng.randint(9 * 60, 17 * 60)
            )
        p.registered_at = reg
        groups[(p.intake.pk, _ldate(reg))].append(p)
    keys = sorted(groups, key=lambda k: (k[1], k[0]))
    done, total = 0, len(plans)
    # One short transaction per organ and day (petition_register_many's own): the server
    # answers while the demo is seeded, and a portal submission then waits at most for one
    # batch, never for the whole seed (SQLite has one writer; issue 12 item 17).
    for key in keys:
        batch = groups[key]
        at = max(p.registered_at for p in batch)  # type: ignore[type-var]
        organ = batch[0].intake
        actor = staff.for_action(organ, A.REGISTER, Role.REGISTRAR)
        own.at = at
        regs = petition_register_many(items=[_input(p) for p in batch], organ=organ, actor=actor)
        for p, r in zip(batch, regs, strict=True):
            p.petition_id = r.petition.pk
            p.registered_at = at
        done += len(batch)
        if turns.due():
            mark_progress(40 * done // max(total, 1))
        turns.give()


def _input(p: _Plan) -> PetitionInput:
    f = {k: v for k, v in p.fields.items() if not k.startswith("_")}
    return PetitionInput(received_at=p.received_at, **f)


def _receive_online(
    plans: list[_Plan], planner: _Planner, own: _Clock, rng: random.Random, today: date
) -> None:
    """Online submissions a clerk has not yet looked at (RECEIVED)."""
    for i, p in enumerate(plans):
        full = planner.plan()
        full.fields["channel"] = "online"
        received = _local(
            today - timedelta(days=rng.randint(1, 5 if i % 3 else 20)), rng.randint(0, 23 * 60)
        )
        own.at = received
        organ = full.intake if full.intake.kind == OrganKind.PETITION_OFFICE else full.unit.po
        data = _input(_Plan(full.unit, organ, full.topic, full.fields, [], 0, received_at=received))
        r = petition_register(data=data, organ=organ, actor=None, submitted_online=True)
        p.petition_id = r.petition.pk


def _schedule(plans: list[_Plan], rng: random.Random, today: date) -> None:
    """The real time of every step; a story still unfinished today stops where it is."""
    for p in plans:
        t = p.registered_at
        assert t is not None
        times: list[datetime] = []
        for s in p.steps:
            if s.gap == 0:
                nt = t + timedelta(minutes=rng.randint(5, 60))
            else:
                nt = _local(
                    _ldate(t) + timedelta(days=s.gap), rng.randint(8 * 60 + 30, 17 * 60 + 30)
                )
            if _ldate(nt) >= today:
                break
            times.append(nt)
            t = nt
        p.steps = p.steps[: len(times)]
        p.times = times
        while p.steps and p.steps[-1].action == A.HEARING_START and p.want is None:
            # leave no random story stuck in a hearing that the cut interrupted… unless recent
            if (today - _ldate(p.times[-1])).days > 20:
                p.steps.pop()
                p.times.pop()
            else:
                break


def _drive(
    plan: _Plan, staff: _Staff, organs: dict[int, Organ], own: _Clock, errors: list[str]
) -> None:
    assert plan.petition_id is not None
    for step, at in zip(plan.steps, plan.times, strict=True):
        organ = organs[step.organ.pk]
        actor = staff.for_action(organ, step.action, step.role)
        data = dict(step.data)
        if "report_due_days" in data:
            data["report_due"] = (
                _ldate(at) + timedelta(days=data.pop("report_due_days"))
            ).isoformat()
        if step.action in (A.ACKNOWLEDGE, A.START_HANDLING) and data.get("route") is None:
            data.pop("route", None)
        own.at = at
        subject = data.pop("suggestion_subject", None)
        try:
            if subject is not None:  # a suggestion: answered by its decision (Art. 29)
                suggestion_answer(
                    actor=actor,
                    petition_id=plan.petition_id,
                    subject=subject,
                    reply=step.reason,
                    at=at,
                )
                continue
            petition_act(
                petition_id=plan.petition_id,
                action=step.action,
                actor=actor,
                at=at,
                reason=step.reason,
                data=data,
            )
        except ApplicationError as e:
            errors.append(f"{plan.petition_id} {step.action} {e.message} {e.fields}")
            return
