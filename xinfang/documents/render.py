"""Documents as DOCX (python-docx), laid out after GB/T 9704 (党政机关公文格式).

A4, margins 37/35/28/26 mm; the issuing organ in red over a red rule, the 文号, the title in
22 pt (二号) 小标宋, body in 16 pt (三号) 仿宋 with a two-character first-line indent, headings
in 黑体, and the organ, date and a seal placeholder at the foot. Fonts are named, not embedded:
Word and WPS substitute what the machine has.
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xinfang.documents.selectors import Document

RED = RGBColor(0xC0, 0x00, 0x00)
BODY = ("仿宋", "FangSong")
TITLE = ("方正小标宋简体", "SimSun")
HEADING = ("黑体", "SimHei")


def _run(
    paragraph,
    text: str,
    font: tuple[str, str],
    size: float,
    *,
    bold: bool = False,  # type: ignore[no-untyped-def]
    color: RGBColor | None = None,
):
    run = paragraph.add_run(text)
    run.font.name = font[1]
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), font[0])
    return run


def _para(doc, align=None, *, indent: bool = False, before: float = 0, after: float = 0):  # type: ignore[no-untyped-def]
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(32)  # two characters of 16 pt
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = Pt(28)
    return p


def _red_rule(paragraph) -> None:  # type: ignore[no-untyped-def]
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(k), v)
    borders.append(bottom)
    ppr.append(borders)


def document_docx(doc: Document) -> bytes:
    d = new_docx()
    section = d.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    props = d.core_properties
    props.title = doc.title
    props.author = doc.organ
    props.subject = doc.number

    header = _para(d, WD_ALIGN_PARAGRAPH.CENTER)
    _run(header, doc.organ, TITLE, 26, color=RED)
    number = _para(d, WD_ALIGN_PARAGRAPH.CENTER, before=6, after=12)
    _run(number, doc.number, BODY, 16)
    _red_rule(number)
    if doc.withdrawn_on is not None:  # a hand-over taken back (issue 20): said before the title
        _run(
            _para(d, WD_ALIGN_PARAGRAPH.CENTER, before=12),
            doc.withdrawn_text,
            HEADING,
            16,
            color=RED,
        )
    title = _para(d, WD_ALIGN_PARAGRAPH.CENTER, before=18, after=18)
    title.paragraph_format.line_spacing = Pt(36)
    _run(title, doc.title, TITLE, 22)
    _run(_para(d), f"{doc.recipient}：", BODY, 16)
    for s in doc.sections:
        if s.heading:
            h = _para(d, indent=True)
            _run(h, f"{s.heading}：", HEADING, 16)
            for line in (s.text or "").splitlines() or [""]:
                _run(_para(d, indent=True), line, BODY, 16)
        else:
            _run(_para(d, indent=True), s.text, BODY, 16)
    if doc.remedy:
        h = _para(d, indent=True)
        _run(h, "救济途径和期限：" if doc.kind != "re_review_opinion" else "效力：", HEADING, 16)
        _run(h, doc.remedy, BODY, 16)
    _run(_para(d, indent=True), f"查询码：{doc.tracking_code_text}", BODY, 16)

    sign = _para(d, WD_ALIGN_PARAGRAPH.RIGHT, before=48)
    _run(sign, f"{doc.organ}（印章）", BODY, 16)
    _run(_para(d, WD_ALIGN_PARAGRAPH.RIGHT), doc.issued_on_text, BODY, 16)
    basis = _para(d, before=24)
    _run(basis, f"依据：{doc.basis}", BODY, 12)

    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_filename(doc: Document) -> str:
    return f"{doc.title}-{doc.tracking_code}-{doc.seq}.docx"


def docx_response(doc: Document):  # type: ignore[no-untyped-def]
    """The DOCX as a download (never cached: it names the petitioner)."""
    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    response = HttpResponse(document_docx(doc), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=docx_filename(doc)
    )
    response["Cache-Control"] = "private, no-store"
    return response
