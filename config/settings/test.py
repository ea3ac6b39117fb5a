"""Test settings: SQLite in memory by default; PostgreSQL when XINFANG_TEST_DB=postgres."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("XINFANG_DATA_DIR", tempfile.mkdtemp(prefix="xinfang-test-"))
# Each xdist worker gets a data folder of its own (gw0, gw1 … below the run's folder, which the
# workers inherit from the controller's environment): one worker's demo (the demo-preparing
# marker that puts a note on every page), search index or data files never show on another's
# pages. The root conftest refuses to run a worker whose DATA_DIR is not its own.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    _base = Path(os.environ["XINFANG_DATA_DIR"])
    if _base.name != _worker:
        os.environ["XINFANG_DATA_DIR"] = str(_base / _worker)

from config.env import postgres_timeouts
from config.logging import logging_config
from config.settings.base import *  # noqa: F403

if os.environ.get("XINFANG_TEST_DB") == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "xinfang",
            "USER": os.environ.get("PGUSER", "postgres"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "OPTIONS": postgres_timeouts(),  # as in production (config.env)
            # XINFANG_TEST_PG_NAME lets two suites run at once on one server
            "TEST": {"NAME": os.environ.get("XINFANG_TEST_PG_NAME", "test_xinfang")},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests only
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="xinfang-media-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
XINFANG_AUDIT_ANCHOR_DIR = ""  # shared by every test of a process: anchor tests set their own
XINFANG_SEARCH_INDEXER = False  # tests drain the search queue themselves (search_index_pending)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}  # per test process
LOGGING = logging_config(fmt="json", level="WARNING", access_log=False)  # tests turn it on
# A replica alias that mirrors the test database (Django's TEST MIRROR): the router's tests turn
# XINFANG_READ_REPLICA on; every other test reads from "default" as before (ADR 0015).
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
XINFANG_READ_REPLICA = ""
