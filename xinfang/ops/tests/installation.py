"""A real installation for tests that run xinfang as a deployer does: its own data folder and
database (a SQLite file, or a scratch PostgreSQL database when the suite runs on PostgreSQL),
driven through the ``xinfang`` command in subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[3]
ON_POSTGRES = os.environ.get("XINFANG_TEST_DB") == "postgres"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD", ""),
        dbname="postgres",
        autocommit=True,
    ) as c:
        c.execute(sql)


@dataclass
class Installation:
    data_dir: Path
    pg_name: str | None = None

    @classmethod
    def create(cls, folder: Path, suffix: str) -> Installation:
        """A new, empty installation (its PostgreSQL database created empty)."""
        folder.mkdir(parents=True, exist_ok=True)
        pg_name = None
        if ON_POSTGRES:
            # scratch databases named after this suite's test database (TEAM.md) and the xdist
            # worker: a module's shared installation may be made on both workers at once
            worker = os.environ.get("PYTEST_XDIST_WORKER", "")
            pg_name = f"{os.environ.get('XINFANG_TEST_PG_NAME', 'test_xinfang')}_{suffix}"
            pg_name += f"_{worker}" if worker else ""
            _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            _pg_admin(f'CREATE DATABASE "{pg_name}"')
        return cls(folder, pg_name)

    def drop(self) -> None:
        if self.pg_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    @property
    def media(self) -> Path:
        return self.data_dir / "media"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.base",
            XINFANG_DATA_DIR=str(self.data_dir),
            XINFANG_LOG_LEVEL="ERROR",
            XINFANG_ACCESS_LOG="0",
            PYTHONPATH=str(ROOT),
        )
        if self.pg_name:
            user = os.environ.get("PGUSER", "postgres")
            password = os.environ.get("PGPASSWORD", "")
            auth = f"{user}:{password}" if password else user
            host = os.environ.get("PGHOST", "127.0.0.1")
            port = os.environ.get("PGPORT", "5432")
            env["XINFANG_DATABASE_URL"] = f"postgresql://{auth}@{host}:{port}/{self.pg_name}"
        env.update(extra)
        return env

    def xinfang(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        r = subprocess.run(
            [sys.executable, "-m", "xinfang.cli", *args],
            env=self.env(**env),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and r.returncode != 0:
            raise AssertionError(
                f"xinfang {' '.join(args)}: {r.returncode}\n{r.stdout}\n{r.stderr}"
            )
        return r

    def python(self, code: str) -> str:
        """Run ``code`` in a Django process of this installation; return what it printed."""
        r = subprocess.run(
            [sys.executable, "-c", f"import django\ndjango.setup()\n{code}"],
            env=self.env(XINFANG_COMMAND="1"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if r.returncode != 0:
            raise AssertionError(f"python failed: {r.returncode}\n{r.stdout}\n{r.stderr}")
        return r.stdout

    def popen(self, *args: str, log: IO[bytes] | None = None, **env: str) -> subprocess.Popen:
        """Start ``xinfang ARGS``. ``log``: a file its output goes to (a pipe nobody reads
        while the process runs fills up and stops it); without it, stderr is a pipe."""
        return subprocess.Popen(
            [sys.executable, "-m", "xinfang.cli", *args],
            env=self.env(**env),
            cwd=ROOT,
            stdout=log if log is not None else subprocess.DEVNULL,
            stderr=log if log is not None else subprocess.PIPE,
            start_new_session=True,  # its own process group: the test can kill the whole server
        )
