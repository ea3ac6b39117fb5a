"""Where a registration's CPU goes, request by request, through the whole Django stack (issue 14).

    # a fresh installation of its own (PostgreSQL: drops and creates --pg-name; else SQLite in /tmp):
    python bench/register_profile.py --fresh --db postgres --pg-name register_prof --calls 200
    # an installation already migrated and seeded (seed_demo: the user county_clerk):
    XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME python bench/register_profile.py
    python bench/register_profile.py --paths api --profile --top 40     # + a cProfile
    python bench/register_profile.py --paths api --sql                   # every statement, its origin

The two ways a clerk registers, each ``--calls`` times after ``--warm`` (Django's test Client:
the whole middleware stack, the view, the service, the rendering; no network, no gunicorn):

* ``api``: ``POST /api/v1/petitions`` with a bearer token, the body of ``register_http_bench.py``
  (one party, a ~30 KB page in Base64) — what the HTTP benchmark sends;
* ``form``: the desk's form ``POST /intake/letter/`` (multipart, the same page as a file, a
  logged-in session) answered by a redirect, and the ``GET`` of the receipt it leads to
  (POST/redirect/GET): both requests count, as the clerk's browser sends both.

For each: the CPU time of this process per registration (``time.process_time``: waiting for the
database, the disk or the neighbours costs nothing; on SQLite the SQL runs in this process and
is included, on PostgreSQL the server's own CPU is not), the wall time, the statements sent
(``CaptureQueriesContext``: SAVEPOINTs included; psycopg's BEGIN and the COMMIT are one round
trip each on top) and their time as the driver saw it. ``--json FILE`` writes the figures.
A profile harness, not a timed assertion.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import io
import itertools
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_PAGE = b"%PDF-1.4\n" + b"0" * 30_000  # a scanned page, ~30 KB (as register_http_bench.py)
_n = itertools.count(1)


def _fresh(args: argparse.Namespace) -> None:
    """A new installation like register_http_bench.py's: migrate, seed 50 demo petitions."""
    data = Path(tempfile.mkdtemp(prefix="xinfang-regprof-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))}
    env.update(XINFANG_DATA_DIR=str(data), PYTHONPATH=str(ROOT), XINFANG_LOG_LEVEL="ERROR")
    if args.db == "postgres":
        for sql in (f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)',
                    f'CREATE DATABASE "{args.pg_name}"'):  # fmt: skip
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        env["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{args.pg_name}"
    for cmd in (["migrate"], ["manage", "seed_demo", "--petitions", "50"]):
        subprocess.run([sys.executable, "-m", "xinfang.cli", *cmd], env=env, cwd=ROOT, check=True)
    for k in [k for k in os.environ if k.startswith("XINFANG_")]:
        del os.environ[k]
    os.environ.update({k: v for k, v in env.items() if k.startswith("XINFANG_")})


def _api_body(n: int, region: str) -> str:
    return json.dumps(
        {
            "channel": "letter",
            "title": f"小区排水管道堵塞请求疏通（压测 {n}）",
            "content": "本小区排水管道长期堵塞，雨天污水倒灌进楼道，多次反映未解决，请求尽快疏通。",
            "region_code": region,
            "category": "appeal",
            "route": 6,
            "parties": [{"role": "petitioner", "name": "压测来信人", "phone": "13900000000"}],
            "attachments": [
                {"name": "scan.pdf", "content_base64": base64.b64encode(_PAGE).decode()}
            ],
        }
    )


def _origin() -> str:
    for f in reversed(traceback.extract_stack()[:-3]):
        path = f.filename
        if "/xinfang/" in path and "/bench/" not in path:
            short = path[path.rindex("/xinfang/") + 1 :]
            return f"{short}:{f.lineno} {f.name}"
    return "?"


def _round_trips(connection, register) -> Counter[str]:  # type: ignore[no-untyped-def]
    """The messages of one call after which the client waits for PostgreSQL (libpq's trace):
    a Sync ends each statement of the extended protocol, a Query each simple one (psycopg's
    BEGIN, COMMIT), a COPY waits twice (its start, then its CopyDone)."""
    import psycopg

    connection.ensure_connection()
    with tempfile.TemporaryFile() as f:
        pg = connection.connection.pgconn
        pg.trace(f.fileno())
        pg.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE)
        try:
            register()
        finally:
            if connection.connection is not None and connection.connection.pgconn is pg:
                pg.untrace()
        f.seek(0)
        lines = f.read().decode("utf-8", "replace").splitlines()
    trips: Counter[str] = Counter()
    for line in lines:
        parts = line.split("\t")
        if len(parts) >= 3 and parts[0] == "F" and parts[2] in ("Sync", "Query", "CopyDone"):
            word = parts[3].strip('"').split(None, 1)[0].upper() if parts[2] == "Query" else ""
            trips[f"{parts[2]} {word}".strip()] += 1
    return trips


def _paths(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """{name: register()} where register() makes one registration and checks every answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from xinfang.api.services import token_issue
    from xinfang.directory.models import User

    clerk = User.objects.get(username=args.user)
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_issue(user=clerk, name='register_profile')}"}

    def register_api() -> None:
        r = api.post("/api/v1/petitions", _api_body(next(_n), args.region),
                     content_type="application/json", **auth)  # fmt: skip
        assert r.status_code == 201 and b"tracking_code" in r.content, (
            r.status_code,
            r.content[:300],
        )

    form = Client()
    form.force_login(clerk)

    def register_form() -> None:
        n = next(_n)
        r = form.post(
            "/intake/letter/",
            {
                "title": f"小区排水管道堵塞请求疏通（表单 {n}）",
                "content": "本小区排水管道长期堵塞，雨天污水倒灌进楼道，多次反映未解决，请求尽快疏通。",
                "region_code": args.region,
                "category": "appeal",
                "route": "6",
                "p_name": "压测来信人",
                "p_phone": "13900000000",
                "once": f"regprof-{n}-{time.time_ns()}",
                "attachments": SimpleUploadedFile("scan.pdf", _PAGE, "application/pdf"),
            },
        )
        assert r.status_code == 302 and "/intake/receipt/" in r["Location"], (
            r.status_code, r.content[:300])  # fmt: skip
        r2 = form.get(r["Location"])
        assert r2.status_code == 200, r2.status_code

    return {"api": register_api, "form": register_form}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--fresh", action="store_true", help="make a new installation first")
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite", help="with --fresh")
    ap.add_argument("--pg-name", default="register_prof", help="with --fresh --db postgres")
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--warm", type=int, default=20)
    ap.add_argument("--paths", default="api,form")
    ap.add_argument("--user", default="county_clerk")
    ap.add_argument("--region", default="990102")
    ap.add_argument("--profile", action="store_true", help="cProfile of the timed calls")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sql", action="store_true", help="every statement of one call, its origin")
    ap.add_argument(
        "--trace",
        action="store_true",
        help="PostgreSQL: the round trips of one call, from libpq's protocol trace",
    )
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    if args.fresh:
        _fresh(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ["XINFANG_ALLOWED_HOSTS"] = "testserver"
    # as the server: each registration also asks for the indexer's task (no worker runs here,
    # so the task stays waiting and each later registration finds it: one SELECT, no INSERT)
    os.environ.setdefault("XINFANG_SEARCH_INDEXER", "1")
    os.environ.setdefault("XINFANG_ACCESS_LOG", "0")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    load = os.getloadavg()
    out: dict = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),  # fmt: skip
        "vendor": connection.vendor,
        "access_log": os.environ["XINFANG_ACCESS_LOG"],
        "load_average_before": [round(x, 2) for x in load],
        "calls": args.calls,
        "paths": {},
    }
    print(f"# register_profile  {connection.vendor}  load {load[0]:.2f}  {args.calls} calls "
          f"after {args.warm}  commit {out['commit']}")  # fmt: skip
    print(f"    {'path':6} {'cpu p50':>8} {'cpu mean':>8} {'cpu p95':>8} {'wall p50':>9} "
          f"{'stmts':>5} {'sql ms':>7}")  # fmt: skip
    paths = _paths(args)
    for name in [x for x in args.paths.split(",") if x]:
        register = paths[name]
        for _ in range(args.warm):
            register()
        cpu, wall, nq, sql = [], [], [], []
        prof = cProfile.Profile(time.process_time) if args.profile else None
        for _ in range(args.calls):
            with CaptureQueriesContext(connection) as q:
                if prof:
                    prof.enable()
                c0, w0 = time.process_time(), time.perf_counter()
                register()
                c1, w1 = time.process_time(), time.perf_counter()
                if prof:
                    prof.disable()
            cpu.append((c1 - c0) * 1000)
            wall.append((w1 - w0) * 1000)
            nq.append(len(q.captured_queries))
            sql.append(sum(float(x["time"]) for x in q.captured_queries) * 1000)
        cpu_sorted = sorted(cpu)
        row = {
            "cpu_p50_ms": round(statistics.median(cpu), 2),
            "cpu_mean_ms": round(statistics.fmean(cpu), 2),
            "cpu_p95_ms": round(cpu_sorted[int(0.95 * (len(cpu) - 1))], 2),
            "wall_p50_ms": round(statistics.median(wall), 2),
            "statements": max(nq),
            "statements_min": min(nq),
            "sql_p50_ms": round(statistics.median(sql), 2),
        }
        out["paths"][name] = row
        print(f"    {name:6} {row['cpu_p50_ms']:8.2f} {row['cpu_mean_ms']:8.2f} "
              f"{row['cpu_p95_ms']:8.2f} {row['wall_p50_ms']:9.2f} {row['statements']:5d} "
              f"{row['sql_p50_ms']:7.2f}", flush=True)  # fmt: skip
        if prof:
            for key in ("cumulative", "tottime"):
                s = io.StringIO()
                pstats.Stats(prof, stream=s).sort_stats(key).print_stats(args.top)
                print(f"--- {name}: cProfile by {key} ({args.calls} calls)")
                print("\n".join(s.getvalue().splitlines()[6:]))
        if args.sql:
            seen: list[tuple[str, float, str]] = []

            def wrap(execute, sql, params, many, context, seen=seen):  # type: ignore[no-untyped-def]
                where, t0 = _origin(), time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    seen.append((where, (time.perf_counter() - t0) * 1000, sql))

            with connection.execute_wrapper(wrap):
                register()
            print(f"--- {name}: {len(seen)} statements")
            kinds: Counter[str] = Counter()
            for i, (where, ms, sql) in enumerate(seen, 1):
                kinds[sql.split(None, 1)[0].upper()] += 1
                print(f"{i:3d} {ms:6.2f} ms  {where}\n      {' '.join(sql.split())[:200]}")
            print("    " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
            out["paths"][name]["statement_kinds"] = dict(kinds)
        if args.trace and connection.vendor == "postgresql":
            trips = _round_trips(connection, register)
            print(f"--- {name}: {sum(trips.values())} round trips: {dict(trips)}")
            out["paths"][name]["round_trips"] = dict(trips)
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
        print(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
