"""DOCX outputs of source prevention: the risk-assessment report of a draft decision
(社会稳定风险评估报告) and the minutes of a joint conference (联席会议纪要), in the layout of an
official document (GB/T 9704 fonts: 方正小标宋 title, 黑体 headings, 仿宋 body)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.utils.translation import gettext
from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from xinfang.prevention.models import Grade
from xinfang.prevention.selectors import Assessment

BODY = ("仿宋", "FangSong")
TITLE = ("方正小标宋简体", "SimSun")
HEADING = ("黑体", "SimHei")
LEVELS = {"low": "低风险", "medium": "中风险", "high": "高风险"}
CN_NUMBERS = "一二三四五六七八九十"


class _Doc:
    def __init__(self) -> None:
        self.doc = new_docx()
        s = self.doc.sections[0]
        s.page_height, s.page_width = Mm(297), Mm(210)
        s.top_margin, s.bottom_margin = Mm(37), Mm(35)
        s.left_margin, s.right_margin = Mm(28), Mm(26)
        self.n = 0

    def _run(self, p, text: str, font: tuple[str, str], size: float, bold: bool = False):  # type: ignore[no-untyped-def]
        run = p.add_run(text)
        run.font.name, run.font.size, run.font.bold = font[1], Pt(size), bold
        rpr = run._element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.append(fonts)
        fonts.set(qn("w:eastAsia"), font[0])
        return run

    def title(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(16)
        self._run(p, text, TITLE, 22)

    def heading(self, text: str) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.space_before = Pt(8)
        self._run(p, f"{CN_NUMBERS[self.n % 10]}、{text}", HEADING, 16)
        self.n += 1

    def para(self, text: str, *, indent: bool = True, align=None) -> None:  # type: ignore[no-untyped-def]
        for line in (text or "").splitlines() or [""]:
            p = self.doc.add_paragraph()
            if align is not None:
                p.alignment = align
            if indent:
                p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.line_spacing = Pt(28)
            self._run(p, line, BODY, 16)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, h in zip(t.rows[0].cells, header, strict=True):
            cell.text = ""
            self._run(cell.paragraphs[0], h, HEADING, 12)
        for row in rows:
            cells = t.add_row().cells
            for cell, v in zip(cells, row, strict=True):
                cell.text = ""
                self._run(cell.paragraphs[0], str(v if v is not None else ""), BODY, 12)

    def bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()


def _grade(n: int) -> str:
    return gettext(dict(Grade.choices).get(n, ""))


def assessment_docx(a: Assessment) -> bytes:
    """The risk-assessment report: the matter, the work done, the risk points (likelihood,
    impact, level, measures), the level and conclusion, the contingency plan, the assessor, and
    the petitions and disputes raised later against the risks foreseen."""
    d = a.decision
    doc = _Doc()
    doc.title(
        gettext("%(organ)s关于《%(title)s》的社会稳定风险评估报告")
        % {"organ": d.organ.name, "title": d.title}
    )
    doc.heading(gettext("评估事项基本情况"))
    doc.para(
        gettext("类型：%(kind)s。涉及范围：%(scope)s。涉及人数约 %(n)s 人。")
        % {"kind": gettext(d.get_kind_display()), "scope": d.scope, "n": d.people_affected}
    )
    doc.para(d.summary)
    doc.heading(gettext("评估工作开展情况"))
    if a.works:
        doc.table(
            [gettext("方式"), gettext("日期"), gettext("参与人次"), gettext("主要意见")],
            [
                (gettext(w.get_kind_display()), w.held_on.isoformat(), w.participants, w.findings)
                for w in a.works
            ],
        )
    else:
        doc.para(gettext("尚未开展评估工作。"))
    doc.heading(gettext("风险点识别与评估"))
    if a.risks:
        doc.table(
            [
                gettext("序号"),
                gettext("风险点"),
                gettext("发生可能性"),
                gettext("影响程度"),
                gettext("风险等级"),
                gettext("防范化解措施"),
            ],
            [
                (
                    i,
                    r.risk.description,
                    _grade(r.risk.likelihood),
                    _grade(r.risk.impact),
                    gettext(LEVELS[r.level]),
                    r.risk.measures or gettext("（未制定）"),
                )
                for i, r in enumerate(a.risks, start=1)
            ],
        )
    else:
        doc.para(gettext("尚未识别风险点。"))
    doc.heading(gettext("风险等级和评估结论"))
    doc.para(
        gettext("综合风险等级：%(level)s（取各风险点中最高者）。")
        % {"level": gettext(LEVELS[a.level]) if a.level else gettext("未评定")}
    )
    if d.conclusion:
        doc.para(
            gettext("评估结论：%(c)s（%(on)s）。")
            % {"c": gettext(d.get_conclusion_display()), "on": d.concluded_on}
        )
        doc.para(d.conclusion_reason)
    else:
        doc.para(gettext("评估结论：尚未作出。"))
    doc.heading(gettext("应急处置预案"))
    doc.para(d.contingency_plan or gettext("（未制定）"))
    doc.heading(gettext("评估主体"))
    doc.para(
        gettext("第三方评估机构：%(a)s。") % {"a": d.assessor}
        if d.assessor
        else gettext("由决策机关自行组织评估，未委托第三方评估机构。")
    )
    doc.heading(gettext("实施后的信访事项和矛盾纠纷"))
    rows = []
    for r in a.risks:
        for x in r.links:
            rows.append((_what(x), r.risk.description))
    for x in a.unforeseen:
        rows.append((_what(x), gettext("评估时未预见")))
    if rows:
        doc.table([gettext("信访事项或矛盾纠纷"), gettext("对应的风险点")], rows)
        doc.para(
            gettext("共 %(n)s 件，其中评估时未预见的 %(u)s 件，供今后评估借鉴。")
            % {"n": len(rows), "u": len(a.unforeseen)}
        )
    else:
        doc.para(gettext("暂无。"))
    return doc.bytes()


def _what(link) -> str:  # type: ignore[no-untyped-def]
    if link.petition_id and not getattr(link, "shown", False):
        return gettext("信访事项（无权查看详情）")
    if link.petition_id:
        return gettext("信访事项：%(t)s") % {"t": link.petition.title}
    return gettext("矛盾纠纷：%(o)s %(p)s") % {
        "o": link.dispute.organ.name,
        "p": link.dispute.place,
    }


def minutes_docx(conference, items) -> bytes:  # type: ignore[no-untyped-def]
    """The minutes of a joint conference (联席会议纪要): when, where, who chaired, the member
    organs, and for each agenda item the decision and the tasks (organ, task, due date, state)."""
    c = conference
    doc = _Doc()
    doc.title(gettext("%(title)s纪要") % {"title": c.title})
    doc.para(
        gettext("%(on)s，%(organ)s召开联席会议%(place)s%(chair)s。")
        % {
            "on": c.held_on.isoformat(),
            "organ": c.organ.name,
            "place": gettext("（地点：%(p)s）") % {"p": c.place} if c.place else "",
            "chair": gettext("，%(c)s主持") % {"c": c.chair} if c.chair else "",
        }
    )
    doc.para(gettext("成员单位：%(m)s。") % {"m": "、".join(o.name for o in c.members.all())})
    doc.para(gettext("会议议定事项如下："))
    for item in items:
        doc.heading(f"{gettext(item.get_kind_display())}：{item.title}")
        doc.para(item.decision or gettext("（未作决定）"))
        tasks = list(item.tasks.all())
        if tasks:
            doc.table(
                [gettext("承办成员单位"), gettext("任务"), gettext("完成时限"), gettext("状态")],
                [
                    (
                        t.organ.name,
                        t.description,
                        t.due_on.isoformat(),
                        gettext(t.get_status_display()),
                    )
                    for t in tasks
                ],
            )
    return doc.bytes()
