"""The streaming XLSX writer's fast path (typed columns) writes what the plain path writes:
text with markup characters, control characters and the chunk separator, empty cells, dates."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from xinfang.prevention import xlsx


def _read(data: bytes, read_only: bool) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=read_only)
    out = []
    for r in wb.active.iter_rows(values_only=True):
        r = list(r)
        while r and r[-1] is None:  # an empty last cell is written (<c/>) or not: the same
            r.pop()
        out.append(tuple(r))
    return out


def test_typed_rows_read_back_as_the_plain_writer_writes_them(monkeypatch):
    monkeypatch.setattr(xlsx, "_CHUNK_ROWS", 3)  # several chunks
    rows = [
        [1, "a < b & c > d", date(2025, 8, 20), None],
        [2, "", None, "控制\x01字符\x1f与\ttab"],
        [3, "分隔\x00符", date(2025, 1, 1), "x"],
        [4, "{0} {1[2]} 花括号", date(2024, 2, 29), "</t></is></c>"],
        [5, None, date(2025, 8, 21), "end"],
    ]
    kw = dict(sheet="台账", title="标题", headers=["n", "t", "d", "t2"], widths=[4, 10, 10, 10])
    typed = xlsx.xlsx_bytes(rows=rows, types="ntdt", **kw)
    plain = xlsx.xlsx_bytes(rows=rows, **kw)
    for read_only in (True, False):
        got = _read(typed, read_only)
        assert got == _read(plain, read_only)
        assert got[0][0] == "标题" and got[1] == ("n", "t", "d", "t2")
        assert got[2][1] == "a < b & c > d" and got[2][2].date() == date(2025, 8, 20)
        assert got[3][1] is None and got[3][2] is None and got[3][3] == "控制 字符 与\ttab"
        assert got[4][1] == "分隔 符" and got[5][1] == "{0} {1[2]} 花括号"
        assert got[5][3] == "</t></is></c>" and got[6] == (5, None, got[6][2], "end")
        assert got[2] == (1, "a < b & c > d", got[2][2])
