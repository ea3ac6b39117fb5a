"""What a database takes on a compressed btrfs volume, and what reading it costs (ADR 0028).

Run as root on a volume made by ``bench/compressed_cluster.py`` (btrfs-compsize installed):

    # bytes on disk against bytes written, per table, of a database of a running cluster
    python bench/compress_bench.py ratio --port 5451 --db disk_s20k --label seeded
    # the same files written again under each compression (the cluster stopped): as loaded,
    # then every 8 KB page rewritten alone (what page-by-page writes of PostgreSQL converge to)
    python bench/compress_bench.py copies --pgdata /mnt/disk/pg --oid 16384 \\
        --algs none,lzo,zstd:1,zstd:3 --pagewise
    # cold-cache page reads (caches dropped and PostgreSQL restarted before each first call)
    python bench/compress_bench.py cold --port 5451 --pgdata /mnt/disk/pg --db disk_s100k
    python bench/compress_bench.py seqread --dir /mnt/disk/pg/base/16384

``ratio``: ``CHECKPOINT``, ``sync``, then ``compsize -b`` of the database's directory
(``base/OID``) and of the files of its largest relations (``pg_relation_filepath``, every
segment and fork): disk usage, uncompressed and referenced bytes. *Disk* counts whole extents
on disk, *referenced* the bytes the files map: after rewrites a compressed extent stays on disk
as long as one page of it is still referenced, so disk can exceed what the data needs.
``copies``: for each algorithm the volume is remounted with it (``compress-force=ALG``; btrfs
compresses at write time) and ``base/OID`` copied (``cp --reflink=never``) into
``MOUNT/copies/ALG`` (``--scratch MOUNT``: another btrfs volume, so that what the running
cluster writes meanwhile keeps its own compression); ``--pagewise`` then rewrites every even 8 KB page of each file in
place, syncs, every odd page, syncs: each page ends in an extent of its own, compressed alone.
The volume is remounted as it was at the end. ``seqread``: the files read cold
(``echo 3 > /proc/sys/vm/drop_caches``), MB/s. ``cold``: the heavy pages of
``history_bench.py`` (worklist, the longest petition page, statistics, search) timed on their
first call after ``pg_ctl restart`` and dropping the kernel's caches, then warm.
The JSON of each run goes to bench/results/compress-*.json.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = 8192
_TOTAL = re.compile(r"^(TOTAL|none|zstd|lzo|zlib)\s+(\d+)%\s+(\d+)\s+(\d+)\s+(\d+)", re.M)
_EXTENTS = re.compile(r"Processed (\d+) files?, (\d+) regular extents \((\d+) refs\), (\d+) inline")


def compsize(paths: list[str]) -> dict[str, Any]:
    """``compsize -b`` of the paths: {total: {disk, uncompressed, referenced}, by type, extents}."""
    if not paths:
        return {}
    r = subprocess.run(["compsize", "-b", *paths], capture_output=True, text=True)
    out: dict[str, Any] = {}
    for kind, _pct, disk, unc, ref in _TOTAL.findall(r.stdout):
        out[kind.lower()] = {"disk": int(disk), "uncompressed": int(unc), "referenced": int(ref)}
    m = _EXTENTS.search(r.stdout)
    if m:
        out["files"], out["extents"], out["refs"], out["inline"] = map(int, m.groups())
    if "total" in out and out["total"]["referenced"]:
        out["disk_over_referenced"] = round(out["total"]["disk"] / out["total"]["referenced"], 4)
    return out


def _mount_of(path: Path) -> tuple[str, str]:
    """(mount point, options) of the filesystem holding ``path``."""
    best = ("", "")
    p = str(path.resolve())
    for line in Path("/proc/mounts").read_text().splitlines():
        _dev, mnt, _fs, opts, *_ = line.split()
        if (p == mnt or p.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best[0]):
            best = (mnt, opts)
    return best


def _forks(pgdata: Path, rel: str) -> list[str]:
    base = str(pgdata / rel)
    return [base, *glob.glob(base + ".[0-9]*"), *glob.glob(base + "_fsm"), *glob.glob(base + "_vm")]


def _conn(port: int, db: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname={db}", autocommit=True)


def cmd_ratio(args: argparse.Namespace) -> dict[str, Any]:
    with _conn(args.port, args.db) as c:
        pgdata = Path(c.execute("SHOW data_directory").fetchone()[0])
        oid = c.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]  # fmt: skip
        petitions = c.execute("SELECT count(*) FROM petitions_petition").fetchone()[0]
        if args.vacuum:
            c.execute("VACUUM (ANALYZE)")
        c.execute("CHECKPOINT")
        rels = c.execute(
            """SELECT c.relname, c.relkind, pg_relation_filepath(c.oid),
                      pg_relation_size(c.oid) FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                 AND c.relkind IN ('r', 'i', 't') AND pg_relation_filepath(c.oid) IS NOT NULL
               ORDER BY 4 DESC LIMIT %s""",
            (args.top,),
        ).fetchall()
        db_size = c.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    _sync(pgdata)
    mnt, opts = _mount_of(pgdata)
    whole = compsize([str(pgdata / "base" / str(oid))])
    per = {}
    for name, kind, path, size in rels:
        per[name] = {"kind": kind, "pg_relation_size": size, **compsize(_forks(pgdata, path))}
    t = whole.get("total", {})
    n = petitions or 1
    res = {
        "petitions": petitions,
        "pg_database_size": db_size,
        "mount": mnt,
        "mount_options": opts,
        "database_dir": whole,
        "disk_bytes_per_petition": round(t.get("disk", 0) / n),
        "referenced_bytes_per_petition": round(t.get("referenced", 0) / n),
        "at_1e7_gb": round(t.get("disk", 0) * 1e7 / n / 1e9, 1),
        "relations": per,
    }
    print(f"{args.db}: {petitions:,} petitions on {mnt} ({opts})")
    print(f"  base/{oid}: disk {t.get('disk', 0) / 2**20:,.1f} MB of {t.get('referenced', 0) / 2**20:,.1f} MB "
          f"referenced ({t.get('disk', 0) / max(t.get('referenced', 1), 1):.1%}); "
          f"{res['disk_bytes_per_petition']:,} B a petition on disk -> {res['at_1e7_gb']} GB at 10^7; "
          f"{whole.get('extents', 0):,} extents")  # fmt: skip
    for name, v in per.items():
        tt = v.get("total", {})
        print(f"    {name:44} {tt.get('referenced', 0) / 2**20:9.1f} MB -> {tt.get('disk', 0) / 2**20:8.1f} MB "
              f"({tt.get('disk', 0) / max(tt.get('referenced', 1), 1):6.1%}) {v.get('extents', 0):8,} extents")  # fmt: skip
    return res


def _rewrite(files: list[str], parity: int, group: int = 1) -> int:
    """Write again, in place (same bytes), the runs of ``group`` pages numbered ``parity``,
    ``parity + 2``, … of each file: with a sync between the two parities every run of
    ``group`` pages ends in an extent of its own (a ZFS record of ``group`` × 8 KB)."""
    n = 0
    run = PAGE * group
    for f in files:
        size = os.path.getsize(f)
        with open(f, "r+b", buffering=0) as fh:
            for i in range(parity, -(-size // run), 2):
                fh.seek(i * run)
                data = fh.read(run)
                fh.seek(i * run)
                fh.write(data)
                n += 1
    return n


def _remount(mnt: str, alg: str) -> None:
    opt = "compress=no" if alg == "none" else f"compress-force={alg}"
    subprocess.run(["mount", "-o", f"remount,{opt}", mnt], check=True)


def cmd_copies(args: argparse.Namespace) -> dict[str, Any]:
    pgdata = Path(args.pgdata)
    src = pgdata / "base" / str(args.oid)
    mnt, opts = _mount_of(Path(args.scratch) if args.scratch else pgdata)
    before = next((o for o in opts.split(",") if o.startswith(("compress-force=", "compress="))), "compress=no")  # fmt: skip
    res: dict[str, Any] = {
        "source": str(src),
        "mount": mnt,
        "mount_options_before": opts,
        "algs": {},
    }
    try:
        for alg in args.algs.split(","):
            _remount(mnt, alg)
            dst = Path(mnt) / "copies" / alg.replace(":", "")
            if dst.exists():
                shutil.rmtree(dst)
            dst.parent.mkdir(exist_ok=True)
            t0 = time.monotonic()
            cp = subprocess.run(
                ["cp", "-a", "--reflink=never", str(src), str(dst)], capture_output=True, text=True
            )
            _sync(dst)
            r: dict[str, Any] = {
                "copy_s": round(time.monotonic() - t0, 1),
                "loaded": compsize([str(dst)]),
            }
            if cp.returncode:  # a file the running server removed meanwhile: said, not fatal
                r["cp_errors"] = cp.stderr[-2000:]
            files = sorted(str(p) for p in dst.iterdir() if p.is_file())
            for g in (
                [int(x) for x in args.groups.split(",") if x]
                if alg in args.group_algs.split(",")
                else []
            ):
                _rewrite(files, 0, g)
                _sync(dst)
                _rewrite(files, 1, g)
                _sync(dst)
                r[f"runs_of_{g}_pages"] = compsize([str(dst)])
                print(
                    f"{alg:8} runs of {g:2} pages ({g * 8:3} KB) {_fmt(r[f'runs_of_{g}_pages'])}",
                    flush=True,
                )
            if args.pagewise:
                t0 = time.monotonic()
                _rewrite(files, 0)
                _sync(dst)
                r["half"] = compsize([str(dst)])
                _rewrite(files, 1)
                _sync(dst)
                r["pagewise_s"] = round(time.monotonic() - t0, 1)
                r["pagewise"] = compsize([str(dst)])
                if args.defrag and alg != "none":
                    t0 = time.monotonic()
                    subprocess.run(["btrfs", "filesystem", "defragment", "-r", "-c" + alg.split(":")[0], str(dst)], check=True)  # fmt: skip
                    _sync(dst)
                    r["defrag_s"] = round(time.monotonic() - t0, 1)
                    r["defragmented"] = compsize([str(dst)])
            res["algs"][alg] = r
            line = f"{alg:8} loaded {_fmt(r['loaded'])}"
            for k in ("pagewise", "defragmented"):
                if k in r:
                    line += f" | {k} {_fmt(r[k])}"
            print(line, flush=True)
            if not args.keep:
                shutil.rmtree(dst)
    finally:
        _remount(mnt, before.split("=", 1)[1] if before != "compress=no" else "none")
    return res


def _fmt(c: dict[str, Any]) -> str:
    t = c.get("total", {})
    return (f"{t.get('disk', 0) / 2**20:8.1f} MB of {t.get('referenced', 0) / 2**20:8.1f} "
            f"({t.get('disk', 0) / max(t.get('referenced', 1), 1):6.1%}, {c.get('extents', 0):,} extents)")  # fmt: skip


def _sync(path: str | Path) -> None:
    """Write back what is dirty on the filesystem of ``path`` only (``syncfs``): a global
    ``sync`` also waits for every other volume of a shared machine."""
    subprocess.run(["sync", "-f", str(path)], check=True)


def _drop_caches(path: str | Path = "/") -> None:
    _sync(path)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def cmd_seqread(args: argparse.Namespace) -> dict[str, Any]:
    out = {}
    for d in args.dir:
        files = [str(p) for p in Path(d).rglob("*") if p.is_file()]
        size = sum(os.path.getsize(f) for f in files)
        runs = []
        for _ in range(args.runs):
            _drop_caches(d)
            t0, c0 = time.monotonic(), os.times()
            for f in files:
                with open(f, "rb", buffering=0) as fh:
                    while fh.read(1 << 20):
                        pass
            c1 = os.times()
            runs.append({"s": round(time.monotonic() - t0, 2), "sys_s": round(c1.system - c0.system, 2)})  # fmt: skip
        best = min(r["s"] for r in runs)
        out[d] = {
            "bytes": size,
            "runs": runs,
            "mb_s_best": round(size / 2**20 / best, 1),
            **compsize([d]),
        }
        print(
            f"{d}: {size / 2**20:,.0f} MB, cold reads {[r['s'] for r in runs]} s -> {out[d]['mb_s_best']} MB/s"
        )
    return out


def _restart(pgdata: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", "pg_ctl", "restart", "-w", "-m", "fast",
                    "-D", pgdata, "-l", str(Path(pgdata).parent / "log" / "postgresql.log")],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def cmd_cold(args: argparse.Namespace) -> dict[str, Any]:
    os.environ["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:{args.port}/{args.db}"
    sys.path.insert(0, str(ROOT / "bench"))
    import history_bench as hb  # the same pages and users as history_bench

    hb._setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from xinfang.directory.models import User
    from xinfang.petitions.models import Petition, PetitionEvent

    top = (Petition.objects.filter(is_open=True).values("current_organ_id")
           .annotate(n=Count("id")).order_by("-n").first())  # fmt: skip
    holder = hb._user_of(top["current_organ_id"])
    pid = PetitionEvent.objects.order_by("-seq").values_list("petition_id", flat=True).first()
    long_user = hb._user_of(Petition.objects.get(pk=pid).current_organ_id)
    analyst = User.objects.get(username="province_analyst")
    clerk = User.objects.get(username="province_clerk")
    pages = [
        ("worklist, first page", holder, "get", "/worklist/", None),
        ("petition page (longest history)", long_user, "get", f"/petitions/{pid}/", None),
        ("statistics (all)", analyst, "get", "/analytics/", None),
        ("search: 物业", clerk, "post", "/search/", {"q": "物业"}),
        ("search: 噪音扰民", clerk, "post", "/search/", {"q": "噪音扰民"}),
    ]
    out: dict[str, Any] = {}
    for label, user, method, url, data in pages:
        colds, warms, reads = [], [], []
        for _ in range(args.runs):
            connection.close()
            _restart(args.pgdata)
            _drop_caches(args.pgdata)
            c = Client()
            c.force_login(user)  # the session row: read before the page (also cold)
            fn = getattr(c, method)
            with connection.cursor() as cur:
                cur.execute("SELECT 1")
            t0 = time.perf_counter()
            r = fn(url, data) if data is not None else fn(url)
            colds.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (url, r.status_code)
            with connection.cursor() as cur:
                cur.execute("SELECT sum(blks_read) FROM pg_stat_database WHERE datname = current_database()")  # fmt: skip
                reads.append(int(cur.fetchone()[0] or 0))
            t0 = time.perf_counter()
            r = fn(url, data) if data is not None else fn(url)
            warms.append((time.perf_counter() - t0) * 1000)
        out[label] = {
            "cold_ms": [round(x, 1) for x in colds],
            "warm_ms": [round(x, 1) for x in warms],
            "blocks_read_after_restart": reads,
        }
        print(f"  {label:34} cold {sorted(round(x) for x in colds)} ms, warm {sorted(round(x) for x in warms)} ms, "
              f"blocks read {reads}", flush=True)  # fmt: skip
    return {"db": args.db, "port": args.port, "pgdata": args.pgdata,
            "mount_options": _mount_of(Path(args.pgdata))[1], "pages": out}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("ratio")
    r.add_argument("--port", type=int, default=5451)
    r.add_argument("--db", required=True)
    r.add_argument("--top", type=int, default=16)
    r.add_argument("--vacuum", action="store_true")
    c = sub.add_parser("copies")
    c.add_argument("--pgdata", required=True)
    c.add_argument("--oid", type=int, required=True)
    c.add_argument("--algs", default="none,lzo,zstd:1,zstd:3")
    c.add_argument("--pagewise", action="store_true")
    c.add_argument("--groups", default="", help="e.g. 16,4,2: rewrite in runs of N pages first")
    c.add_argument("--group-algs", default="zstd:1", help="the algorithms --groups applies to")
    c.add_argument("--defrag", action="store_true", help="after --pagewise: btrfs defragment -c")
    c.add_argument("--keep", action="store_true")
    c.add_argument(
        "--scratch",
        default="",
        help="a btrfs mount of its own for the copies "
        "(remounted, not the cluster's: its writes keep their compression)",
    )
    s = sub.add_parser("seqread")
    s.add_argument("--dir", action="append", required=True)
    s.add_argument("--runs", type=int, default=3)
    k = sub.add_parser("cold")
    k.add_argument("--port", type=int, default=5451)
    k.add_argument("--db", required=True)
    k.add_argument("--pgdata", required=True)
    k.add_argument("--runs", type=int, default=3)
    for p in (r, c, s, k):
        p.add_argument("--label", default="")
        p.add_argument("--out", default="")
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root (compsize, drop_caches, remount)")
    load0 = os.getloadavg()
    t0 = time.monotonic()
    res = {"ratio": cmd_ratio, "copies": cmd_copies, "seqread": cmd_seqread, "cold": cmd_cold}[args.cmd](args)  # fmt: skip
    out = {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "command": " ".join(sys.argv),
        "label": args.label,
        "host": platform.node(),
        "kernel": platform.release(),
        "load_average_before": load0,
        "load_average_after": os.getloadavg(),
        "seconds": round(time.monotonic() - t0, 1),
        **res,
    }
    path = Path(args.out or ROOT / "bench" / "results" / f"compress-{args.cmd}-{datetime.now(UTC):%Y%m%d-%H%M}{'-' + args.label if args.label else ''}.json")  # fmt: skip
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(f"# wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
