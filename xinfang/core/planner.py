"""The query planner's statistics on SQLite (the embedded default).

PostgreSQL keeps its own (autovacuum analyses a table as it changes). SQLite keeps none until
``ANALYZE`` runs: without ``sqlite_stat1`` its planner guesses every index alike, and at 10^6
petitions a wrong guess costs seconds (bench/README.md, "10^6 on SQLite"). ``bench_seed`` runs
this after a bulk load, and ``xinfang tick`` once a day (``ops.sqlite_analyze``).
"""

from __future__ import annotations

from django.db import connection

#: Rows read per index by the daily, approximate ANALYZE (SQLite's ``analysis_limit``; its
#: documentation suggests 100-1000). The counts it stores are estimates, which is all the
#: planner needs; a full ANALYZE reads every index whole (minutes at 10^6 petitions).
SAMPLE_ROWS = 1000


def planner_statistics_refresh(*, sample_rows: int | None = SAMPLE_ROWS) -> dict[str, int]:
    """``ANALYZE`` the SQLite database (``sample_rows`` per index; None: every row). Nothing
    on PostgreSQL. Returns how many statistics rows the planner now has."""
    if connection.vendor != "sqlite":
        return {}
    with connection.cursor() as c:
        c.execute(f"PRAGMA analysis_limit = {int(sample_rows or 0)}")
        c.execute("ANALYZE")
        c.execute("SELECT COUNT(*) FROM sqlite_stat1")
        return {"statistics": c.fetchone()[0]}
