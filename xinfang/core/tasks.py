"""Enqueueing background tasks (Django's task framework; ``xinfang worker`` runs them)."""

from __future__ import annotations

from typing import Any

from django_tasks.base import Task


def task_enqueue_once(task: Task, **kwargs: Any) -> bool:
    """Enqueue ``task`` unless one is already waiting to run (a drain of a queue, a snapshot:
    one waiting run does the work of all). Inside a transaction the new row commits with it.
    Returns whether it was enqueued. Two callers at once may both enqueue: harmless for such
    tasks, which find nothing left to do the second time."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY", task_path=task.module_path)
    if waiting.exists():
        return False
    task.enqueue(**kwargs)
    return True
