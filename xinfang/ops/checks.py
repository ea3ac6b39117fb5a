"""`xinfang check --deploy`: every setting that is unsafe in production, as Django system checks.

Django's own deployment checks (DEBUG, SECRET_KEY, HSTS, secure cookies …) run with ours; ours
add what is particular to xinfang: the key files and the database file, SQLite, the host names,
HTTPS behind a proxy, the worker's heartbeat and the periodic jobs, database timeouts.
"""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

KEY_FILES = ("secret_key", "field_key", "index_key", "audit_key")


def _mode_problem(path: Path, *, private: bool) -> str | None:
    """Why ``path`` is unsafe (readable or writable by others; another owner), else None."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    mode = stat.S_IMODE(st.st_mode)
    if os.name == "posix" and st.st_uid != os.geteuid():
        return f"属于另一个用户（uid {st.st_uid}）"
    bad = (stat.S_IRWXG | stat.S_IRWXO) if private else (stat.S_IWGRP | stat.S_IWOTH)
    if mode & bad:
        return f"权限为 {mode:o}，应为 {'600/700' if private else '不可由他人写入'}"
    return None


@register(Tags.security, deploy=True)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list:
    out: list = []
    hosts = set(settings.ALLOWED_HOSTS)
    if "*" in hosts or any(h.startswith(".") and h.count(".") < 2 for h in hosts):
        out.append(
            Warning(
                "XINFANG_ALLOWED_HOSTS 过宽（含 * 或整个顶级域名）",
                hint="只列出本系统对外的域名，例如 xinfang.example.gov.cn",
                id="xinfang.W001",
            )
        )
    elif hosts <= {"127.0.0.1", "localhost", "::1", "[::1]"}:
        out.append(
            Warning(
                "XINFANG_ALLOWED_HOSTS 只有本机地址：经反向代理访问的域名会被拒绝",
                hint="设置 XINFANG_ALLOWED_HOSTS=本系统的域名",
                id="xinfang.W002",
            )
        )
    if not settings.XINFANG_HTTPS:
        out.append(
            Warning(
                "未启用 HTTPS（XINFANG_HTTPS）：登录 Cookie 没有 Secure 标志，也没有 HSTS",
                hint="在反向代理上配置 TLS，并设置 XINFANG_HTTPS=1",
                id="xinfang.W003",
            )
        )
    elif not settings.XINFANG_TRUSTED_PROXIES:
        out.append(
            Warning(
                "启用了 HTTPS 但没有设置 XINFANG_TRUSTED_PROXIES：按地址的登录和门户限流只看到代理的地址",
                hint="设置 XINFANG_TRUSTED_PROXIES=反向代理的地址（例如 127.0.0.1）",
                id="xinfang.W004",
            )
        )
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        out.append(
            Warning(
                "使用 SQLite 数据库：只适合单机试用，生产环境请使用 PostgreSQL",
                hint="设置 XINFANG_DATABASE_URL=postgresql://…",
                id="xinfang.W005",
            )
        )
        name = Path(str(db["NAME"]))
        for p in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
            if why := _mode_problem(p, private=True):
                out.append(Error(f"数据库文件 {p} {why}", hint=f"chmod 600 {p}", id="xinfang.E001"))
    elif not settings.XINFANG_DB_STATEMENT_TIMEOUT:
        out.append(
            Warning(
                "没有 SQL 语句超时（XINFANG_DB_STATEMENT_TIMEOUT=0）：数据库挂起时请求会一直等待",
                id="xinfang.W006",
            )
        )
    data = Path(settings.DATA_DIR)
    if why := _mode_problem(data, private=True):
        out.append(Error(f"数据目录 {data} {why}", hint=f"chmod 700 {data}", id="xinfang.E002"))
    for name in KEY_FILES:
        p = data / name
        if why := _mode_problem(p, private=True):
            out.append(Error(f"密钥文件 {p} {why}", hint=f"chmod 600 {p}", id="xinfang.E003"))
    media = Path(settings.MEDIA_ROOT)
    if why := _mode_problem(media, private=True):
        out.append(Error(f"附件目录 {media} {why}", hint=f"chmod 700 {media}", id="xinfang.E004"))
    if settings.XINFANG_CACHE == "memory":
        out.append(
            Warning(
                "XINFANG_CACHE=memory：多个服务进程各自计数，门户限流形同放宽",
                hint="使用默认的 database",
                id="xinfang.W007",
            )
        )
    pooled = os.environ.get("XINFANG_DB_POOL", "").strip().lower() == "transaction"
    if pooled and not os.environ.get("XINFANG_DIRECT_DATABASE_URL"):
        out.append(
            Warning(
                "XINFANG_DB_POOL=transaction 但未设置 XINFANG_DIRECT_DATABASE_URL：xinfang tick 的会话级咨询锁"
                "经 pgbouncer 事务模式会留在别人的连接上，迁移和备份也受网页语句超时限制",
                hint="把 XINFANG_DIRECT_DATABASE_URL 设为直连数据库（不经 pgbouncer）的地址（ADR 0015）",
                id="xinfang.W011",
            )
        )
    return out


@register(Tags.database, deploy=True)
def check_running(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    """The worker and the periodic jobs run (needs the database: ``check --database default``)."""
    if not databases:
        return []
    from django.db.utils import DatabaseError

    from xinfang.ops.selectors import heartbeat_age, tick_last_finished_at

    out: list = []
    try:
        age = heartbeat_age("worker")
        last_tick = tick_last_finished_at()
    except DatabaseError as e:
        return [Error(f"无法读取数据库：{e}", hint="先运行 xinfang migrate", id="xinfang.E005")]
    limit = settings.XINFANG_WORKER_HEARTBEAT_MAX_AGE
    if age is None or age > limit:
        out.append(
            Warning(
                "后台进程（xinfang worker）没有心跳"
                + ("" if age is None else f"：{int(age)} 秒前"),
                hint="启动 xinfang-worker.service（deploy/systemd/）",
                id="xinfang.W009",
            )
        )
    from xinfang.core import clock

    if last_tick is None or clock.now() - last_tick > timedelta(minutes=10):
        out.append(
            Warning(
                "定时任务（xinfang tick）最近 10 分钟没有运行",
                hint="启用 xinfang-tick.timer，或在 cron 中每分钟运行 xinfang tick",
                id="xinfang.W010",
            )
        )
    return out
