"""The database URL reaches a Patroni cluster (several hosts, the writable one kept) and a
pooler in transaction mode (no session state); commands bypass the pooler (ADR 0015)."""

from __future__ import annotations

import pytest

from config import env


def test_a_url_with_three_hosts_gives_libpq_every_host_and_port_in_order(monkeypatch):
    monkeypatch.delenv("XINFANG_DB_POOL", raising=False)
    d = env.postgres_database(
        "postgresql://xinfang:p%40ss@db1:6401,db2,db3:6403/xinfang?target_session_attrs=read-write",
        pooled=False,
    )
    assert (d["HOST"], d["PORT"]) == ("db1,db2,db3", "6401,5432,6403")
    assert (d["USER"], d["PASSWORD"], d["NAME"]) == ("xinfang", "p@ss", "xinfang")
    assert d["OPTIONS"]["target_session_attrs"] == "read-write"
    assert "statement_timeout" in d["OPTIONS"]["options"]  # the timeouts of ADR 0011 stay
    assert "DISABLE_SERVER_SIDE_CURSORS" not in d


def test_a_single_host_url_is_read_as_before():
    d = env.postgres_database("postgresql://u:pw@127.0.0.1:5432/xf", pooled=False)
    assert (d["HOST"], d["PORT"], d["NAME"], d["USER"]) == ("127.0.0.1", "5432", "xf", "u")


def test_behind_pgbouncer_in_transaction_mode_the_app_keeps_no_session_state():
    d = env.postgres_database("postgresql://u@127.0.0.1:6432/xf", pooled=True)
    assert d["DISABLE_SERVER_SIDE_CURSORS"] is True  # iterator() would DECLARE a cursor
    assert "options" not in d["OPTIONS"]  # pgbouncer refuses the startup parameter


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@h:54x2/xf",
        "postgresql://u@h/xf?host=evil",  # only the libpq parameters we know
        "mysql://u@h/xf",
    ],
)
def test_a_malformed_database_url_is_refused_with_a_clear_error(url):
    with pytest.raises(ValueError):
        env.postgres_database(url, pooled=False)


def test_commands_use_the_direct_url_and_web_processes_the_pooled_one(monkeypatch, tmp_path):
    monkeypatch.setenv("XINFANG_DATABASE_URL", "postgresql://u@127.0.0.1:6432/xf")
    monkeypatch.setenv("XINFANG_DIRECT_DATABASE_URL", "postgresql://u@db1:5432,db2:5432/xf")
    monkeypatch.setenv("XINFANG_DB_POOL", "transaction")
    monkeypatch.delenv("XINFANG_COMMAND", raising=False)
    web = env.database(tmp_path)
    assert web["PORT"] == "6432" and web["DISABLE_SERVER_SIDE_CURSORS"] is True
    monkeypatch.setenv("XINFANG_COMMAND", "1")  # migrate, tick (its advisory lock), backup
    cmd = env.database(tmp_path)
    assert cmd["HOST"] == "db1,db2" and "DISABLE_SERVER_SIDE_CURSORS" not in cmd


def test_an_unknown_pool_mode_is_refused(monkeypatch):
    monkeypatch.setenv("XINFANG_DB_POOL", "session")
    with pytest.raises(ValueError):
        env.db_pool()


def test_no_replica_url_means_no_replica(monkeypatch):
    monkeypatch.delenv("XINFANG_REPLICA_DATABASE_URL", raising=False)
    assert env.replica_database() is None
    monkeypatch.setenv(
        "XINFANG_REPLICA_DATABASE_URL",
        "postgresql://u@db2,db3/xf?target_session_attrs=prefer-standby",
    )
    assert env.replica_database()["OPTIONS"]["target_session_attrs"] == "prefer-standby"


def test_the_deploy_check_warns_of_a_pooler_without_a_direct_url_for_commands(monkeypatch):
    from xinfang.ops import checks

    monkeypatch.setenv("XINFANG_DB_POOL", "transaction")
    monkeypatch.delenv("XINFANG_DIRECT_DATABASE_URL", raising=False)
    assert "xinfang.W011" in {w.id for w in checks.check_settings()}
    monkeypatch.setenv("XINFANG_DIRECT_DATABASE_URL", "postgresql://u@db1:5432/xf")
    assert "xinfang.W011" not in {w.id for w in checks.check_settings()}
    monkeypatch.delenv("XINFANG_DB_POOL")
    monkeypatch.delenv("XINFANG_DIRECT_DATABASE_URL")
    assert "xinfang.W011" not in {w.id for w in checks.check_settings()}
