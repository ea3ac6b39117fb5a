"""What a freshly started worker does first: catch up with whatever was queued while no worker
ran (each app's start-up tasks, enqueued once)."""

from __future__ import annotations

from xinfang.core.tasks import task_enqueue_once


def worker_started() -> list[str]:
    from xinfang.insight.matters.tasks import repeat_index_snapshot

    started = []
    for task in (repeat_index_snapshot,):
        if task_enqueue_once(task):
            started.append(task.module_path)
    return started
