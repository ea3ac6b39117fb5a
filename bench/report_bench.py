"""The annual report (Art. 41) of a province at scale (issue 16, item 4): each part of
``analytics.reports`` timed on a generated history, then the whole under cProfile.

    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/exports_bench
    export XINFANG_DATA_DIR=/tmp/exports-bench
    xinfang migrate && xinfang manage bench_seed --petitions 20000     # once (bench/README.md)
    python bench/report_bench.py [--year 2025] [--calls 3] [--profile 25] [--out FILE]

    # SQLite (the embedded default): no XINFANG_DATABASE_URL, the database of XINFANG_DATA_DIR
    unset XINFANG_DATABASE_URL; export XINFANG_DATA_DIR=/tmp/sqlite-h6
    python bench/report_bench.py --year 2025

As the province's analyst (``province_analyst`` of the demo): the figures (trends, the rates by
organ, the stage days, the Art. 41 accountability items), the charts and the DOCX; each part
``--calls`` times (median and the slowest; wall and the process's CPU, which on SQLite includes
the database's work and which load does not stretch), with its query count. Then one whole report under
cProfile, its ``--profile`` heaviest functions by cumulative time. JSON to ``--out`` (default
``bench/results/report-ENGINE-N-DATE.json``) with the load average before and after.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from datetime import date, datetime
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
    os.environ["XINFANG_COMMAND"] = "1"  # no statement timeout
    import django

    django.setup()


def _timed(fn, calls: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu, queries = [], [], 0
    for _ in range(calls):
        with CaptureQueriesContext(connection) as q:
            t, c = time.perf_counter(), time.process_time()
            fn()
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        queries = len(q)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": queries,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--year", type=int, default=date.today().year - 1)
    ap.add_argument("--calls", type=int, default=3)
    ap.add_argument("--profile", type=int, default=25)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    _setup()
    from django.db import connection
    from django.utils import translation

    from xinfang.analytics import reports as r
    from xinfang.analytics.accountability import accountability_for_user
    from xinfang.analytics.rate_selectors import Filters, rate_lines, stage_days
    from xinfang.analytics.rates import RATES
    from xinfang.analytics.trends import trends_for_user
    from xinfang.directory.models import User
    from xinfang.petitions.models import Petition

    engine = "postgres" if connection.vendor == "postgresql" else "sqlite"
    translation.activate("zh-hans")
    load_before = os.getloadavg()
    user = User.objects.get(username="province_analyst")
    lo, hi = date(args.year, 1, 1), date(args.year, 12, 1)
    f = Filters(month_from=lo, month_to=hi)
    d = r.report_data(user=user, kind="annual", year=args.year, month=None, commentary="")
    parts = {
        "trends": lambda: trends_for_user(user=user, month_from=lo, month_to=hi),
        "rates (all metrics, by organ)": lambda: {
            m: rate_lines(user=user, metric=m, by="organ", filters=f) for m in RATES
        },
        "stage days": lambda: stage_days(user=user, by="organ", filters=f),
        "accountability (Art. 41 items 1-3)": lambda: accountability_for_user(
            user=user, month_from=lo, month_to=hi
        ),
        "report_data (all figures)": lambda: r.report_data(
            user=user, kind="annual", year=args.year, month=None, commentary=""
        ),
        "charts (PNG)": lambda: r.charts(d),
        "report_docx (from the figures)": lambda: r.report_docx(d),
        "report_xlsx (from the figures)": lambda: r.report_xlsx(d),
    }
    results = {}
    for name, fn in parts.items():
        results[name] = _timed(fn, args.calls)
        print(f"{name:40} {results[name]}", flush=True)

    # the whole report, as the page makes it, timed unprofiled, then once under cProfile
    c0, t = time.process_time(), time.perf_counter()
    r.report_docx(
        r.report_data(user=user, kind="annual", year=args.year, month=None, commentary="")
    )
    plain = (time.perf_counter() - t) * 1000
    plain_cpu = (time.process_time() - c0) * 1000
    print(f"whole report (figures + DOCX), unprofiled: {plain:.0f} ms, CPU {plain_cpu:.0f} ms")
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    body = r.report_docx(
        r.report_data(user=user, kind="annual", year=args.year, month=None, commentary="")
    )
    prof.disable()
    whole = (time.perf_counter() - t) * 1000
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.profile)
    print(f"whole report under cProfile: {whole:.0f} ms, {len(body)} bytes")
    print(out.getvalue())
    n = Petition.objects.count()
    in_year = Petition.objects.filter(received_at__year=args.year).count()
    load_after = os.getloadavg()
    data = {
        "bench": "report_bench",
        "at": datetime.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "petitions": n,
        "petitions_in_year": in_year,
        "year": args.year,
        "calls": args.calls,
        "parts": results,
        "whole_ms": round(plain),
        "whole_cpu_ms": round(plain_cpu),
        "whole_profiled_ms": round(whole),
        "docx_bytes": len(body),
        "profile_top": out.getvalue().splitlines()[:60],
        "load_average_before": load_before,
        "load_average_after": load_after,
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
    }
    path = Path(
        args.out
        or ROOT / "bench" / "results" / f"report-{engine}-{n}-{datetime.now():%Y%m%d-%H%M}.json"
    )
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    print(f"load average {load_before} -> {load_after}; {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
