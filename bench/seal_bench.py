"""What sealing a petition in the audit chain costs a registration (ADR 0013): an A/B in one process.

    python bench/seal_bench.py                 # SQLite file in a temp dir
    python bench/seal_bench.py --db postgres   # drops/creates xinfang_seal_bench on 127.0.0.1:5432

Registers ``--rounds`` × ``--batch`` petitions one at a time, alternating batches with the seal
(as shipped) and without it (``petition_seal`` replaced by the steps' audit records alone, as
before sealing), and reports the CPU time
and wall time per registration of each. Alternating batches in one process keeps a busy
machine's noise out of the difference as far as it can be; CPU time is this process's only
(the database server's share on PostgreSQL is not in it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--batch", type=int, default=30)
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="xinfang-seal-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    if args.db == "postgres":
        for sql in (
            "DROP DATABASE IF EXISTS xinfang_seal_bench WITH (FORCE)",
            "CREATE DATABASE xinfang_seal_bench",
        ):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        os.environ["XINFANG_DATABASE_URL"] = (
            "postgresql://postgres@127.0.0.1:5432/xinfang_seal_bench"
        )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from xinfang.audit.services import audit_petition_events
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.petitions.services import PartyInput, PetitionInput, petition_register
    from xinfang.petitions.services import register as reg_module

    region = Region.objects.create(code="990102", name="青山县", level=Level.COUNTY)
    organ = organ_create(
        name="青山县信访局", kind=OrganKind.PETITION_OFFICE, level=Level.COUNTY, region=region
    )
    clerk = staff_create(
        username="clerk", password="Bench-pass-123", organ=organ, roles=[Role.REGISTRAR]
    )
    real_seal = reg_module.petition_seal

    def steps_only(*, petition_ids, actor=None, events=()):  # type: ignore[no-untyped-def]
        """As before sealing: the steps' audit records, no seal."""
        audit_petition_events(events=events, actor=actor)

    def one(n: int) -> None:
        petition_register(
            data=PetitionInput(
                channel="letter",
                title=f"小区排水管道堵塞请求疏通 {n}",
                content="本小区排水管道长期堵塞，雨天污水倒灌进楼道，请求尽快疏通。",
                region_code="990102",
                category="appeal",
                route=6,
                parties=[PartyInput(role="petitioner", name="来信人", phone="13900000000")],
            ),
            organ=organ,
            actor=clerk,
        )

    cpu: dict[str, list[float]] = {"sealed": [], "unsealed": []}
    wall: dict[str, list[float]] = {"sealed": [], "unsealed": []}
    n = 0
    for _ in range(args.rounds):
        for mode in ("sealed", "unsealed"):
            reg_module.petition_seal = real_seal if mode == "sealed" else steps_only
            c0, w0 = time.process_time(), time.perf_counter()
            for _ in range(args.batch):
                n += 1
                one(n)
            cpu[mode].append((time.process_time() - c0) / args.batch * 1000)
            wall[mode].append((time.perf_counter() - w0) / args.batch * 1000)
    reg_module.petition_seal = real_seal
    load = os.getloadavg()[0]
    print(f"{args.db}: {n} registrations, load average {load:.1f}")
    for mode in ("sealed", "unsealed"):
        print(
            f"  {mode:9s} CPU {statistics.median(cpu[mode]):6.2f} ms  "
            f"wall {statistics.median(wall[mode]):6.2f} ms per registration (median of batches)"
        )


if __name__ == "__main__":
    main()
