"""Rows from a spreadsheet (XLSX or CSV), a column mapping, and the report of bad rows.

Generic: knows nothing of petitions, so any import (the history of petitions here, the 12345
hotline's work orders in ``exchange``) reads its file, maps its columns and reports every bad
row with its reason the same way. PURE: no Django (openpyxl and the standard library only).

* :func:`read_table` turns file bytes into a header and rows of strings (dates as ISO text),
  refusing what is not a table (a clear :class:`TableError`, never a crash);
* :class:`Mapping` says which column of the file holds which field;
* :func:`check_rows` runs a row validator over every row, collecting each bad row's reasons in
  a :class:`Report` (control characters and duplicate row ids are checked here for every
  import), with a progress callback.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Generic, TypeVar

T = TypeVar("T")

#: C0 controls other than tab, line feed and carriage return, DEL and the C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MAX_CELL = 50_000  # characters in one cell (a petition's content is at most 50 000)
MAX_COLUMNS = 200


class TableError(ValueError):
    """The file is not a table this reader understands; the message says why (in Chinese)."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]  # each row as long as the header

    def preview(self, n: int = 5) -> list[list[str]]:
        return self.rows[:n]


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time(0) else v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_table(content: bytes, *, name: str = "", max_rows: int = 1_000_000) -> Table:
    """The first sheet of an XLSX file, or a CSV file (UTF-8, with or without BOM, or GB18030),
    as a header row and data rows of text. Blank rows are dropped."""
    if content[:2] == b"PK" or name.lower().endswith(".xlsx"):
        raw = _xlsx_rows(content)
    else:
        raw = _csv_rows(content)
    try:
        header = [" ".join(_cell(c).split()) for c in next(raw)]
    except StopIteration:
        raise TableError("文件是空的") from None
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TableError("第一行应为列名")
    if len(header) > MAX_COLUMNS:
        raise TableError(f"列数超过 {MAX_COLUMNS}")
    rows = []
    for r in raw:
        cells = [_cell(c) for c in r][: len(header)]
        if not any(c.strip() for c in cells):
            continue
        rows.append(cells + [""] * (len(header) - len(cells)))
        if len(rows) > max_rows:
            raise TableError(f"行数超过 {max_rows}")
    return Table(header, rows)


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as e:
        raise TableError("无法读取该 XLSX 文件（文件已损坏或不是 Excel 2007 以上格式）") from e
    ws = wb.worksheets[0]
    yield from ws.iter_rows(values_only=True)


def _csv_rows(content: bytes) -> Iterator[Sequence[Any]]:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise TableError("无法识别文件编码（请使用 UTF-8 或 GB18030）")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    try:
        yield from csv.reader(io.StringIO(text, newline=""), dialect)
    except csv.Error as e:
        raise TableError(f"CSV 格式有误：{e}") from e


@dataclass(frozen=True)
class Field:
    """A field an import understands: its key, its label, whether it is required, and the
    column names that map to it without being told (the usual headers of a 台账)."""

    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()


class MappingError(ValueError):
    pass


@dataclass(frozen=True)
class ColumnMap:
    """field key -> column name of the file."""

    columns: Mapping[str, str]

    @staticmethod
    def guess(header: Sequence[str], fields: Sequence[Field]) -> ColumnMap:
        """Each field to the column named as its key, label or one of its aliases."""
        out: dict[str, str] = {}
        names = {h.strip().lower(): h for h in header}
        for f in fields:
            for cand in (f.key, f.label, *f.aliases):
                if cand.lower() in names:
                    out[f.key] = names[cand.lower()]
                    break
        return ColumnMap(out)

    def check(self, header: Sequence[str], fields: Sequence[Field]) -> list[str]:
        """What is wrong with this mapping for a file with ``header`` (empty: nothing)."""
        known = {f.key for f in fields}
        problems = [f"未知的字段“{k}”" for k in self.columns if k not in known]
        problems += [
            f"字段“{f.label}”对应的列“{self.columns[f.key]}”不在文件中"
            for f in fields
            if f.key in self.columns and self.columns[f.key] not in header
        ]
        problems += [
            f"必填字段“{f.label}”没有对应的列"
            for f in fields
            if f.required and f.key not in self.columns
        ]
        return problems

    def apply(self, header: Sequence[str], row: Sequence[str]) -> dict[str, str]:
        index = {h: i for i, h in enumerate(header)}
        return {k: row[index[c]].strip() for k, c in self.columns.items() if c in index}


@dataclass
class Problem:
    row: int  # the row number as the user sees it in the file (header = 1)
    ref: str  # the row's own id, if any
    reasons: list[str]


@dataclass
class Report(Generic[T]):
    """What a check found: the good rows (parsed), every bad row with its reasons, and the
    rows skipped as already imported."""

    total: int = 0
    good: list[tuple[int, str, T]] = field(default_factory=list)  # (row number, ref, parsed)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self, *, limit: int = 1000) -> dict[str, Any]:
        return {
            "total": self.total,
            "good": len(self.good),
            "bad": len(self.problems),
            "skipped": len(self.skipped),
            "problems": [
                {"row": p.row, "ref": p.ref, "reasons": p.reasons} for p in self.problems[:limit]
            ],
        }


class RowInvalid(ValueError):
    """Raised by a row validator with every reason the row is bad."""

    def __init__(self, reasons: Iterable[str]) -> None:
        self.reasons = list(reasons)
        super().__init__("；".join(self.reasons))


def control_problems(values: Mapping[str, str], labels: Mapping[str, str]) -> list[str]:
    out = []
    for k, v in values.items():
        if CONTROL.search(v):
            out.append(f"“{labels.get(k, k)}”含有控制字符（如 NUL）")
        elif len(v) > MAX_CELL:
            out.append(f"“{labels.get(k, k)}”超过 {MAX_CELL} 字")
    return out


def check_rows(
    table: Table,
    mapping: ColumnMap,
    fields: Sequence[Field],
    parse: Callable[[dict[str, str]], T],
    *,
    ref_field: str = "",
    already: Callable[[list[str]], set[str]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    every: int = 500,
) -> Report[T]:
    """Parse every row with ``parse`` (which raises :class:`RowInvalid`). A row with control
    characters, a missing required field or the id of an earlier row is bad whatever ``parse``
    says; a row whose id ``already`` reports (imported before) is skipped, not bad."""
    labels = {f.key: f.label for f in fields}
    required = [f for f in fields if f.required]
    report: Report[T] = Report(total=len(table.rows))
    refs_before: set[str] = set()
    if already is not None and ref_field:
        refs = [mapping.apply(table.header, r).get(ref_field, "") for r in table.rows]
        refs_before = already([r for r in refs if r])
    seen: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        number = i + 2
        values = mapping.apply(table.header, row)
        ref = values.get(ref_field, "") if ref_field else ""
        reasons = control_problems(values, labels)
        reasons += [f"缺少必填项“{f.label}”" for f in required if not values.get(f.key)]
        if ref and ref in seen:
            reasons.append(f"行号“{ref}”与第 {seen[ref]} 行重复")
        elif ref:
            seen[ref] = number
        if not reasons and ref and ref in refs_before:
            report.skipped.append((number, ref))
        elif not reasons:
            try:
                report.good.append((number, ref, parse(values)))
            except RowInvalid as e:
                reasons = e.reasons
        if reasons:
            report.problems.append(Problem(number, ref, reasons))
        if progress is not None and (i + 1) % every == 0:
            progress(i + 1, len(table.rows))
    if progress is not None:
        progress(len(table.rows), len(table.rows))
    return report
