"""The staff petition page says when part of a petition's history is in an archived year
(ADR 0019): the events and audit records of a detached partition are not on its timeline until
an administrator attaches the year again (``xinfang manage partitions attach --year Y``).

Which years are archived is read from the audit trail (``audit.archive``), on PostgreSQL only
(SQLite is never partitioned), and kept per process and database for ``TTL`` seconds: a
detach or attach in this process clears it at once, other processes see it within a minute."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection

from xinfang.audit.archive import Archive, archive_read

TTL = 60.0
_memo: dict[str, tuple[float, Archive]] = {}  # database name -> (read at, archive)


def archive_memo_clear() -> None:
    _memo.clear()


def _archive() -> Archive | None:
    if connection.vendor != "postgresql":
        return None
    db = str(connection.settings_dict.get("NAME"))
    got = _memo.get(db)
    if got is None or time.monotonic() - got[0] > TTL:
        got = (time.monotonic(), archive_read())
        _memo[db] = got
    return got[1]


def archive_panel_context(*, petition: Any, user: Any) -> dict[str, Any] | None:
    """The archived years holding part of this petition's history, or nothing."""
    archive = _archive()
    if not archive or not archive.excuses("petition", str(petition.pk)):
        return None
    return {"labels": archive.labels}
