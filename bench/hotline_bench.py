"""Import of 100,000 12345 hotline work orders (issue 20; a benchmark, not a test).

    python bench/hotline_bench.py                    # SQLite file in a temp dir, n=100,000
    python bench/hotline_bench.py --db postgres      # PostgreSQL 127.0.0.1:5432, db exchange_bench (dropped after)
    python bench/hotline_bench.py -n 20000 --bad 20

It builds a fresh database and a small directory (a city and three counties, each with a
petition office), then writes a JSON work-order file in a temp dir: the titles and bodies are
real citizen messages read from ../shared/data/teddy/ (never copied into the project), one in
ten orders is not for the petition channel, one in five callers is anonymous, and ``--bad``
rows are planted with eight kinds of faults spread through the file. It measures:

(1) ``hotline_import --dry-run`` of that file: every bad row reported, nothing saved;
(2) the real import of the same file: every bad row reported, nothing saved (all or nothing);
(3) the real import of the file without its bad rows: all committed (the < 2 minute target);
(4) the same file again: every order already imported, no petition added (idempotent);
(5) ``hotline_export`` of all orders as CSV.

The JSON of the run goes to bench/results/hotline-<db>-<n>-<time>.json; the table is in
bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "teddy"
if not DATA.exists():
    DATA = Path("/work/shared/data/teddy")
PG_DB = "exchange_bench"
PG_DSN = "host=127.0.0.1 port=5432 user=postgres"
NAMES = "王伟 李娜 张敏 刘洋 陈静 杨磊 赵丽 黄强 周杰 吴芳 徐涛 孙艳".split()


def _setup(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["XINFANG_DATA_DIR"] = tempfile.mkdtemp(prefix="exchange-bench-")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.setdefault("XINFANG_SECRET_KEY", "bench-not-secret")
    os.environ["XINFANG_SEARCH_INDEXER"] = "0"
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        os.environ.pop("XINFANG_DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _drop_pg() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")


def _directory() -> list[str]:
    from xinfang.directory.models import Level, OrganKind, Region
    from xinfang.directory.services import organ_create

    K = OrganKind
    prov = Region.objects.create(code="990000", name="基准省", level=Level.PROVINCE)
    city = Region.objects.create(code="990100", name="基准市", level=Level.CITY, parent=prov)
    gov = organ_create(name="基准市人民政府", kind=K.COMPETENT, level=Level.CITY, region=city)
    organ_create(
        name="基准市信访局", kind=K.PETITION_OFFICE, level=Level.CITY, region=city, parent=gov
    )
    codes = ["990100"]
    for i in (21, 22, 23):
        r = Region.objects.create(
            code=f"9901{i}", name=f"基准{i}县", level=Level.COUNTY, parent=city
        )
        g = organ_create(
            name=f"{r.name}人民政府", kind=K.COMPETENT, level=Level.COUNTY, region=r, parent=gov
        )
        organ_create(
            name=f"{r.name}信访局", kind=K.PETITION_OFFICE, level=Level.COUNTY, region=r, parent=g
        )
        codes.append(r.code)
    return codes


def _texts() -> list[tuple[str, str]]:
    out = []
    csv.field_size_limit(10**7)
    for name in ("official_test_unlabeled.csv", "hot.csv", "replies.csv", "messages_dev.csv"):
        with open(DATA / name, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                title, body = (row.get("title") or "").strip(), (row.get("body") or "").strip()
                if title and body:
                    out.append((title[:200], body[:5000]))
    return out


BAD_KINDS = (
    ("hotline_id", ""),
    ("called_at", "昨天上午"),
    ("region_code", "000000"),
    ("content", ""),
    ("category", "投诉"),
    ("caller_phone", "12"),
    ("content", "NUL\x00"),
    ("duplicate", None),
)


def _orders(
    n: int, bad: int, regions: list[str], rng: random.Random
) -> tuple[list[dict], list[int]]:
    texts = _texts()
    start = datetime(2025, 6, 1, 8, 0, tzinfo=timezone(timedelta(hours=8)))
    orders = []
    for i in range(n):
        title, body = texts[i % len(texts)]
        anonymous = rng.random() < 0.2
        orders.append(
            {
                "hotline_id": f"12345-BENCH-{i:07d}",
                "called_at": (start + timedelta(minutes=i)).isoformat(),
                "route_to": "petition" if rng.random() < 0.9 else "hotline",
                "region_code": rng.choice(regions),
                "category": rng.choice(("appeal", "appeal", "suggestion", "")),
                "title": title,
                "content": body,
                "caller_name": "" if anonymous else rng.choice(NAMES),
                "caller_phone": "" if anonymous else f"13{rng.randint(0, 999_999_999):09d}",
                "anonymous": "true" if anonymous else "",
            }
        )
    bad_rows = sorted(rng.sample(range(1, n), bad)) if bad else []
    for k, i in enumerate(bad_rows):
        field, value = BAD_KINDS[k % len(BAD_KINDS)]
        orders[i]["route_to"] = "petition"
        if field == "duplicate":
            orders[i]["hotline_id"] = orders[i - 1]["hotline_id"]
        else:
            orders[i][field] = value
            if field == "caller_phone":
                orders[i]["caller_name"], orders[i]["anonymous"] = "王伟", ""
    return orders, bad_rows


CPU: dict[str, float] = {}  # the benchmark process's own CPU seconds of each step
DB_CPU: dict[str, float] = {}  # PostgreSQL's: the CPU seconds of this connection's backend


def _backend_cpu() -> float | None:
    """CPU seconds of the PostgreSQL backend serving this process (Linux /proc), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        pid = c.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(name, fn):  # type: ignore[no-untyped-def]
    db = _backend_cpu()
    t, c = time.perf_counter(), time.process_time()
    out = fn()
    CPU[name] = round(time.process_time() - c, 2)
    wall = round(time.perf_counter() - t, 2)
    if db is not None and (after := _backend_cpu()) is not None:
        DB_CPU[name] = round(after - db, 2)
    return out, wall


def main() -> None:
    global PG_DB
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--bad", type=int, default=100)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--seed", type=int, default=20)
    ap.add_argument("--pg-db", default=PG_DB, help="PostgreSQL database (created, dropped after)")
    args = ap.parse_args()
    PG_DB = args.pg_db
    _setup(args.db)
    try:
        _run(args)
    finally:
        if args.db == "postgres":
            _drop_pg()


def _run(args) -> None:  # type: ignore[no-untyped-def]
    from xinfang.exchange.hotline import schema
    from xinfang.exchange.hotline.selectors import hotline_answers
    from xinfang.exchange.hotline.services import hotline_import
    from xinfang.petitions.models import Petition

    regions = _directory()
    rng = random.Random(args.seed)
    (orders, bad_rows), t_gen = _timed("generate", lambda: _orders(args.n, args.bad, regions, rng))
    tmp = Path(tempfile.mkdtemp(prefix="exchange-bench-files-"))
    with_bad = tmp / "orders_with_bad_rows.json"
    clean = tmp / "orders.json"
    with_bad.write_bytes(
        json.dumps({"schema": schema.SCHEMA_IN, "orders": orders}, ensure_ascii=False).encode()
    )
    bad_set = set(bad_rows)
    good = [o for i, o in enumerate(orders) if i not in bad_set]
    clean.write_bytes(
        json.dumps({"schema": schema.SCHEMA_IN, "orders": good}, ensure_ascii=False).encode()
    )
    for_petitions = sum(1 for o in good if o["route_to"] == "petition")
    results: dict = {
        "when": datetime.now().isoformat(timespec="seconds"),
        "db": args.db,
        "n": args.n,
        "planted_bad_rows": len(bad_rows),
        "file_mb": round(with_bad.stat().st_size / 1e6, 1),
        "generate_s": t_gen,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load": os.getloadavg(),
        },
    }

    def run(path: Path, dry: bool):  # type: ignore[no-untyped-def]
        return hotline_import(data=path.read_bytes(), fmt="json", dry_run=dry, actor=None)

    r1, t1 = _timed("1", lambda: run(with_bad, True))
    assert Petition.objects.count() == 0
    results["1_dry_run_with_bad_rows"] = {"s": t1, "bad_rows": len(r1.bad), "to_import": r1.to_import,
                                          "committed": r1.committed, "first_bad": r1.bad[:8]}  # fmt: skip
    r2, t2 = _timed("2", lambda: run(with_bad, False))
    assert Petition.objects.count() == 0 and not r2.committed
    results["2_import_with_bad_rows"] = {"s": t2, "bad_rows": len(r2.bad), "committed": r2.committed,
                                         "petitions_after": Petition.objects.count()}  # fmt: skip
    r3, t3 = _timed("3", lambda: run(clean, False))
    assert r3.committed and r3.imported == for_petitions
    results["3_import_clean"] = {"s": t3, "imported": r3.imported, "not_for_petitions": r3.not_for_petitions,
                                 "per_s": round(r3.imported / t3), "target_s": 120, "met": t3 < 120}  # fmt: skip
    r4, t4 = _timed("4", lambda: run(clean, False))
    assert r4.imported == 0 and Petition.objects.count() == for_petitions
    results["4_import_again"] = {
        "s": t4,
        "already_imported": len(r4.already),
        "imported": r4.imported,
    }
    body, t5 = _timed("5", lambda: schema.write_csv(hotline_answers()))
    results["5_export_csv"] = {
        "s": t5,
        "rows": body.count(b"\r\n") - 1,
        "mb": round(len(body) / 1e6, 1),
    }
    results["machine"]["load_after"] = os.getloadavg()
    results["cpu_s_of_the_benchmark_process"] = dict(CPU)
    if DB_CPU:
        results["cpu_s_of_the_postgresql_backend"] = dict(DB_CPU)
    out = (
        ROOT / "bench" / "results" / f"hotline-{args.db}-{args.n}-{datetime.now():%Y%m%d-%H%M}.json"
    )
    out.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(json.dumps(results, ensure_ascii=False, indent=1))
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
