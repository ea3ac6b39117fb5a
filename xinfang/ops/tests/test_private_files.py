"""The data folder and the SQLite database (with its -wal and -shm) are private from the first
write (issue 11): created 0700 / 0600 by the settings, whatever the process's umask, so a
server started by `manage.py`, gunicorn or a test runner does not leave them readable by
every local user (the xinfang command sets umask 077 too, but not everyone starts it so).

Planted faults this file catches: `config.env.private_file` not called in `database()` (the
database and its -wal/-shm get 0644); `private_dir` creating with the default mode (0755)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

PROBE = """
import json, os, sys
from pathlib import Path
os.umask(0o022)  # a permissive umask, as a login shell usually has
import django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as c:
    c.execute("CREATE TABLE probe (x TEXT)")
    c.execute("INSERT INTO probe VALUES ('13912349876')")
data = Path(settings.DATA_DIR)
name = Path(settings.DATABASES["default"]["NAME"])
modes = {p.name: oct(p.stat().st_mode & 0o777) for p in (data, name) if p.exists()}
for p in (Path(f"{name}-wal"), Path(f"{name}-shm")):  # present while the connection is open
    modes[p.name] = oct(p.stat().st_mode & 0o777)
print(json.dumps(modes))
"""


def test_a_new_data_folder_and_its_sqlite_database_are_private(tmp_path):
    data = tmp_path / "nested" / "data"  # not there yet: the settings create it
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))} | {
        "XINFANG_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    root = Path(__file__).resolve().parents[3]
    r = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=root, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr[-2000:]
    modes = json.loads(r.stdout.strip().splitlines()[-1])
    assert modes == {
        "data": "0o700",
        "xinfang.sqlite3": "0o600",
        "xinfang.sqlite3-wal": "0o600",
        "xinfang.sqlite3-shm": "0o600",
    }
    for name in ("secret_key", "field_key"):
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600, name
