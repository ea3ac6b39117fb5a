"""Time partitioning with pg_partman (ADR 0019): what converting, detaching and re-attaching a year
costs, and the staff pages before and after, on a database with two years of history.

    XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/partman_bench \\
    XINFANG_DATA_DIR=/tmp/partman-data  python bench/partition_bench.py [--seed N] [--calls 20]

``--seed N`` first adds N petitions with two years of history (``bench_seed --years 2``) to the
database; without it the database must hold such a history already (and must not be
partitioned yet). Then: (1) the pages, unpartitioned; (2) ``partitions setup``; (3) the pages,
partitioned; (4) ``audit verify``; (5) ``partitions detach`` of last year; the pages and
``audit verify`` again; (6) ``partitions attach``; ``audit verify``. Results: a JSON file in
bench/results/ and a table on stdout (bench/README.md keeps it).
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("XINFANG_COMMAND", "bench")
os.environ.setdefault("XINFANG_ALLOWED_HOSTS", "testserver")  # the Django test Client


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0, help="add N petitions of two years first")
    ap.add_argument("--calls", type=int, default=20, help="calls of each page per stage")
    args = ap.parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from xinfang.audit.models import AuditRecord
    from xinfang.audit.verify import audit_verify
    from xinfang.core import clock
    from xinfang.directory.models import Organ, Role, User
    from xinfang.directory.services import staff_create
    from xinfang.ops.partition_archive import partition_attach, partition_detach
    from xinfang.ops.partitions import partitions_setup
    from xinfang.petitions.models import Petition, PetitionEvent

    if args.seed:
        call_command("bench_seed", petitions=args.seed, years=2, json=True)
    year = clock.now().year - 1
    n = Petition.objects.count()
    counts = {
        "petitions": n,
        "events": PetitionEvent.objects.count(),
        "audit_records": AuditRecord.objects.count(),
    }
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM workbench_petitionwords")  # one row each (ADR 0022)
        counts["search_word_rows"] = c.fetchone()[0]
        c.execute("SHOW server_version")
        server = c.fetchone()[0]
    print(f"# partition_bench {counts}  PostgreSQL {server}  load {os.getloadavg()[0]:.1f}")

    organ_id, old_pid = (
        Petition.objects.filter(received_at__year=year, current_organ__isnull=False)
        .order_by("id")
        .values_list("current_organ_id", "id")
        .first()
    )
    new_pid = (
        Petition.objects.filter(current_organ_id=organ_id, received_at__year=year + 1)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    ) or old_pid
    clerk = User.objects.filter(username="bench_part_clerk").first() or staff_create(
        username="bench_part_clerk",
        password=None,
        organ=Organ.objects.get(pk=organ_id),
        roles=[Role.REGISTRAR],  # type: ignore[list-item]
    )
    client = Client()
    client.force_login(clerk)
    pages = {
        "worklist": "/worklist/",
        "search 工资": "/search/?q=工资",
        f"petition of {year}": f"/petitions/{old_pid}/",
        f"petition of {year + 1}": f"/petitions/{new_pid}/",
        f"documents of the {year} petition": f"/documents/petitions/{old_pid}/",
    }

    def timed(stage: str) -> dict[str, dict[str, float]]:
        out = {}
        for label, url in pages.items():
            client.get(url)  # warm
            ms = []
            for _ in range(args.calls):
                t0 = time.perf_counter()
                r = client.get(url)
                ms.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, (stage, url, r.status_code)
            ms.sort()
            out[label] = {
                "p50_ms": round(statistics.median(ms), 1),
                "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            }
        return out

    def clocked(fn, **kw):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        r = fn(**kw)
        return r, round(time.perf_counter() - t0, 2)

    def verify() -> dict[str, object]:
        rep, s = clocked(audit_verify, anchors=False)
        assert rep.ok, rep.problems[:5]
        return {"seconds": s, "checked": rep.checked, "notes": rep.notes}

    result: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "server": server,
        "load_average": round(os.getloadavg()[0], 1),
        "counts": counts,
        "year_detached": year,
        "calls": args.calls,
    }
    result["pages_unpartitioned"] = timed("unpartitioned")
    result["verify_unpartitioned"] = verify()
    setup, result["setup_seconds"] = clocked(partitions_setup, now=clock.now())
    result["setup"] = setup
    result["pages_partitioned"] = timed("partitioned")
    result["verify_partitioned"] = verify()
    detach, result["detach_seconds"] = clocked(partition_detach, year=year)
    result["detach"] = detach
    result["pages_detached"] = timed("detached")
    result["verify_detached"] = verify()
    _attach, result["attach_seconds"] = clocked(partition_attach, year=year)
    result["verify_attached"] = verify()
    result["pages_attached"] = timed("attached")

    folder = Path(__file__).resolve().parent / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"partition-postgres-{n}-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    print(
        f"setup {result['setup_seconds']} s, detach {result['detach_seconds']} s, "
        f"attach {result['attach_seconds']} s"
    )
    for stage in ("unpartitioned", "partitioned", "detached", "attached"):
        row = result[f"pages_{stage}"]
        print(
            f"  {stage:14}", "  ".join(f"{k} {v['p50_ms']}/{v['p95_ms']}" for k, v in row.items())
        )
    for stage in ("unpartitioned", "partitioned", "detached", "attached"):
        v = result[f"verify_{stage}"]
        print(f"  verify {stage:14} {v['seconds']} s, {v['checked']} records")  # type: ignore[index]
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
