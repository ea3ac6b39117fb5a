"""The ledger as an XLSX workbook in the usual 台账 layout: a title row, the header, one row per
dispute (parties and their asks, mediation, outcome). Read as plain rows in chunks (two more
queries per 5,000 entries: their parties and their mediation steps) and written by the streaming
writer of ``xlsx.py``, so 10^5 entries stay within seconds (bench/README.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, connections, transaction
from django.utils.translation import gettext

from xinfang.core.masking import mask_name
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.prevention.models import (
    DisputeKind,
    DisputeParty,
    DisputeStatus,
    DisputeStep,
    Outcome,
    PartySide,
)
from xinfang.prevention.selectors import LedgerFilter, disputes_for_user
from xinfang.prevention.xlsx import xlsx_bytes

CHUNK = 5000
WIDTHS = [6, 20, 11, 12, 20, 24, 30, 40, 10, 8, 11, 10, 14, 11, 20]
TYPES = "ntdttttttndttdt"  # number, text, date: one letter a column (xlsx.py's fast path)


def ledger_headers() -> list[str]:
    return [
        gettext("序号"),
        gettext("排查单位"),
        gettext("发现日期"),
        gettext("纠纷类型"),
        gettext("发生地点"),
        gettext("当事方"),
        gettext("主要诉求"),
        gettext("纠纷简况"),
        gettext("化解责任人"),
        gettext("调解次数"),
        gettext("最近调解"),
        gettext("状态"),
        gettext("化解结果"),
        gettext("办结日期"),
        gettext("备注"),
    ]


def _raw(qs) -> Iterator[list[tuple]]:  # type: ignore[no-untyped-def]
    """The query's rows as the database driver gives them, in chunks: no per-value converters
    (a date may come as ``date`` or as ISO text; the writer takes both). A server-side cursor on
    PostgreSQL (``chunked_cursor``, as ``QuerySet.iterator`` uses), so 10^5 rows stream."""
    sql, params = qs.query.get_compiler(using=qs.db).as_sql()
    with transaction.atomic(using=qs.db), connections[qs.db].chunked_cursor() as c:
        c.execute(sql, params)
        while rows := c.fetchmany(CHUNK):
            yield rows


def _by_dispute(sql: str, ids: list[int]) -> list[tuple]:
    """``sql`` with ``{ids}`` replaced by the chunk's ids: integers read from the database, written
    inline (thousands of bound parameters cost a Python call each and hit SQLite's limit)."""
    with connection.cursor() as c:
        c.execute(sql.format(ids=",".join(map(str, ids))))
        return c.fetchall()


def ledger_rows(
    *, user: User, flt: LedgerFilter, progress: Callable[[int], None] | None = None
) -> Iterable[list[object]]:
    """The ledger's rows; ``progress(n)`` is told after each chunk how many are written."""
    kinds = {k: gettext(v) for k, v in DisputeKind.choices}
    statuses = {k: gettext(v) for k, v in DisputeStatus.choices}
    outcomes = {k: gettext(v) for k, v in Outcome.choices}
    outcomes[""] = ""
    sides = {k: gettext(v) for k, v in PartySide.choices}
    petition_note = gettext("信访事项 %(code)s")
    name_of = (lambda n: n) if user_can(user, Cap.VIEW_IDENTITY) else mask_name  # once
    qs = (
        disputes_for_user(user=user, flt=flt)
        .order_by("organ__path", "found_on", "id")
        .values_list(
            "id",
            "organ__name",
            "found_on",
            "kind",
            "place",
            "summary",
            "responsible",
            "status",
            "outcome",
            "closed_on",
            "referred_to",
            "petition__tracking_code",
        )
    )
    party_t, step_t = DisputeParty._meta.db_table, DisputeStep._meta.db_table
    parties_sql = (
        f"SELECT dispute_id, side, name, asks FROM {party_t} "
        "WHERE dispute_id IN ({ids}) ORDER BY id"
    )
    steps_sql = (
        f'SELECT dispute_id, COUNT(*), MAX("on") FROM {step_t} '
        "WHERE dispute_id IN ({ids}) GROUP BY dispute_id"
    )
    n = 0
    for chunk in _raw(qs):
        if progress is not None and n:
            progress(n)
        ids = [r[0] for r in chunk]
        who: dict[int, list[str]] = defaultdict(list)
        asks: dict[int, list[str]] = defaultdict(list)
        for did, side, name, ask in _by_dispute(parties_sql, ids):
            who[did].append(f"{sides.get(side, side)}：{name_of(name)}")
            if ask:
                asks[did].append(ask)
        steps = {did: (k, last) for did, k, last in _by_dispute(steps_sql, ids)}
        none = (0, None)
        for did, organ, found, kind, place, summary, resp, status, out, closed, to, code in chunk:
            n += 1
            count, last = steps.get(did, none)
            yield [
                n,
                organ,
                found,
                kinds.get(kind, kind),
                place,
                "；".join(who.get(did, ())),
                "；".join(asks.get(did, ())),
                summary,
                resp,
                count,
                last,
                statuses.get(status, status),
                outcomes.get(out, ""),
                closed,
                petition_note % {"code": code} if code else to,
            ]


def ledger_xlsx(
    *,
    user: User,
    flt: LedgerFilter,
    title: str,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    return xlsx_bytes(
        sheet=gettext("台账"),
        title=title,
        headers=ledger_headers(),
        rows=ledger_rows(user=user, flt=flt, progress=progress),
        widths=WIDTHS,
        types=TYPES,
    )
