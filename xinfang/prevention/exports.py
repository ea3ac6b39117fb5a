"""The ledger as an XLSX workbook in the usual 台账 layout: a title row, the header, one row per
dispute (parties and their asks, mediation, outcome). Written in streaming mode (openpyxl
write-only) so 10^5 entries stay within seconds (bench/prevention/LEDGER.md)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.db.models import Count, Max, Prefetch
from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from xinfang.directory.models import User
from xinfang.prevention.models import Dispute, DisputeParty
from xinfang.prevention.selectors import LedgerFilter, disputes_for_user, party_name_for


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


def ledger_rows(*, user: User, flt: LedgerFilter) -> Iterable[list[object]]:
    qs = (
        disputes_for_user(user=user, flt=flt)
        .select_related("organ", "petition")
        .annotate(step_count=Count("steps"), last_step=Max("steps__on"))
        .prefetch_related(Prefetch("parties", queryset=DisputeParty.objects.order_by("id")))
        .order_by("organ__path", "found_on", "id")
    )
    for n, d in enumerate(qs.iterator(chunk_size=2000), start=1):
        parties = list(d.parties.all())
        note = d.referred_to
        if d.petition_id:
            note = gettext("信访事项 %(code)s") % {"code": d.petition.tracking_code}
        yield [
            n,
            d.organ.name,
            d.found_on,
            gettext(d.get_kind_display()),
            d.place,
            "；".join(
                f"{gettext(p.get_side_display())}：{party_name_for(user, p.name)}" for p in parties
            ),
            "；".join(p.asks for p in parties if p.asks),
            d.summary,
            d.responsible,
            d.step_count,
            d.last_step,
            gettext(d.get_status_display()),
            gettext(d.get_outcome_display()) if d.outcome else "",
            d.closed_on,
            note,
        ]


def ledger_xlsx(*, user: User, flt: LedgerFilter, title: str) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(gettext("台账"))
    widths = [6, 20, 11, 12, 20, 24, 30, 40, 10, 8, 11, 10, 14, 11, 20]
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w
    head = WriteOnlyCell(ws, value=title)
    head.font = Font(bold=True, size=14)
    ws.append([head])
    bold = []
    for h in ledger_headers():
        c = WriteOnlyCell(ws, value=h)
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center")
        bold.append(c)
    ws.append(bold)
    for row in ledger_rows(user=user, flt=flt):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


__all__ = ["Dispute", "ledger_headers", "ledger_rows", "ledger_xlsx"]
