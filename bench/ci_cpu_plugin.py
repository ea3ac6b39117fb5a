"""CPU seconds per test phase, for the "CI time" section of bench/README.md (not used by CI).

    PYTHONPATH=bench CPUPLUG_OUT=/tmp/cpu.json python -m pytest -p ci_cpu_plugin -n 0 \\
        -p no:randomly FILES...

Sums ``os.times()`` (this process and its reaped children: subprocess installations and
servers) around each test's setup, call and teardown: on a loaded machine CPU seconds say more
than wall seconds. Prints the 25 largest; ``CPUPLUG_OUT`` also gets per-file totals and every row.
"""

from __future__ import annotations

import collections
import json
import os
import time

import pytest

_rows: list[tuple[str, str, float, float]] = []
_start = [0.0, 0.0]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed(phase: str):  # type: ignore[no-untyped-def]
    @pytest.hookimpl(hookwrapper=True)
    def hook(item, *args):  # type: ignore[no-untyped-def]
        c, w = _cpu(), time.monotonic()
        yield
        _rows.append((item.nodeid, phase, _cpu() - c, time.monotonic() - w))

    return hook


pytest_runtest_setup = _timed("setup")
pytest_runtest_call = _timed("call")
pytest_runtest_teardown = _timed("teardown")


def pytest_sessionstart(session):  # type: ignore[no-untyped-def]
    _start[:] = [_cpu(), time.monotonic()]


def pytest_sessionfinish(session):  # type: ignore[no-untyped-def]
    if not (out := os.environ.get("CPUPLUG_OUT")):
        return
    per_file: dict[str, float] = collections.defaultdict(float)
    for nodeid, _phase, cpu, _wall in _rows:
        per_file[nodeid.split("::")[0]] += cpu
    with open(out, "w") as f:
        json.dump(
            {
                "total_cpu": round(_cpu() - _start[0], 2),
                "wall": round(time.monotonic() - _start[1], 2),
                "per_file": {
                    k: round(v, 2) for k, v in sorted(per_file.items(), key=lambda x: -x[1])
                },
                "rows": [(n, p, round(c, 3), round(w, 3)) for n, p, c, w in _rows],
            },
            f,
            indent=1,
            ensure_ascii=False,
        )


def pytest_terminal_summary(terminalreporter):  # type: ignore[no-untyped-def]
    terminalreporter.write_line(f"== CPU (own+children) total {_cpu() - _start[0]:.1f}s")
    for nodeid, phase, cpu, wall in sorted(_rows, key=lambda r: -r[2])[:25]:
        terminalreporter.write_line(f"{cpu:8.2f}s cpu {wall:8.2f}s wall {phase:8s} {nodeid}")
