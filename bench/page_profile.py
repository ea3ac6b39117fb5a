"""Where a staff page's time goes: CPU per view, queries, SQL time, and (optionally) a cProfile
and the origin of every query. A profile harness, not a timed assertion (issues 14, 15, 16).

    # a generated history first (once), in a database of your own:
    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/pagespeed_x XINFANG_DATA_DIR=/tmp/x
    xinfang migrate && xinfang manage bench_seed --petitions 3000 --years 2
    python bench/page_profile.py [--calls 20] [--pages petition,worklist] [--profile] [--sql]
    # without XINFANG_DATABASE_URL: the SQLite database of XINFANG_DATA_DIR

Pages (Django's test Client, no network; every answer's status is checked):

* ``petition``: the staff petition page of the petition with the longest history, opened by a
  handler of the organ holding it now (the role that sees the step forms and the panels);
* ``petition-registrar``: the same page as a registrar of that organ (``partition_bench.py``'s
  user);
* ``worklist``: the worklist of the organ holding most open petitions, first page.

For each page, after ``--warm`` calls: the median and 95th percentile over ``--calls`` calls of
the CPU time of this process (``time.process_time`` around the client call: on a shared machine
wall times measure the neighbours; on SQLite the SQL runs in this process and is included), the
wall time, the number of queries and their summed time as the driver saw it. ``--profile``
prints a cProfile of the calls (top functions by cumulative and own time, the project's and
Django's), ``--sql`` every query of one call with the project function that issued it. ``--json
FILE`` writes the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("XINFANG_ALLOWED_HOSTS", "testserver")  # the Django test Client
os.environ.setdefault("XINFANG_SEARCH_INDEXER", "0")
os.environ.setdefault("XINFANG_ACCESS_LOG", "0")


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))]


def _origin() -> str:
    """The innermost project frame (outside this file and the ORM) that ran a query."""
    for f in reversed(traceback.extract_stack()[:-3]):
        path = f.filename
        if "/xinfang/" in path and "/bench/" not in path:
            short = path[path.rindex("/xinfang/") + 1 :]
            return f"{short}:{f.lineno} {f.name}"
    return "?"


def _user(organ_id: int, role: str):  # type: ignore[no-untyped-def]
    from xinfang.directory.models import Organ, User
    from xinfang.directory.services import staff_create

    name = f"pageprof_{role}_{organ_id}"
    return User.objects.filter(username=name).first() or staff_create(
        username=name, password=None, organ=Organ.objects.get(pk=organ_id), roles=[role]
    )


def _analyst():  # type: ignore[no-untyped-def]
    from xinfang.directory.models import User

    return User.objects.get(username="province_analyst")


def _pages() -> dict[str, tuple[object, str]]:
    from django.db.models import Count
    from django.test import Client

    from xinfang.petitions.models import Petition, PetitionEvent

    longest = (
        PetitionEvent.objects.filter(petition__current_organ__isnull=False)
        .order_by("-seq", "petition_id")
        .values_list("petition_id", "seq")
        .first()
    )
    assert longest, "no petitions: seed a history first (bench_seed)"
    p = Petition.objects.get(pk=longest[0])
    top = (
        Petition.objects.filter(is_open=True)
        .values("current_organ_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )

    top_region = (
        Petition.objects.filter(is_open=True, current_organ_id=top["current_organ_id"])
        .values("region_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("region_id", flat=True)
        .first()
    )

    def client(u):  # type: ignore[no-untyped-def]
        c = Client()
        c.force_login(u)
        return c

    print(
        f"# petition {p.pk} ({longest[1]} events, {p.state}, organ {p.current_organ_id}); "
        f"worklist of organ {top['current_organ_id']} ({top['n']} open)"
    )
    return {
        "petition": (client(_user(p.current_organ_id, "handler")), f"/petitions/{p.pk}/"),
        "petition-registrar": (
            client(_user(p.current_organ_id, "registrar")),
            f"/petitions/{p.pk}/",
        ),
        "worklist": (client(_user(top["current_organ_id"], "handler")), "/worklist/"),
        # the region filter of that worklist, the region holding most of its open petitions
        # (the worst case for a list read in due-date order from a range of region codes)
        "worklist-region": (
            client(_user(top["current_organ_id"], "handler")),
            f"/worklist/?region={top_region}",
        ),
        # a common word searched by that organ's handler: a clerk who sees a small share of
        # the petitions (the walk newest first stops only after a page of visible matches)
        "search-narrow": (
            client(_user(top["current_organ_id"], "handler")),
            "/search/?q=%E7%89%A9%E4%B8%9A",  # 物业
        ),
        # the hot-issue page of the province analyst, as read again (the worker's snapshot)
        "hot": (client(_analyst()), "/insight/hot/"),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--warm", type=int, default=3)
    ap.add_argument("--pages", default="petition,petition-registrar,worklist")
    ap.add_argument("--profile", action="store_true", help="cProfile of the timed calls")
    ap.add_argument("--top", type=int, default=35, help="rows of each profile table")
    ap.add_argument("--project", action="store_true", help="the profile of project code only")
    ap.add_argument("--sql", action="store_true", help="every query of one call, with its origin")
    ap.add_argument(
        "--explain",
        action="store_true",
        help="with --sql on PostgreSQL: each "
        "SELECT's planning and execution time on the server (EXPLAIN ANALYZE)",
    )
    ap.add_argument("--json", default="", help="write the figures to this file")
    args = ap.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.petitions.models import Petition

    n = Petition.objects.count()
    print(
        f"# page_profile  {connection.vendor}  {n:,} petitions  load {os.getloadavg()[0]:.1f}  "
        f"{args.calls} calls after {args.warm}"
    )
    pages = _pages()
    out: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": connection.vendor,
        "petitions": n,
        "load_average": round(os.getloadavg()[0], 1),
        "calls": args.calls,
        "pages": {},
    }
    print(
        f"    {'page':22} {'cpu p50':>8} {'cpu p95':>8} {'wall p50':>9} {'wall p95':>9} "
        f"{'queries':>7} {'sql ms':>7}"
    )
    for name in [x for x in args.pages.split(",") if x]:
        client, url = pages[name]
        for _ in range(args.warm):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        cpu, wall, nq, sql = [], [], [], []
        # CPU time, not wall: waiting for the server (and the neighbours) costs nothing here
        prof = cProfile.Profile(time.process_time) if args.profile else None
        for _ in range(args.calls):
            with CaptureQueriesContext(connection) as q:
                if prof:
                    prof.enable()
                c0, w0 = time.process_time(), time.perf_counter()
                r = client.get(url)
                c1, w1 = time.process_time(), time.perf_counter()
                if prof:
                    prof.disable()
            assert r.status_code == 200, (url, r.status_code)
            cpu.append((c1 - c0) * 1000)
            wall.append((w1 - w0) * 1000)
            nq.append(len(q.captured_queries))
            sql.append(sum(float(x["time"]) for x in q.captured_queries) * 1000)
        row = {
            "url": url,
            "cpu_p50_ms": round(statistics.median(cpu), 1),
            "cpu_p95_ms": round(_pct(cpu, 95), 1),
            "wall_p50_ms": round(statistics.median(wall), 1),
            "wall_p95_ms": round(_pct(wall, 95), 1),
            "queries": max(nq),
            "sql_p50_ms": round(statistics.median(sql), 1),
            "bytes": len(r.content),
        }
        out["pages"][name] = row  # type: ignore[index]
        print(
            f"    {name:22} {row['cpu_p50_ms']:7.1f}  {row['cpu_p95_ms']:7.1f}  "
            f"{row['wall_p50_ms']:8.1f}  {row['wall_p95_ms']:8.1f}  {row['queries']:7d} "
            f"{row['sql_p50_ms']:7.1f}",
            flush=True,
        )
        if prof:
            for key in ("cumulative", "tottime"):
                s = io.StringIO()
                st = pstats.Stats(prof, stream=s)
                if args.project:
                    st.sort_stats(key).print_stats("/xinfang/", args.top)
                else:
                    st.strip_dirs().sort_stats(key).print_stats(args.top)
                print(f"--- {name}: cProfile by {key} ({args.calls} calls)")
                print("\n".join(s.getvalue().splitlines()[6:]))
        if args.sql:
            seen: list[tuple[str, float, str, object]] = []

            def wrap(execute, sql, params, many, context, seen=seen):  # type: ignore[no-untyped-def]
                where, t0 = _origin(), time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    seen.append((where, (time.perf_counter() - t0) * 1000, sql, params))

            with connection.execute_wrapper(wrap):
                client.get(url)
            print(f"--- {name}: {len(seen)} statements")
            plan_total = exec_total = 0.0
            for i, (where, ms, sql, params) in enumerate(seen, 1):
                server = ""
                if args.explain and sql.lstrip().upper().startswith(("SELECT", "(SELECT")):
                    with connection.cursor() as c:
                        c.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                        plan = c.fetchone()[0][0]
                    pt, et = plan["Planning Time"], plan["Execution Time"]
                    plan_total, exec_total = plan_total + pt, exec_total + et
                    server = f" [server: plan {pt:.2f} + exec {et:.2f} ms]"
                print(f"{i:3d} {ms:6.2f} ms{server}  {where}\n      {' '.join(sql.split())[:240]}")
            if args.explain:
                print(f"    server: planning {plan_total:.1f} ms, execution {exec_total:.1f} ms")
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
