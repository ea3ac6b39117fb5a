"""Simple bar and line charts drawn as PNG with the standard library alone (zlib, struct), for
the DOCX report (issue 16; ADR 0016): plotly's static export needs kaleido and a browser, and
no other stack library draws images offline. Pure: no Django, no fonts. The only text drawn is
the figures of the axes, in a small built-in digit font; the names of the series go in the
legend the caller writes beside the image in the document (in the document's own font), and
the table of every number stays beside each chart, so the report reads without the image."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

RGB = tuple[int, int, int]

#: Series colours, in order (distinguishable in print and for most colour vision).
PALETTE: tuple[RGB, ...] = (
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
)
WHITE: RGB = (255, 255, 255)
AXIS: RGB = (90, 90, 90)
GRID: RGB = (225, 225, 225)

# 3x5 digits (and '-'), one string of 15 bits per glyph, row by row.
_GLYPHS = {
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111",
    "3": "111001111001111", "4": "101101111001001", "5": "111100111001111",
    "6": "111100111101111", "7": "111001001001001", "8": "111101111101111",
    "9": "111101111001111", "-": "000000111000000",
}
_SCALE = 2  # each font dot is 2x2 pixels
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 16, 28  # plot margins in pixels


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.w, self.h = width, height
        self.px = bytearray(bytes(WHITE) * (width * height))

    def dot(self, x: int, y: int, c: RGB) -> None:
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i : i + 3] = bytes(c)

    def rect(self, x0: int, y0: int, x1: int, y1: int, c: RGB) -> None:
        """Fill x0..x1, y0..y1 inclusive (in any order)."""
        x0, x1 = sorted((max(0, x0), min(self.w - 1, x1)))
        y0, y1 = sorted((max(0, y0), min(self.h - 1, y1)))
        row = bytes(c) * (x1 - x0 + 1)
        for y in range(y0, y1 + 1):
            i = (y * self.w + x0) * 3
            self.px[i : i + len(row)] = row

    def line(self, x0: int, y0: int, x1: int, y1: int, c: RGB, thick: int = 1) -> None:
        """Bresenham, each point a square of side ``2 * thick - 1``."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            self.rect(x0 - thick + 1, y0 - thick + 1, x0 + thick - 1, y0 + thick - 1, c)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def text(self, x: int, y: int, s: str, c: RGB = AXIS) -> None:
        """Digits and '-' at (x, y), the top left corner; other characters are skipped."""
        for ch in s:
            bits = _GLYPHS.get(ch)
            if bits:
                for k, b in enumerate(bits):
                    if b == "1":
                        px, py = x + (k % 3) * _SCALE, y + (k // 3) * _SCALE
                        self.rect(px, py, px + _SCALE - 1, py + _SCALE - 1, c)
            x += 4 * _SCALE

    def png(self) -> bytes:
        raw = b"".join(
            b"\x00" + bytes(self.px[y * self.w * 3 : (y + 1) * self.w * 3]) for y in range(self.h)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

        ihdr = struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)  # 8-bit RGB
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def nice_top(peak: int) -> tuple[int, int]:
    """An axis top at or above ``peak`` and its step (1, 2 or 5 times a power of ten, four or
    five steps): 0 -> (1, 1), 7 -> (8, 2), 10 -> (10, 2), 130 -> (150, 50)."""
    if peak <= 0:
        return 1, 1
    step = 1
    while True:
        for m in (1, 2, 5):
            s = step * m
            if -(-peak // s) <= 5:
                return -(-peak // s) * s, s
        step *= 10


def _frame(c: Canvas, top: int, step: int, labels: Sequence[str], slot: float) -> None:
    plot_h = c.h - _TOP - _BOTTOM
    for v in range(0, top + 1, step):
        y = c.h - _BOTTOM - round(v * plot_h / top)
        c.rect(_LEFT, y, c.w - _RIGHT, y, GRID if v else AXIS)
        s = str(v)
        c.text(_LEFT - 6 - len(s) * 4 * _SCALE, y - 5, s)
    c.rect(_LEFT, _TOP, _LEFT, c.h - _BOTTOM, AXIS)
    every = max(1, -(-len(labels) * 4 * 4 * _SCALE // max(1, c.w - _LEFT - _RIGHT)))
    for i, label in enumerate(labels):
        if i % every == 0:
            x = _LEFT + round((i + 0.5) * slot) - len(label) * 2 * _SCALE
            c.text(x, c.h - _BOTTOM + 8, label)


def bar_chart(
    series: Sequence[Sequence[int]], labels: Sequence[str], *, width: int = 800,
    height: int = 320,
) -> bytes:
    """Stacked bars: one bar per label, ``series[k][i]`` the k-th part of bar i, coloured
    ``PALETTE[k]`` (bottom first). ``labels``: digits and '-' only are drawn (e.g. "03")."""
    c = Canvas(width, height)
    n = len(labels)
    totals = [sum(s[i] for s in series) for i in range(n)]
    top, step = nice_top(max(totals, default=0))
    slot = (width - _LEFT - _RIGHT) / max(1, n)
    _frame(c, top, step, labels, slot)
    plot_h = height - _TOP - _BOTTOM
    base = height - _BOTTOM - 1
    for i in range(n):
        x0 = _LEFT + round(i * slot + slot * 0.15) + 1
        x1 = _LEFT + round((i + 0.85) * slot)
        acc = 0
        for k, s in enumerate(series):
            if s[i] <= 0:
                continue
            y0 = base - round(acc * plot_h / top)
            acc += s[i]
            y1 = height - _BOTTOM - round(acc * plot_h / top)
            c.rect(x0, y0, x1, y1, PALETTE[k % len(PALETTE)])
    return c.png()


def line_chart(
    series: Sequence[Sequence[int]], labels: Sequence[str], *, width: int = 800,
    height: int = 320,
) -> bytes:
    """One line per series over the labels, with a square marker on each point."""
    c = Canvas(width, height)
    n = len(labels)
    top, step = nice_top(max((v for s in series for v in s), default=0))
    slot = (width - _LEFT - _RIGHT) / max(1, n)
    _frame(c, top, step, labels, slot)
    plot_h = height - _TOP - _BOTTOM
    for k, s in enumerate(series):
        colour = PALETTE[k % len(PALETTE)]
        pts = [(_LEFT + round((i + 0.5) * slot), height - _BOTTOM - round(v * plot_h / top))
               for i, v in enumerate(s)]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
            c.line(x0, y0, x1, y1, colour, thick=2)
        for x, y in pts:
            c.rect(x - 3, y - 3, x + 3, y + 3, colour)
    return c.png()
