"""Bytes per petition of every table and each of its indexes, on a seeded database (issue 14).

    export XINFANG_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_x
    xinfang migrate && xinfang manage bench_seed --petitions 20000       # once
    python bench/disk_bench.py [--vacuum] [--label before] [--out bench/results/disk-….json]

For each table of the ``public`` schema (a partitioned table with all its partitions, ADR 0019):
heap, TOAST and every index (``pg_relation_size`` of each, summed over the partitions), the rows
(``reltuples``), bytes a row and bytes a petition, and the same ×(10^7 / petitions): the disk
budget of issue 14 is 10^7 petitions with their full history in ≤ 40 GB, indexes included.
``--vacuum`` runs ``VACUUM (ANALYZE)`` first (row counts and visibility maps current; it does not
shrink a table: a seed or a migration that rewrote the table leaves no dead rows anyway).
Needs only psycopg (no Django): it reads the catalogue, never a row of the data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
TARGET = 10**7  # petitions
BUDGET = 40 * 10**9  # bytes

_TABLES = """
SELECT c.oid, c.relname, c.relkind = 'p' FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname
"""

# The leaves of a table: its partitions if partitioned, else itself (pg_partition_tree gives
# nothing for a table outside any partition tree).
_LEAVES = """
SELECT t.relid FROM pg_partition_tree(%(oid)s::oid::regclass) t WHERE t.isleaf
UNION ALL SELECT %(oid)s::oid::regclass WHERE NOT EXISTS (
    SELECT 1 FROM pg_partition_tree(%(oid)s::oid::regclass))
"""

# Heap, TOAST (with its index) and rows of a table and all its partitions.
_SIZES = f"""
SELECT coalesce(sum(pg_relation_size(c.oid)), 0),
       coalesce(sum(pg_table_size(c.oid) - pg_relation_size(c.oid)), 0),
       coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint
FROM pg_class c WHERE c.oid IN ({_LEAVES})
"""

# Each index of the table (on a partitioned table: its partitioned index, summed over the
# partitions' indexes), with its definition.
_INDEXES = """
SELECT ic.relname, pg_get_indexdef(i.indexrelid),
       CASE WHEN ic.relkind = 'I' THEN
           (SELECT coalesce(sum(pg_relation_size(p.relid)), 0)
            FROM pg_partition_tree(i.indexrelid) p)
       ELSE pg_relation_size(i.indexrelid) END
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = %(oid)s::oid ORDER BY 3 DESC
"""


def measure(conn: psycopg.Connection) -> dict[str, Any]:
    petitions = conn.execute("SELECT count(*) FROM petitions_petition").fetchone()[0]
    tables: dict[str, Any] = {}
    for oid, name, parted in conn.execute(_TABLES).fetchall():
        heap, toast, rows = conn.execute(_SIZES, {"oid": oid}).fetchone()
        indexes = {
            ix: {"bytes": int(size), "def": d}
            for ix, d, size in conn.execute(_INDEXES, {"oid": oid}).fetchall()
        }
        total = int(heap) + int(toast) + sum(v["bytes"] for v in indexes.values())
        tables[name] = {
            "total": total,
            "heap": int(heap),
            "toast": int(toast),
            "indexes": indexes,
            "rows": int(rows),
            "partitioned": parted,
        }
    db = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    tables = dict(sorted(tables.items(), key=lambda kv: -kv[1]["total"]))
    return {"petitions": petitions, "database": db, "tables": tables}


def report(m: dict[str, Any], top: int = 12) -> None:
    n = m["petitions"] or 1
    scale = TARGET / n
    print(f"petitions {n:,}; database {m['database'] / 2**20:,.1f} MB = {m['database'] / n:,.0f} B a petition"
          f" -> {m['database'] * scale / 1e9:,.0f} GB at 10^7 (budget {BUDGET / 1e9:.0f} GB)")  # fmt: skip
    print(f"  {'table':34} {'MB':>8} {'B/pet':>7} {'rows':>10} {'B/row':>6} {'heap':>6} {'idx':>6}")
    for name, t in list(m["tables"].items())[:top]:
        ix = sum(v["bytes"] for v in t["indexes"].values())
        per_row = t["total"] / t["rows"] if t["rows"] else 0
        print(
            f"  {name:34} {t['total'] / 2**20:8.1f} {t['total'] / n:7,.0f} {t['rows']:10,} "
            f"{per_row:6.0f} {t['heap'] / n:6,.0f} {ix / n:6,.0f}"
        )
        if t["total"] / n >= 300:
            for ix_name, v in t["indexes"].items():
                print(
                    f"      {ix_name:40} {v['bytes'] / 2**20:8.1f} MB {v['bytes'] / n:6,.0f} B/pet"
                )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--vacuum", action="store_true", help="VACUUM (ANALYZE) first")
    ap.add_argument("--label", default="", help="a word for the JSON (before, after …)")
    ap.add_argument("--out", default="", help="the JSON file (default bench/results/disk-…)")
    ap.add_argument("--top", type=int, default=12)
    args = ap.parse_args()
    url = os.environ.get("XINFANG_DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set XINFANG_DATABASE_URL to the seeded PostgreSQL database")
    with psycopg.connect(url, autocommit=True) as conn:
        t0 = time.monotonic()
        if args.vacuum:
            conn.execute("VACUUM (ANALYZE)")
        vacuum_s = time.monotonic() - t0
        m = measure(conn)
        ver = conn.execute("SHOW server_version").fetchone()[0]
    report(m, args.top)
    n = m["petitions"] or 1
    out = {
        "date": datetime.now().isoformat(timespec="minutes"),
        "label": args.label,
        "postgres": ver,
        "host": platform.node(),
        "load_average": os.getloadavg()[0],
        "vacuum_s": round(vacuum_s, 1) if args.vacuum else None,
        "bytes_per_petition": round(m["database"] / n),
        "at_1e7_gb": round(m["database"] * TARGET / n / 1e9, 1),
        **m,
    }
    path = Path(args.out or ROOT / "bench" / "results" / f"disk-postgres-{n}-{datetime.now():%Y%m%d-%H%M}{'-' + args.label if args.label else ''}.json")  # fmt: skip
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(f"# wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
