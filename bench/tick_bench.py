"""``xinfang tick`` over many petitions (issue 18: 10^6 petitions with 10^5 open, < 60 s on
PostgreSQL).

    python bench/tick_bench.py --petitions 1000000 --open 100000          # the target
    python bench/tick_bench.py --petitions 100000 --open 10000            # a loaded machine

Builds its own database (``xinfang_tick_bench``, dropped and created again), migrates it and
loads, with COPY-speed ``bulk_create`` (not the registration services: the tick is what is
timed), a province with 12 cities x 8 counties and one competent organ and petition office per
county; ``--petitions`` petitions of which ``--open`` are open, each open one with a running
deadline (T3, T6 or T10; due dates spread over the ladder's steps, a tenth overdue), the
same-matter links the backlog criteria read (every 50th petition repeats an earlier one, a
hundredth of the matters passed re-review), and 200 open supervision notices. Then it runs the
whole tick (every registered job, ``force``) twice at the same moment: the first run does the
work, the second must record nothing more (idempotent). Per job: seconds and its report.

Yesterday's tick is then run for the jobs whose state the bulk load does not write: with
``now`` a day earlier, ``deadlines.calendar_settle`` folds the loaded deadlines on the calendar
in force and ``resolution.escalate`` records every ladder step due up to yesterday (both timed
apart, not part of the tick), so the first tick records only the steps falling due today.

The analytics rollup is loaded as an installation has it in the morning: built up to yesterday
(``rollup.rates_rebuild``, set-based SQL, timed apart) with ``--changed`` open petitions in its
queue (the day's registrations and steps), so the first tick is a normal day: the day passes
for the rows that time moves, the queued petitions are computed again.

The JSON of the run goes to ``--out`` (default ``bench/results/tick-postgres-N-DATE.json``)
with the machine's load average beside the figures: the bench shares the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "xinfang_tick_bench"  # --db changes it (two runs side by side)
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"
BATCH = 5000


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="xinfang-tick-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("XINFANG_SECRET_KEY", "bench-not-secret")
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    os.environ["XINFANG_COMMAND"] = "1"  # no statement timeout: a command, not a request
    import psycopg

    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _organs():  # type: ignore[no-untyped-def]
    from xinfang.directory.models import Level, OrganKind, Region
    from xinfang.directory.services import organ_create

    province = Region.objects.create(code="980000", name="基准省", level=Level.PROVINCE)
    gov = organ_create(
        name="基准省人民政府", kind=OrganKind.COMPETENT, level=Level.PROVINCE, region=province
    )
    organ_create(
        name="基准省信访局",
        kind=OrganKind.PETITION_OFFICE,
        level=Level.PROVINCE,
        region=province,
        parent=gov,
    )
    competent, offices, regions = [], [], []
    for c in range(12):
        city = Region.objects.create(
            code=f"98{c + 1:02d}00", name=f"第{c + 1}市", level=Level.CITY, parent=province
        )
        city_gov = organ_create(
            name=f"第{c + 1}市人民政府",
            kind=OrganKind.COMPETENT,
            level=Level.CITY,
            region=city,
            parent=gov,
        )
        organ_create(
            name=f"第{c + 1}市信访局",
            kind=OrganKind.PETITION_OFFICE,
            level=Level.CITY,
            region=city,
            parent=city_gov,
        )
        for k in range(8):
            county = Region.objects.create(
                code=f"98{c + 1:02d}{k + 1:02d}",
                name=f"第{c + 1}市第{k + 1}县",
                level=Level.COUNTY,
                parent=city,
            )
            county_gov = organ_create(
                name=f"第{c + 1}市第{k + 1}县人民政府",
                kind=OrganKind.COMPETENT,
                level=Level.COUNTY,
                region=county,
                parent=city_gov,
            )
            offices.append(
                organ_create(
                    name=f"第{c + 1}市第{k + 1}县信访局",
                    kind=OrganKind.PETITION_OFFICE,
                    level=Level.COUNTY,
                    region=county,
                    parent=county_gov,
                )
            )
            competent.append(
                organ_create(
                    name=f"第{c + 1}市第{k + 1}县住建局",
                    kind=OrganKind.COMPETENT,
                    level=Level.COUNTY,
                    region=county,
                    parent=county_gov,
                )
            )
            regions.append(county)
    return competent, offices, regions


def _load(n: int, n_open: int, today: date) -> dict:  # type: ignore[type-arg]
    """The petitions, their running deadlines, same-matter links, re-review events, notices."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from xinfang.deadlines.models import Deadline
    from xinfang.petitions.models import Petition, PetitionEvent
    from xinfang.resolution.models import SupervisionNotice, SupervisionPetition

    rnd = random.Random(18)
    competent, offices, regions = _organs()
    actor = get_user_model().objects.create(username="bench")
    started = time.perf_counter()
    open_every = max(1, n // max(1, n_open))
    ids: list[int] = []
    first = 0
    with transaction.atomic():
        for base in range(0, n, BATCH):
            rows, deadlines = [], []
            for i in range(base, min(n, base + BATCH)):
                j = i % len(competent)
                is_open = i % open_every == 0 and (i // open_every) < n_open
                days_ago = rnd.randint(1, 120) if is_open else rnd.randint(150, 1800)
                at = timezone.make_aware(
                    datetime.combine(today - timedelta(days=days_ago), datetime.min.time())
                )
                rows.append(
                    Petition(
                        tracking_code=f"B{i:015d}",
                        query_secret="x",
                        channel="letter",
                        received_at=at,
                        registered_at=at,
                        title="基准信访事项",
                        content="基准内容",
                        category="appeal",
                        route=6,
                        region=regions[j],
                        state="in_handling" if is_open else "closed",
                        registering_organ=offices[j],
                        current_organ=competent[j],
                        handling_organ=competent[j],
                        is_open=is_open,
                        last_event_at=at,
                        repeat_of_id=(first + rnd.randrange(i)) if i and i % 50 == 0 else None,
                    )
                )
            made = Petition.objects.bulk_create(rows, batch_size=BATCH)
            if base == 0:
                first = made[0].pk
            for p in made:
                ids.append(p.pk)
                if p.is_open:
                    start = p.registered_at.date()
                    code = rnd.choice(("T3", "T6", "T6", "T10"))
                    length = {"T3": 15, "T6": 60, "T10": 30}[code]
                    due = start + timedelta(days=length)
                    deadlines.append(
                        Deadline(
                            petition=p,
                            code=code,
                            owner_organ_id=p.current_organ_id,
                            start_date=start,
                            due_date=due,
                        )
                    )
            Deadline.objects.bulk_create(deadlines, batch_size=BATCH)
            # every petition was transferred from the county office to the competent organ on
            # the day it came in (what the transfers rollup, analytics.dispatch, counts)
            PetitionEvent.objects.bulk_create(
                [
                    PetitionEvent(
                        petition_id=p.pk,
                        seq=1,
                        action="transfer",
                        from_state="registered",
                        to_state="transferred",
                        occurred_at=p.received_at,
                        recorded_at=p.received_at,
                        actor=actor,
                        organ_id=p.registering_organ_id,
                    )
                    for p in made
                ],
                batch_size=BATCH,
            )
        # a hundredth of the matters linked as the same matter passed re-review
        roots = list(
            Petition.objects.filter(repeat_of__isnull=False)
            .values_list("repeat_of_id", flat=True)
            .distinct()[: max(1, n // 5000)]
        )
        PetitionEvent.objects.bulk_create(
            [
                PetitionEvent(
                    petition_id=pk,
                    seq=2,
                    action="decide_re_review",
                    from_state="re_review_requested",
                    to_state="terminated",
                    occurred_at=timezone.make_aware(datetime(today.year - 5, 1, 1)),
                    recorded_at=timezone.make_aware(datetime(today.year - 5, 1, 1)),
                    actor=actor,
                    organ_id=competent[0].pk,
                )
                for pk in roots
            ],
            batch_size=BATCH,
        )
        open_ids = list(Petition.objects.filter(is_open=True).values_list("pk", flat=True)[:2000])
        for k in range(200):
            office = offices[k % len(offices)]
            notice = SupervisionNotice.objects.create(
                office=office,
                organ=competent[k % len(competent)],
                reasons=["delay"],
                facts="基准督办",
                number=f"基准督〔{today.year}〕{k + 1}号",
                issued_on=today - timedelta(days=rnd.randint(1, 40)),
                reply_due=today + timedelta(days=rnd.randint(-10, 20)),
                issued_by=actor,
                issued_at=timezone.now(),
            )
            SupervisionPetition.objects.bulk_create(
                [
                    SupervisionPetition(notice=notice, petition_id=pk)
                    for pk in open_ids[k * 10 : k * 10 + 10]
                ]
            )
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return {
        "petitions": n,
        "open": Petition.objects.filter(is_open=True).count(),
        "deadlines_open": Deadline.objects.filter(outcome="open").count(),
        "re_reviewed_matters": len(roots),
        "notices": 200,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def _yesterday(now: datetime) -> dict:  # type: ignore[type-arg]
    """The escalation and calendar state a real installation has in the morning: yesterday's
    tick ran. The jobs' own code runs with ``now`` a day earlier (timed here, not part of the
    tick): ``deadlines.calendar_settle`` folds the bulk-loaded deadlines on the calendar in force,
    then ``resolution.escalate`` records every ladder step due up to yesterday. The first
    timed tick then records only the steps falling due today."""
    from xinfang.deadlines.services import calendar_settle
    from xinfang.resolution.models import Escalation
    from xinfang.resolution.services.escalation import escalate

    then = now - timedelta(days=1)
    started = time.perf_counter()
    settled = calendar_settle(now=then)
    settle_s = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    steps = escalate(now=then)
    return {
        "now": str(then),
        "calendar_settle": {"seconds": settle_s, "result": settled},
        "escalate": {"seconds": round(time.perf_counter() - started, 1), "result": steps},
        "escalations": Escalation.objects.count(),
    }


def _rollup(today: date, changed: int) -> dict:  # type: ignore[type-arg]
    """The rollup as an installation has it in the morning: built up to yesterday (the full
    build in SQL, as ``xinfang manage rates_rebuild`` or the migration runs it; timed here, not
    part of the tick), and ``changed`` petitions in its queue, as the day's registrations and
    steps leave them (the bulk load wrote none: it bypasses the petition services)."""
    from xinfang.analytics.models import RateDirty, RateFact, RatePending
    from xinfang.analytics.rollup import rates_rebuild
    from xinfang.petitions.models import Petition

    started = time.perf_counter()
    rates_rebuild(as_of=today - timedelta(days=1))
    built = round(time.perf_counter() - started, 1)
    open_ids = list(Petition.objects.filter(is_open=True).values_list("pk", flat=True))
    ids = random.Random(7).sample(open_ids, min(changed, len(open_ids)))
    RateDirty.objects.bulk_create([RateDirty(petition_id=pk) for pk in ids], batch_size=BATCH)
    return {
        "build_seconds": built,
        "as_of": str(today - timedelta(days=1)),
        "facts": RateFact.objects.count(),
        "pending": RatePending.objects.count(),
        "queued": len(ids),
    }


def _dispatch(now: datetime, changed: int) -> dict:  # type: ignore[type-arg]
    """The transfers rollup as an installation has it in the morning: counted up to the last
    tick (``dispatch_rebuild``: the first build; timed here, not part of the tick), then
    ``changed`` open petitions transferred on again today, with what the petition hooks queue
    for each (where the code has the queue, ``DispatchDelta``): the bulk load bypasses them."""
    from django.utils import timezone

    from xinfang.analytics.dispatch import dispatch_rebuild
    from xinfang.petitions.models import Petition, PetitionEvent

    try:
        from xinfang.analytics.models import DispatchDelta
    except ImportError:  # the code before the queue (the whole count every hour)
        DispatchDelta = None
    started = time.perf_counter()
    steps = dispatch_rebuild()
    built = round(time.perf_counter() - started, 1)
    open_rows = list(
        Petition.objects.filter(is_open=True).values_list("pk", "current_organ_id", "registering_organ_id")
    )
    rows = random.Random(8).sample(open_rows, min(changed, len(open_rows)))
    at = now - timedelta(hours=1)
    PetitionEvent.objects.bulk_create(
        [
            PetitionEvent(petition_id=pk, seq=3, action="assign", from_state="transferred",
                          to_state="assigned", occurred_at=at, recorded_at=at,
                          actor_id=None, organ_id=office)
            for pk, _organ, office in rows
        ],
        batch_size=BATCH,
    )  # fmt: skip
    if DispatchDelta is not None:
        month = timezone.localdate(at).replace(day=1)
        DispatchDelta.objects.bulk_create(
            [
                DispatchDelta(current_organ_id=organ, accused_organ_id=0, action="assign",
                              month=month, n=1)
                for _pk, organ, _office in rows
            ],
            batch_size=BATCH,
        )  # fmt: skip
    return {"build_seconds": built, "steps": steps, "queued": len(rows),
            "queue": DispatchDelta is not None}  # fmt: skip


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its PostgreSQL backend (same machine:
    /proc/<pid>/stat utime + stime)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    backend = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return time.process_time(), backend


def _tick(now: datetime) -> dict:  # type: ignore[type-arg]
    """The whole tick, one job after another (``tick_run(only=…)``, in the tick's order), with
    each job's wall seconds and CPU seconds (Python, and the database backend's: parallel query
    is off in this session, so no worker process does part of it unseen)."""
    from django.db import connection

    from xinfang.ops.lock import LockBusy
    from xinfang.ops.services import jobs_discover, tick_run

    with connection.cursor() as c:  # every query's work in the one backend _cpu() reads
        c.execute("SET max_parallel_workers_per_gather = 0")
    started = time.perf_counter()
    cpu0 = _cpu()
    jobs = {}
    for job in jobs_discover():
        for _ in range(100):  # the previous run's lock session may still be ending (load)
            try:
                before = _cpu()
                (o,) = tick_run(now=now, only=[job.name], force=True)
                break
            except LockBusy:
                time.sleep(0.1)
        after = _cpu()
        jobs[o.name] = {
            "status": o.status,
            "seconds": o.seconds,
            "cpu_python": round(after[0] - before[0], 2),
            "cpu_db": round(after[1] - before[1], 2),
            "result": o.result,
        }
    cpu1 = _cpu()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_python": round(cpu1[0] - cpu0[0], 2),
        "cpu_db": round(cpu1[1] - cpu0[1], 2),
        "jobs": jobs,
        "load_average": os.getloadavg(),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--petitions", type=int, default=1_000_000)
    ap.add_argument("--open", type=int, default=100_000)
    ap.add_argument(
        "--changed",
        type=int,
        default=2000,
        help="petitions changed since yesterday's tick (the rollup's queue)",
    )
    ap.add_argument("--out", default="")
    ap.add_argument("--db", default=PG_DB, help="the bench database (dropped and created)")
    args = ap.parse_args()
    globals()["PG_DB"] = args.db
    _setup()
    from xinfang.core import clock

    now = clock.now()
    loaded = _load(args.petitions, args.open, clock.local_date(now))
    loaded["yesterday"] = _yesterday(now)
    loaded["rollup"] = _rollup(clock.local_date(now), args.changed)
    loaded["dispatch"] = _dispatch(now, args.changed)
    first = _tick(now)
    second = _tick(now)  # the same moment again: nothing more may be recorded
    result = {
        "bench": "tick",
        "database": "postgres",
        "date": date.today().isoformat(),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "loaded": loaded,
        "first_run": first,
        "second_run": second,
        "target": "< 60 s for 10^6 petitions with 10^5 open (issue 18)",
    }
    out = Path(
        args.out
        or ROOT / "bench" / "results" / f"tick-postgres-{args.petitions}-{date.today():%Y%m%d}.json"
    )
    out.write_text(
        json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8"
    )
    print(
        json.dumps(
            {
                "loaded": loaded,
                "first": first["seconds"],
                "first_cpu": [first["cpu_python"], first["cpu_db"]],
                "second": second["seconds"],
                "second_cpu": [second["cpu_python"], second["cpu_db"]],
                "escalate": [first["jobs"]["resolution.escalate"][k]
                             for k in ("seconds", "cpu_python", "cpu_db")],
                "dispatch": [first["jobs"]["analytics.dispatch"][k]
                             for k in ("seconds", "cpu_python", "cpu_db")],
                "load_average": first["load_average"],
            },
            ensure_ascii=False,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
