"""Background tasks of analytics (run by ``xinfang worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def list_export_run(export_id: int) -> dict[str, int]:
    """Write the XLSX file of one list export (``exports.list_export_write``)."""
    from xinfang.analytics.exports import list_export_write

    job = list_export_write(export_id=export_id)
    return {"rows": job.rows_done, "bytes": job.size}
