"""The production web server of ``xinfang serve``: gunicorn with several worker processes.

Sizing (docs/operations.md): ``XINFANG_WEB_WORKERS`` processes (default 2 × cores + 1) of
``XINFANG_WEB_THREADS`` threads each (default 4): a page spends most of its time in Python,
so processes give the cores, and threads cover the waits on the database. Each process holds
its own copy of the repeat index (loaded from the worker's snapshot), about 1 GB at 10^6
petitions: on a small machine, fewer processes.

SIGTERM (systemd stop, a deploy): gunicorn stops accepting, lets every request in hand finish
for up to ``XINFANG_WEB_GRACEFUL_SECONDS``, then exits. A worker process that stops answering
its master for ``XINFANG_WEB_TIMEOUT`` seconds is replaced.

Where gunicorn cannot run (Windows), waitress serves in one process.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def gunicorn_available() -> bool:
    if os.name != "posix":
        return False
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


def metrics_dir(data_dir: Path, port: int) -> Path:
    """Where the web processes of this server write their metrics (emptied at each start)."""
    return data_dir / "run" / f"metrics-{port}"


def prepare_metrics_dir(data_dir: Path, port: int) -> Path:
    path = metrics_dir(data_dir, port)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, mode=0o700)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def _child_exit(server: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def _post_worker_init(worker: Any) -> None:
    """In each web process: load the repeat index's snapshot in the background (the worker
    builds it; a web process never builds a large one itself)."""
    from xinfang.core.tasks import task_enqueue_once
    from xinfang.insight.matters import index as matters_index
    from xinfang.insight.matters.tasks import repeat_index_snapshot

    matters_index.build_elsewhere = lambda: task_enqueue_once(repeat_index_snapshot)
    threading.Thread(
        target=matters_index.repeat_index_ready, name="xinfang-repeat-load", daemon=True
    ).start()


def gunicorn_options(*, host: str, port: int) -> dict[str, Any]:
    from django.conf import settings

    trusted = ",".join(settings.XINFANG_TRUSTED_PROXIES)
    return {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": int(os.environ.get("XINFANG_WEB_WORKERS") or default_workers()),
        "worker_class": "gthread",
        "threads": int(os.environ.get("XINFANG_WEB_THREADS", "4")),
        "timeout": int(os.environ.get("XINFANG_WEB_TIMEOUT", "60")),
        "graceful_timeout": int(os.environ.get("XINFANG_WEB_GRACEFUL_SECONDS", "30")),
        "keepalive": 5,
        # a process is replaced after this many requests (memory growth never accumulates)
        "max_requests": 5000,
        "max_requests_jitter": 500,
        "proc_name": "xinfang",
        "accesslog": None,  # xinfang.ops.middleware writes the access log (JSON, request id)
        "logconfig_dict": settings.LOGGING,
        # X-Forwarded-* are judged by xinfang.ops.middleware (XINFANG_TRUSTED_PROXIES)
        "forwarded_allow_ips": trusted or "127.0.0.1,::1",
        "child_exit": _child_exit,
        "post_worker_init": _post_worker_init,
        # The request line and headers are bounded; bodies by Django's DATA_UPLOAD_MAX_*.
        "limit_request_line": 8190,
    }


def serve_gunicorn(*, host: str, port: int) -> None:
    from gunicorn.app.base import BaseApplication

    options = gunicorn_options(host=host, port=port)

    class Application(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            if "control_socket" in self.cfg.settings:  # gunicorn >= 25: one per server
                from django.conf import settings

                run = Path(settings.DATA_DIR) / "run"
                run.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.cfg.set("control_socket", str(run / f"gunicorn-{port}.ctl"))

        def load(self):  # type: ignore[no-untyped-def]
            from config.wsgi import application

            return application

    Application().run()


def serve_waitress(*, host: str, port: int) -> None:
    from waitress import serve

    from config.wsgi import application

    threads = int(os.environ.get("XINFANG_WEB_THREADS", "8"))
    serve(application, host=host, port=port, threads=threads, ident="xinfang")


def serve(*, host: str, port: int) -> None:
    """Serve until stopped. Call before Django is set up: the metrics folder must be in the
    environment before any process imports ``prometheus_client``."""
    import django

    if gunicorn_available():
        from config.env import data_dir

        prepare_metrics_dir(data_dir(), port)
        django.setup()
        print(
            f"xinfang 正在运行: http://{host}:{port}/   (gunicorn; Ctrl+C 停止)",
            file=sys.stderr,
            flush=True,
        )
        serve_gunicorn(host=host, port=port)
    else:
        django.setup()
        print(f"xinfang 正在运行: http://{host}:{port}/   (waitress; Ctrl+C 停止)", flush=True)
        serve_waitress(host=host, port=port)
