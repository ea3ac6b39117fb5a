"""CPU per copy of ``bench_seed`` (issue 14), the database left out: the copies of a batch are
made in memory (templates, deadlines, parties, search words, evaluations, audit records and
seals) and never written, timed with ``time.process_time`` (CPU of this process only, so the
figure does not move with the machine's load, which wall time on a shared machine does).

    XINFANG_DATABASE_URL=postgresql://…/a_seeded_db python bench/seed_copy_cpu.py --copies 20000

The database must hold the templates (a ``bench_seed`` run); nothing is written to it. Run it
with PYTHONPATH at another checkout to compare two versions of the seeder on the same templates.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--copies", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=2_000)
    ap.add_argument(
        "--text-dir",
        default=None,
        help="citizens' messages (default: the built-in texts, cut fast)",
    )
    ap.add_argument("--out", default=None, help="JSON file to write (default: print only)")
    args = ap.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from xinfang.core import clock
    from xinfang.demo import bench_copy
    from xinfang.demo.bench_seed import TEMPLATES_MAX, _load_templates
    from xinfang.demo.bench_text import people, text_pool
    from xinfang.directory.models import Organ

    rng = random.Random(7)
    tpls = _load_templates(limit=TEMPLATES_MAX)
    pool = text_pool(args.text_dir, rng)
    for i in range(len(pool.texts)):  # the one-time cut of the texts, not timed
        pool.tsvector(i)
    crowd = people(rng, 20_000)
    organs = {o.pk: o for o in Organ.objects.all()}
    ctx = bench_copy._Ctx(
        rng=rng, pool=pool, crowd=crowd, organs=organs, today=clock.today(), years=5
    )
    takes_pid = "pid" in inspect.signature(bench_copy._Batch.copy).parameters
    closed = [t for t in tpls if not t.p["is_open"]]
    opened = [t for t in tpls if t.p["is_open"]]
    pid = 10**8
    cpu = 0.0
    made = 0
    while made < args.copies:
        batch = bench_copy._Batch(ctx)
        k = min(args.batch, args.copies - made)
        t0 = time.process_time()
        for _ in range(k):
            src = closed if rng.random() < 0.85 else opened
            if takes_pid:
                batch.copy(rng.choice(src), pid)
            else:
                batch.copy(rng.choice(src))
            pid += 1
        cpu += time.process_time() - t0
        ctx.chains.pending = []  # never written
        made += k
    out = {
        "copies": made,
        "templates": len(tpls),
        "cpu_seconds": round(cpu, 2),
        "cpu_ms_per_copy": round(1000 * cpu / made, 4),
        "copies_per_cpu_second": round(made / cpu),
        "code": os.environ.get("PYTHONPATH", ""),
        "texts": pool.source,
        "at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }
    print(json.dumps(out))
    if args.out:
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
