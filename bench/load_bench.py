"""The load test of issue 13: the production setup on loopback under 1, 8 and 32 clients.

    pip install -e '.[bench]'
    python bench/load_bench.py                          # SQLite, 5 minutes per step
    python bench/load_bench.py --db postgres            # drops/creates xinfang_load on 127.0.0.1
    python bench/load_bench.py --seconds 30 --users 1,8 # a short run

It makes a fresh installation (data folder in /tmp), migrates, seeds the demo province
(``--petitions``, default 3,000), starts ``xinfang serve`` (gunicorn, ``--web-workers``) and
``xinfang worker`` on 127.0.0.1:``--port``, then runs ``bench/locustfile.py`` headless for each
client count in turn and records registrations/s, worklist reads/s, p50/p95/p99 and failures
of each step into ``bench/results/load-<db>-<time>.json`` (the raw locust figures) and prints
a table for bench/README.md. Locust runs on the same 2 cores as the server: the figures are a
floor.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(data: Path, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))}
    env.update(
        XINFANG_DATA_DIR=str(data),
        XINFANG_ACCESS_LOG="0",
        XINFANG_LOG_LEVEL="ERROR",
        XINFANG_WEB_WORKERS=str(args.web_workers),
        XINFANG_WEB_THREADS=str(args.web_threads),
        PYTHONPATH=str(ROOT),
    )
    if args.db == "postgres":
        env["XINFANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{args.pg_name}"
    return env


def _xinfang(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "xinfang.cli", *args], env=env, cwd=ROOT, check=True)


def _wait_live(port: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/live", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not come up")


def _step(users: int, args: argparse.Namespace, out: Path) -> dict:
    prefix = out / f"u{users}"
    cmd = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "-u", str(users), "-r", str(users), "-t", f"{args.seconds}s",
        "--host", f"http://127.0.0.1:{args.port}", "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=False)
    rows = {
        r["Name"]: r for r in csv.DictReader((prefix.with_name(prefix.name + "_stats.csv")).open())
    }

    def fig(name: str) -> dict:
        r = rows.get(name, {})
        f = lambda k: float(r.get(k) or 0)  # noqa: E731
        return {
            "requests": int(f("Request Count")),
            "failures": int(f("Failure Count")),
            "per_second": round(f("Requests/s"), 1),
            "p50_ms": f("50%"),
            "p95_ms": f("95%"),
            "p99_ms": f("99%"),
        }

    return {"users": users, "register": fig("register"), "worklist": fig("worklist")}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg-name", default="xinfang_load")
    p.add_argument("--seconds", type=int, default=300)
    p.add_argument("--users", default="1,8,32")
    p.add_argument("--petitions", type=int, default=3000)
    p.add_argument("--port", type=int, default=8390)
    p.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    p.add_argument("--web-threads", type=int, default=4)
    args = p.parse_args()

    data = Path(tempfile.mkdtemp(prefix="xinfang-load-"))
    if args.db == "postgres":
        for sql in (f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)',
                    f'CREATE DATABASE "{args.pg_name}"'):  # fmt: skip
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    env = _env(data, args)
    _xinfang(env, "migrate")
    _xinfang(env, "manage", "seed_demo", "--petitions", str(args.petitions))
    procs = [
        subprocess.Popen([sys.executable, "-m", "xinfang.cli", "serve", "--port", str(args.port)],
                         env=env, cwd=ROOT, start_new_session=True),
        subprocess.Popen([sys.executable, "-m", "xinfang.cli", "worker"], env=env, cwd=ROOT,
                         start_new_session=True),
    ]  # fmt: skip
    steps = []
    load_before = [round(x, 2) for x in os.getloadavg()]
    try:
        _wait_live(args.port)
        out = data / "locust"
        out.mkdir()
        for users in [int(u) for u in args.users.split(",")]:
            steps.append(_step(users, args, out))
            print(json.dumps(steps[-1]), flush=True)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
    load = os.getloadavg()
    result = {
        "db": args.db,
        "at": datetime.now().isoformat(timespec="seconds"),
        "seconds_per_step": args.seconds,
        "petitions_seeded": args.petitions,
        "web_workers": args.web_workers,
        "web_threads": args.web_threads,
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": [round(x, 2) for x in load],
        "steps": steps,
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"load-{args.db}-{datetime.now():%Y%m%d-%H%M}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\n{path}\n")
    print("| clients | registrations/s | p95 ms | worklist reads/s | p95 ms | failures |")
    print("|---|---|---|---|---|---|")
    for s in steps:
        r, w = s["register"], s["worklist"]
        print(f"| {s['users']} | {r['per_second']} | {r['p95_ms']:.0f} | {w['per_second']} | "
              f"{w['p95_ms']:.0f} | {r['failures'] + w['failures']} |")  # fmt: skip


if __name__ == "__main__":
    main()
