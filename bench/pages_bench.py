"""Server-side latency of the staff and portal pages at 1,000,000 petitions on PostgreSQL.

    python bench/pages_bench.py                      # n=1,000,000; drops/creates xinfang_pages_bench
    python bench/pages_bench.py -n 200000 --seed-n 20000 --keep

Loading: the first ``--seed-n`` petitions go through ``petition_register_many`` (batches of
``--batch``: validation, events, T1 deadline, party, audit chain, search index — every row the
service writes). The rest are copies of those rows made by INSERT … SELECT in PostgreSQL
(petitions with new ids and tracking codes, their parties and their search words; no events,
deadlines or audit records: no measured page reads those of a copy). That is what makes 10^6
rows loadable in minutes on this VM; the service path alone runs at ~1,000/s.

Timing: Django's test Client (no network, no server), ``--calls`` calls per page after 5
warm-up calls, p50/p95/max, and the number of SQL queries per page. Results in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
PG_DB = "xinfang_pages_bench"
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"


def _setup(reuse: bool = False) -> None:
    import tempfile

    sys.path.insert(0, str(ROOT))
    if not (reuse and os.environ.get("XINFANG_DATA_DIR")):  # --reuse: the data dir holding its keys
        os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="xinfang-pages-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("XINFANG_SECRET_KEY", "bench-not-secret")
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"  # the load drains the search queue itself
    import psycopg

    if not reuse:
        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
    os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _drop() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))]


def _columns(cursor, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [r[0] for r in cursor.fetchall()]


def _multiply(total: int) -> tuple[int, float]:
    """Copy the registered petitions (and their parties and search words) until ``total``."""
    from django.db import connection, transaction

    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT max(id), count(*) FROM petitions_petition")
        top, have = c.fetchone()
        copies = -(-total // have) - 1
        if copies <= 0:
            return 0, 0.0
        # the last copy only up to ``total``
        limit_id = f"AND p.id + k * {top} <= (SELECT {top} + {total - have})"
        cols = _columns(c, "petitions_petition")
        sel = [
            f"p.id + k * {top}" if col == "id"
            else f"'X' || lpad((p.id + k * {top})::text, 15, '0')" if col == "tracking_code"
            else "NULL" if col == "repeat_of_id"
            else f"p.{col}"
            for col in cols
        ]
        c.execute(
            f"INSERT INTO petitions_petition ({', '.join(cols)}) SELECT {', '.join(sel)} "
            f"FROM petitions_petition p, generate_series(1, {copies}) k WHERE p.id <= {top} {limit_id}"
        )
        made = c.rowcount
        for table in ("petitions_party", "workbench_petitionwords"):  # words: ADR 0022
            cols = [x for x in _columns(c, table) if x != "id"]
            sel = [f"t.petition_id + k * {top}" if x == "petition_id" else f"t.{x}" for x in cols]
            c.execute(
                f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(sel)} FROM {table} t, "
                f"generate_series(1, {copies}) k WHERE t.petition_id + k * {top} <= {top} + {total - have}"
            )
        c.execute(
            "SELECT setval(pg_get_serial_sequence('petitions_petition', 'id'), "
            "(SELECT max(id) FROM petitions_petition))"
        )
    from xinfang.analytics.services import tally_rebuild
    from xinfang.petitions.services.worklist_tally import worklist_tally_rebuild

    tally_rebuild()  # the copies bypassed the services that keep the analytics rollup
    worklist_tally_rebuild()  # and the worklist's
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")
    return made, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=1_000_000)
    ap.add_argument("--seed-n", type=int, default=50_000, help="registered through the service")
    ap.add_argument("--batch", type=int, default=1_000)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument("--reuse", action="store_true", help="time the pages of a kept database (no load)")
    args = ap.parse_args()
    if args.reuse:
        args.keep = True
    _setup(args.reuse)
    try:
        return _run(args)
    finally:
        if not args.keep:
            _drop()


def _time(client, url: str, calls: int, method: str = "get", data=None):  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn = getattr(client, method)
    for _ in range(5):
        r = fn(url, data) if data else fn(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
    xs = []
    for _ in range(calls):
        t = time.perf_counter()
        r = fn(url, data) if data else fn(url)
        xs.append((time.perf_counter() - t) * 1000)
        # every timed answer is checked: a fast error page must not pass for a fast page
        assert r.status_code == 200, (url, r.status_code, r.content[:300])
    with CaptureQueriesContext(connection) as q:
        r = fn(url, data) if data else fn(url)
    assert r.status_code == 200, (url, r.status_code)
    return statistics.median(xs), _pct(xs, 95), max(xs), len(q), q.captured_queries


def _run(args: argparse.Namespace) -> int:
    import django
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from register_bench import _directory, _inputs

    from xinfang.core import clock, ids
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import (
        PartyInput,
        PetitionInput,
        petition_register,
        petition_register_many,
    )

    rng = random.Random(1)
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        ver = c.fetchone()[0]
    print(f"# pages_bench  n={args.n:,}  PostgreSQL {ver} 127.0.0.1:5432 db {PG_DB}")
    print(
        f"# python {platform.python_version()}  django {django.get_version()}  {os.cpu_count()} cpus  "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if args.reuse:
        from xinfang.directory.models import Organ, OrganKind

        offices = list(Organ.objects.filter(kind=OrganKind.PETITION_OFFICE))
        made, t_copy = 0, 0.0
        print("(1)(2) reusing the kept database: no load")
    else:
        regions, offices, clerks = _directory()
        weights = [1] + [8] + [1] * (len(offices) - 2)
        now = clock.now()
        seed_n = min(args.seed_n, args.n)
        t0 = time.perf_counter()
        done = 0
        while done < seed_n:
            size = min(args.batch, seed_n - done)
            k = rng.choices(range(len(offices)), weights=weights)[0]
            petition_register_many(items=list(_inputs(size, regions, rng, now)), organ=offices[k], actor=clerks[k])
            done += size
        t_seed = time.perf_counter() - t0
        print(f"(1) petition_register_many: {seed_n:,} in {t_seed:.1f} s = {seed_n / t_seed:,.0f}/s")
        from xinfang.workbench.services import search_index_pending

        t0 = time.perf_counter()
        n_idx = search_index_pending()  # the server's indexer would have (ADR 0008)
        print(f"    search words of the queued {n_idx:,} in {time.perf_counter() - t0:.1f} s")
        made, t_copy = _multiply(args.n)
    total = Petition.objects.count()
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM workbench_petitionwords")  # a tsvector each (ADR 0022)
        terms = c.fetchone()[0]
        c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = c.fetchone()[0]
    print(f"(2) INSERT … SELECT copies: {made:,} petitions in {t_copy:.1f} s (incl. VACUUM ANALYZE); "
          f"now {total:,} petitions, {terms:,} petitions' search words, database {size}")

    top = (
        Petition.objects.filter(is_open=True).values("current_organ_id")
        .annotate(n=Count("id")).order_by("-n").first()
    )
    organ = next(o for o in offices if o.pk == top["current_organ_id"])
    from xinfang.directory.models import User

    clerk = User.objects.filter(username="bench_clerk").first() or staff_create(
        username="bench_clerk", password=None, organ=organ, roles=[Role.REGISTRAR]  # type: ignore[arg-type]
    )
    # a petition of my own, for the petition page and the portal (code + query password)
    reg = petition_register(
        data=PetitionInput(
            channel="letter", title="小区物业乱收费（基准）", content="物业公司擅自上调停车费。", region_code=organ.region_id,
            category="appeal", route=6, parties=[PartyInput(role="petitioner", name="王伟", phone="13912345678")],
        ),
        organ=organ, actor=clerk,
    )
    staff = Client()
    staff.force_login(clerk)
    # The repeat index (insight.matters_index) is built per process, in the background at server
    # start (or loaded from `xinfang manage repeats_rebuild --save`): time that build here, apart
    # from the page timings.
    import resource

    from xinfang.insight.matters.index import repeat_index_rebuild

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    built = repeat_index_rebuild()
    print(
        f"(2b) repeat index of {built['petitions']:,} petitions built in {built['seconds']:.0f} s, "
        f"{built['bytes'] / 2**20:.0f} MB of arrays, max RSS "
        f"+{(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss0) / 1024:.0f} MB"
    )
    recent = list(
        Petition.objects.filter(current_organ=organ, id__lte=args.seed_n).order_by("-id").values_list("id", flat=True)[:1]
    )
    pages = [
        ("worklist page (first page)", "/worklist/", 50),
        ("worklist page, due=overdue & region", f"/worklist/?due=overdue&region={organ.region_id}", 50),
        ("worklist page, due=running & state", "/worklist/?due=running&state=registered", 50),
        ("petition page (service-registered)", f"/petitions/{recent[0]}/", 100),
        ("petition page (my registration)", f"/petitions/{reg.petition.pk}/", 100),
        ("search: text 拖欠工资 (1/6 of all match)", "/search/?q=拖欠工资", 100),
        ("search: text 小区物业 + state + dates", "/search/?q=小区物业&state=registered&from=2026-09-01&to=2026-11-30", 100),
        ("search: rare text 乱收费 基准", "/search/?q=物业乱收费基准", 100),
        ("search: tracking code", f"/search/?by=code&q={ids.format_tracking_code(reg.petition.tracking_code)}", 100),
        ("search: phone (blind index)", "/search/?by=phone&q=13912345678", 100),
        ("search: name 王伟 (exact, ~83k parties)", "/search/?by=name&q=王伟", 100),
        ("intake page (letter desk)", "/intake/letter/", 100),
        ("documents of a petition (index)", f"/documents/petitions/{reg.petition.pk}/", 100),
        ("intake: similar petitions while typing", "/intake/similar/?title=小区物业乱收费&content=物业公司擅自上调停车费和物业费", 100),
    ]
    print(f"(3) pages at {total:,} petitions; clerk of {organ.name} ({top['n']:,} open petitions there); "
          f"{args.calls} calls each, Django test Client, no network")
    print(f"    {'page':46} {'p50':>8} {'p95':>8} {'max':>8} {'queries':>7}  target p95")
    slow = {}
    for label, url, target in pages:
        p50, p95, mx, nq, qs = _time(staff, url, args.calls)
        slow[label] = max(qs, key=lambda x: float(x["time"]))
        sys.stdout.flush()
        print(f"    {label:46} {p50:7.1f}ms {p95:7.1f}ms {mx:7.1f}ms {nq:7d}  < {target} ms {'ok' if p95 < target else 'MISSED'}")
    analyst = User.objects.filter(username="bench_analyst").first() or staff_create(
        username="bench_analyst", password=None, organ=organ, roles=[Role.ANALYST]  # type: ignore[arg-type]
    )
    ac = Client()
    ac.force_login(analyst)
    t0 = time.perf_counter()
    assert ac.get("/insight/hot/").status_code == 200
    print(f"    {'hot issues, first (computed; 5,000 newest)':46} {(time.perf_counter() - t0) * 1000:7.0f}ms (once; then cached)")
    p50, p95, mx, nq, qs = _time(ac, "/analytics/", args.calls)
    print(f"    {'analytics summary (analyst, de-identified)':46} {p50:7.1f}ms {p95:7.1f}ms {mx:7.1f}ms {nq:7d}  < 100 ms {'ok' if p95 < 100 else 'MISSED'}")
    slow["analytics summary"] = max(qs, key=lambda x: float(x["time"]))
    p50, p95, mx, nq, qs = _time(ac, "/insight/hot/", args.calls)
    print(f"    {'hot issues, cached':46} {p50:7.1f}ms {p95:7.1f}ms {mx:7.1f}ms {nq:7d}  < 100 ms {'ok' if p95 < 100 else 'MISSED'}")
    portal = Client()
    r = portal.post("/portal/track/", {"code": reg.petition.tracking_code, "password": reg.query_password})
    assert r.status_code == 302, (r.status_code, r.content[:300])
    p50, p95, mx, nq, qs = _time(portal, f"/portal/p/{reg.petition.tracking_code}/", args.calls)
    print(f"    {'portal status page (code + password session)':46} {p50:7.1f}ms {p95:7.1f}ms {mx:7.1f}ms {nq:7d}  < 100 ms {'ok' if p95 < 100 else 'MISSED'}")
    print("(4) slowest query of each page (time of one run):")
    for label, q in slow.items():
        print(f"    {label}: {q['time']} s  {q['sql'][:300]}")
    for label, url in (("search 拖欠工资", "/search/?q=拖欠工资"), ("worklist overdue", f"/worklist/?due=overdue&region={organ.region_id}")):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as q:
            assert staff.get(url).status_code == 200, url
        mine = [x for x in q.captured_queries if 'FROM "petitions_petition"' in x["sql"]]
        sql = max(mine, key=lambda x: float(x["time"]))["sql"]
        with connection.cursor() as c:
            c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print(f"    plan of {label}:")
            for row in c.fetchall():
                print(f"      {row[0]}")
    print(f"# load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
