"""Writes of the analytics rollup (``PetitionTally``): called by the petition services in their
transactions, so the counts move with the petitions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import connection, transaction

from xinfang.analytics.models import TALLY_SLOTS, PetitionTally
from xinfang.analytics.rates_sql import Dialect
from xinfang.analytics.rollup import rates_rebuild, rates_refresh, volume_rebuild
from xinfang.core import clock
from xinfang.petitions.models import Petition
from xinfang.petitions.workflow import State

TallyKey = tuple[int, str, str, str, int, date, int]
#: ``PetitionTally``'s key, the columns of ``TallyKey`` in order.
TALLY_COLUMNS = (
    "current_organ_id",
    "region_id",
    "category",
    "state",
    "accused_organ_id",
    "month",
    "slot",
)


def tally_key(p: Petition) -> TallyKey:
    """The petition's cell; its slot is fixed by its id, so its moves stay in one row of each key.
    (Rows counted before slots existed sit in slot 0: a move of such a petition can leave a
    negative row in its own slot; the sums the readers take stay right, and ``tally_rebuild``
    tidies them.)"""
    return (
        p.current_organ_id,
        p.region_id,
        p.category or "",
        p.state,
        p.accused_organ_id or 0,
        clock.local_date(p.received_at).replace(day=1),
        p.pk % TALLY_SLOTS,
    )


def tally_petitions_registered(*, petitions: Iterable[Petition]) -> None:
    """Hook of the registration services: count the new petitions."""
    tally_add(Counter(tally_key(p) for p in petitions))


def tally_petition_acted(*, petition: Petition, event: object, before: Petition) -> None:
    """Hook of ``petition_act``: move the petition from its cell before the step to its new one.
    A voided registration (a mistake or a duplicate) leaves the counts altogether (issue 12)."""
    if petition.state == State.VOIDED:
        tally_add(Counter({tally_key(before): -1}))
        return
    tally_move(tally_key(before), tally_key(petition))


def tally_add(changes: Counter[TallyKey]) -> None:
    """Add ``n`` to each key's count (negative to take away), one upsert per changed key."""
    rows = sorted((*k, n) for k, n in changes.items() if n)  # one lock order for every writer
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(PetitionTally._meta.db_table)
    cols = TALLY_COLUMNS
    sql = (
        f"INSERT INTO {table} ({', '.join(map(qn, cols))}, {qn('n')}) "
        f"VALUES ({', '.join(['%s'] * (len(cols) + 1))}) "
        f"ON CONFLICT ({', '.join(map(qn, cols))}) "
        f"DO UPDATE SET {qn('n')} = {table}.{qn('n')} + excluded.{qn('n')}"
    )
    with connection.cursor() as c:
        c.executemany(sql, rows)


def tally_move(before: TallyKey, after: TallyKey) -> None:
    """One petition's key changed (a transfer, a new state, a category decided)."""
    if before != after:
        tally_add(Counter({before: -1, after: 1}))


def tally_rebuild() -> int:
    """Recount every petition (after an import in SQL, or to check); returns the petitions.

    One ``INSERT … SELECT … GROUP BY`` in the database (issue 16: the rebuild read every
    petition into Python, minutes at 10^7), each petition in the cell ``tally_key`` gives it:
    the local month it was received in (the deployment's time zone, as ``clock.local_date``),
    the slot of its id; a voided registration counts nowhere."""
    qn = connection.ops.quote_name
    sql = Dialect(connection.vendor, settings.TIME_ZONE)
    table, petitions = qn(PetitionTally._meta.db_table), qn(Petition._meta.db_table)
    cols = ", ".join(map(qn, (*TALLY_COLUMNS, "n")))
    month = sql.month(sql.local(qn("received_at")))
    select = (
        f"SELECT {qn('current_organ_id')}, {qn('region_id')}, COALESCE({qn('category')}, ''), "
        f"{qn('state')}, COALESCE({qn('accused_organ_id')}, 0), {month}, "
        f"{qn('id')} %% {int(TALLY_SLOTS)}, COUNT(*) FROM {petitions} "
        f"WHERE {qn('state')} <> %s GROUP BY 1, 2, 3, 4, 5, 6, 7"
    )
    with transaction.atomic(), connection.cursor() as c:
        c.execute(f"DELETE FROM {table}")
        c.execute(f"INSERT INTO {table} ({cols}) {select}", [str(State.VOIDED)])
        c.execute(f"SELECT COALESCE(SUM({qn('n')}), 0) FROM {table}")
        return int(c.fetchone()[0])


# The rate rollup (regulation.md §8.2) is written by ``analytics.rollup`` (imported above).

__all__ = [
    "rates_rebuild",
    "rates_refresh",
    "tally_add",
    "tally_move",
    "tally_petition_acted",
    "tally_petitions_registered",
    "tally_rebuild",
    "volume_rebuild",
]
