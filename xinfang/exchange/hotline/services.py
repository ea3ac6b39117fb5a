"""Importing 12345 work orders (docs/hotline.md): an order the hotline hands to the petition
channel becomes a petition (channel ``hotline``, Art. 17) registered at the petition office of
its region through the bulk path (``petition_register_batch``, ADR 0020), keeping its
hotline id.

* a dry run checks every row as the import would and reports each bad one with its reasons;
* an import commits all of the file or nothing: one bad row and nothing is saved;
* the same hotline id twice is one petition: ids already imported are reported and skipped,
  and the unique key refuses a concurrent second import of the same order.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.core.rows import values_insert
from xinfang.directory.models import Organ, User
from xinfang.directory.selectors import petition_office_for
from xinfang.exchange.hotline import schema
from xinfang.exchange.models import HotlineOrder
from xinfang.petitions import validation
from xinfang.petitions.models import Channel
from xinfang.petitions.services import (
    PartyInput,
    PetitionInput,
    petition_register_batch,
    petition_register_many_check,
)

BATCH = 1000


@dataclass
class Report:
    """What an import did or would do; ``bad`` lists every refused row with its reasons."""

    batch: str
    dry_run: bool
    rows: int = 0
    to_import: int = 0
    imported: int = 0
    already: list[str] = field(default_factory=list)  # hotline ids imported before
    not_for_petitions: int = 0  # route_to other than "petition": the hotline answers them
    bad: list[dict[str, Any]] = field(default_factory=list)
    committed: bool = False
    file_problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "to_import": self.to_import,
            "imported": self.imported,
            "already_imported": len(self.already),
            "already_imported_ids": self.already[:1000],
            "not_for_petitions": self.not_for_petitions,
            "bad_rows": len(self.bad),
            "bad": self.bad,
            "committed": self.committed,
            "file_problem": self.file_problem,
        }


class _Rollback(Exception):
    pass


def _input(order: schema.Order) -> PetitionInput:
    parties = []
    if not order.anonymous:
        parties = [PartyInput(role="petitioner", name=order.caller_name, phone=order.caller_phone)]
    return PetitionInput(
        channel=Channel.HOTLINE,
        title=schema.title_of(order),
        content=order.content,
        region_code=order.region_code,
        received_at=order.called_at,
        category=order.category,
        is_anonymous=order.anonymous,
        parties=parties,
    )


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def hotline_import(
    *,
    data: bytes,
    fmt: str,
    dry_run: bool,
    actor: User | None,
    at: datetime | None = None,
) -> Report:
    """Check (``dry_run``) or import a file of work orders. Never raises for bad rows: they are
    in the report, and then nothing is saved."""
    now = at or clock.now()
    report = Report(batch=f"hotline-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}", dry_run=dry_run)
    try:
        raw_rows = schema.read(data, fmt)
    except schema.FileProblem as e:
        report.file_problem = str(e)
        return report
    report.rows = len(raw_rows)
    tz = timezone.get_default_timezone()
    orders: list[schema.Order] = []
    first_row: dict[str, int] = {}

    def bad(row: int, hid: str, reasons: list[str]) -> None:
        report.bad.append({"row": row, "hotline_id": hid, "reasons": reasons})

    for row, raw in raw_rows:
        order, reasons = schema.order_check(row, raw, tz=tz)
        hid = str(raw.get("hotline_id", ""))[:64] if isinstance(raw, dict) else ""
        if order is None:
            bad(row, hid, reasons)
            continue
        if order.hotline_id in first_row:
            bad(
                row,
                hid,
                [gettext("hotline_id: 与第 %(r)s 行重复") % {"r": first_row[order.hotline_id]}],
            )
            continue
        first_row[order.hotline_id] = row
        if not order.for_petitions:
            report.not_for_petitions += 1
            continue
        orders.append(order)
    known: set[str] = set()
    for part in _chunks([o.hotline_id for o in orders], 5000):
        known |= set(
            HotlineOrder.objects.filter(hotline_id__in=part).values_list("hotline_id", flat=True)
        )
    report.already = sorted(known)
    orders = [o for o in orders if o.hotline_id not in known]
    validation.regions_warm({o.region_code for o in orders})
    offices: dict[str, Organ | None] = {}
    by_office: dict[int, list[schema.Order]] = defaultdict(list)
    organ_of: dict[int, Organ] = {}
    for o in orders:
        if o.region_code not in offices:
            offices[o.region_code] = (
                petition_office_for(region_code=o.region_code)
                if validation.region(o.region_code) is not None
                else None
            )
        office = offices[o.region_code]
        if office is None:
            bad(o.row, o.hotline_id, [gettext("region_code: 无效的区划代码，或该地区没有信访部门")])
            continue
        by_office[office.pk].append(o)
        organ_of[office.pk] = office
    report.to_import = sum(len(v) for v in by_office.values())
    try:
        with transaction.atomic():
            _register(report, by_office, organ_of, actor=actor, now=now, write=not dry_run, bad=bad)
            if dry_run or report.bad:
                raise _Rollback
            audit_record(
                kind="hotline.import",
                actor=actor,
                object_type="hotline_batch",
                object_id=report.batch,
                data={"imported": report.imported, "already": len(report.already)},
                at=now,
            )
    except _Rollback:
        report.imported = 0
        return _sorted(report)
    except IntegrityError:
        # A second import of the same orders committed first: nothing of this one is kept.
        report.imported = 0
        report.file_problem = gettext(
            "另一个导入同时写入了相同的热线工单号，本次未保存，请重新导入"
        )
        return _sorted(report)
    report.committed = True
    return _sorted(report)


def _sorted(report: Report) -> Report:
    report.bad.sort(key=lambda b: b["row"])
    return report


def _register(report, by_office, organ_of, *, actor, now, write, bad) -> None:  # type: ignore[no-untyped-def]
    """Register (``write``) or check each office's orders in batches of the bulk path
    (``petition_register_batch``: the single path's checks, a refused row skipped and
    reported); after the first bad row only checks, so that the report lists every bad row
    of the file while nothing is written (the caller rolls back: all or nothing)."""
    for office_id, office_orders in by_office.items():
        organ = organ_of[office_id]
        for part in _chunks(office_orders, BATCH):
            inputs = [_input(o) for o in part]
            if not write or report.bad:
                refused = petition_register_many_check(items=inputs, organ=organ)
                for i, reasons in sorted(refused.items()):
                    bad(part[i].row, part[i].hotline_id, reasons)
                continue
            batch = petition_register_batch(items=inputs, organ=organ, actor=actor)
            for i, reasons in sorted(batch.refused.items()):
                bad(part[i].row, part[i].hotline_id, reasons)
            values_insert(
                HotlineOrder,
                ["hotline_id", "petition_id", "organ_id", "called_at", "imported_at", "batch"],
                [
                    (part[i].hotline_id, reg.petition.pk, organ.pk, part[i].called_at, now,
                     report.batch)
                    for i, reg in sorted(batch.registered.items())
                ],
            )  # fmt: skip
            report.imported += len(batch.registered)
