"""`xinfang check --deploy` names every unsafe setting, and none in a safe deployment."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import override_settings

from xinfang.core import clock
from xinfang.ops import checks
from xinfang.ops.services import heartbeat_beat, tick_run


def _ids(messages) -> set[str]:
    return {m.id for m in messages}


@pytest.fixture
def data_dir(tmp_path):
    d = tmp_path / "data"
    d.mkdir(mode=0o700)
    for name in checks.KEY_FILES:
        (d / name).write_text("k")
        (d / name).chmod(0o600)
    media = d / "media"
    media.mkdir(mode=0o700)
    return d


SAFE = dict(
    ALLOWED_HOSTS=["xinfang.example.gov.cn"],
    XINFANG_HTTPS=True,
    XINFANG_TRUSTED_PROXIES=["127.0.0.1"],
    XINFANG_DB_STATEMENT_TIMEOUT=30,
    XINFANG_CACHE="database",
    DATABASES={"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "x"}},
)


def test_a_safe_deployment_has_nothing_to_report(data_dir):
    with override_settings(DATA_DIR=data_dir, MEDIA_ROOT=data_dir / "media", **SAFE):
        assert checks.check_settings() == []


def test_every_unsafe_setting_is_reported(data_dir):
    (data_dir / "field_key").chmod(0o644)
    (data_dir / "media").chmod(0o755)
    data_dir.chmod(0o755)
    db = data_dir / "xinfang.sqlite3"
    db.write_bytes(b"")
    db.chmod(0o644)
    unsafe = {
        **SAFE,
        "ALLOWED_HOSTS": ["*"],
        "XINFANG_CACHE": "memory",
        "DATABASES": {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)}},
    }
    with override_settings(DATA_DIR=data_dir, MEDIA_ROOT=data_dir / "media", **unsafe):
        found = checks.check_settings()
    text = "\n".join(m.msg for m in found)
    assert _ids(found) == {
        "xinfang.W001",  # hosts
        "xinfang.W005",  # SQLite
        "xinfang.E001",  # the database file readable by others
        "xinfang.E002",  # the data folder
        "xinfang.E003",  # a key file
        "xinfang.E004",  # the attachments folder
        "xinfang.W007",  # per-process cache
    }
    assert "field_key" in text and "644" in text
    with override_settings(
        DATA_DIR=data_dir, MEDIA_ROOT=data_dir / "media", **{**SAFE, "XINFANG_HTTPS": False}
    ):
        assert "xinfang.W003" in _ids(checks.check_settings())
    with override_settings(
        DATA_DIR=data_dir,
        MEDIA_ROOT=data_dir / "media",
        **{**SAFE, "XINFANG_TRUSTED_PROXIES": [], "XINFANG_DB_STATEMENT_TIMEOUT": 0},
    ):
        assert {"xinfang.W004", "xinfang.W006"} <= _ids(checks.check_settings())


@pytest.mark.django_db
def test_a_missing_worker_and_periodic_jobs_that_do_not_run_are_reported():
    assert checks.check_running(databases=None) == []  # without --database: not asked
    assert _ids(checks.check_running(databases=["default"])) == {"xinfang.W009", "xinfang.W010"}
    heartbeat_beat(name="worker", started_at=clock.now())
    tick_run(only=["ops.sessions_clear"])
    assert checks.check_running(databases=["default"]) == []


def test_the_deploy_check_runs_from_the_command_line(tmp_path):
    from xinfang.ops.tests.installation import Installation

    inst = Installation.create(tmp_path / "i", "checks")
    inst.data_dir = inst.data_dir / "data"  # not there yet: xinfang creates it
    try:
        r = inst.xinfang("check", "--deploy", check=False)
        assert r.returncode == 1
        # ours (here: the database is not migrated yet) and Django's
        assert "xinfang.E005" in r.stderr and "security.W004" in r.stderr
        assert Path(inst.data_dir).stat().st_mode & 0o077 == 0  # created private by xinfang
    finally:
        inst.drop()
