"""The app's transactions through a real pgbouncer in transaction mode (ADR 0015): every
server connection may change between two transactions, so the app must keep no session state.

Starts Debian's pgbouncer on a loopback port in front of the test database on 127.0.0.1:5432,
points the ``default`` connection at it with the settings of ``XINFANG_DB_POOL=transaction``
(config/env.py), and registers a petition, takes a step of the procedure and verifies the audit
trail (a REPEATABLE READ snapshot and ``iterator()`` over every record) through it. Skipped
without pgbouncer or PostgreSQL, except with CI=true: then a missing pgbouncer fails."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection

from conftest import local

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"

pytestmark = [
    pytest.mark.skipif(
        os.environ.get("XINFANG_TEST_DB") != "postgres", reason="pgbouncer pools PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),  # each transaction goes through the pooler
]


def _free_port() -> int:
    for port in range(6440, 6500):  # this work's range of loopback ports
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 6440–6499")


@pytest.fixture
def pgbouncer():
    if not os.path.exists(PGBOUNCER):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no pgbouncer: apt-get install pgbouncer")
        pytest.skip("no pgbouncer (apt-get install pgbouncer)")
    folder = Path(tempfile.mkdtemp(prefix="xinfang-pgbouncer-"))
    port = _free_port()
    db = connection.settings_dict
    (folder / "userlist.txt").write_text(f'"{db["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={db["HOST"] or "127.0.0.1"} port={db["PORT"] or 5432}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder}/userlist.txt
pool_mode = transaction
default_pool_size = 2
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {folder}/pgbouncer.log
pidfile = {folder}/pgbouncer.pid
"""
    )
    cmd = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        for f in folder.iterdir():
            os.chown(f, user.pw_uid, user.pw_gid)
        cmd[1:1] = ["-u", "postgres"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        for _ in range(200):  # until it listens (at most ~10 s)
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if proc.poll() is not None:
                log = (folder / "pgbouncer.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"pgbouncer exited: {log}")
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def through_pgbouncer(pgbouncer):
    """The default connection, as config.env builds it with XINFANG_DB_POOL=transaction."""
    saved = dict(connection.settings_dict)
    saved_options = dict(saved["OPTIONS"])
    connection.close()
    connection.settings_dict.update(
        HOST="127.0.0.1", PORT=str(pgbouncer), DISABLE_SERVER_SIDE_CURSORS=True
    )
    connection.settings_dict["OPTIONS"] = {k: v for k, v in saved_options.items() if k != "options"}
    try:
        yield pgbouncer
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.settings_dict["OPTIONS"] = saved_options


def test_registration_a_step_and_audit_verify_work_through_pgbouncer_in_transaction_mode(
    world, register, through_pgbouncer
):
    from xinfang.audit.verify import audit_verify
    from xinfang.petitions.models import Petition
    from xinfang.petitions.services import petition_act

    with connection.cursor() as c:  # the connection really is pgbouncer's
        c.execute("SHOW port")
        assert c.fetchone()[0] == "5432" and connection.settings_dict["PORT"] == str(
            through_pgbouncer
        )
    petitions = [
        register(at=local(2025, 3, 4), title=f"经连接池登记 {i}").petition for i in range(3)
    ]
    petition_act(
        petition_id=petitions[0].pk,
        action="transfer",
        actor=world.clerk,
        at=date(2025, 3, 5),
        data={"to_organ_id": world.housing.pk},
    )
    assert Petition.objects.get(pk=petitions[0].pk).current_organ_id == world.housing.pk
    codes = [p.tracking_code for p in Petition.objects.order_by("pk").iterator(chunk_size=2)]
    assert len(codes) == 3
    report = audit_verify()  # REPEATABLE READ snapshot + iterator() over every record
    assert report.ok, report.problems
