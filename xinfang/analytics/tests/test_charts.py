"""The report's charts (ADR 0016): valid PNG, bars as tall as their figures, lines through their
points; and the DOCX carries one image per chart above its table, with a legend."""

from __future__ import annotations

import io
import struct
import zlib

import pytest

from xinfang.analytics.charts import _BOTTOM, _TOP, PALETTE, bar_chart, line_chart, nice_top


def _decode(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of a PNG this module wrote (filter 0, one IDAT)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w, h = 8, b"", 0, 0
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", png[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        if kind == b"IHDR":
            w, h = struct.unpack(">II", data[:8])
            assert data[8:10] == b"\x08\x02"
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + 3 * w
    rows = [raw[y * stride + 1 : (y + 1) * stride] for y in range(h)]
    assert all(raw[y * stride] == 0 for y in range(h))
    return w, h, rows


def _column_height(rows: list[bytes], x: int, colour: tuple[int, int, int]) -> int:
    return sum(1 for r in rows if bytes(r[3 * x : 3 * x + 3]) == bytes(colour))


@pytest.mark.parametrize(("peak", "top"), [(0, (1, 1)), (1, (1, 1)), (7, (8, 2)), (10, (10, 2)),
                                           (11, (15, 5)), (130, (150, 50)), (999, (1000, 200))])
def test_the_axis_top_is_a_round_number_at_or_above_the_peak(peak, top):
    assert nice_top(peak) == top
    t, s = top
    assert t >= peak and t % s == 0 and t // s <= 5


def test_bars_are_as_tall_as_their_figures_and_stack_in_series_order():
    w, h, rows = _decode(bar_chart([[0, 5, 10], [0, 5, 0]], ["01", "02", "03"], width=320,
                                   height=200))
    assert (w, h) == (320, 200)
    slot = (320 - 56 - 16) / 3
    mid = [56 + round((i + 0.5) * slot) for i in range(3)]
    plot = h - _TOP - _BOTTOM
    first, second = PALETTE[0], PALETTE[1]
    assert _column_height(rows, mid[0], first) == 0 and _column_height(rows, mid[0], second) == 0
    # axis top 10: bar 2 is 5 + 5, bar 3 is 10, both reach the top of the plot
    tall2 = _column_height(rows, mid[1], first) + _column_height(rows, mid[1], second)
    tall3 = _column_height(rows, mid[2], first)
    assert abs(tall2 - plot) <= 1 and abs(tall3 - plot) <= 1
    assert abs(_column_height(rows, mid[1], first) - plot / 2) <= 1
    # the first series is at the bottom
    base = h - _BOTTOM - 2
    assert bytes(rows[base][3 * mid[1] : 3 * mid[1] + 3]) == bytes(first)


def test_a_line_passes_through_each_point():
    w, h, rows = _decode(line_chart([[0, 4, 2]], ["1", "2", "3"], width=320, height=200))
    slot = (320 - 56 - 16) / 3
    plot = h - _TOP - _BOTTOM
    for i, v in enumerate((0, 4, 2)):  # axis top 4
        x = 56 + round((i + 0.5) * slot)
        y = h - _BOTTOM - round(v * plot / 4)
        assert bytes(rows[y][3 * x : 3 * x + 3]) == bytes(PALETTE[0]), (i, v)


def test_an_empty_chart_is_still_a_picture():
    w, h, rows = _decode(bar_chart([], []))
    assert (w, h) == (800, 320) and len(rows) == 320


@pytest.mark.django_db
@pytest.mark.usefixtures("frozen")
def test_the_report_has_a_chart_with_a_legend_above_each_drawn_table(client, world, register):
    from docx import Document

    from conftest import local

    for d in (3, 10):
        register(received_at=local(2025, 3, d), at=local(2025, 3, d))
    register(received_at=local(2025, 5, 3), at=local(2025, 5, 3), channel="visit",
             category="suggestion", route=None)
    from xinfang.analytics.services import rates_rebuild

    rates_rebuild()
    client.force_login(world.analyst)
    r = client.post("/analytics/report/", {"kind": "annual", "year": "2025", "month": "",
                                           "commentary": "", "format": "docx"})
    doc = Document(io.BytesIO(r.content))
    assert len(doc.inline_shapes) == 3
    images = [p.blob for p in doc.part.package.parts if p.content_type == "image/png"]
    assert len(images) == 3 and all(_decode(b)[0] == 800 for b in images)
    texts = [p.text for p in doc.paragraphs]
    legends = [t for t in texts if t.startswith("图例：")]
    assert legends[0].count("■") == 2 and "申诉求决类" in legends[0]
    assert "来信" in legends[1] and "来访" in legends[1]
    assert "初次信访" in legends[2] and "重复信访" in legends[2]
    # each chart sits under its heading, before that heading's table
    body = doc.element.body
    order = [el.tag.rsplit("}", 1)[1] for el in body]
    assert order.count("tbl") == len(doc.tables)
