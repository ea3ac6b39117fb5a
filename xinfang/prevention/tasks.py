"""Background tasks of source prevention (run by ``xinfang worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def ledger_export_run(export_id: int) -> dict[str, int]:
    """Write the XLSX file of one ledger export (``services.ledger.ledger_export_write``)."""
    from xinfang.prevention.services.ledger import ledger_export_write

    job = ledger_export_write(export_id=export_id)
    return {"rows": job.rows_done, "bytes": job.size}
