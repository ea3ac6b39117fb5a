"""`xinfang worker`: the one process that runs background tasks (Django's task framework, the
database backend of django-tasks): the search index, the repeat-index snapshot, and whatever
else the web processes enqueue. Several web processes, one worker: work is never done N times.

It beats a heartbeat (``ops.Heartbeat``, for ``/-/ready``, ``/-/metrics`` and ``check
--deploy``) from a thread of its own, so a long task does not look like a dead worker. SIGTERM
lets the task in hand finish (django-tasks' worker). ``--tick SECONDS`` also runs the periodic
jobs every so often (``xinfang demo``; in production the systemd timer runs ``xinfang tick``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from xinfang.core import clock

log = logging.getLogger("xinfang.ops.worker")

HEARTBEAT_SECONDS = 15


class Command(BaseCommand):
    help = "运行后台任务（检索索引、重复信访索引快照等）；每套系统运行一个"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument("--tick", type=float, default=0, help="also run xinfang tick every N s")
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from xinfang.ops.tasks import worker_started

        stop = threading.Event()
        started_at = clock.now()
        beat = threading.Thread(
            target=_heartbeat, args=(stop, started_at), name="xinfang-heartbeat", daemon=True
        )
        beat.start()
        if opts["tick"]:
            threading.Thread(
                target=_ticker, args=(stop, opts["tick"]), name="xinfang-tick", daemon=True
            ).start()
        worker_started()  # enqueue what a fresh worker does first (catch up the queues)
        try:
            call_command(
                "db_worker",
                queue_name="*",
                interval=opts["interval"],
                batch=opts["batch"],
                startup_delay=False,
                reload=False,
                worker_id=f"{socket.gethostname()[:40]}-{os.getpid()}",
                verbosity=opts["verbosity"],
            )
        finally:
            stop.set()


def _heartbeat(stop: threading.Event, started_at) -> None:  # type: ignore[no-untyped-def]
    from xinfang.ops.services import heartbeat_beat

    while True:
        try:
            heartbeat_beat(name="worker", started_at=started_at)
        except DatabaseError:  # the database is away: /-/ready shows the heartbeat ageing
            log.warning("heartbeat not written", exc_info=True)
            connections.close_all()
        if stop.wait(HEARTBEAT_SECONDS):
            connections.close_all()
            return


def _ticker(stop: threading.Event, every: float) -> None:
    from xinfang.ops.lock import LockBusy
    from xinfang.ops.services import tick_run

    delay = min(every, 5.0)  # first soon after start, then every ``every`` seconds
    while not stop.wait(delay):
        delay = every
        try:
            tick_run()
        except LockBusy:
            pass
        except Exception:
            log.exception("tick failed")
        finally:
            connections.close_all()
