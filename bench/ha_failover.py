"""Losing the primary (issue 15, ADR 0015): etcd and three Patroni-managed PostgreSQL nodes on
loopback with synchronous replication, the production server in front, registrations from
several clients, SIGKILL of the primary's whole node, and a check that every acknowledged
petition is on the new primary.

    python bench/ha_failover.py                       # the recorded run (needs root: postgres runs as user postgres)
    python bench/ha_failover.py --clients 8 --after 30 --keep   # keep /tmp/ha-fo for a look

Ports 6400–6439 on 127.0.0.1: etcd 6400 (client) and 6401 (peer), PostgreSQL 6411–6413,
Patroni's REST API 6421–6423, the app 6430. Data under /tmp/ha-fo (removed at the start).

What happens:

1. etcd, then three Patroni nodes (``synchronous_mode: true``, ttl 10 s, loop_wait 2 s,
   retry_timeout 4 s: the settings of deploy/patroni/patroni.yml with shorter timers); wait for
   a leader and a synchronous standby streaming.
2. ``xinfang migrate`` and ``seed_demo`` through the multi-host URL
   ``postgresql://…@127.0.0.1:6411,127.0.0.1:6412,127.0.0.1:6413/xinfang?target_session_attrs=read-write``
   (the app's own configuration, config/env.py), then ``xinfang serve`` (gunicorn) on 6430.
3. ``--clients`` threads register letters through ``POST /api/v1/petitions`` (a clerk's token)
   without pause; a 201 with a tracking code is an acknowledged petition.
4. After ``--before`` seconds the leader's Patroni and PostgreSQL are killed with SIGKILL (the
   server is lost, not just its PostgreSQL: Patroni would otherwise restart it in place).
5. The clients go on until ``--after`` seconds after the kill; then every acknowledged tracking
   code is looked up on the new primary. Missing ones make the run fail (exit status 1).

Options that show the check can fail, and the other way to reach the primary:

* ``--stall S``: for the last ``S`` seconds before the kill the primary's WAL senders are
  stopped (SIGSTOP), as a congested link to the standbys would be: the WAL of those seconds
  never leaves the primary (stopping the standbys' receivers instead would not do: on loopback
  the kernel still delivers what was sent after the primary dies). With
  synchronous replication a registration is acknowledged only once a standby has its WAL, so
  the registrations of those seconds wait and none is acknowledged and then lost.
* ``--plant async``: the planted fault: asynchronous replication (``synchronous_mode: false``)
  and failover to a standby however far behind (``maximum_lag_on_failover`` unlimited). With
  ``--stall 3`` the registrations acknowledged in the stalled seconds are missing on the new
  primary and the run fails (exit status 1): the check can see a lost petition.
* ``--via haproxy``: the app reaches the primary through HAProxy with Patroni's REST checks
  (deploy/haproxy/haproxy.cfg on loopback, port 6431) instead of libpq multi-host: the path a
  site with pgbouncer uses (ADR 0015).

The unavailable time is measured from the kill to the first acknowledgement of a request sent
after it. Results go to ``bench/results/ha-failover-<time>.json``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = Path("/tmp/ha-fo")
ETCD, ETCD_PEER, APP, HAPROXY = 6400, 6401, 6430, 6431
PG = {1: 6411, 2: 6412, 3: 6413}
REST = {1: 6421, 2: 6422, 3: 6423}
PASSWORD = "xinfang-demo-2026"
DB_URL = (
    "postgresql://postgres@"
    + ",".join(f"127.0.0.1:{p}" for p in PG.values())
    + "/xinfang?target_session_attrs=read-write"
)
HAPROXY_URL = f"postgresql://postgres@127.0.0.1:{HAPROXY}/xinfang"
procs: list[subprocess.Popen] = []


def _start(
    cmd: list[str], log: str, *, env: dict | None = None, user: str = ""
) -> subprocess.Popen:
    if user:
        cmd = ["runuser", "-u", user, "--", *cmd]
    out = open(BASE / log, "ab")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
                         start_new_session=True)  # fmt: skip
    procs.append(p)
    return p


def _stop_all() -> None:
    for p in reversed(procs):
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    for p in reversed(procs):
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    # a PostgreSQL whose Patroni was stopped may outlive it: stop it by its own pid file
    for n in PG:
        pidfile = BASE / f"node{n}" / "data" / "postmaster.pid"
        if pidfile.exists():
            try:
                os.kill(int(pidfile.read_text().split()[0]), signal.SIGQUIT)
            except (ProcessLookupError, ValueError):
                pass


def _patroni_config(n: int, plant: str = "") -> dict:
    """The settings of deploy/patroni/patroni.yml on loopback, with shorter timers (with
    ``plant="async"``: the planted fault, asynchronous replication and failover at any lag)."""
    node = BASE / f"node{n}"
    sync = plant != "async"
    return {
        "scope": "xinfang-ha-bench",
        "namespace": "/service/",
        "name": f"node{n}",
        "restapi": {"listen": f"127.0.0.1:{REST[n]}", "connect_address": f"127.0.0.1:{REST[n]}"},
        "etcd3": {"hosts": f"127.0.0.1:{ETCD}"},
        "bootstrap": {
            "dcs": {
                "ttl": 10,
                "loop_wait": 2,
                "retry_timeout": 4,
                "maximum_lag_on_failover": 1048576 if sync else 2**40,
                "synchronous_mode": sync,
                "synchronous_mode_strict": False,
                "postgresql": {
                    "use_pg_rewind": True,
                    "use_slots": True,
                    "parameters": {
                        "synchronous_commit": "on" if sync else "local",
                        "wal_level": "replica",
                        "hot_standby": "on",
                        "wal_log_hints": "on",
                        "max_wal_senders": 10,
                        "max_replication_slots": 10,
                        "max_connections": 100,
                        "hot_standby_feedback": "on",
                        "timezone": "UTC",
                        "shared_buffers": "64MB",
                    },
                },
            },
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            "pg_hba": [
                "local all all trust",
                "host replication postgres 127.0.0.1/32 trust",
                "host all all 127.0.0.1/32 trust",
            ],
        },
        "postgresql": {
            "listen": f"127.0.0.1:{PG[n]}",
            "connect_address": f"127.0.0.1:{PG[n]}",
            "data_dir": str(node / "data"),
            "bin_dir": "/usr/lib/postgresql/15/bin",
            "pgpass": str(node / "pgpass"),
            "authentication": {
                "superuser": {"username": "postgres"},
                "replication": {"username": "postgres"},
            },
            "parameters": {"unix_socket_directories": str(node)},
        },
    }


def _cluster() -> list[dict]:
    for port in REST.values():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/cluster", timeout=2) as r:
                return json.load(r)["members"]
        except OSError:
            continue
    return []


def _wait(what: str, ok, seconds: float) -> float:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds:
        if ok():
            return time.monotonic() - t0
        time.sleep(0.2)
    raise SystemExit(f"timed out waiting for {what}: {json.dumps(_cluster())}")


def _healthy(sync: bool = True) -> bool:
    m = _cluster()
    roles = sorted(x["role"] for x in m if x["state"] in ("running", "streaming"))
    if not sync:
        return roles == ["leader", "replica", "replica"]
    return roles == ["leader", "sync_standby", "replica"] or roles == [
        "leader", "replica", "sync_standby"
    ]  # fmt: skip


def _haproxy_config() -> str:
    """deploy/haproxy/haproxy.cfg's primary port on loopback, checking Patroni's REST API."""
    servers = "\n".join(
        f"    server db{n} 127.0.0.1:{PG[n]} maxconn 100 check port {REST[n]}" for n in PG
    )
    return f"""global
    maxconn 400
defaults
    mode tcp
    timeout connect 4s
    timeout client 30m
    timeout server 30m
    timeout check 2s
listen xinfang_primary
    bind 127.0.0.1:{HAPROXY}
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
{servers}
"""


def _wal_positions(port: int) -> dict:
    """The primary's WAL position and what each standby has received and replayed."""
    import psycopg

    try:
        with psycopg.connect(
            f"postgresql://postgres@127.0.0.1:{port}/postgres", connect_timeout=2
        ) as c:
            lsn = c.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0]
            reps = c.execute(
                "SELECT application_name, state, sent_lsn::text, flush_lsn::text, replay_lsn::text "
                "FROM pg_stat_replication ORDER BY 1"
            ).fetchall()
        return {"primary": lsn, "standbys": [list(r) for r in reps]}
    except psycopg.Error as e:
        return {"error": str(e)[:200]}


def _walsenders() -> list[int]:
    """The primary's WAL sender processes (only this cluster replicates on this machine)."""
    out = subprocess.run(["pgrep", "-f", "postgres: .*walsender"], capture_output=True, text=True)
    return [int(x) for x in out.stdout.split()]


def _signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def _body(n: int) -> str:
    return json.dumps(
        {
            "channel": "letter",
            "title": f"小区路灯损坏请求维修（故障切换 {n}）",
            "content": "小区门口路灯损坏一个多月，夜间出行不便，请求尽快维修。",
            "region_code": "990102",
            "category": "appeal",
            "route": 6,
            "parties": [{"role": "petitioner", "name": "切换来信人", "phone": "13900000000"}],
        }
    )


def _client(token: str, stop: threading.Event, counter, out: list, lock) -> None:  # type: ignore[no-untyped-def]
    conn = http.client.HTTPConnection("127.0.0.1", APP, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    while not stop.is_set():
        with lock:
            n = next(counter)
        t0 = time.monotonic()
        code, status = "", 0
        try:
            conn.request("POST", "/api/v1/petitions", _body(n), headers)
            r = conn.getresponse()
            data = r.read()
            status = r.status
            if status == 201:
                code = f"{json.loads(data)['tracking_code']}#{n}"
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", APP, timeout=60)
        with lock:
            out.append((t0, time.monotonic(), status, code))
        if status != 201:
            time.sleep(0.05)  # a clerk's retry, not a busy loop against a 503
    conn.close()


def _app_env(via: str = "libpq") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))}
    env.update(
        XINFANG_DATA_DIR=str(BASE / "app"),
        XINFANG_DATABASE_URL=HAPROXY_URL if via == "haproxy" else DB_URL,
        XINFANG_DB_CONNECT_TIMEOUT="2",
        XINFANG_ACCESS_LOG="0",
        XINFANG_LOG_LEVEL="ERROR",
        XINFANG_SEARCH_INDEXER="0",
        XINFANG_WEB_WORKERS="2",
        XINFANG_WEB_THREADS="4",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(args: argparse.Namespace) -> dict:
    shutil.rmtree(BASE, ignore_errors=True)
    BASE.mkdir(parents=True)
    _start(["/usr/bin/etcd", "--name", "ha", "--data-dir", str(BASE / "etcd"),
            "--listen-client-urls", f"http://127.0.0.1:{ETCD}",
            "--advertise-client-urls", f"http://127.0.0.1:{ETCD}",
            "--listen-peer-urls", f"http://127.0.0.1:{ETCD_PEER}",
            "--initial-advertise-peer-urls", f"http://127.0.0.1:{ETCD_PEER}",
            "--initial-cluster", f"ha=http://127.0.0.1:{ETCD_PEER}"], "etcd.log")  # fmt: skip
    patroni: dict[int, subprocess.Popen] = {}
    for n in PG:
        node = BASE / f"node{n}"
        node.mkdir()
        config = _patroni_config(n, args.plant)
        (node / "patroni.yml").write_text(json.dumps(config, indent=1))  # YAML ⊃ JSON
        shutil.chown(node, "postgres", "postgres")
        patroni[n] = _start(["/usr/bin/patroni", str(node / "patroni.yml")], f"patroni{n}.log",
                            user="postgres")  # fmt: skip
        if n == 1:  # the first node bootstraps; the others clone it
            _wait("a leader", lambda: any(m["role"] == "leader" for m in _cluster()), 120)
    sync = args.plant != "async"
    up = _wait("a leader with its standbys streaming", lambda: _healthy(sync), 180)
    print(f"cluster up ({up:.0f} s after the last node started): {_cluster()}", flush=True)

    import psycopg

    with psycopg.connect(DB_URL.replace("/xinfang?", "/postgres?"), autocommit=True) as c:
        c.execute("CREATE DATABASE xinfang")
    if args.via == "haproxy":
        (BASE / "haproxy.cfg").write_text(_haproxy_config())
        _start(["/usr/sbin/haproxy", "-db", "-f", str(BASE / "haproxy.cfg")], "haproxy.log")
        _wait(
            "HAProxy's primary port",
            lambda: _pg_ok(HAPROXY_URL.replace("/xinfang", "/postgres")),
            30,
        )
    env = _app_env(args.via)
    for cmd in (["migrate"], ["manage", "seed_demo", "--petitions", "5", "--password", PASSWORD]):
        subprocess.run([sys.executable, "-m", "xinfang.cli", *cmd], env=env, cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
    _start([sys.executable, "-m", "xinfang.cli", "serve", "--port", str(APP)], "app.log", env=env)
    _wait("the app", lambda: _get(f"http://127.0.0.1:{APP}/-/live"), 120)
    token = _login()

    stop, lock = threading.Event(), threading.Lock()
    counter = iter(range(10**9))
    out: list[tuple[float, float, int, str]] = []
    threads = [threading.Thread(target=_client, args=(token, stop, counter, out, lock))
               for _ in range(args.clients)]  # fmt: skip
    for t in threads:
        t.start()
    time.sleep(max(0.0, args.before - args.stall))
    stalled: list[int] = []
    if args.stall:
        stalled = _walsenders()
        _signal_all(stalled, signal.SIGSTOP)
        print(f"stalled {len(stalled)} WAL senders for {args.stall} s", flush=True)
        time.sleep(args.stall)
    leader = next(m for m in _cluster() if m["role"] == "leader")
    wal = _wal_positions(int(leader["port"]))
    print(f"at the kill: {wal}", flush=True)
    n_old = int(leader["name"].removeprefix("node"))
    pm_pid = int((BASE / f"node{n_old}" / "data" / "postmaster.pid").read_text().split()[0])
    killed_at = time.monotonic()
    os.killpg(patroni[n_old].pid, signal.SIGKILL)  # Patroni (and runuser) of the leader …
    try:
        os.killpg(os.getpgid(pm_pid), signal.SIGKILL)  # … and its PostgreSQL: the server is gone
    except ProcessLookupError:
        pass  # it was in Patroni's process group
    print(f"killed node{n_old} (the leader) at +{args.before} s", flush=True)
    _signal_all(stalled, signal.SIGCONT)  # (gone with their server; a no-op if so)

    def new_leader() -> bool:
        return any(m["role"] == "leader" and m["name"] != leader["name"] for m in _cluster())

    promoted = _wait("a new leader", new_leader, 120)
    time.sleep(max(0.0, args.after - (time.monotonic() - killed_at)))
    stop.set()
    for t in threads:
        t.join()

    # each acknowledged petition by its tracking code (shown in fours) AND its own title: after
    # a failover that lost commits, the new primary hands the lost codes out again to other
    # petitions, so a code alone would be "found"
    acked_n = {
        code.split("#")[0].replace(" ", ""): int(code.split("#")[1])
        for _t0, _t1, st, code in out
        if st == 201
    }
    acked = sorted(acked_n)
    with psycopg.connect(HAPROXY_URL if args.via == "haproxy" else DB_URL) as c:
        new_port = c.execute("SELECT inet_server_port()").fetchone()[0]
        found = {code for code, title in c.execute(
            "SELECT tracking_code, title FROM petitions_petition WHERE tracking_code = ANY(%s)",
            [acked],
        ) if title.endswith(f"（故障切换 {acked_n[code]}）")}  # fmt: skip
    missing = sorted(set(acked) - found)
    after = sorted(t1 for t0, t1, st, _c in out if st == 201 and t0 >= killed_at)
    before = [t1 for _t0, t1, st, _c in out if st == 201 and t1 < killed_at]
    failed = [(t0, st) for t0, _t1, st, _c in out if st != 201]
    return {
        "when": datetime.now().isoformat(timespec="minutes"),
        "clients": args.clients,
        "via": args.via,
        "stall_s": args.stall,
        "plant": args.plant or None,
        "settings": {
            "ttl": 10,
            "loop_wait": 2,
            "retry_timeout": 4,
            "synchronous_mode": sync,
            "synchronous_commit": "on" if sync else "local",
            "connect_timeout": 2,
        },  # fmt: skip
        "killed": leader["name"],
        "wal_at_kill": wal,
        "new_leader_port": new_port,
        "new_leader_after_s": round(promoted, 1),
        "unavailable_s": round(after[0] - killed_at, 1) if after else None,
        "last_ack_before_kill_s": round(killed_at - before[-1], 2) if before else None,
        "acknowledged": len(acked),
        "acknowledged_after_kill": len(after),
        "failed_requests": len(failed),
        "failed_by_status": {
            str(s): sum(1 for _t, x in failed if x == s) for s in {x for _t, x in failed}
        },
        "found_on_new_primary": len(found),
        "missing_on_new_primary": missing,
        "cluster_after": _cluster(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def _pg_ok(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as c:
            c.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _get(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def _login() -> str:
    c = http.client.HTTPConnection("127.0.0.1", APP, timeout=60)
    body = json.dumps({"username": "county_clerk", "password": PASSWORD, "name": "ha-bench"})
    c.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    if r.status != 200:
        raise SystemExit(f"login failed: {r.status} {data[:200]!r}")
    return json.loads(data)["token"]


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--clients", type=int, default=4)
    p.add_argument(
        "--before", type=float, default=10, help="seconds of registrations before the kill"
    )
    p.add_argument(
        "--after", type=float, default=40, help="seconds of registrations after the kill"
    )
    p.add_argument("--keep", action="store_true", help="keep /tmp/ha-fo (logs, data)")
    p.add_argument("--via", choices=("libpq", "haproxy"), default="libpq",
                   help="how the app reaches the primary")  # fmt: skip
    p.add_argument("--stall", type=float, default=0,
                   help="seconds before the kill with the primary's WAL senders stopped")  # fmt: skip
    p.add_argument("--plant", choices=("", "async"), default="",
                   help="planted fault: asynchronous replication, failover at any lag")  # fmt: skip
    p.add_argument("--note", default="", help="what else ran on the machine (recorded)")
    args = p.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the finally below still runs
    try:
        result = run(args)
    finally:
        _stop_all()
        if not args.keep:
            shutil.rmtree(BASE, ignore_errors=True)
    result["note"] = args.note
    print(json.dumps({k: v for k, v in result.items() if k != "cluster_after"}, ensure_ascii=False))
    out = ROOT / "bench" / "results" / f"ha-failover-{datetime.now():%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    return 1 if result["missing_on_new_primary"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
