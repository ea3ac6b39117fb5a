"""The county dispute-screening ledger at 100,000 entries: the page and the XLSX export.

    python bench/prevention/ledger_bench.py                  # SQLite file in a fresh temp dir
    python bench/prevention/ledger_bench.py --db postgres    # drops/creates xinfang_prevention_bench
    python bench/prevention/ledger_bench.py -n 20000 --calls 10

Loading: one county government with ``--townships`` townships; ``-n`` disputes spread over them
and over 12 monthly cycles, two parties each, a mediation step on every second one, a third
closed (bulk_create: the rows ``dispute_record`` writes, without its per-row checks; the
ledger's counts are then built by ``dispute_counts_rebuild``, as the services would have kept them).

Timing: Django's test Client (no network), the county government head's ledger page
(``/prevention/disputes/``: all cycles, and one month), ``--calls`` calls after 3 warm-ups,
p50/p95/max and the process CPU time per page (``time.process_time``: what the page costs
this process, which the other users of a shared machine do not change much) and the SQL
queries; then the XLSX export of all 10^5 entries as the worker writes it
(``ledger_export_write``: wall and CPU time, size). The database server's own time is not in
the CPU figure on PostgreSQL (another process). Targets (issue 19): page < 100 ms,
export < 10 s. Results in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_DB = "xinfang_prevention_bench"
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"


def _setup(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="xinfang-prevention-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("XINFANG_SECRET_KEY", "bench-not-secret")
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    import django

    django.setup()
    import logging

    logging.getLogger("xinfang.access").setLevel(logging.WARNING)  # one line a request
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _load(n: int, townships: int):  # type: ignore[no-untyped-def]
    from django.db import connection, transaction
    from django.utils import timezone

    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.prevention.models import Dispute, DisputeParty, DisputeStep

    prov = Region.objects.create(code="990000", name="示范省", level=Level.PROVINCE)
    city = Region.objects.create(code="990100", name="东湖市", level=Level.CITY, parent=prov)
    county = Region.objects.create(code="990102", name="青山县", level=Level.COUNTY, parent=city)
    gov = organ_create(name="青山县人民政府", kind=OrganKind.COMPETENT, level=Level.COUNTY, region=county)
    towns = []
    for i in range(townships):
        r = Region.objects.create(code=f"990102{i + 1:03d}", name=f"第{i + 1}镇", level=Level.TOWNSHIP, parent=county)
        towns.append(organ_create(name=f"第{i + 1}镇人民政府", kind=OrganKind.COMPETENT, level=Level.TOWNSHIP, region=r, parent=gov))
    head = staff_create(username="bench-head", password="Bench-pass-123", organ=gov, roles=[Role.ORGAN_HEAD])
    clerk = staff_create(username="bench-clerk", password="Bench-pass-123", organ=towns[0], roles=[Role.REGISTRAR])
    kinds = ["land", "wages", "resettlement", "neighbours", "environment", "family", "property", "contract"]
    now = timezone.now()
    start = date(2025, 1, 1)
    t0 = time.perf_counter()
    batch = 5000
    for lo in range(0, n, batch):
        with transaction.atomic():
            rows = []
            for i in range(lo, min(n, lo + batch)):
                found = start + timedelta(days=i * 365 // n)
                closed = i % 3 == 0
                rows.append(
                    Dispute(
                        organ=towns[i % townships],
                        kind=kinds[i % len(kinds)],
                        place=f"第{i % townships + 1}镇第{i % 17 + 1}村{i % 9 + 1}组",
                        summary="两户村民因承包地边界发生争执，一方在地界上砌墙，双方多次争吵。",
                        found_on=found,
                        cycle=found.replace(day=1),
                        responsible=f"调解员{i % 50}",
                        status="settled" if closed else ("mediating" if i % 2 else "open"),
                        outcome="settled" if closed else "",
                        closed_on=found + timedelta(days=10) if closed else None,
                        recorded_by=clerk,
                        recorded_at=now,
                    )
                )
            made = Dispute.objects.bulk_create(rows)
            DisputeParty.objects.bulk_create(
                [DisputeParty(dispute=d, side="applicant", name="赵大", asks="拆除越界围墙") for d in made]
                + [DisputeParty(dispute=d, side="respondent", name="钱二", asks="按合同确认地界") for d in made]
            )
            DisputeStep.objects.bulk_create(
                [
                    DisputeStep(dispute=d, kind="mediation", on=d.found_on, note="村委会组织调解", recorded_by=clerk, recorded_at=now)
                    for k, d in enumerate(made)
                    if k % 2
                ]
            )
    from xinfang.prevention.services.ledger import dispute_counts_rebuild

    dispute_counts_rebuild()
    load_s = time.perf_counter() - t0
    with connection.cursor() as c:
        c.execute("ANALYZE")
    return head, load_s


def _time(client, url: str, calls: int) -> dict:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
    xs, cpu = [], []
    for _ in range(calls):
        t, c = time.perf_counter(), time.process_time()
        r = client.get(url)
        xs.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
        assert r.status_code == 200, (url, r.status_code)  # every timed answer is checked
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    xs.sort()
    return {
        "p50_ms": round(statistics.median(xs), 1),
        "p95_ms": round(xs[max(0, round(0.95 * (len(xs) - 1)))], 1),
        "max_ms": round(xs[-1], 1),
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "queries": len(q),
        "sql_ms": round(sum(float(x["time"]) for x in q.captured_queries) * 1000, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--townships", type=int, default=20)
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = ap.parse_args()
    _setup(args.db)
    from django.test import Client

    from xinfang.prevention.models import Dispute

    head, load_s = _load(args.n, args.townships)
    client = Client()
    client.force_login(head)
    print(f"{platform.node()} {args.db} n={Dispute.objects.count()} loaded in {load_s:.1f} s; load average {os.getloadavg()[0]:.1f}")
    for label, url in (
        ("ledger, all cycles", "/prevention/disputes/"),
        ("ledger, one month", "/prevention/disputes/?cycle=2025-06"),
        ("ledger, one township", f"/prevention/disputes/?organ={Dispute.objects.values_list('organ_id', flat=True).first()}"),
        ("monthly report", "/prevention/disputes/report/?cycle=2025-06"),
    ):
        print(f"{label:24s} {_time(client, url, args.calls)}")
    from xinfang.prevention.models import ExportState
    from xinfang.prevention.services.ledger import ledger_export_request, ledger_export_write

    job = ledger_export_request(actor=head, filters={}, title="青山县矛盾纠纷排查化解台账")
    t, c = time.perf_counter(), time.process_time()
    job = ledger_export_write(export_id=job.pk)
    export_s, export_cpu = time.perf_counter() - t, time.process_time() - c
    assert job.state == ExportState.DONE and job.rows_done == args.n, (job.state, job.rows_done)
    print(
        f"{'xlsx export, all':24s} {export_s:.2f} s wall, {export_cpu:.2f} s CPU, "
        f"{job.size / 1e6:.1f} MB, {job.rows_done} rows; load average {os.getloadavg()[0]:.1f}"
    )
    if args.db == "postgres":
        from django.db import connections

        connections.close_all()
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


if __name__ == "__main__":
    main()
