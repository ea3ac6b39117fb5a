"""Each xdist worker has a data folder of its own (config/settings/test.py, root conftest).

Planted fault: with the per-worker branch removed from config/settings/test.py, the subprocess
test below fails (both "workers" get the controller's folder), and a run with -n 2 stops at
start-up with the conftest's UsageError.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def _data_dir_of(worker: str | None, base: Path) -> str:
    env = {**os.environ, "XINFANG_DATA_DIR": str(base), "DJANGO_SETTINGS_MODULE": ""}
    env.pop("PYTEST_XDIST_WORKER", None)
    if worker:
        env["PYTEST_XDIST_WORKER"] = worker
    code = "import config.settings.test as s, os; print(s.DATA_DIR, os.environ['XINFANG_DATA_DIR'])"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_two_workers_of_one_run_get_two_folders_below_the_runs_folder(tmp_path):
    a = _data_dir_of("gw0", tmp_path)
    b = _data_dir_of("gw1", tmp_path)
    assert a == f"{tmp_path / 'gw0'} {tmp_path / 'gw0'}"
    assert b == f"{tmp_path / 'gw1'} {tmp_path / 'gw1'}"


def test_a_run_without_workers_keeps_the_folder_it_was_given(tmp_path):
    assert _data_dir_of(None, tmp_path) == f"{tmp_path} {tmp_path}"


def test_this_process_demo_marker_lies_in_its_own_folder():
    from xinfang.demo.seed import preparing_marker

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    assert preparing_marker().parent == Path(settings.DATA_DIR)
    if worker:
        assert Path(settings.DATA_DIR).name == worker
