"""Pages and bytes on a generated history (``xinfang manage bench_seed``, issue 14).

    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_x XINFANG_DATA_DIR=/tmp/x
    xinfang migrate && xinfang manage bench_seed --petitions 100000      # once (see bench/README.md)
    python bench/history_bench.py [--calls 30] [--out bench/results/history-….json]

    # SQLite (the embedded default): no XINFANG_DATABASE_URL, the database of XINFANG_DATA_DIR
    unset XINFANG_DATABASE_URL; export XINFANG_DATA_DIR=/work/sqlite-h6
    python bench/history_bench.py --calls 10

Unlike ``pages_bench.py`` (copies of freshly registered petitions with no events), every
petition here has its real history: five years, ~85 % closed, transfers, opinions, reviews,
deadlines, documents, evaluations and audit records. Timed, as the users who open them:

* the worklist of the organ holding the most open petitions (first page, overdue filter);
* the petition page of the petition with the longest history;
* statistics without and with a date range, rates and trends (an analyst of the province);
* search by words (a province clerk; the form posts);
* hot issues: the worker's refresh of every scope (timed, twice: the second finds nothing
  changed), then the first view of an analyst who never logged in, then as read again.

Django's test Client (no network), ``--calls`` calls after 3 warm-up calls; every answer's status
is checked. For each page its slowest query is run again under ``EXPLAIN (ANALYZE, BUFFERS)``
(SQLite: ``EXPLAIN QUERY PLAN``, and the query timed once more on its own).
Then the bytes of every table with its indexes (``pg_total_relation_size``; SQLite: the
``dbstat`` table, each index counted with its table) per petition.
The JSON of the run goes to ``--out`` (default ``bench/results/history-ENGINE-N-DATE.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    url = os.environ.get("XINFANG_DATABASE_URL", "")
    data = os.environ.get("XINFANG_DATA_DIR", "")
    if not url.startswith("postgres") and not (data and (Path(data) / "xinfang.sqlite3").exists()):
        sys.exit(
            "set XINFANG_DATA_DIR of the seeded database (SQLite: its xinfang.sqlite3) and, "
            "for PostgreSQL, XINFANG_DATABASE_URL"
        )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    os.environ["XINFANG_COMMAND"] = "1"  # no statement timeout for the one-off queries
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))]


def _time(client, method: str, url: str, data: dict | None, calls: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn = getattr(client, method)

    def call():  # type: ignore[no-untyped-def]
        r = fn(url, data) if data is not None else fn(url)
        # every timed answer is checked: a fast error page must not pass for a fast page
        assert r.status_code == 200, (url, r.status_code, r.content[:300])

    for _ in range(3):
        call()
    xs, cpu = [], []
    for _ in range(calls):
        t, c = time.perf_counter(), time.process_time()
        call()
        xs.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)  # load does not stretch it (SQLite's included)
    with CaptureQueriesContext(connection) as q:
        call()
    slow = max(q.captured_queries, key=lambda x: float(x["time"])) if q.captured_queries else None
    return {
        "p50_ms": round(statistics.median(xs), 1),
        "p95_ms": round(_pct(xs, 95), 1),
        "max_ms": round(max(xs), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(_pct(cpu, 95), 1),
        "queries": len(q.captured_queries),
        "slowest_sql": slow["sql"] if slow else "",
        "slowest_s": float(slow["time"]) if slow else 0.0,
    }


def _explain(sql: str) -> list[str]:
    from django.db import connection

    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return []
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            # no EXPLAIN ANALYZE in SQLite: the plan, then the query timed on its own
            c.execute(f"EXPLAIN QUERY PLAN {sql}")
            depth: dict[int, int] = {}
            plan = [f"{'  ' * _depth(r[0], r[1], depth)}{r[3]}" for r in c.fetchall()]
            t = time.perf_counter()
            c.execute(sql)
            rows = len(c.fetchall())
            took = (time.perf_counter() - t) * 1000
            return [*plan, f"(run again: {took:.1f} ms, {rows} rows)"]
        c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [r[0] for r in c.fetchall()]


def _depth(node: int, parent: int, seen: dict[int, int]) -> int:
    seen[node] = seen.get(parent, -1) + 1
    return seen[node]


def _bytes() -> dict:  # type: ignore[type-arg]
    from django.db import connection

    if connection.vendor == "sqlite":
        return _bytes_sqlite()
    with connection.cursor() as c:
        c.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid), "
            "c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
        )
        tables = {r[0]: {"total": r[1], "heap": r[2], "rows": r[3]} for r in c.fetchall()}
        c.execute("SELECT pg_database_size(current_database())")
        db = c.fetchone()[0]
    return {"database": db, "tables": tables}


def _bytes_sqlite() -> dict:  # type: ignore[type-arg]
    """The pages of every table and of its indexes (``dbstat``); rows as ANALYZE last counted
    them (``sqlite_stat1``, like PostgreSQL's ``reltuples``), else counted."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT name, tbl_name, type FROM sqlite_master WHERE type IN ('table', 'index')")
        owner = {name: (tbl, kind) for name, tbl, kind in c.fetchall()}
        c.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
        tables: dict[str, dict[str, int]] = {}
        for name, size in c.fetchall():
            tbl, kind = owner.get(name, (name, "table"))
            t = tables.setdefault(tbl, {"total": 0, "heap": 0, "rows": 0})
            t["total"] += size
            if kind == "table" and name == tbl:
                t["heap"] += size
        # rows as ANALYZE counted them (like reltuples), else counted
        c.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        stat = {}
        if c.fetchone()[0]:
            c.execute("SELECT tbl, stat FROM sqlite_stat1")
            for tbl, st in c.fetchall():
                stat[tbl] = max(stat.get(tbl, 0), int(st.split()[0]))
        for tbl in tables:
            if tbl in stat:
                tables[tbl]["rows"] = stat[tbl]
            elif tbl in owner and owner[tbl][1] == "table":
                c.execute(f'SELECT COUNT(*) FROM "{tbl}"')
                tables[tbl]["rows"] = c.fetchone()[0]
        c.execute("PRAGMA page_count")
        pages = c.fetchone()[0]
        c.execute("PRAGMA page_size")
        db = pages * c.fetchone()[0]
    ordered = dict(sorted(tables.items(), key=lambda kv: -kv[1]["total"]))
    return {"database": db, "tables": ordered}


def _worklist_variants(hc, organ_id: int) -> list[tuple]:  # type: ignore[no-untyped-def,type-arg]
    """Every other filter of the worklist, each with the value the organ's open petitions have
    least of (the worst case for a list read in due-date order), a flag, and the next page."""
    import re

    from django.db.models import Count

    from xinfang.petitions.models import Petition

    held = Petition.objects.filter(current_organ_id=organ_id, is_open=True)
    out: list[tuple] = []  # type: ignore[type-arg]
    for field, key in (("state", "state"), ("category", "category"), ("channel", "channel"),
                       ("region_id", "region")):  # fmt: skip
        rare = (held.exclude(**{field: ""}).values(field).annotate(n=Count("id"))
                .order_by("n", field).first())  # fmt: skip
        if rare:
            out.append((f"worklist, {key}={rare[field]} ({rare['n']:,})", hc, "get",
                        f"/worklist/?{key}={rare[field]}", None, 50))  # fmt: skip
    out.append(("worklist, flag=supervised", hc, "get", "/worklist/?flag=supervised", None, 50))
    m = re.search(r'href="\?cursor=([^"&]+)"', hc.get("/worklist/").content.decode())
    if m:
        out.append(("worklist, next page", hc, "get", f"/worklist/?cursor={m.group(1)}", None, 50))
    return out


def _user_of(organ_id: int):  # type: ignore[no-untyped-def]
    from xinfang.directory.models import User

    return (
        User.objects.filter(username=f"staff_{organ_id}").first()
        or User.objects.filter(organ_id=organ_id, is_active=True).first()
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--out", default="")
    ap.add_argument("--no-explain", action="store_true")
    ap.add_argument(
        "--no-analyze",
        action="store_true",
        help="PostgreSQL: keep the planner statistics as they are (no ANALYZE first)",
    )
    ap.add_argument(
        "--only",
        default="",
        help="time only the pages whose label contains one of "
        "these comma-separated words (e.g. statistics,rates,trends,hot)",
    )
    args = ap.parse_args()
    _setup()
    import django
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from xinfang.core import clock
    from xinfang.directory.models import User
    from xinfang.petitions.models import Petition, PetitionEvent

    n = Petition.objects.count()
    open_n = Petition.objects.filter(is_open=True).count()
    engine = "postgres" if connection.vendor == "postgresql" else "sqlite"
    with connection.cursor() as c:
        if engine == "sqlite":
            c.execute("SELECT sqlite_version()")
            ver = "SQLite " + c.fetchone()[0]
            # the planner's statistics as the installation has them (ANALYZE at 10^6 takes
            # minutes; bench_seed and the daily tick keep them): said, not made here
            c.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if c.fetchone()[0]:
                c.execute("SELECT COUNT(*) FROM sqlite_stat1")
                ver += f" (sqlite_stat1: {c.fetchone()[0]} rows)"
            else:
                ver += " (no ANALYZE statistics)"
        else:
            c.execute("SHOW server_version")
            ver = "PostgreSQL " + c.fetchone()[0]
            if not args.no_analyze:  # (a database still building indexes would wait on them)
                c.execute("ANALYZE")
    load0 = os.getloadavg()[0]
    print(f"# history_bench  {n:,} petitions ({open_n:,} open)  {ver}")
    print(f"# python {platform.python_version()} django {django.get_version()} load {load0:.1f}")

    top = (
        Petition.objects.filter(is_open=True)
        .values("current_organ_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    holder = _user_of(top["current_organ_id"])
    longest = PetitionEvent.objects.order_by("-seq").values_list("petition_id", "seq").first()
    long_p = Petition.objects.get(pk=longest[0])
    long_user = _user_of(long_p.current_organ_id)
    analyst = User.objects.get(username="province_analyst")
    clerk = User.objects.get(username="province_clerk")
    today = clock.today()
    year_ago = (today - timedelta(days=365)).isoformat()
    q1 = (today - timedelta(days=540)).isoformat()
    q2 = (today - timedelta(days=450)).isoformat()

    def client(u):  # type: ignore[no-untyped-def]
        c = Client()
        c.force_login(u)
        return c

    hc, lc, ac, cc = client(holder), client(long_user), client(analyst), client(clerk)
    only = [w for w in args.only.split(",") if w]
    hot_first, worker = 0.0, {}
    if not only or any(w in "hot issues" for w in only):
        # Hot issues: what the worker does every few minutes (every scope a reader may ask),
        # timed, then the first view of an analyst who never logged in (a scope computed for
        # others).
        from xinfang.directory.services import staff_create
        from xinfang.insight.hot.snapshots import hot_snapshots_refresh

        t0 = time.perf_counter()
        worker = hot_snapshots_refresh()
        worker["seconds"] = round(time.perf_counter() - t0, 1)
        again = time.perf_counter()
        worker["second_run"] = hot_snapshots_refresh()
        worker["second_run"]["seconds"] = round(time.perf_counter() - again, 1)
        print(f"hot issues, the worker's refresh: {worker}")
        newcomer = User.objects.filter(username="bench_new_analyst").first() or staff_create(
            username="bench_new_analyst", password=None, organ=analyst.organ, roles=["analyst"]
        )
        nc = client(newcomer)
        t0 = time.perf_counter()
        r = nc.get("/insight/hot/")
        hot_first = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200 and "本页结果计算于" in r.content.decode(), r.content[:300]
    pages = [
        ("worklist, first page", hc, "get", "/worklist/", None, 50),
        ("worklist, overdue", hc, "get", "/worklist/?due=overdue", None, 50),
        *_worklist_variants(hc, top["current_organ_id"]),
        (f"petition page ({longest[1]} events)", lc, "get", f"/petitions/{long_p.pk}/", None, 50),
        ("statistics (all)", ac, "get", "/analytics/", None, 200),
        (
            "statistics, last 12 months",
            ac,
            "get",
            f"/analytics/?received_from={year_ago}&received_to={today}",
            None,
            200,
        ),
        (
            "statistics, a 3-month range",
            ac,
            "get",
            f"/analytics/?received_from={q1}&received_to={q2}",
            None,
            200,
        ),
        ("rates", ac, "get", "/analytics/rates/", None, 200),
        ("trends", ac, "get", "/analytics/trends/", None, 200),
        (
            "rates drill-down (accept, late)",
            ac,
            "get",
            "/analytics/rates/drill/?metric=accept&outcome=late",
            None,
            200,
        ),
        # a denominator (three outcomes) of one organ's line: the busiest holder's
        (f"rates drill-down (accept, all), organ {top['current_organ_id']}", ac, "get",
         f"/analytics/rates/drill/?metric=accept&outcome=on_time&outcome=late&outcome=overdue"
         f"&organ={top['current_organ_id']}", None, 200),
        ("search: 物业 (common)", cc, "post", "/search/", {"q": "物业"}, 100),
        ("search: 噪音扰民", cc, "post", "/search/", {"q": "噪音扰民"}, 100),
        ("search: 物业 + dates", cc, "post", "/search/", {"q": "物业", "from": q1, "to": q2}, 100),
        ("search: 噪音扰民 + dates", cc, "post", "/search/",
         {"q": "噪音扰民", "from": q1, "to": q2}, 100),
        ("search: 物业, the busiest office's clerk", hc, "post", "/search/", {"q": "物业"}, 100),
        ("hot issues", ac, "get", "/insight/hot/", None, 200),
    ]
    # the drill-down's second page, where it has a pager (issue 16: keyset, no count)
    import re

    first = ac.get("/analytics/rates/drill/?metric=accept&outcome=late").content.decode()
    nxt = re.search(r'<a href="\?([^"]+)" id="drill-next"', first)
    if nxt:
        pages.append(("rates drill-down (accept, late), page 2", ac, "get",
                      "/analytics/rates/drill/?" + nxt.group(1).replace("&amp;", "&"), None, 200))
    # the open petitions behind the rates page's largest overdue figure (issue 16: the
    # worklist's own figures, keyset by next due date)
    dues = re.findall(r'<a href="(/analytics/rates/due/\?organ=\d+&amp;due=overdue)">(\d+)</a>',
                      ac.get("/analytics/rates/").content.decode())
    if dues:
        url, n = max(dues, key=lambda d: int(d[1]))
        pages.append((f"rates open petitions, overdue ({n})", ac, "get",
                      url.replace("&amp;", "&"), None, 200))
    pages = [p for p in pages if not only or any(w in p[0] for w in only)]
    print(
        f"worklist of organ {top['current_organ_id']} ({top['n']:,} open); {args.calls} calls each"
    )
    print(
        f"    {'page':36} {'p50':>8} {'p95':>8} {'max':>8} {'cpu p50':>8} {'queries':>7}  target p95 (10^7)"
    )
    results = {}
    for label, cl, method, url, data, target in pages:
        r = _time(cl, method, url, data, args.calls)
        r["target_ms"] = target
        results[label] = r
        print(
            f"    {label:36} {r['p50_ms']:7.1f}ms {r['p95_ms']:7.1f}ms {r['max_ms']:7.1f}ms "
            f"{r['cpu_p50_ms']:7.1f}ms {r['queries']:7d}  < {target} ms {'ok' if r['p95_ms'] < target else 'MISSED'}",
            flush=True,
        )
    print(f"    {'hot issues, first view':36} {hot_first:7.0f}ms (once)")
    if not args.no_explain:
        print("slowest query of each page, EXPLAIN (ANALYZE, BUFFERS):")
        for label, r in results.items():
            r["explain"] = _explain(r["slowest_sql"])
            print(f"  -- {label}: {r['slowest_s'] * 1000:.1f} ms  {r['slowest_sql'][:160]}")
            for line in r["explain"][:12]:
                print(f"       {line}")
    size = _bytes()
    print(
        f"bytes: database {size['database'] / 2**20:,.0f} MB = {size['database'] / n:,.0f} B/petition"
    )
    for t, v in list(size["tables"].items())[:12]:
        print(
            f"    {t:34} {v['total'] / 2**20:9,.1f} MB {v['total'] / n:8,.0f} B/petition  rows {v['rows']:,}"
        )
    out = {
        "date": date.today().isoformat(),
        "petitions": n,
        "open": open_n,
        "engine": engine,
        "database_version": ver,
        "load_average_start": load0,
        "load_average_end": os.getloadavg()[0],
        "calls": args.calls,
        "only": args.only,
        "hot_first_ms": round(hot_first),
        "hot_worker": worker,
        "pages": results,
        "bytes": size,
    }
    path = Path(
        args.out
        or ROOT / "bench" / "results" / f"history-{engine}-{n}-{datetime.now():%Y%m%d-%H%M}.json"
    )
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str))
    print(f"# wrote {path}  load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
