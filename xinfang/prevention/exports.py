"""The ledger as an XLSX workbook in the usual 台账 layout: a title row, the header, one row per
dispute (parties and their asks, mediation, outcome). Read as plain rows in chunks (two more
queries per 5,000 entries: their parties and their mediation steps) and written by the streaming
writer of ``xlsx.py``, so 10^5 entries stay within seconds (bench/README.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db.models import Count, Max
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


def _chunks(it: Iterator, size: int) -> Iterator[list]:
    chunk = []
    for x in it:
        chunk.append(x)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def ledger_rows(
    *, user: User, flt: LedgerFilter, progress: Callable[[int], None] | None = None
) -> Iterable[list[object]]:
    """The ledger's rows; ``progress(n)`` is told after each chunk how many are written."""
    kinds = {k: gettext(v) for k, v in DisputeKind.choices}
    statuses = {k: gettext(v) for k, v in DisputeStatus.choices}
    outcomes = {k: gettext(v) for k, v in Outcome.choices}
    sides = {k: gettext(v) for k, v in PartySide.choices}
    petition_note = gettext("信访事项 %(code)s")
    full_names = user_can(user, Cap.VIEW_IDENTITY)  # once, not per party
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
    n = 0
    for chunk in _chunks(qs.iterator(chunk_size=CHUNK), CHUNK):
        if progress is not None and n:
            progress(n)
        ids = [r[0] for r in chunk]
        parties: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        for did, side, name, asks in (
            DisputeParty.objects.filter(dispute_id__in=ids)
            .order_by("id")
            .values_list("dispute_id", "side", "name", "asks")
        ):
            parties[did].append((side, name, asks))
        steps = {
            did: (count, last)
            for did, count, last in DisputeStep.objects.filter(dispute_id__in=ids)
            .order_by()
            .values_list("dispute_id")
            .annotate(n=Count("id"), last=Max("on"))
        }
        for (
            did,
            organ,
            found,
            kind,
            place,
            summary,
            resp,
            status,
            outcome,
            closed,
            to,
            code,
        ) in chunk:
            n += 1
            ps = parties.get(did, [])
            count, last = steps.get(did, (0, None))
            yield [
                n,
                organ,
                found,
                kinds.get(kind, kind),
                place,
                "；".join(
                    f"{sides.get(s, s)}：{name if full_names else mask_name(name)}"
                    for s, name, _ in ps
                ),
                "；".join(a for _, _, a in ps if a),
                summary,
                resp,
                count,
                last,
                statuses.get(status, status),
                outcomes.get(outcome, "") if outcome else "",
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
