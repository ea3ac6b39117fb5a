"""Background tasks of imports (run by ``xinfang worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def import_run_task(run_id: int, commit: bool) -> dict[str, object]:
    """The dry run or the commit of one uploaded file (``runs.import_run_execute``)."""
    from xinfang.imports.runs import import_run_execute

    run = import_run_execute(run_id=run_id, commit=commit)
    return {"state": run.state, "imported": run.imported}
