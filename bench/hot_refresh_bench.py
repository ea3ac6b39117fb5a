"""The hot-issue worker and page on a generated history (issue 14).

    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/NAME_h6 XINFANG_DATA_DIR=/tmp/x
    python bench/hot_refresh_bench.py [--new 100] [--calls 20] [--skip-scratch] [--out FILE]

On a copy of a ``bench_seed`` database (it writes: snapshots, and ``--new`` registrations), timed
in this order, each with wall time, the CPU time of this process and of its PostgreSQL backend
(read from /proc: load does not distort them), the query count and the slowest query:

1. the worker's refresh of every scope from scratch (every snapshot deleted, no CPU budget);
2. the refresh when nothing changed;
3. ``--new`` registrations at petition offices across the province (texts of recent petitions),
   then the refresh with the default budget (``XINFANG_HOT_REFRESH_SECONDS``), then again with
   no budget (what is left); then ``--new`` more and the refresh with the default budget (the
   bodies cut by the earlier runs of the process are kept);
4. the first view of a new analyst of the province office (a scope computed for others) and of
   a new leader of an organ no reader had (filled on the page, or the worker asked);
5. the page as read again (``--calls`` calls after 3 warm-ups), with its query count.

The slowest query of the unchanged refresh and of the page is run again under
``EXPLAIN (ANALYZE, BUFFERS)``. JSON to ``--out`` (default
``bench/results/hot-refresh-postgres-N-DATE.json``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from history_bench import _explain, _pct, _setup  # noqa: E402


class Meter:
    """Wall, this process's CPU, the PostgreSQL backend's CPU, queries and the slowest one."""

    def __init__(self, label: str) -> None:
        self.label = label

    def __enter__(self) -> Meter:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self._q = CaptureQueriesContext(connection)
        self._q.__enter__()
        self._pg0 = _pg_cpu()
        self._cpu0 = time.process_time()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._t0
        self.cpu = time.process_time() - self._cpu0
        self.pg_cpu = _pg_cpu() - self._pg0
        self._q.__exit__(None, None, None)
        qs = self._q.captured_queries
        slow = max(qs, key=lambda x: float(x["time"])) if qs else None
        self.result = {
            "wall_s": round(self.wall, 3),
            "cpu_s": round(self.cpu, 3),
            "pg_cpu_s": round(self.pg_cpu, 3),
            "queries": len(qs),
            "slowest_s": float(slow["time"]) if slow else 0.0,
            "slowest_sql": slow["sql"][:4000] if slow else "",
            "load": round(os.getloadavg()[0], 2),
        }
        print(
            f"{self.label:48} wall {self.wall:9.3f} s  cpu {self.cpu:8.3f} s  "
            f"pg cpu {self.pg_cpu:7.3f} s  {len(qs):6} queries  slowest "
            f"{self.result['slowest_s']:.3f} s  load {self.result['load']}",
            flush=True,
        )


def _pg_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend (same machine: /proc)."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _register(n: int, rng: random.Random) -> list[int]:
    """``n`` registrations at petition offices that have a registrar, texts of recent ones."""
    from xinfang.core import clock
    from xinfang.directory.models import Organ, OrganKind, User
    from xinfang.directory.permissions import user_can_register
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import PartyInput, PetitionInput, petition_register

    clerks = []
    for o in Organ.objects.filter(kind=OrganKind.PETITION_OFFICE, is_active=True).order_by("pk"):
        u = next(
            (u for u in User.objects.filter(organ=o, is_active=True) if user_can_register(u)),
            None,
        )
        if u is not None:
            clerks.append((o, u))
    recent = list(
        Petition.objects.order_by("-received_at").values_list("title", "content", "region_id")[
            :2000
        ]
    )
    now = clock.now()
    made = []
    for _ in range(n):
        organ, clerk = rng.choice(clerks)
        title, content, region = rng.choice(recent)
        reg = petition_register(
            data=PetitionInput(
                channel="letter",
                title=title,
                content=content,
                region_code=organ.region_id or region,
                category="appeal",
                route=6,
                received_at=now - timedelta(minutes=rng.randint(1, 600)),
                parties=[
                    PartyInput(
                        role="petitioner", name="群众", phone=f"13{rng.randint(0, 10**9 - 1):09d}"
                    )
                ],
            ),
            organ=organ,
            actor=clerk,
        )
        made.append(reg.petition.pk)
    return made


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--new", type=int, default=100)
    ap.add_argument("--calls", type=int, default=20)
    ap.add_argument("--skip-scratch", action="store_true", help="keep the snapshots there are")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    _setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from xinfang.directory.models import Organ, Role, User
    from xinfang.directory.services import staff_create
    from xinfang.insight.hot.snapshots import hot_snapshots_refresh
    from xinfang.insight.models import HotSnapshot
    from xinfang.petitions.models import Petition

    n = Petition.objects.count()
    out: dict = {  # type: ignore[type-arg]
        "petitions": n,
        "started": datetime.utcnow().isoformat(timespec="seconds") + "Z",
        "load_before": os.getloadavg(),
        "budget_s": settings.XINFANG_HOT_REFRESH_SECONDS,
    }
    print(f"# hot_refresh_bench  {n:,} petitions  load {os.getloadavg()[0]:.2f}", flush=True)
    runs = {}
    if not args.skip_scratch:
        HotSnapshot.objects.all().delete()
        with Meter("refresh from scratch (no budget)") as m:
            got = hot_snapshots_refresh(budget=0)
        runs["scratch"] = {**m.result, "worker": got}
        print("   ", got, flush=True)
    with Meter("refresh, nothing changed") as m:
        got = hot_snapshots_refresh()
    runs["unchanged"] = {**m.result, "worker": got}
    print("   ", got, flush=True)
    runs["unchanged"]["explain"] = _explain(m.result["slowest_sql"])

    rng = random.Random(14)
    with Meter(f"{args.new} registrations") as m:
        made = _register(args.new, rng)
    out["new_petitions"] = [made[0], made[-1]] if made else []
    runs["registrations"] = m.result
    with Meter(f"refresh after {args.new} new (default budget)") as m:
        got = hot_snapshots_refresh()
    runs["after_new"] = {**m.result, "worker": got}
    print("   ", got, flush=True)
    with Meter("refresh again (no budget: what was left)") as m:
        got = hot_snapshots_refresh(budget=0)
    runs["after_new_rest"] = {**m.result, "worker": got}
    print("   ", got, flush=True)
    with Meter(f"{args.new} more registrations") as m:
        _register(args.new, rng)
    with Meter(f"refresh after {args.new} more (default budget; bodies kept)") as m:
        got = hot_snapshots_refresh()
    runs["after_more"] = {**m.result, "worker": got}
    print("   ", got, flush=True)

    analyst = User.objects.get(username="province_analyst")
    stamp = datetime.utcnow().strftime("%H%M%S")
    newcomer = staff_create(
        username=f"bench_hot_analyst_{stamp}", password=None, organ=analyst.organ,
        roles=[Role.ANALYST],
    )  # fmt: skip
    scopes = {s.split(":")[1] for s in HotSnapshot.objects.values_list("scope", flat=True)}
    lonely = (
        Organ.objects.exclude(pk__in=[int(x) for x in scopes if x.isdigit()])
        .filter(is_active=True)
        .order_by("path")
        .first()
    )
    leader = staff_create(
        username=f"bench_hot_leader_{stamp}", password=None, organ=lonely, roles=[Role.LEADER]
    )
    firsts = {}
    for label, user in (
        ("new analyst, province office", newcomer),
        ("new leader, no reader's organ", leader),
    ):
        c = Client()
        c.force_login(user)
        with Meter(f"first view: {label}") as m:
            r = c.get("/insight/hot/")
        body = r.content.decode()
        assert r.status_code == 200, r.status_code
        firsts[label] = {
            **m.result,
            "organ": user.organ.name,
            "shown": "本页结果计算于" in body,
            "waiting": "正在后台计算" in body,
        }
        print("   ", {k: firsts[label][k] for k in ("organ", "shown", "waiting")}, flush=True)
    runs["first_view"] = firsts

    c = Client()
    c.force_login(analyst)
    for _ in range(3):
        assert c.get("/insight/hot/").status_code == 200
    xs = []
    for _ in range(args.calls):
        t = time.perf_counter()
        assert c.get("/insight/hot/").status_code == 200
        xs.append((time.perf_counter() - t) * 1000)
    with Meter("page, read again") as m:
        c.get("/insight/hot/")
    runs["read"] = {
        "p50_ms": round(statistics.median(xs), 1),
        "p95_ms": round(_pct(xs, 95), 1),
        "max_ms": round(max(xs), 1),
        **m.result,
        "explain": _explain(m.result["slowest_sql"]),
    }
    print(
        f"page read: p50 {runs['read']['p50_ms']} ms  p95 {runs['read']['p95_ms']} ms", flush=True
    )
    out["runs"] = runs
    out["load_after"] = os.getloadavg()
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        out["postgres"] = cur.fetchone()[0]
    path = args.out or str(
        ROOT / "bench" / "results"
        / f"hot-refresh-postgres-{n}-{datetime.utcnow().strftime('%Y%m%d-%H%M')}.json"
    )  # fmt: skip
    Path(path).write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str))
    print("wrote", path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
