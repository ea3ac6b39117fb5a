"""Registrations over HTTP against the production server (issue 14): 1, 4, 16 and 32 clients.

    python bench/register_http_bench.py --db postgres --seconds 20            # the recorded runs
    python bench/register_http_bench.py --seconds 10 --clients 1,4            # SQLite, short
    python bench/register_http_bench.py --db postgres --web-workers 3 --web-threads 4

Makes a fresh installation like ``load_bench.py`` (data folder in /tmp; on PostgreSQL it drops
and creates ``--pg-name``), seeds a small demo province, starts ``xinfang serve`` (gunicorn) and
``xinfang worker`` on 127.0.0.1:``--port``, logs in once and then, for each client count in
turn, runs that many client threads (one keep-alive connection each) that register letters
without pause for ``--seconds``: the same body as ``locustfile.py`` (one party, a ~30 KB page
in Base64). Every answer is checked (201 with a tracking code, else counted as an error with
its status). On PostgreSQL a sampler reads ``pg_stat_activity`` every 50 ms and counts what the
server's sessions were waiting for, so a lock every writer queues on shows up by name.

The raw figures go to ``bench/results/register-http-<db>-<time>.json`` (each step: /s, p50,
p95, p99, errors by status, waits; the load average before and after). The client threads run
on the same 2 cores as the server, the worker and the database: the figures are a floor.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_bench import ROOT, _env, _wait_live, _xinfang
from proc_cpu import CpuMeter, by_pgid, pg_backends

_PAGE = base64.b64encode(b"%PDF-1.4\n" + b"0" * 30_000).decode()  # a scanned page, ~30 KB


def _body(n: int, region: str) -> str:
    return json.dumps(
        {
            "channel": "letter",
            "title": f"小区排水管道堵塞请求疏通（压测 {n}）",
            "content": "本小区排水管道长期堵塞，雨天污水倒灌进楼道，多次反映未解决，请求尽快疏通。",
            "region_code": region,
            "category": "appeal",
            "route": 6,
            "parties": [{"role": "petitioner", "name": "压测来信人", "phone": "13900000000"}],
            "attachments": [{"name": "scan.pdf", "content_base64": _PAGE}],
        }
    )


def _login(port: int, user: str, password: str) -> str:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    body = json.dumps({"username": user, "password": password, "name": "bench"})
    c.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit(f"login failed: {r.status} {data[:200]!r}")
    return json.loads(data)["token"]


def _client(port, token, region, stop, counter, out, lock) -> None:  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    mine: list[tuple[float, int]] = []
    while not stop.is_set():
        with lock:
            n = next(counter)
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/petitions", _body(n, region), headers)
            r = conn.getresponse()
            data = r.read()
            status = r.status
            if status == 201 and b"tracking_code" not in data:
                status = -201  # 201 without a tracking code: counted as an error
        except (OSError, http.client.HTTPException):
            status = 0
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine.append((time.perf_counter() - t0, status))
    conn.close()
    with lock:
        out.extend(mine)


def _sample_waits(  # type: ignore[no-untyped-def]
    dbname: str, stop: threading.Event, waits: Counter, mine: set, cpu: list
) -> None:
    import psycopg

    t0 = time.thread_time()
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{dbname}", autocommit=True) as c:
        mine.add(c.execute("SELECT pg_backend_pid()").fetchone()[0])  # not the server's work
        while not stop.is_set():
            for ev_type, ev, state, query in c.execute(
                "SELECT wait_event_type, wait_event, state, left(query, 70) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                (dbname,),
            ):
                if state == "active" and ev_type == "Lock":
                    waits[f"{ev_type}:{ev} in {query}"] += 1
                elif state == "active":
                    waits[f"{ev_type}:{ev}" if ev_type else "on CPU"] += 1
                elif state == "idle in transaction":
                    waits["idle in transaction (the app is working)"] += 1
            time.sleep(0.05)
    cpu.append(time.thread_time() - t0)


def _step(clients: int, args: argparse.Namespace, token: str, pgids: dict[str, int]) -> dict:
    stop, lock = threading.Event(), threading.Lock()
    counter = iter(range(10**9))
    out: list[tuple[float, int]] = []
    waits: Counter = Counter()
    threads = [
        threading.Thread(
            target=_client, args=(args.port, token, args.region, stop, counter, out, lock)
        )
        for _ in range(clients)
    ]
    sampler = None
    sampler_backend: set[int] = set()
    sampler_cpu: list[float] = []
    groups = {name: by_pgid(pgid) for name, pgid in pgids.items()}
    if args.db == "postgres":
        groups["postgres"] = pg_backends(args.pg_name, lambda: sampler_backend)
        sampler = threading.Thread(
            target=_sample_waits, args=(args.pg_name, stop, waits, sampler_backend, sampler_cpu)
        )
        sampler.start()
    meter = CpuMeter(groups)
    meter.start()
    self0 = os.times()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    self1 = os.times()
    if sampler:
        sampler.join()
    cpu = meter.stop()
    # the client threads: this process's CPU less the two samplers' threads
    cpu["client"] = (self1.user + self1.system - self0.user - self0.system
                     - meter.meter_seconds - sum(sampler_cpu))  # fmt: skip
    ok = sorted(s for s, st in out if st == 201)
    q = statistics.quantiles(ok, n=100) if len(ok) >= 2 else [float("nan")] * 99
    return {
        "clients": clients,
        "seconds": round(wall, 1),
        "registered": len(ok),
        "per_second": round(len(ok) / wall, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p95_ms": round(q[94] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "errors": sum(1 for _s, st in out if st != 201),
        "errors_by_status": dict(Counter(str(st) for _s, st in out if st != 201)),
        "pg_waits": dict(waits.most_common(8)),
        # CPU time (ms) per registration of each part, from /proc: what load does not distort
        "cpu_ms_per_registration": {
            k: round(v * 1000 / max(1, len(ok)), 2)
            for k, v in {**cpu, "total": sum(cpu.values())}.items()
        },
        "cpu_seconds": {k: round(v, 2) for k, v in cpu.items()},
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--pg-name", default="xinfang_register_http")
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--clients", default="1,4,16,32")
    p.add_argument("--petitions", type=int, default=50)
    p.add_argument("--port", type=int, default=8131)
    p.add_argument("--web-workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    p.add_argument("--web-threads", type=int, default=4)
    p.add_argument("--user", default="county_clerk")
    p.add_argument("--password", default="xinfang-demo-2026")
    p.add_argument("--region", default="990102")
    p.add_argument("--access-log", action="store_true",
                   help="the access log on, as in production (default off, as recorded before)")  # fmt: skip
    p.add_argument("--note", default="", help="what else ran on the machine (recorded)")
    args = p.parse_args()

    data = Path(tempfile.mkdtemp(prefix="xinfang-reghttp-"))
    if args.db == "postgres":
        for sql in (f'DROP DATABASE IF EXISTS "{args.pg_name}" WITH (FORCE)',
                    f'CREATE DATABASE "{args.pg_name}"'):  # fmt: skip
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    env = _env(data, args)
    if args.access_log:
        env["XINFANG_ACCESS_LOG"] = "1"
    _xinfang(env, "migrate")
    _xinfang(env, "manage", "seed_demo", "--petitions", str(args.petitions),
             "--password", args.password)  # fmt: skip
    procs = [
        subprocess.Popen([sys.executable, "-m", "xinfang.cli", "serve", "--port", str(args.port)],
                         env=env, cwd=ROOT, start_new_session=True),
        subprocess.Popen([sys.executable, "-m", "xinfang.cli", "worker"], env=env, cwd=ROOT,
                         start_new_session=True),
    ]  # fmt: skip
    load_before = [round(x, 2) for x in os.getloadavg()]
    steps = []
    try:
        _wait_live(args.port)
        token = _login(args.port, args.user, args.password)
        pgids = {"server": procs[0].pid, "worker": procs[1].pid}
        for clients in [int(c) for c in args.clients.split(",")]:
            steps.append(_step(clients, args, token, pgids))
            print(json.dumps(steps[-1], ensure_ascii=False), flush=True)
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    result = {
        "db": args.db,
        "at": datetime.now().isoformat(timespec="seconds"),
        "commit": commit,
        "seconds_per_step": args.seconds,
        "web_workers": args.web_workers,
        "web_threads": args.web_threads,
        "access_log": args.access_log,
        "cpus": os.cpu_count(),
        "loadavg_before": load_before,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "note": args.note,
        "steps": steps,
    }
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    path = results / f"register-http-{args.db}-{datetime.now():%Y%m%d-%H%M}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"\n{path}\n")
    print("| clients | registrations/s | p50 ms | p95 ms | errors | CPU ms/registration "
          "(server + worker + PostgreSQL + client) | load avg after |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for s in steps:
        c = s["cpu_ms_per_registration"]
        parts = " + ".join(f"{c.get(k, 0):.2f}" for k in ("server", "worker", "postgres", "client"))
        print(f"| {s['clients']} | {s['per_second']} | {s['p50_ms']:.0f} | {s['p95_ms']:.0f} | "
              f"{s['errors']} | {c['total']:.2f} = {parts} | {s['loadavg_after'][0]} |")  # fmt: skip


if __name__ == "__main__":
    main()
