"""What ``audit verify`` pays to read the archive manifests (``audit.archive.archive_read``): its
queries and time, on a partitioned history whose last year was detached and re-attached a few
times (each detach and attach writes one record per partitioned table into the trail).

    XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME \\
    XINFANG_DATA_DIR=/tmp/NAME-data  python bench/archive_read_bench.py [--seed N] [--cycles 5]

``--seed N`` first adds N petitions with two years of history (``bench_seed --years 2``) and
partitions the database (``partitions setup``); ``--cycles K`` detaches and re-attaches last
year K times (the year ends attached). Then ``archive_read`` is called ``--calls`` times: the
queries of one call (count, and the slowest one's ``EXPLAIN (ANALYZE, BUFFERS)``), the wall and
CPU time of each. Results: a JSON file in bench/results/ and a summary on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(os.environ.get("XINFANG_BENCH_CODE") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))  # XINFANG_BENCH_CODE: measure another checkout's code, same DB
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("XINFANG_COMMAND", "bench")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0, help="add N petitions of two years, partition")
    ap.add_argument("--cycles", type=int, default=0, help="detach and re-attach last year K times")
    ap.add_argument("--calls", type=int, default=20, help="calls of archive_read")
    ap.add_argument("--label", default="", help="a name for this run in the JSON")
    args = ap.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import xinfang
    from xinfang.audit.archive import OBJECT_TYPE, archive_read
    from xinfang.audit.models import AuditRecord
    from xinfang.core import clock
    from xinfang.ops.partition_archive import partition_attach, partition_detach
    from xinfang.ops.partitions import partitions_setup

    if args.seed:
        call_command("bench_seed", petitions=args.seed, years=2, json=True)
        partitions_setup(now=clock.now())
    year = clock.now().year - 1
    for _ in range(args.cycles):
        partition_detach(year=year)
        partition_attach(year=year)
    manifests = AuditRecord.objects.filter(object_type=OBJECT_TYPE).count()

    with CaptureQueriesContext(connection) as q:
        archive_read()
    queries = [(x["sql"], float(x["time"])) for x in q.captured_queries]
    slowest = max(queries, key=lambda x: x[1])[0] if queries else ""
    plan = ""
    if slowest:
        with connection.cursor() as c:
            c.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest}")
            plan = "\n".join(r[0] for r in c.fetchall())
    wall, cpu = [], []
    for _ in range(args.calls):
        w, p = time.perf_counter(), time.process_time()
        archive_read()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - p) * 1000)
    result = {
        "label": args.label,
        "code": str(Path(xinfang.__file__).resolve().parent.parent),
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": Path("/proc/loadavg").read_text().split()[:3],
        "audit_records": AuditRecord.objects.count(),
        "archive_records": manifests,
        "queries": len(queries),
        "slowest_sql": slowest,
        "slowest_plan": plan,
        "ms_p50": round(statistics.median(wall), 2),
        "ms_max": round(max(wall), 2),
        "cpu_ms_p50": round(statistics.median(cpu), 2),
    }
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    name = f"archive-read-{args.label or 'run'}-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    (out / name).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(
        f"{args.label}: {manifests} archive records, {len(queries)} queries, "
        f"p50 {result['ms_p50']} ms (CPU {result['cpu_ms_p50']} ms), load {result['load']}"
    )
    print(plan)
    print(f"-> bench/results/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
