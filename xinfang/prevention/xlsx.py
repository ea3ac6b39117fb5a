"""A small streaming XLSX writer for the long 台账 exports: one sheet of text, numbers and dates,
a bold title and header, column widths. openpyxl (the stack's spreadsheet library) writes about
10^4 cells a second on this machine, so 10^5 ledger rows (1.5·10^6 cells) would take minutes; this
writer builds the sheet's XML as strings and deflates it (bench/README.md, prevention ledger). The
file opens in Excel, WPS and LibreOffice and reads back with openpyxl (the tests do)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import islice
from xml.sax.saxutils import escape

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>"
)
# Cell styles: 0 normal, 1 bold (header), 2 bold 14 pt (title), 3 date (yyyy-mm-dd).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/></font>'
    '<font><b/><sz val="14"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_EPOCH = date(1899, 12, 30).toordinal()
_BAD = {c: " " for c in range(32) if c not in (9, 10, 13)}  # XML 1.0 forbids other controls
_BAD_BUT_NUL = {c: r for c, r in _BAD.items() if c}
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f]")
_SEP = "\x00"  # joins a chunk's texts to escape them in one call (no text may hold it)
_TEXT = '<c t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>'
_EMPTY_TEXT = _TEXT.format("")
_CHUNK_ROWS = 2000


class _Serial(dict):  # type: ignore[type-arg]
    """A date's whole cell (Excel's day number, date style), worked out once per distinct date;
    the date as ``date`` or as ISO text (SQLite's, read without converters)."""

    def __missing__(self, d: date | str | None) -> str:
        if d is None or d == "":
            v = "<c/>"
        else:
            day = date.fromisoformat(d[:10]) if isinstance(d, str) else d
            v = f'<c s="3"><v>{day.toordinal() - _EPOCH}</v></c>'
        self[d] = v
        return v


def _typed_rows(rows: Iterable[Sequence[object]], types: str) -> Iterable[str]:
    """The rows' XML in chunks, with a handful of Python calls per *row*, not per cell: the
    columns' types are known (``n`` number, ``d`` date, ``t`` text), so a chunk's texts are
    joined, cleaned and escaped at once and each row is one ``str.format`` of a template; the
    cells carry no reference (they follow each other, as the format allows)."""
    t_cols = [i for i, k in enumerate(types) if k == "t"]
    d_cols = [i for i, k in enumerate(types) if k == "d"]
    nt, nd = len(t_cols), len(d_cols)
    ti = di = 0
    cells = []
    for i, k in enumerate(types):
        if k == "t":
            cells.append(_TEXT.format(f"{{0[{ti}]}}"))
            ti += 1
        elif k == "d":
            cells.append(f"{{2[{di}]}}")
            di += 1
        else:
            cells.append(f"<c><v>{{1[{i}]}}</v></c>")
    fmt = ("<row>" + "".join(cells) + "</row>").format
    serial = _Serial()
    it = iter(rows)
    while True:
        chunk = list(islice(it, _CHUNK_ROWS))
        if not chunk:
            return
        texts = ["" if r[i] is None else str(r[i]) for r in chunk for i in t_cols]
        blob = _SEP.join(texts)
        if blob.count(_SEP) == len(texts) - 1:
            if _CONTROL.search(blob):  # rare: a regex finds none faster than translate
                blob = blob.translate(_BAD_BUT_NUL)
            parts = escape(blob).split(_SEP)
        else:  # a text holds the separator: clean them one by one
            parts = [escape(t.translate(_BAD)) for t in texts]
        dates = list(map(serial.__getitem__, [r[i] for r in chunk for i in d_cols]))
        out = "".join(
            [
                fmt(parts[k * nt : k * nt + nt], r, dates[k * nd : k * nd + nd])
                for k, r in enumerate(chunk)
            ]
        )
        yield out.replace(_EMPTY_TEXT, "<c/>").replace("<c><v>None</v></c>", "<c/>")


def _col(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def _cell(ref: str, value: object, style: int = 0) -> str:
    if value is None or value == "":
        return ""
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="3"><v>{value.toordinal() - _EPOCH}</v></c>'
    text = escape(str(value).translate(_BAD))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def xlsx_bytes(
    *,
    sheet: str,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    widths: Sequence[float] = (),
    types: str = "",
) -> bytes:
    """One worksheet: ``title`` in A1 (bold, 14 pt), ``headers`` in row 2 (bold), then ``rows``.
    With ``types`` (one letter a column: ``n`` number, ``d`` date, ``t`` text) the rows are
    written the fast way (``_typed_rows``)."""
    cols = [_col(i) for i in range(max(len(headers), len(widths)))]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet[:31])}" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            parts = [
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            ]
            if widths:
                parts.append("<cols>")
                parts += [
                    f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                    for i, w in enumerate(widths)
                ]
                parts.append("</cols>")
            parts.append(f'<sheetData><row r="1">{_cell("A1", title, 2)}</row><row r="2">')
            parts += [_cell(f"{cols[i]}2", h, 1) for i, h in enumerate(headers)]
            parts.append("</row>")
            f.write("".join(parts).encode())
            for xml in _typed_rows(rows, types) if types else _plain_rows(rows, cols):
                f.write(xml.encode())
            f.write(b"</sheetData></worksheet>")
    return buf.getvalue()


def _plain_rows(rows: Iterable[Sequence[object]], cols: list[str]) -> Iterable[str]:
    n = 2
    chunk: list[str] = []
    for row in rows:
        n += 1
        chunk.append(f'<row r="{n}">')
        chunk += [_cell(f"{cols[i]}{n}", v) for i, v in enumerate(row)]
        chunk.append("</row>")
        if len(chunk) > 20000:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)
