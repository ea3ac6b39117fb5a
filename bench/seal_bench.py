"""What sealing a petition in the audit chain costs a registration and a step (ADR 0014): an A/B
in one process.

    python bench/seal_bench.py                 # SQLite file in a temp dir
    python bench/seal_bench.py --db postgres   # drops/creates xinfang_seal_bench on 127.0.0.1:5432
    python bench/seal_bench.py --profile 40    # cProfile of 40 sealed registrations + their steps

Each round registers ``--batch`` petitions one at a time and takes two steps on each
(``transfer`` by the county clerk, ``acknowledge`` by the handler of the organ it went to),
alternating rounds with the seal (as shipped) and without it (``petition_seal`` replaced by the
steps' audit records alone, as before sealing). It reports, per registration and per step, the
CPU time of this process and the wall time (medians of the rounds), and the CPU spent inside
``petition_seal`` itself in the sealed rounds. Alternating rounds in one process keeps a busy
machine's noise out of the difference as far as it can be; the database server's CPU on
PostgreSQL is not in these figures. The JSON goes to bench/results/seal-<db>-<time>.json.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "xinfang_seal_bench"


def _setup(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="xinfang-seal-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    if db == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world():  # type: ignore[no-untyped-def]
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create

    K = OrganKind
    city = Region.objects.create(code="990100", name="东湖市", level=Level.CITY)
    county = Region.objects.create(code="990102", name="青山县", level=Level.COUNTY, parent=city)
    gov = organ_create(name="青山县人民政府", kind=K.COMPETENT, level=Level.COUNTY, region=county)
    po = organ_create(
        name="青山县信访局", kind=K.PETITION_OFFICE, level=Level.COUNTY, region=county, parent=gov
    )
    housing = organ_create(
        name="青山县住房和城乡建设局", kind=K.COMPETENT, level=Level.COUNTY, region=county,
        parent=gov,
    )  # fmt: skip
    pw = "Bench-pass-123"
    clerk = staff_create(username="clerk", password=pw, organ=po, roles=[Role.REGISTRAR])
    handler = staff_create(username="handler", password=pw, organ=housing, roles=[Role.HANDLER])
    return po, housing, clerk, handler


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--batch", type=int, default=30)
    ap.add_argument("--profile", type=int, default=0, help="profile N sealed petitions instead")
    ap.add_argument("--note", default="", help="what else ran on the machine")
    args = ap.parse_args()
    _setup(args.db)
    try:
        _run(args)
    finally:
        if args.db == "postgres":
            from django.db import connections

            connections.close_all()
            sql = f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)


def _run(args) -> None:  # type: ignore[no-untyped-def]
    from xinfang.audit.services import audit_petition_events
    from xinfang.petitions.services import (
        PartyInput,
        PetitionInput,
        petition_act,
        petition_register,
    )
    from xinfang.petitions.services import act as act_module
    from xinfang.petitions.services import register as reg_module

    po, housing, clerk, handler = _world()
    real_seal = reg_module.petition_seal
    seal_cpu = [0.0]

    def timed_seal(**kw):  # type: ignore[no-untyped-def]
        c = time.process_time()
        try:
            return real_seal(**kw)
        finally:
            seal_cpu[0] += time.process_time() - c

    def steps_only(  # type: ignore[no-untyped-def]
        *, petition_ids, actor=None, events=(), entries=(), written=()
    ):
        """As before sealing: the steps' audit records, no seal."""
        audit_petition_events(events=events, actor=actor)

    def register(n: int) -> int:
        return petition_register(
            data=PetitionInput(
                channel="letter",
                title=f"小区排水管道堵塞请求疏通 {n}",
                content="本小区排水管道长期堵塞，雨天污水倒灌进楼道，请求尽快疏通。",
                region_code="990102",
                category="appeal",
                route=6,
                parties=[PartyInput(role="petitioner", name="来信人", phone="13900000000")],
            ),
            organ=po,
            actor=clerk,
        ).petition.pk

    def steps(pk: int) -> None:
        petition_act(
            petition_id=pk, action="transfer", actor=clerk, data={"to_organ_id": housing.pk}
        )
        petition_act(petition_id=pk, action="acknowledge", actor=handler)

    def use(seal) -> None:  # type: ignore[no-untyped-def]
        reg_module.petition_seal = act_module.petition_seal = seal

    if args.profile:
        use(real_seal)
        for i in range(5):  # warm: the first calls compile and fill caches
            steps(register(-i))
        prof = cProfile.Profile()
        prof.enable()
        for i in range(args.profile):
            steps(register(i))
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).sort_stats("cumulative")
        stats.print_stats(40)
        stats.print_callees(r"\((audit_seal|audit_append|petition_digests|_rows)\)")
        print(out.getvalue())
        return

    modes = ("sealed", "unsealed")
    cpu = {m: {"register": [], "step": []} for m in modes}
    wall = {m: {"register": [], "step": []} for m in modes}
    inside = {"register": [], "step": []}
    n = 0
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for mode in modes:
            use(timed_seal if mode == "sealed" else steps_only)
            seal_cpu[0] = 0.0
            c0, w0 = time.process_time(), time.perf_counter()
            pks = []
            for _ in range(args.batch):
                n += 1
                pks.append(register(n))
            c1, w1, s1 = time.process_time(), time.perf_counter(), seal_cpu[0]
            for pk in pks:
                steps(pk)
            c2, w2 = time.process_time(), time.perf_counter()
            cpu[mode]["register"].append((c1 - c0) / args.batch * 1000)
            wall[mode]["register"].append((w1 - w0) / args.batch * 1000)
            cpu[mode]["step"].append((c2 - c1) / (2 * args.batch) * 1000)
            wall[mode]["step"].append((w2 - w1) / (2 * args.batch) * 1000)
            if mode == "sealed":
                inside["register"].append(s1 / args.batch * 1000)
                inside["step"].append((seal_cpu[0] - s1) / (2 * args.batch) * 1000)
    use(real_seal)
    med = statistics.median
    result = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "db": args.db,
        "registrations": n,
        "rounds": args.rounds,
        "batch": args.batch,
        "note": args.note,
        "load": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "commit": subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
        ).stdout.strip(),  # fmt: skip
        "ms_median": {
            m: {
                k: {"cpu": round(med(cpu[m][k]), 2), "wall": round(med(wall[m][k]), 2)}
                for k in ("register", "step")
            }
            for m in modes
        },
        "ms_cpu_inside_petition_seal": {k: round(med(v), 2) for k, v in inside.items()},
    }
    print(json.dumps(result, indent=1))
    out = ROOT / "bench" / "results" / f"seal-{args.db}-{datetime.now():%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(result, indent=1))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
