"""The reception calendar of a city with 200 organs and a year of sessions (issue 17): how
fast (a benchmark, not a test).

    python bench/reception_bench.py                 # SQLite file in a fresh temp dir
    python bench/reception_bench.py --db postgres   # scratch database reception_bench on 127.0.0.1

Builds a city petition office, 200 organs in the city (each with a leader) and two sessions a
week per organ for a year (20,800 sessions, bulk-inserted), then measures for the city office's
clerk (scope: every organ of the region) (a) the selector for four weeks (``sessions_for_user``,
~1,600 rows listed), and (b) the whole page ``/reception/?from=…`` (4 weeks) through Django's
test client, 30 times each; median and worst. Results go to bench/results/reception.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default="sqlite", choices=["sqlite", "postgres"])
    ap.add_argument("--organs", type=int, default=200)
    args = ap.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="reception-bench-")
    if args.db == "postgres":
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres", autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS reception_bench")
            c.execute("CREATE DATABASE reception_bench")
        os.environ["XINFANG_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/reception_bench"
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # bench users
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.reception.models import ReceptionSession
    from xinfang.reception.selectors import sessions_for_user

    prov = Region.objects.create(code="980000", name="基准省", level=Level.PROVINCE)
    city = Region.objects.create(code="980100", name="基准市", level=Level.CITY, parent=prov)
    gov = organ_create(
        name="基准市人民政府", kind=OrganKind.COMPETENT, level=Level.CITY, region=city
    )
    office = organ_create(
        name="基准市信访局",
        kind=OrganKind.PETITION_OFFICE,
        level=Level.CITY,
        region=city,
        parent=gov,
    )
    clerk = staff_create(
        username="bclerk", password="x-pass-123456", organ=office, roles=[Role.REGISTRAR]
    )
    organs, leaders = [], []
    for i in range(args.organs):
        o = organ_create(
            name=f"基准市第{i}局",
            kind=OrganKind.COMPETENT,
            level=Level.CITY,
            region=city,
            parent=gov,
        )
        organs.append(o)
        leaders.append(
            staff_create(username=f"bl{i}", password="x-pass-123456", organ=o, roles=[Role.LEADER])
        )
    start = date(2026, 1, 5)
    now = timezone.now()
    rows = []
    for o, lead in zip(organs, leaders, strict=True):
        for w in range(52):
            for day in (1, 3):
                rows.append(
                    ReceptionSession(
                        organ=o,
                        on=start + timedelta(weeks=w, days=day),
                        starts=dtime(9, 0),
                        ends=dtime(11, 30),
                        place="接待室",
                        leader=lead,
                        fields="综合",
                        capacity=10,
                        created_by=clerk,
                        created_at=now,
                    )
                )
    began = time.perf_counter()
    ReceptionSession.objects.bulk_create(rows, batch_size=2000)
    load_s = time.perf_counter() - began
    if args.db == "postgres":
        from django.db import connection

        with connection.cursor() as c:
            c.execute("ANALYZE")
    frm = date(2026, 6, 1)

    def selector() -> int:
        return len(
            list(sessions_for_user(user=clerk, start=frm, end=frm + timedelta(days=27))[:2000])
        )

    client = Client()
    client.force_login(clerk)

    def page() -> int:
        r = client.get(f"/reception/?from={frm.isoformat()}")
        assert r.status_code == 200
        return len(r.content)

    out: dict[str, object] = {
        "db": args.db,
        "organs": args.organs,
        "sessions": len(rows),
        "load_s": round(load_s, 2),
        "at": datetime.now().isoformat(timespec="seconds"),
    }
    for name, fn in (("selector", selector), ("page", page)):
        fn()  # warm
        times = []
        for _ in range(30):
            t = time.perf_counter()
            n = fn()
            times.append((time.perf_counter() - t) * 1000)
        out[f"{name}_rows_or_bytes"] = n
        out[f"{name}_median_ms"] = round(statistics.median(times), 1)
        out[f"{name}_max_ms"] = round(max(times), 1)
    print(json.dumps(out, ensure_ascii=False, indent=1))
    res = ROOT / "bench" / "results"
    res.mkdir(exist_ok=True)
    (res / f"reception-{args.db}.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
