"""Writes of the worklist's rollup (``WorklistTally``), in the transaction of every change of what
it counts: a registration (single or bulk), a step (``act._step``), a flag set or ended, a
conclusion reported by another installation, a deadline fold (a recompute, a calendar change).

A petition counts in one cell while it is open: (organ holding it, next due date, accused organ,
slot), with 1 in ``n`` and 1 in each flag column it carries. A change moves it from the cell it
was in to the one it is in now; ``worklist_tally_rebuild`` recounts from the petitions."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, Mod

from xinfang.petitions.models import UNDATED, WORKLIST_SLOTS, Petition, WorklistTally
from xinfang.petitions.worklist_cells import COLUMNS, COUNTED, KEY, Key, worklist_cell


def worklist_tally_moves(pairs: Iterable[tuple[Petition | None, Petition | None]]) -> None:
    """Each (before, after) pair: take the petition out of its old cell, put it in its new one
    (None: it was not there, a new registration; or it leaves, a petition removed)."""
    changes: dict[Key, list[int]] = {}
    for before, after in pairs:
        old = worklist_cell(before) if before is not None else None
        new = worklist_cell(after) if after is not None else None
        if old == new:
            continue
        for sign, cell in ((-1, old), (1, new)):
            if cell is None:
                continue
            key, values = cell
            acc = changes.setdefault(key, [0] * len(COLUMNS))
            for i, v in enumerate(values):
                acc[i] += sign * v
    _apply(changes)


def worklist_tally_move(*, before: Petition | None, after: Petition | None) -> None:
    """One petition changed (``before``: a copy taken before the change)."""
    worklist_tally_moves([(before, after)])


def _apply(changes: dict[Key, list[int]]) -> None:
    """Add each cell's change, one upsert per cell in key order (one lock order for every
    writer); a cell left with no petition is deleted (past due dates do not pile up)."""
    rows = sorted((k, v) for k, v in changes.items() if any(v))
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(WorklistTally._meta.db_table)
    cols = [*KEY, *COLUMNS]
    adds = ", ".join(f"{qn(c)} = {table}.{qn(c)} + excluded.{qn(c)}" for c in COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(map(qn, cols))}) "
        f"VALUES ({', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT ({', '.join(map(qn, KEY))}) DO UPDATE SET {adds}"
    )
    adapt = connection.ops.adapt_datefield_value
    params = [(o, adapt(d), a, s, *v) for (o, d, a, s), v in rows]
    emptied = [p[:4] for p, (_k, v) in zip(params, rows, strict=True) if v[0] < 0]
    with connection.cursor() as c:
        c.executemany(sql, params)
        if emptied:
            where = " AND ".join(f"{qn(k)} = %s" for k in KEY)
            zero = " AND ".join(f"{qn(c)} = 0" for c in COLUMNS)
            c.executemany(f"DELETE FROM {table} WHERE {where} AND {zero}", emptied)


def worklist_tally_counted() -> dict[Key, tuple[int, ...]]:
    """The cells as the petitions make them now, counted in SQL (the rebuild, the tests)."""
    flag = {f: Count("pk", filter=Q(**{f: True}), output_field=IntegerField()) for f in COUNTED}
    rows = (
        Petition.objects.filter(is_open=True)
        .annotate(
            k_due=Coalesce("next_due", Value(UNDATED)),
            k_accused=Case(
                When(accused_organ_id__isnull=True, then=Value(0)),
                default="accused_organ_id",
                output_field=IntegerField(),
            ),
            k_slot=Mod("id", WORKLIST_SLOTS),
        )
        .values("current_organ_id", "k_due", "k_accused", "k_slot")
        .annotate(
            c_n=Count("pk"),
            **{f"c_{f}": v for f, v in flag.items()},
            c_unreported=Count("pk", filter=Q(major_urgent=True, major_urgent_reported=False)),
        )
        .order_by()
    )
    out: dict[Key, tuple[int, ...]] = {}
    for r in rows:
        key = (r["current_organ_id"], r["k_due"], r["k_accused"], r["k_slot"])
        out[key] = (r["c_n"], *(r[f"c_{f}"] for f in COUNTED), r["c_unreported"])
    return out


def worklist_tally_stored() -> dict[Key, tuple[int, ...]]:
    """The cells as the rollup holds them (rows with no petition left out)."""
    return {
        (r[0], r[1], r[2], r[3]): tuple(r[4:])
        for r in WorklistTally.objects.values_list(*KEY, *COLUMNS).order_by()
        if any(r[4:])
    }


def worklist_tally_rebuild() -> int:
    """Recount the rollup from the open petitions (after an import in SQL, or to repair);
    returns the cells written.

    Count, delete and insert are one transaction with the rollup locked against writers first
    (revB #4): a step committed meanwhile either is in the count (it wrote before the lock) or
    waits at its upsert and adds its delta to the new base, never lost between the two. On
    PostgreSQL ``LOCK TABLE … IN EXCLUSIVE MODE`` (reads go on); on SQLite the DELETE takes the
    database's write lock before the count."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                table = connection.ops.quote_name(WorklistTally._meta.db_table)
                cur.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        WorklistTally.objects.all().delete()
        counted = worklist_tally_counted()
        WorklistTally.objects.bulk_create(
            [
                WorklistTally(
                    organ_id=k[0], next_due=k[1], accused_organ_id=k[2], slot=k[3],
                    **dict(zip(COLUMNS, v, strict=True)),
                )
                for k, v in counted.items()
            ],
            batch_size=5000,
        )  # fmt: skip
    return len(counted)
