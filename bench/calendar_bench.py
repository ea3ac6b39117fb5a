"""Day counting and confirming a year: how fast (a benchmark, not a test).

    python bench/calendar_bench.py                    # pure parts + confirm over 20,000 petitions (SQLite)
    python bench/calendar_bench.py --db postgres      # the confirmation on PostgreSQL (db calendar_bench)
    python bench/calendar_bench.py --petitions 0      # the pure parts only

(a) 100,000 ``add_working_days(…, 5)`` over 2024–2026 (chinese_calendar's years): the timed
    assertion that used to sit in deadlines/tests/test_calendar.py (< 5 s);
(b) the same over 2027–2029, years the provisional calendar of the law answers;
(c) the provisional calendar of 74 years (2027–2100) from cold: tyme4py's lunar dates and 清明;
(e) how right the provisional calendar would have been in 2025 and 2026 (the law in force since
    2025), against chinese_calendar's real arrangement, for every start day whose limit ends in
    that year: the share of due dates it gets right, how many it puts earlier or later (and by
    how much at most), and the share a Monday–Friday rule gets wrong;
(d) ``calendar_notice_confirm`` of the made-up 2027 notice (deadlines/tests/data) over
    ``--petitions`` petitions whose T1 counts over the 2027 Spring Festival: every one is folded
    again, compared and stored, in one transaction.

Each run writes its raw figures to bench/calendar_results.json; bench/README.md has the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG_DB = "calendar_bench"  # a scratch database of its own
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"
EXAMPLE = ROOT / "xinfang" / "deadlines" / "tests" / "data" / "2027-example.txt"


def _pure() -> dict[str, float]:
    from xinfang.deadlines import calendar, provisional
    from xinfang.deadlines.calendar import HolidayCalendar, add_working_days

    out = {}
    for key, first in (
        ("a_covered_100k_s", date(2024, 1, 1)),
        ("b_provisional_100k_s", date(2027, 1, 1)),
    ):
        calendar.china_statutory.cache_clear()
        provisional.provisional_rest_days.cache_clear()
        cal = HolidayCalendar()
        starts = [first + timedelta(days=i % 1000) for i in range(100_000)]
        began = time.perf_counter()
        for s in starts:
            add_working_days(s, 5, cal)
        out[key] = round(time.perf_counter() - began, 3)
    provisional.provisional_rest_days.cache_clear()
    provisional.statutory_days.cache_clear()
    began = time.perf_counter()
    for y in range(2027, 2101):
        provisional.provisional_rest_days(y)
    out["c_74_years_cold_s"] = round(time.perf_counter() - began, 3)
    return out


def _accuracy() -> dict[str, dict[str, float | int]]:
    import chinese_calendar

    from xinfang.deadlines.calendar import add_calendar_days, add_working_days, weekday_rule
    from xinfang.deadlines.provisional import provisional_is_working_day

    class Rule:
        def __init__(self, fn):  # type: ignore[no-untyped-def]
            self.is_working_day = fn

    real, prov, weekdays = (
        Rule(chinese_calendar.is_workday),
        Rule(provisional_is_working_day),
        Rule(weekday_rule),
    )
    limits = {
        "15_days": lambda s, c: add_calendar_days(s, 15, c, roll_to_working_day=True),
        "30_days": lambda s, c: add_calendar_days(s, 30, c, roll_to_working_day=True),
        "5_working_days": lambda s, c: add_working_days(s, 5, c),
    }
    out: dict[str, dict[str, float | int]] = {}
    for year in (2025, 2026):
        for name, due in limits.items():
            n = right = earlier = later = wrong_weekdays = most_earlier = most_later = 0
            s = date(year - 1, 11, 1)
            while s < date(year, 12, 1):  # a limit from December may end in the next year
                r = due(s, real)
                if r.year == year:
                    p = due(s, prov)
                    n += 1
                    right += p == r
                    if p < r:
                        earlier += 1
                        most_earlier = max(most_earlier, (r - p).days)
                    elif p > r:
                        later += 1
                        most_later = max(most_later, (p - r).days)
                    wrong_weekdays += due(s, weekdays) != r
                s += timedelta(days=1)
            out[f"{year}_{name}"] = {
                "starts": n,
                "provisional_right_pct": round(100 * right / n, 1),
                "provisional_earlier": earlier,
                "most_days_earlier": most_earlier,
                "provisional_later": later,
                "most_days_later": most_later,
                "weekday_rule_wrong_pct": round(100 * wrong_weekdays / n, 1),
            }
    return out


def _setup(db: str) -> None:
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="xinfang-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("XINFANG_SECRET_KEY", "bench-not-secret")
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _confirm(n: int) -> dict[str, float | int]:
    import time_machine
    from django.utils import timezone

    from xinfang.deadlines.confirmation import calendar_notice_confirm
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create
    from xinfang.petitions.services import PartyInput, PetitionInput, petition_register_many

    now = timezone.make_aware(datetime(2027, 1, 25, 10))
    with time_machine.travel(now, tick=False):
        region = Region.objects.create(code="990000", name="基准省", level=Level.PROVINCE)
        office = organ_create(
            name="基准省信访局", kind=OrganKind.PETITION_OFFICE, level=Level.PROVINCE, region=region
        )
        clerk = staff_create(
            username="clerk", password="bench-pass-123", organ=office, roles=[Role.REGISTRAR]
        )
        admin = staff_create(
            username="admin", password="bench-pass-123", organ=None, roles=[Role.ADMIN]
        )
        began = time.perf_counter()
        for i in range(0, n, 1000):
            items = [
                PetitionInput(
                    channel="letter",
                    title=f"基准信访事项{k}",
                    content="请求依法处理并书面答复。",
                    region_code="990000",
                    # received 10 January – 24 January 2027: T1 ends 25 January – 8 February
                    received_at=now - timedelta(days=1 + k % 15),
                    parties=[PartyInput(role="petitioner", name="王伟")],
                )
                for k in range(i, min(n, i + 1000))
            ]
            petition_register_many(items=items, organ=office, actor=clerk)
        registered = time.perf_counter() - began
        text = EXAMPLE.read_text(encoding="utf-8")
        began = time.perf_counter()
        dry = calendar_notice_confirm(text=text, actor=admin, dry_run=True)
        dry_s = time.perf_counter() - began
        began = time.perf_counter()
        report = calendar_notice_confirm(text=text, actor=admin)
        confirm_s = time.perf_counter() - began
    assert dry.summary() == report.summary()
    return {
        "petitions": n,
        "register_s": round(registered, 2),
        "d_dry_run_s": round(dry_s, 2),
        "d_confirm_s": round(confirm_s, 2),
        "d_per_petition_ms": round(1000 * confirm_s / max(report.recomputed, 1), 3),
        **report.summary(),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--petitions", type=int, default=20_000)
    args = ap.parse_args()
    result: dict = {
        "when": datetime.now().isoformat(timespec="minutes"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "load_average": os.getloadavg()[0],
        "pure": _pure(),
        "accuracy": _accuracy(),
    }
    print(json.dumps(result["pure"]))
    for k, v in result["accuracy"].items():
        print(k, json.dumps(v))
    if args.petitions:
        _setup(args.db)
        result["confirm"] = {"db": args.db, **_confirm(args.petitions)}
        print(json.dumps(result["confirm"]))
        if args.db == "postgres":
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
    path = ROOT / "bench" / "calendar_results.json"
    runs = json.loads(path.read_text()) if path.exists() else []
    runs.append(result)
    path.write_text(json.dumps(runs, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    main()
