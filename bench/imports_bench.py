"""History import throughput: N rows of a 台账 CSV checked and committed (issues 16, 14).

    python bench/imports_bench.py -n 10000                  # SQLite file in a fresh temp dir
    python bench/imports_bench.py -n 10000 --db postgres    # drops/creates imports_bench
    python bench/imports_bench.py -n 10000 --single 300     # and the single path on 300 rows

Each row is a route (六) appeal received at a county office, transferred to the county's
competent organ, accepted, answered with an opinion, delivered, closed after the review window
and evaluated: 9 events, taken by the bulk path (``petition_register_past_many``, a batch of 500
rows per transaction, ADR 0020) through ``imports.services.import_rows``. Measures the dry run,
the commit, then ``audit_verify`` over everything written (it must pass); ``--single N`` times
the single path (``petition_register_past``, one transaction per row) on N more rows of the same
shape, for the ratio on the same machine at the same time. The load average is recorded before
and after. The run's JSON goes to bench/results/imports-<db>-<n>-<time>.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import register_bench
from register_bench import _drop_pg, _setup

register_bench.PG_DB = "imports_bench"  # this benchmark's own database (never another's)


def _rows(n: int) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["行号", "登记机关", "收到日期", "标题", "内容", "区划代码", "类别", "处理途径",
                "信访人", "转送日期", "转送机关", "受理日期", "答复日期", "处理结果", "送达日期",
                "归档日期", "评价", "评价日期"])  # fmt: skip
    start = date(2021, 1, 4)
    for i in range(n):
        d = start + timedelta(days=i % 1200)
        c = 21 + i % 3
        f = lambda k, d=d: (d + timedelta(days=k)).isoformat()  # noqa: E731
        w.writerow([f"H-{i}", f"基准{c}县信访局", f(0), f"历史事项 {i}", "物业乱收费，要求退还",
                    f"9901{c}", "申诉求决类", "6", f"信访人{i}", f(2), f"基准{c}县住房和城乡建设局",
                    f(5), f(40), "支持", f(42), f(80), "满意", f(45)])  # fmt: skip
    return out.getvalue().encode()


def _directory() -> None:
    from xinfang.directory.models import Level, OrganKind, Region
    from xinfang.directory.services import organ_create

    prov = Region.objects.create(code="990000", name="基准省", level=Level.PROVINCE)
    city = Region.objects.create(code="990100", name="基准市", level=Level.CITY, parent=prov)
    gov = organ_create(name="基准市人民政府", kind=OrganKind.COMPETENT, level=Level.CITY,
                       region=city)  # fmt: skip
    for c in (21, 22, 23):
        r = Region.objects.create(code=f"9901{c}", name=f"基准{c}县", level=Level.COUNTY,
                                  parent=city)  # fmt: skip
        county = organ_create(name=f"基准{c}县人民政府", kind=OrganKind.COMPETENT,
                              level=Level.COUNTY, region=r, parent=gov)  # fmt: skip
        organ_create(name=f"基准{c}县信访局", kind=OrganKind.PETITION_OFFICE,
                     level=Level.COUNTY, region=r, parent=county)  # fmt: skip
        organ_create(name=f"基准{c}县住房和城乡建设局", kind=OrganKind.COMPETENT,
                     level=Level.COUNTY, region=r, parent=county)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--skip-dry-run", action="store_true")
    ap.add_argument("--single", type=int, default=0, help="rows through the single path too")
    ap.add_argument("--pg-db", default="imports_bench")
    args = ap.parse_args()
    register_bench.PG_DB = args.pg_db
    _setup(args.db)
    from xinfang.imports.services import import_rows, import_source_get, mapping_for
    from xinfang.imports.tabular import read_table

    _directory()
    t0 = time.perf_counter()
    table = read_table(_rows(args.n), name="bench.csv")
    read_s = time.perf_counter() - t0
    source = import_source_get(name="bench")
    mapping = mapping_for(source, table.header)
    result: dict[str, object] = {"db": args.db, "rows": args.n, "read_s": round(read_s, 2),
                                 "load_before": [round(x, 2) for x in os.getloadavg()],
                                 "cpus": os.cpu_count()}  # fmt: skip
    if not args.skip_dry_run:
        t0 = time.perf_counter()
        dry = import_rows(source=source, table=table, mapping=mapping, actor=None, dry_run=True,
                          today=date(2026, 12, 1))  # fmt: skip
        result["dry_run_s"] = round(time.perf_counter() - t0, 1)
        result["dry_bad"] = len(dry.report.problems)
    t0 = time.perf_counter()
    out = import_rows(source=source, table=table, mapping=mapping, actor=None, dry_run=False,
                      today=date(2026, 12, 1))  # fmt: skip
    secs = time.perf_counter() - t0
    result |= {"commit_s": round(secs, 1), "committed": out.committed, "imported": out.imported,
               "bad": len(out.report.problems), "rows_per_s": round(args.n / secs, 1),
               "when": time.strftime("%Y-%m-%d %H:%M"),
               "load_after_commit": [round(x, 2) for x in os.getloadavg()]}  # fmt: skip
    from xinfang.audit.verify import audit_verify

    t0 = time.perf_counter()
    rep = audit_verify()
    result |= {"verify_s": round(time.perf_counter() - t0, 1), "verify_ok": rep.ok,
               "verify_problems": rep.problems[:5]}  # fmt: skip
    if args.single:
        result["single"] = _single(args.single)
        result["load_after_single"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, ensure_ascii=False))
    res = (
        Path(__file__).resolve().parent
        / "results"
        / f"imports-{args.db}-{args.n}-{time.strftime('%Y%m%d-%H%M')}.json"
    )
    res.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    if args.db == "postgres":
        _drop_pg()
    if os.environ.get("XINFANG_DATA_DIR", "").startswith("/tmp/xinfang-bench-"):
        import shutil

        shutil.rmtree(os.environ["XINFANG_DATA_DIR"], ignore_errors=True)


def _single(n: int) -> dict[str, object]:
    """``n`` rows of the same shape through the single path, one transaction per row."""
    from xinfang.core.errors import ApplicationError
    from xinfang.directory.models import Organ
    from xinfang.imports.plan import FIELDS, plan_row
    from xinfang.imports.services import _past_item, organ_resolver
    from xinfang.imports.tabular import ColumnMap, read_table
    from xinfang.petitions.services import petition_register_past

    table = read_table(_rows(n), name="single.csv")  # the first n rows again, another source
    cmap = ColumnMap.guess(table.header, FIELDS)
    of = organ_resolver(within=None)
    items = []
    for r in table.rows:
        plan = plan_row(cmap.apply(table.header, r), organ_of=of, today=date(2026, 12, 1))
        items.append(_past_item(plan, Organ.objects.get(pk=plan.organ_id)))
    refused = 0
    t0 = time.perf_counter()
    for it in items:
        try:
            petition_register_past(data=it.data, organ=it.organ, registered_at=it.registered_at,
                                   steps=it.steps, source="single", source_ref=it.source_ref,
                                   actor=None)  # fmt: skip
        except ApplicationError:
            refused += 1  # the law refuses it here as in the bulk path (bad rows there)
    secs = time.perf_counter() - t0
    return {"rows": n, "refused": refused, "s": round(secs, 1), "rows_per_s": round(n / secs, 1),
            "note": "registration and steps only (no evaluation row)"}  # fmt: skip


if __name__ == "__main__":
    main()
