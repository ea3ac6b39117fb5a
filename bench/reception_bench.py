"""The reception calendar of a city with 200 organs and a year of sessions (issue 17): how
fast (a benchmark, not a test).

    python bench/reception_bench.py                 # SQLite file in a fresh temp dir
    python bench/reception_bench.py --db postgres   # scratch database reception_bench on 127.0.0.1

Builds a city petition office, 200 organs in the city (each with a leader) and two sessions a
week per organ for a year (20,800 sessions, bulk-inserted), then measures for the city office's
clerk (scope: every organ of the region), 30 times each (median and worst): (a) the calendar
selector for four weeks (``calendar_page_for_user``: the first page, 100 rows) and, for
comparison, every session of the four weeks as model rows (``sessions_for_user``, 1,600 rows);
(b) the page ``/reception/?from=…`` through Django's test client: the default week, the first
page of four weeks (``days=28``) and the last page of four weeks (reached by the keyset links),
and an empty week for the cost of any staff page on the same machine. Results go to bench/results/reception.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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
    ap.add_argument("--runs", type=int, default=30)
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
    from xinfang.reception.selectors import calendar_page_for_user, sessions_for_user

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
    month_end = frm + timedelta(days=27)

    def selector() -> int:
        return len(calendar_page_for_user(user=clerk, start=frm, end=month_end).rows)

    def selector_all() -> int:  # the old read: every session of four weeks as model rows
        return len(list(sessions_for_user(user=clerk, start=frm, end=month_end)[:2000]))

    client = Client()
    client.force_login(clerk)

    def get(url: str) -> bytes:
        r = client.get(url)
        assert r.status_code == 200, r.status_code
        return r.content

    # The keyset of the last page of the four weeks (the deepest page a reader can reach).
    url = f"/reception/?from={frm.isoformat()}&days=28"
    pages = 1
    while m := re.search(rb'href="\?([^"]+)" rel="next"', get(url)):
        url = "/reception/?" + m.group(1).decode().replace("&amp;", "&")
        pages += 1
    last_url = url

    out: dict[str, object] = {
        "db": args.db,
        "organs": args.organs,
        "sessions": len(rows),
        "load_s": round(load_s, 2),
        "month_pages": pages,
        "at": datetime.now().isoformat(timespec="seconds"),
    }
    measures = (
        ("selector", selector),
        ("selector_all_rows", selector_all),
        # a week with no sessions: what any staff page costs here (session, user, menu)
        ("page_empty_week", lambda: len(get("/reception/?from=2030-01-07"))),
        ("page_week", lambda: len(get(f"/reception/?from={frm.isoformat()}"))),
        ("page_month_first", lambda: len(get(f"/reception/?from={frm.isoformat()}&days=28"))),
        ("page_month_last", lambda: len(get(last_url))),
    )
    for name, fn in measures:
        fn()  # warm
        times = []
        for _ in range(args.runs):
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
