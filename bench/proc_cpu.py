"""CPU time of groups of processes over a window, from /proc (Linux): what a run cost each part
of the system, which the load of a shared machine does not distort (issue 14).

    meter = CpuMeter(groups={"server": by_pgid(server.pid), "postgres": pg_backends("mydb")})
    meter.start(); ...run...; cpu = meter.stop()   # {"server": seconds, "postgres": seconds}

A thread reads ``/proc/PID/stat`` (user + system time) of every process every ``interval``
seconds and keeps, per process, the first and the last value seen; a process that appears
during the window counts from zero (its start is part of the run), one that ends counts up to
its last reading (at most ``interval`` of it is lost). The meter's own thread time is reported
as ``meter`` so that a caller measuring its own process can take it away.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

TICK = os.sysconf("SC_CLK_TCK")

#: a selector: (pid, pgid, comm, cmdline()) -> whether the process belongs to the group
Selector = Callable[[int, int, str, Callable[[], str]], bool]


def _stat(pid: int) -> tuple[int, str, float] | None:
    """(pgid, comm, user+system seconds) of a process, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            raw = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    # comm may hold spaces and parentheses: the fields after it start after the last ")"
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    rest = raw[raw.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): pgid is field 5, utime 14, stime 15
    return int(rest[2]), comm, (int(rest[11]) + int(rest[12])) / TICK


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def by_pgid(pgid: int) -> Selector:
    """The processes of a process group (a child started with ``start_new_session=True``)."""
    return lambda pid, g, comm, cmdline: g == pgid


def pg_backends(dbname: str, exclude: Callable[[], set[int]] = set) -> Selector:
    """The PostgreSQL server processes serving connections to ``dbname`` (their title:
    ``postgres: USER DBNAME HOST(PORT) STATE``), except the pids ``exclude()`` names."""
    marker = f" {dbname} "

    def select(pid: int, g: int, comm: str, cmdline: Callable[[], str]) -> bool:
        if comm != "postgres" or pid in exclude():
            return False
        line = cmdline()
        return line.startswith("postgres: ") and marker in line

    return select


class CpuMeter:
    def __init__(self, groups: dict[str, Selector], interval: float = 0.25) -> None:
        self.groups, self.interval = groups, interval
        self._first: dict[int, tuple[str, float]] = {}
        self._last: dict[int, float] = {}
        self._known: dict[int, str | None] = {}  # pid -> group (None: none), decided once
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.meter_seconds = 0.0

    def _scan(self, first: bool) -> None:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            group = self._known.get(pid, "?")
            if group is None:
                continue
            st = _stat(pid)
            if st is None:
                continue
            pgid, comm, seconds = st
            if group == "?":
                group = next(
                    (
                        g
                        for g, sel in self.groups.items()
                        if sel(pid, pgid, comm, lambda pid=pid: _cmdline(pid))
                    ),  # fmt: skip
                    None,
                )
                self._known[pid] = group
                if group is None:
                    continue
                self._first[pid] = (group, seconds if first else 0.0)
            self._last[pid] = seconds

    def _run(self) -> None:
        t0 = time.thread_time()
        while not self._stop.wait(self.interval):
            self._scan(first=False)
        self._scan(first=False)
        self.meter_seconds = time.thread_time() - t0

    def start(self) -> None:
        self._scan(first=True)
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        out = {g: 0.0 for g in self.groups}
        for pid, (group, start) in self._first.items():
            out[group] += self._last.get(pid, start) - start
        return out
