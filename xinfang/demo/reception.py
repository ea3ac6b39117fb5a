"""Demo data of reception (接访, Art. 18) for the first county, through the reception services
as the staff would do it, best effort (a refused step is skipped): a weekly reception day of
the county leader over the coming weeks, a joint session and a three-level video session on
the first working day from today (so the one-stop hall is not empty), a few bookings (one
petitioner already waiting in the hall), a reception record whose promise is a task, the
leader taking charge (包案, on the leader's board), a case handled jointly with two assisting
organs, and a down-visit (下访) done today with its record and outcome, plus one planned."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from xinfang.core.errors import ApplicationError
from xinfang.deadlines.holidays import calendar_in_force
from xinfang.demo._common import _local
from xinfang.demo.organs import _Staff, _Unit
from xinfang.directory.models import User
from xinfang.petitions.models import Petition
from xinfang.reception import services as reception


def _working_day(d: date) -> date:
    cal = calendar_in_force()
    while not cal.is_working_day(d):
        d += timedelta(days=1)
    return d


def _after_last(petition_id: int, at: datetime) -> datetime:
    """``at``, or just after the petition's last step if that is later (a step is never dated
    before the one before it)."""
    last = Petition.objects.filter(pk=petition_id).values_list("last_event_at", flat=True).first()
    return max(at, last + timedelta(minutes=1)) if last else at


def reception_seed(
    *, province: _Unit, city: _Unit, county: _Unit, staff: _Staff, rng: random.Random, today: date
) -> dict[str, int]:
    made = {"sessions": 0, "bookings": 0, "records": 0, "joint": 0, "visits": 0}
    clerk = User.objects.filter(username="county_clerk").first()
    leader = User.objects.filter(username="county_leader").first()
    head = User.objects.filter(username="county_gov_head").first()
    handler = User.objects.filter(username="county_handler").first()
    if not (clerk and leader and head and handler):
        return made
    rows = list(
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path,
            is_open=True,
            accused_organ__isnull=True,
        )
        .exclude(current_organ__kind="petition_office")
        .order_by("pk")
        .values_list("pk", "tracking_code", "current_organ_id")[:12]
    )
    if len(rows) < 8:
        return made
    day = _working_day(today)
    hall = "县信访局联合接访大厅"

    def publish(**kw):  # type: ignore[no-untyped-def]
        try:
            s = reception.session_publish(
                actor=clerk, data=reception.SessionInput(organ=county.po, **kw)
            )
        except ApplicationError:
            return None
        made["sessions"] += 1
        return s

    def book(session, code: str):  # type: ignore[no-untyped-def]
        if session is None:
            return None
        try:
            b = reception.appointment_book_desk(
                actor=clerk, session_id=session.pk, tracking_code=code
            )
        except ApplicationError:
            return None
        made["bookings"] += 1
        return b.appointment

    # The county leader's weekly reception day (every Tuesday morning) from tomorrow on.
    first = today + timedelta(days=1)
    first += timedelta(days=(1 - first.weekday()) % 7)
    weekly = None
    try:
        done = reception.schedule_publish(
            actor=clerk,
            data=reception.SessionInput(
                organ=county.po,
                leader_id=leader.pk,
                on=first,
                starts=time(9, 0),
                ends=time(11, 30),
                place=hall,
                fields="住房、拆迁、劳动保障",
                capacity=6,
            ),
            weekday=1,
            until=first + timedelta(days=35),
        )
        made["sessions"] += len(done.sessions)
        weekly = done.sessions[0] if done.sessions else None
    except ApplicationError:
        pass
    # Today's joint session (several departments in the hall) and a three-level video session.
    joint = publish(
        leader_id=head.pk, on=day, starts=time(9, 0), ends=time(11, 30), place=hall,
        fields="住建、人社、市场监管联合接访", capacity=8, kind="joint",
    )  # fmt: skip
    video = publish(
        leader_id=head.pk, on=day, starts=time(14, 30), ends=time(16, 30),
        place="县信访局视频接访室", video=True, fields="省市县三级视频接访", capacity=3,
        kind="video",
    )  # fmt: skip
    if video is not None:
        try:
            reception.session_levels_set(
                actor=clerk, session_id=video.pk, organ_ids=[city.po.pk, province.po.pk]
            )
        except ApplicationError:
            pass
    a = book(joint, rows[0][1])
    book(joint, rows[1][1])
    book(video, rows[2][1])
    book(weekly, rows[3][1])
    book(weekly, rows[4][1])
    if a is not None and day == today:
        try:
            reception.appointment_arrive(actor=clerk, appointment_id=a.pk)
        except ApplicationError:
            pass

    # A reception of last week written down, its promise a task; the leader takes charge.
    now = _local(today, 10 * 60)  # the seed's today, never the wall clock
    try:
        r = reception.record_write(
            actor=clerk,
            petition_id=rows[5][0],
            received_by_id=leader.pk,
            attendees="刘桂兰",
            asked="请求解决小区二次供水水压不足、高层住户长期停水的问题。",
            said="当面听取诉求，责成县住建局会同供水公司一周内现场排查，并书面答复。",
            promises=[
                reception.PromiseInput(
                    "会同供水公司现场排查并书面答复", handler.pk, today + timedelta(days=7)
                )
            ],
            received_at=now - timedelta(days=6),
            at=now - timedelta(days=6),
        )
        made["records"] += 1
        reception.leader_take_charge(
            actor=head,
            petition_id=r.petition_id,
            leader_id=leader.pk,
            at=_after_last(r.petition_id, now - timedelta(days=6)),
        )
    except ApplicationError:
        pass

    # A case handled jointly: the lead organ with two assisting organs (Art. 18 para 3).
    recent = (
        Petition.objects.filter(
            current_organ__path__startswith=county.gov.path,
            is_open=True,
            accused_organ__isnull=True,
        )
        .exclude(pk__in=[r[0] for r in rows[:9]])
        .order_by("-pk")
        .values_list("pk", "tracking_code", "current_organ_id")[:60]
    )
    for pk, _code, organ_id in recent:  # the latest, whose lawful clock still runs
        limit = reception.statutory_limit(pk)
        others = [o for o in county.depts.values() if o.pk != organ_id][:2]
        if limit is None or limit <= today + timedelta(days=2) or len(others) < 2:
            continue
        due = min(limit, today + timedelta(days=10))
        try:
            reception.joint_start(
                actor=clerk,
                petition_id=pk,
                tasks=[
                    reception.TaskInput(others[0].pk, "核查涉事企业的营业执照和经营范围", due),
                    reception.TaskInput(others[1].pk, "核实劳动合同签订和工资支付情况", due),
                ],
                at=_after_last(pk, now - timedelta(days=1)),  # the demo's history is past
            )
        except ApplicationError:
            continue
        made["joint"] += 1
        break

    # A down-visit today (带案下访) with its record and outcome; another planned for next week.
    town = county.towns[0] if county.towns else county.name
    try:
        v = reception.visit_plan(
            actor=clerk,
            data=reception.VisitInput(
                organ=county.po,
                leader_id=leader.pk,
                on=today,
                place=f"{town}便民服务中心",
                petition_ids=[rows[7][0], rows[5][0]],
                kind="accompanied",
                officials="县信访局 接访科；县住建局 分管副局长",
                purpose="带案下访，当面答复群众反映的供水和道路问题",
            ),
        )
        reception.record_write(
            actor=clerk,
            petition_id=rows[7][0],
            received_by_id=leader.pk,
            attendees="陈志强",
            asked="请求修复村道塌陷路段。",
            said="到现场察看塌陷路段，交通局当场明确修复方案。",
            promises=[
                reception.PromiseInput(
                    "十五日内完成塌陷路段修复", leader.pk, today + timedelta(days=15)
                )
            ],
            visit_id=v.pk,
            received_at=now,
            at=now,  # the seed's today at 10:00, not the wall clock (before 10:00 it lay ahead)
        )
        made["records"] += 1
        reception.visit_close(
            actor=clerk,
            plan_id=v.pk,
            status="done",
            outcome="两件当面答复：一件明确修复时限，一件由县住建局跟进排查。",
            at=now,
        )
        made["visits"] += 1
    except ApplicationError:
        pass
    try:
        reception.visit_plan(
            actor=clerk,
            data=reception.VisitInput(
                organ=county.po,
                leader_id=head.pk,
                on=_working_day(today + timedelta(days=8)),
                place=f"{county.towns[1] if len(county.towns) > 1 else town}社区服务站",
                petition_ids=[rows[8][0]] if len(rows) > 8 else [rows[0][0]],
                officials="县信访局 接访科",
            ),
        )
        made["visits"] += 1
    except ApplicationError:
        pass
    return made
