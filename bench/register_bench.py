"""Registration throughput and worklist latency at 100,000 petitions (a benchmark, not a test).

    python bench/register_bench.py                    # SQLite file in a temp dir, n=100,000
    python bench/register_bench.py --db postgres      # PostgreSQL 127.0.0.1:5432, db xinfang_bench
    python bench/register_bench.py -n 20000 --single 2000 --profile

It builds a fresh database (a temp SQLite file, or drops and creates ``xinfang_bench`` on the
local PostgreSQL as user ``postgres``), migrates it, builds a small directory and then measures:

(a) ``petition_register`` one at a time (each its own transaction, with its two events, its
    deadline row and its parties) for the first ``--single`` petitions;
(b) the rest through ``petition_register_many`` in batches of ``--batch``;
(c) ``worklist_for_user`` for a clerk of the organ holding most petitions: first page p50/p95
    over ``--calls`` calls, the next page through the cursor, and the query plan.

Results and targets are recorded in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "xinfang_bench"
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"


def _setup(db: str) -> str:
    sys.path.insert(0, str(ROOT))
    data_dir = tempfile.mkdtemp(prefix="xinfang-bench-")
    os.environ["XINFANG_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("XINFANG_SECRET_KEY", "bench-not-secret")
    # No indexer thread in this process: the search indexer runs as its own process (--indexer
    # process, the default) or after the registrations (--indexer after); see (d).
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        os.environ.pop("XINFANG_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data_dir


def _drop_pg() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


_TOPICS = (
    ("小区物业乱收费", "物业公司擅自上调停车费和物业费，电梯长期故障无人维修"),
    ("拖欠农民工工资", "在建项目拖欠工人工资数月，多次讨要无果"),
    ("征地补偿款未足额发放", "集体土地被征收后补偿款至今未足额发放到户"),
    ("工厂夜间排放废气", "附近工厂夜间排放刺鼻气体，居民咳嗽不止"),
    ("学区划分不合理", "住处距学校很近却被划入远处学校就读"),
    ("道路破损长期未修", "主干道路面坑洼积水，已发生多起摔倒事故"),
)
_NAMES = "王伟 李娜 张敏 刘洋 陈静 杨磊 赵丽 黄强 周杰 吴芳 徐涛 孙艳".split()


def _inputs(n: int, region_codes: list[str], rng: random.Random, now):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from xinfang.petitions.services import PartyInput, PetitionInput

    channels = ("online", "letter", "visit", "phone", "hotline")
    for i in range(n):
        title, body = rng.choice(_TOPICS)
        yield PetitionInput(
            channel=rng.choice(channels),
            title=f"{title}（{i}）",
            content=f"{body}。本人多次向有关单位反映，至今没有结果，请求依法处理并书面答复。编号{i}。",
            region_code=rng.choice(region_codes),
            received_at=now - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 600)),
            category=rng.choice(("appeal", "appeal", "suggestion", "")),
            parties=[
                PartyInput(
                    role="petitioner",
                    name=rng.choice(_NAMES),
                    phone=f"13{rng.randint(0, 999_999_999):09d}",
                )
            ],
        )


def _directory():  # type: ignore[no-untyped-def]
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create

    K = OrganKind
    prov = Region.objects.create(code="990000", name="基准省", level=Level.PROVINCE)
    city = Region.objects.create(code="990100", name="基准市", level=Level.CITY, parent=prov)
    counties = [
        Region.objects.create(
            code=f"9901{i:02d}", name=f"基准{i}县", level=Level.COUNTY, parent=city
        )
        for i in (21, 22, 23)
    ]
    prov_gov = organ_create(
        name="基准省人民政府", kind=K.COMPETENT, level=Level.PROVINCE, region=prov
    )
    city_gov = organ_create(
        name="基准市人民政府", kind=K.COMPETENT, level=Level.CITY, region=city, parent=prov_gov
    )
    offices = [
        organ_create(
            name="基准市信访局",
            kind=K.PETITION_OFFICE,
            level=Level.CITY,
            region=city,
            parent=city_gov,
        )
    ]
    for r in counties:
        gov = organ_create(
            name=f"{r.name}人民政府",
            kind=K.COMPETENT,
            level=Level.COUNTY,
            region=r,
            parent=city_gov,
        )
        offices.append(
            organ_create(
                name=f"{r.name}信访局",
                kind=K.PETITION_OFFICE,
                level=Level.COUNTY,
                region=r,
                parent=gov,
            )
        )
        organ_create(
            name=f"{r.name}住房和城乡建设局",
            kind=K.COMPETENT,
            level=Level.COUNTY,
            region=r,
            parent=gov,
        )
    clerks = [
        staff_create(username=f"clerk{i}", password=None, organ=o, roles=[Role.REGISTRAR])  # type: ignore[arg-type]
        for i, o in enumerate(offices)
    ]
    return [c.code for c in counties] + [city.code], offices, clerks


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=100_000, help="petitions in total (default 100000)")
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--single", type=int, default=10_000, help="registered one at a time first")
    ap.add_argument("--batch", type=int, default=1_000, help="batch size of the bulk path")
    ap.add_argument("--calls", type=int, default=200, help="worklist calls to time")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--profile",
        action="store_true",
        help="cProfile 2,000 single registrations and 5 bulk batches",
    )
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    ap.add_argument(
        "--indexer",
        choices=("process", "after"),
        default="process",
        help="process: `xinfang manage search_index --watch` runs beside the registrations "
        "(default); after: the queue is drained only after them, timed alone",
    )
    args = ap.parse_args()

    data_dir = _setup(args.db)
    try:
        return _run(args, data_dir)
    finally:
        if args.db == "postgres" and not args.keep:
            _drop_pg()


def _run(args: argparse.Namespace, data_dir: str) -> int:
    import django
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.core import clock
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.models import Petition
    from xinfang.petitions.selectors import worklist_for_user
    from xinfang.petitions.services import petition_register, petition_register_many

    rng = random.Random(args.seed)
    vendor = connection.vendor
    if vendor == "sqlite":
        db_version = connection.Database.sqlite_version
        where = f"SQLite {db_version} (WAL, synchronous=NORMAL) in {data_dir}"
    else:
        with connection.cursor() as c:
            c.execute("SHOW server_version")
            db_version = c.fetchone()[0]
        where = f"PostgreSQL {db_version} on 127.0.0.1:5432, database {PG_DB}"
    print(f"# register_bench  n={args.n:,}  {where}")
    print(
        f"# python {platform.python_version()}  django {django.get_version()}  "
        f"{os.cpu_count()} cpus  {platform.processor() or platform.machine()}  "
        f"load average {os.getloadavg()[0]:.1f}"
    )

    regions, offices, clerks = _directory()
    # Most petitions go to the first county office: its worklist is the one measured.
    weights = [1] + [8] + [1] * (len(offices) - 2)
    now = clock.now()
    single = min(args.single, args.n)

    indexer = None
    if args.indexer == "process":
        import subprocess

        indexer = subprocess.Popen(
            [sys.executable, "-m", "xinfang.cli", "manage", "search_index", "--watch", "--every", "0.5"],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
        )
        print(f"# search indexer: its own process (pid {indexer.pid}), draining every 0.5 s")
    t_start = time.perf_counter()

    # (a) one at a time: each call is its own transaction with its events and deadlines
    items = list(_inputs(single, regions, rng, now))
    targets = rng.choices(range(len(offices)), weights=weights, k=single)
    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
    t0, c0 = time.perf_counter(), time.process_time()
    for i, (data, k) in enumerate(zip(items, targets, strict=True)):
        if prof is not None and i == 0:
            prof.enable()
        petition_register(data=data, organ=offices[k], actor=clerks[k])
        if prof is not None and i == 1999:
            prof.disable()
    t_single, c_single = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"(a) petition_register, one transaction each: {single:,} in {t_single:.1f} s "
        f"= {single / t_single:,.0f}/s ({1000 * t_single / single:.2f} ms each; "
        f"client CPU {1000 * c_single / single:.2f} ms each)"
    )
    if prof is not None:
        import pstats

        print("    cProfile of 2,000 single registrations (top by cumulative time):")
        pstats.Stats(prof, stream=sys.stdout).sort_stats("cumulative").print_stats(25)

    # (b) the bulk path, batches of --batch at one office each
    rest = args.n - single
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    bulk_prof = None
    if args.profile:
        import cProfile

        bulk_prof = cProfile.Profile()
    batches = 0
    while done < rest:
        size = min(args.batch, rest - done)
        k = rng.choices(range(len(offices)), weights=weights)[0]
        batch = list(_inputs(size, regions, rng, now))
        if bulk_prof is not None and batches < 5:
            bulk_prof.enable()
        petition_register_many(items=batch, organ=offices[k], actor=clerks[k])
        if bulk_prof is not None:
            bulk_prof.disable()
        done += size
        batches += 1
    t_bulk, c_bulk = time.perf_counter() - t0, time.process_time() - c0
    if rest:
        print(
            f"(b) petition_register_many, batches of {args.batch:,}: {rest:,} in {t_bulk:.1f} s "
            f"= {rest / t_bulk:,.0f}/s (input building included; client CPU "
            f"{1000 * c_bulk / rest:.2f} ms each)"
        )
    if bulk_prof is not None:
        import pstats

        print("    cProfile of 5 bulk batches (top by internal time):")
        pstats.Stats(bulk_prof, stream=sys.stdout).sort_stats("tottime").print_stats(20)
    total = Petition.objects.count()
    print(f"    petitions in the database: {total:,}")

    # (d) the search index: what the indexer did meanwhile, and the drain of what is left
    from xinfang.workbench.models import SearchPending
    from xinfang.workbench.services import search_index_pending

    t_reg = time.perf_counter() - t_start
    left = SearchPending.objects.count()
    if indexer is not None:
        indexer.terminate()
        indexer.wait()
        print(
            f"(d) search indexer process: indexed {total - left:,} of {total:,} during the "
            f"{t_reg:.0f} s of registration ({(total - left) / t_reg:,.0f}/s); {left:,} queued"
        )
        left = SearchPending.objects.count()
    t0 = time.perf_counter()
    drained = search_index_pending()
    t_drain = time.perf_counter() - t0
    print(
        f"    search_index_pending alone: {drained:,} in {t_drain:.1f} s"
        + (f" = {drained / t_drain:,.0f}/s" if drained else "")
    )

    with connection.cursor() as c:
        c.execute("ANALYZE")  # what autovacuum / a nightly job would have done

    # (c) the worklist of the organ holding most petitions
    from django.db.models import Count

    top = (
        Petition.objects.filter(is_open=True)
        .values("current_organ_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert top is not None
    organ = next(o for o in offices if o.pk == top["current_organ_id"])
    user = staff_create(
        username="bench_reader",
        password=None,  # type: ignore[arg-type]
        organ=organ,
        roles=[Role.REGISTRAR],
    )
    for _ in range(5):
        worklist_for_user(user=user)
    first: list[float] = []
    for _ in range(args.calls):
        t = time.perf_counter()
        page = worklist_for_user(user=user)
        first.append((time.perf_counter() - t) * 1000)
    nxt: list[float] = []
    for _ in range(args.calls):
        t = time.perf_counter()
        page2 = worklist_for_user(user=user, cursor=page.next_cursor)
        nxt.append((time.perf_counter() - t) * 1000)
    print(
        f"(c) worklist_for_user at {organ.name} ({top['n']:,} open petitions), "
        f"page of {len(page.items)}:"
    )
    print(
        f"    first page  p50 {statistics.median(first):.2f} ms  p95 {_pct(first, 95):.2f} ms  "
        f"max {max(first):.2f} ms  ({args.calls} calls)"
    )
    print(
        f"    next page   p50 {statistics.median(nxt):.2f} ms  p95 {_pct(nxt, 95):.2f} ms  "
        f"(cursor {page.next_cursor}; {len(page2.items)} rows)"
    )
    with CaptureQueriesContext(connection) as q:
        worklist_for_user(user=user)
    sql = q.captured_queries[0]["sql"]
    print("    worklist query:")
    print(f"      {sql}")
    with connection.cursor() as c:
        if vendor == "sqlite":
            c.execute(f"EXPLAIN QUERY PLAN {sql}")
            plan = [" | ".join(str(x) for x in row) for row in c.fetchall()]
        else:
            c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = [row[0] for row in c.fetchall()]
    print("    query plan:")
    for line in plan:
        print(f"      {line}")
    uses = any("petition_worklist" in line for line in plan)
    print(f"    uses the petition_worklist index: {'yes' if uses else 'NO'}")
    print(f"# load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
