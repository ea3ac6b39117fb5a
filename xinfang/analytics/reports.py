"""The annual report (Art. 41) and the monthly situation analysis (社情分析, Arts. 13, 14(4)) as
DOCX, and every figure of them as XLSX. The figures are the dashboard's own (``trends`` and
``rate_selectors`` over the same gate and months), so each number in the report equals the
page's; the Art. 41 items beyond volumes (organs most complained about, transfers and
supervision, proposals) come from ``accountability``, as on the trends page. Charts are
PNG drawn with the standard library (``charts``, ADR 0016), each above the table of its
numbers, which a screen reader also reads."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from xinfang.analytics.accountability import Accountability, accountability_for_user
from xinfang.analytics.rate_selectors import (
    METRIC_LABELS,
    Filters,
    Line,
    StageLine,
    rate_figures,
    rates_as_of,
)
from xinfang.analytics.rates import RATES, STAGES
from xinfang.analytics.trends import Trends, trends_for_user
from xinfang.directory.models import User

COMMENTARY_MAX = 20_000


@dataclass(frozen=True)
class ReportData:
    kind: str  # annual | monthly
    title: str
    organ: str
    month_from: date
    month_to: date
    trends: Trends
    rates: dict[str, list[Line]]
    stages: list[StageLine]
    commentary: str
    as_of: date | None
    acc: Accountability


def report_data(*, user: User, kind: str, year: int, month: int | None, commentary: str) -> ReportData:
    if kind == "annual":
        lo, hi = date(year, 1, 1), date(year, 12, 1)
        title = gettext("%(year)s年度信访工作情况报告") % {"year": year}
    else:
        lo = hi = date(year, month or 1, 1)
        title = gettext("%(year)s年%(month)s月社情分析") % {"year": year, "month": lo.month}
    f = Filters(month_from=lo, month_to=hi)
    # every rate and stage in one grouped read of the rollup, as the rates page reads them
    figures, stages = rate_figures(user=user, by="organ", filters=f)
    return ReportData(
        kind=kind,
        title=title,
        organ=user.organ.name if user.organ_id else "",  # type: ignore[union-attr]
        month_from=lo,
        month_to=hi,
        trends=trends_for_user(user=user, month_from=lo, month_to=hi),
        rates={m.value: figures[m] for m in RATES},
        stages=stages,
        commentary=commentary,
        as_of=rates_as_of(),
        acc=accountability_for_user(user=user, month_from=lo, month_to=hi),
    )


def tables(d: ReportData) -> list[tuple[str, list[str], list[list[object]]]]:
    """Every figure of the report as (caption, header, rows): the DOCX and the XLSX both."""
    t = d.trends
    out: list[tuple[str, list[str], list[list[object]]]] = []
    out.append((gettext("按月份和类别"), [gettext("月份"), *[lbl for _, lbl in t.categories],
                                        gettext("合计")],
                [[m.strftime("%Y-%m"), *[t.by_month_category[m].get(c, 0) for c, _ in t.categories],
                  sum(t.by_month_category[m].values())] for m in t.months]))
    out.append((gettext("渠道构成"), [gettext("渠道"), gettext("件数")],
                [[lbl, n] for _, lbl, n in t.channels]))
    out.append((gettext("初次信访与重复信访"), [gettext("月份"), gettext("初次信访"), gettext("重复信访")],
                [[m.strftime("%Y-%m"), a, b] for m, (a, b) in t.first_repeat.items()]))
    out.append((gettext("按事项所在地（按区划代码排列）"),
                [gettext("区划代码"), gettext("事项所在地"), gettext("件数")],
                [[code, name, n] for code, name, n in t.regions]))
    for metric, lines in d.rates.items():
        out.append((str(METRIC_LABELS[metric]),  # type: ignore[index]
                    [gettext("机关"), gettext("分子"), gettext("分母"), gettext("比率")],
                    [[ln.label, ln.rate.n, ln.rate.d, ln.rate.percent()] for ln in lines]))
    header = [gettext("机关")]
    for m in STAGES:
        label = str(METRIC_LABELS[m])
        header += [f"{label} {gettext('件数')}", f"{label} {gettext('中位数')}",
                   f"{label} P90"]
    out.append((gettext("各环节用时（天）"), header, [
        [s.label, *[x if x is not None else "—" for m in STAGES for x in s.stages[m.value]]]
        for s in d.stages
    ]))
    out.extend(accountability_tables(d.acc))
    return out


def _dispatch_title(a: Accountability) -> str:
    """The transfers table's title, with when they were counted (hourly; §8, Art. 41)."""
    if a.dispatch_as_of is None:
        return gettext("转送、交办情况")
    t = timezone.localtime(a.dispatch_as_of).strftime("%Y-%m-%d %H:%M")
    return gettext("转送、交办情况（计数于 %(t)s）") % {"t": t}


def accountability_tables(a: Accountability) -> list[tuple[str, list[str], list[list[object]]]]:
    """Art. 41 items 1-3 (``accountability``): the trends page shows the same tables."""
    s = a.supervision
    return [
        (gettext("被投诉较多的机关或者单位"), [gettext("机关"), gettext("件数")],
         [*[[o.organ, o.n] for o in a.complained],
          [gettext("被检举控告机关合计"), a.complained_total]]),
        (_dispatch_title(a), [gettext("环节"), gettext("件数")],
         [[gettext(label), n] for _, label, n in a.dispatch]),  # 转送 / 交办 as the reader reads
        (gettext("督办情况"), [gettext("项目"), gettext("件数")], [
            [gettext("督办通知"), s.issued], [gettext("挂牌督办"), s.listed],
            [gettext("已书面反馈"), s.replied], [gettext("其中超期反馈"), s.replied_late],
            [gettext("待书面反馈"), s.open], [gettext("其中已过反馈期限"), s.open_overdue]]),
        (gettext("政策性建议及采纳情况"), [gettext("项目"), gettext("件数")], [
            [gettext("提出政策性建议"), len(a.proposals)],
            [gettext("已出台政策措施"), a.proposals_adopted]]),
        (gettext("政策性建议明细"),
         [gettext("政策问题"), gettext("主管机关"), gettext("状态"), gettext("出台日期")],
         [[p.title, p.organ, p.status, p.responded_on.isoformat() if p.responded_on else "—"]
          for p in a.proposals]),
    ]


def report_docx(d: ReportData) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(d.title, level=0)
    doc.add_paragraph(
        gettext("单位：%(organ)s　统计期间：%(lo)s 至 %(hi)s　共 %(n)s 件")
        % {"organ": d.organ, "lo": d.month_from.strftime("%Y-%m"),
           "hi": d.month_to.strftime("%Y-%m"), "n": d.trends.total}
    )
    if d.as_of:
        doc.add_paragraph(gettext("考核指标计算截至 %(d)s。") % {"d": d.as_of.isoformat()})
    if d.commentary:
        doc.add_heading(gettext("分析与建议"), level=1)
        for para in d.commentary.splitlines():
            if para.strip():
                doc.add_paragraph(para.strip())
    pictures = charts(d)
    for caption, header, rows in tables(d):
        doc.add_heading(caption, level=1)
        if caption in pictures:
            _picture(doc, *pictures[caption])
        _table(doc, header, rows)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _table(doc, header: list[str], rows: list[list[object]]) -> None:  # type: ignore[no-untyped-def]
    """A table with all its rows made at once and each cell's text one run in the cell's own
    paragraph: ``add_row`` and the ``cell.text`` setter walk the table's XML for every row and
    cell (2.4× slower at 226 rows, bench/README.md, annual report)."""
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for tr, values in zip(table._tbl.tr_lst, [header, *rows], strict=True):
        for tc, value in zip(tr.tc_lst, values, strict=True):
            (tc.p_lst[0] if tc.p_lst else tc.add_p()).add_r().text = str(value)


def charts(d: ReportData) -> dict[str, tuple[bytes, list[str]]]:
    """The charts of the report as PNG (``analytics.charts``, ADR 0016), by the caption of the
    table they draw, each with its legend (series names, in ``PALETTE`` order)."""
    from xinfang.analytics import charts as draw

    t = d.trends
    fmt = "%m" if len({m.year for m in t.months}) <= 1 else "%y-%m"
    months = [m.strftime(fmt) for m in t.months]
    volume = [[t.by_month_category[m].get(c, 0) for m in t.months] for c, _ in t.categories]
    n = len(t.channels)
    channels = [[v if i == k else 0 for i, (_, _, v) in enumerate(t.channels)] for k in range(n)]
    fr = list(t.first_repeat.values())
    out = {
        gettext("按月份和类别"): (draw.bar_chart(volume, months), [lbl for _, lbl in t.categories]),
        gettext("渠道构成"): (draw.bar_chart(channels, [""] * n), [lbl for _, lbl, _ in t.channels]),
        gettext("初次信访与重复信访"): (
            draw.line_chart([[a for a, _ in fr], [b for _, b in fr]],
                            [m.strftime(fmt) for m in t.first_repeat]),
            [gettext("初次信访"), gettext("重复信访")],
        ),
    }
    return {k: v for k, v in out.items() if v[1] and t.total}


def _picture(doc, png: bytes, legend: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The chart, and under it its legend in the document's font: a coloured square per series."""
    from docx.shared import Inches, RGBColor

    from xinfang.analytics.charts import PALETTE

    doc.add_picture(io.BytesIO(png), width=Inches(6))
    para = doc.add_paragraph(gettext("图例："))
    for k, label in enumerate(legend):
        square = para.add_run("■")
        square.font.color.rgb = RGBColor(*PALETTE[k % len(PALETTE)])
        para.add_run(f" {label}　")


def report_xlsx(d: ReportData) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = gettext("说明")[:31]
    ws.append([d.title])
    ws.append([d.organ, d.month_from.strftime("%Y-%m"), d.month_to.strftime("%Y-%m"), d.trends.total])
    for i, (caption, header, rows) in enumerate(tables(d), start=1):
        sheet = wb.create_sheet(sheet_title(i, caption))
        sheet.append(header)
        for row in rows:
            sheet.append([_cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


_SHEET_FORBIDDEN = str.maketrans({":": "：", "\\": "＼", "/": "／", "?": "？", "*": "＊", "[": "［", "]": "］"})


def sheet_title(i: int, caption: str) -> str:
    """A worksheet's title: numbered (so unique after the cut), at most 31 characters, none of
    the characters Excel refuses in a title (``: \\ / ? * [ ]``; openpyxl raises on them)."""
    return f"{i:02d} {caption.translate(_SHEET_FORBIDDEN)}"[:31].strip("'")


def _cell(v: object) -> object:
    """A text cell never starts a formula (an organ name is data, not code)."""
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v
