"""Exports of the petition list a user may see: CSV and XLSX.

* Gated by the ``export`` capability; the rows are read through the jurisdiction gate
  (``selectors.petition_queryset_for_user``), so an accused organ's staff, and a staff member
  an accusation names, export nothing about it, and the file tells them no count.
* Identities follow ``privacy.user_may_see_identity``: masked unless the user has
  ``view_identity`` (and, for an accusation or a confidential petition, holds it now).
* Every export is one ``export`` audit record: format, filters, row count, and the petitions
  whose identities it showed unmasked (what an ``identity.view`` record would have said).
* At most ``XINFANG_EXPORT_MAX_ROWS`` rows (newest first, read in chunks); when more match,
  the file's last row says so (and the audit record), so a cut-off list is never mistaken for
  the whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.core.errors import Forbidden
from xinfang.core.masking import mask_id_number, mask_name, mask_phone
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.flags import FLAGS, LISTED, Flag
from xinfang.petitions.models import Party, PartyRole
from xinfang.petitions.selectors.parties import identity_restricted, user_may_see_identity
from xinfang.petitions.workflow import CATEGORY_LABELS, STATE_LABELS, Category, State

TRUNCATED_NOTE = "（仅导出了最新的 {n} 件，另有信访事项未导出：请缩小筛选范围后分批导出）"
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
HEADER = [
    "查询码",
    "标题",
    "类别",
    "状态",
    "渠道",
    "收到日期",
    "事项所在地",
    "当前承办机关",
    "最近期限",
    "集体信访",
    "标记",  # the cross-cutting facts of regulation.md §6.1 (petitions.flags)
    "信访人",
    "联系电话",
    "证件号码",
]


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str
    rows: int
    truncated: bool = False


def _cell(value: Any) -> str:
    """Text that a spreadsheet shows as text (no formula injection: =, +, -, @ lead a quote)."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def _flags_cell(p: Any) -> str:
    """The flags that are on, "、"-separated; the leader in charge by name (an official)."""
    out = []
    for f, rule in FLAGS.items():
        if f in LISTED and getattr(p, f.value):
            label = gettext(rule.label)
            if f == Flag.LEADER_CASE and p.leader_in_charge:
                label += f"（{p.leader_in_charge}）"
            if f == Flag.MAJOR_URGENT and not p.major_urgent_reported:
                label += "（" + gettext("待报告") + "）"
            out.append(label)
    return gettext("、").join(out)


def _rows(user: User, qs: Any, shown: list[int]) -> Iterator[list[str]]:
    for p in qs:
        clear = user_may_see_identity(user=user, petition=p)
        petitioners = [x for x in p.parties.all() if x.role == PartyRole.PETITIONER]
        hide_name = not clear and identity_restricted(p)
        names, phones, id_numbers = [], [], []
        for x in petitioners:
            name = x.name
            if hide_name and not x.is_organisation:
                name = mask_name(name)
            names.append(name)
            phones.append(x.phone if clear else mask_phone(x.phone))
            id_numbers.append(x.id_number if clear else mask_id_number(x.id_number))
        if clear and petitioners and not p.is_anonymous:
            shown.append(p.pk)
        yield [
            ids.format_tracking_code(p.tracking_code),
            p.title,
            gettext(CATEGORY_LABELS[Category(p.category)]) if p.category else "",
            gettext(STATE_LABELS[State(p.state)]),
            gettext(p.get_channel_display()),
            p.received_at.date().isoformat(),
            p.region.name,
            p.current_organ.name,
            p.next_due.isoformat() if p.next_due else "",
            gettext("是") if p.is_collective else "",
            _flags_cell(p),
            "；".join(names),
            "；".join(x for x in phones if x),
            "；".join(x for x in id_numbers if x),
            p.pk,  # not written: lets the caller drop the row past the limit
        ]


def petitioner_cells(
    *, user: User, petition_ids: list[int], shown: list[int]
) -> dict[int, tuple[str, str]]:
    """The petitioners' names and phones of each petition, for a 台账 row of a record about it
    (a relief application, a hearing …), masked as the petition list masks them: phones unless
    ``user_may_see_identity``, names too for an accusation or a confidential petition the user's
    organ does not handle (Arts. 30 para 3, 46(5)). ``shown`` gets the petitions whose parties
    were written unmasked (the export's audit record says so). Two queries a chunk."""
    from xinfang.petitions.models import Petition

    ids_ = sorted({i for i in petition_ids if i})
    if not ids_:
        return {}
    petitions = Petition.objects.filter(pk__in=ids_).only(
        "pk", "category", "accused_organ_id", "confidential", "current_organ_id", "is_anonymous"
    )
    parties: dict[int, list[Party]] = {}
    for x in Party.objects.filter(petition_id__in=ids_, role=PartyRole.PETITIONER).order_by("id"):
        parties.setdefault(x.petition_id, []).append(x)
    out = {}
    for p in petitions:
        clear = user_may_see_identity(user=user, petition=p)
        hide_name = not clear and identity_restricted(p)
        names = [
            mask_name(x.name) if hide_name and not x.is_organisation else x.name
            for x in parties.get(p.pk, [])
        ]
        phones = [x.phone if clear else mask_phone(x.phone) for x in parties.get(p.pk, [])]
        if clear and parties.get(p.pk) and not p.is_anonymous:
            shown.append(p.pk)
        out[p.pk] = ("；".join(names), "；".join(x for x in phones if x))
    return out


def petition_rows(*, user: User, petition_ids: list[int], shown: list[int]) -> list[list[Any]]:
    """The export's rows (``HEADER``) of these petitions in the order given: a page of a list
    the user sees (the worklist's 台账, ``analytics.export_kinds``), masked as above."""
    from xinfang.petitions.models import Petition

    qs = (
        Petition.objects.filter(pk__in=petition_ids)
        .select_related("region", "current_organ")
        .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("id")))
    )
    seen: list[int] = []
    by_id = {r[-1]: r for r in _rows(user, qs, seen)}
    seen_set = set(seen)
    shown += [i for i in petition_ids if i in seen_set]
    return [by_id[i][:-1] for i in petition_ids if i in by_id]


def petition_export(
    *,
    user: User,
    fmt: str,
    state: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    region_code: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    flag: str | None = None,
) -> ExportFile:
    """The petitions ``user`` may see, filtered, as a CSV or XLSX file; audited."""
    from xinfang.audit.services import audit_record
    from xinfang.petitions.selectors import flag_q, petition_queryset_for_user

    if not user_can(user, Cap.EXPORT):
        raise Forbidden(gettext("您的角色不能导出"))
    if fmt not in FORMATS:
        raise Forbidden(gettext("不支持的导出格式"))
    qs = petition_queryset_for_user(user=user)
    filters = {"state": state, "category": category, "channel": channel}
    qs = qs.filter(**{k: v for k, v in filters.items() if v})
    if region_code:
        qs = qs.filter(region__code__startswith=region_code.rstrip("0") or region_code)
    qs = qs.filter(clock.on_local_days("received_at", received_from, received_to))
    if flag:
        qs = qs.filter(flag_q(flag))
    qs = (
        qs.select_related("region", "current_organ")
        .prefetch_related(Prefetch("parties", queryset=Party.objects.order_by("id")))
        .order_by("-id")
    )
    limit = max(1, int(settings.XINFANG_EXPORT_MAX_ROWS))
    shown: list[int] = []
    rows = list(_rows(user, qs[: limit + 1].iterator(chunk_size=2000), shown))
    truncated = len(rows) > limit
    if truncated:
        last = rows.pop()
        if shown and shown[-1] == _pk_of(last):
            shown.pop()
    content = _csv(rows, truncated) if fmt == "csv" else _xlsx(rows, truncated)
    audit_record(
        kind="export",
        actor=user,
        object_type="petition",
        data={
            "format": fmt,
            "rows": len(rows),
            "truncated": truncated,
            "filters": {
                **{k: v for k, v in filters.items() if v},
                "region_code": region_code or "",
                "received_from": received_from,
                "received_to": received_to,
                "flag": flag or "",
            },
            "identities_shown": shown,
        },
    )
    content_type, ext = FORMATS[fmt]
    return ExportFile(content, content_type, f"petitions.{ext}", len(rows), truncated)


def _pk_of(row: list[Any]) -> int:
    return int(row[-1])


def _csv(rows: list[list[Any]], truncated: bool) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([gettext(h) for h in HEADER])
    for r in rows:
        w.writerow([_cell(x) for x in r[:-1]])
    if truncated:
        w.writerow([TRUNCATED_NOTE.format(n=len(rows))])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM: Excel reads it as UTF-8


def _xlsx(rows: list[list[Any]], truncated: bool) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("信访事项")
    ws.append([gettext(h) for h in HEADER])
    for r in rows:
        ws.append([_cell(x) for x in r[:-1]])
    if truncated:
        ws.append([TRUNCATED_NOTE.format(n=len(rows))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
