"""The hotline exchange schema (docs/hotline.md): reading a JSON or CSV file of 12345 work
orders and checking each row on its own. PURE: imports no Django (time zones are arguments).

A row that fails any check is reported with every reason, by its row number (the line in a
CSV file, the position from 1 in a JSON list); the registration service checks the rest
(region, lengths, parties) when the rows are imported."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

SCHEMA_IN = "xinfang-hotline/1"
SCHEMA_OUT = "xinfang-hotline-reply/1"

#: The columns of an import file, in order. Required: hotline_id, called_at, content,
#: region_code, route_to.
FIELDS_IN = (
    "hotline_id",
    "called_at",
    "route_to",
    "region_code",
    "category",
    "title",
    "content",
    "caller_name",
    "caller_phone",
    "anonymous",
)
REQUIRED = ("hotline_id", "called_at", "route_to", "region_code", "content")
#: The columns of an export file (the answers that flow back), in order.
FIELDS_OUT = (
    "hotline_id",
    "tracking_code",
    "status",
    "state",
    "state_label",
    "organ",
    "reply",
    "reply_at",
    "reply_organ",
    "updated_at",
)
#: ``route_to``: the hotline hands the order to the petition channel (转信访); any other value
#: (e.g. "hotline", the hotline answers it itself) is skipped and counted, not imported.
PETITION = "petition"
CATEGORIES = {
    "": "",
    "suggestion": "suggestion",
    "appeal": "appeal",
    "accusation": "accusation",
    "建议意见类": "suggestion",
    "申诉求决类": "appeal",
    "检举控告类": "accusation",
}
TRUE = {"true", "1", "yes", "y", "是"}
FALSE = {"", "false", "0", "no", "n", "否"}
MAX_ROWS = 1_000_000
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FileProblem(ValueError):
    """The file as a whole cannot be read (not JSON, no header, wrong schema)."""


@dataclass(frozen=True)
class Order:
    row: int
    hotline_id: str
    called_at: datetime
    route_to: str
    region_code: str
    category: str
    title: str
    content: str
    caller_name: str
    caller_phone: str
    anonymous: bool

    @property
    def for_petitions(self) -> bool:
        return self.route_to == PETITION


def read(data: bytes, fmt: str) -> list[tuple[int, Mapping[str, Any]]]:
    """The rows of a file, each with its number. Raises FileProblem."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileProblem(f"not UTF-8 (byte {e.start})") from e
    if fmt == "json":
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise FileProblem(f"not JSON: {e}") from e
        if isinstance(doc, Mapping):
            if doc.get("schema", SCHEMA_IN) != SCHEMA_IN:
                raise FileProblem(f"schema should be {SCHEMA_IN}")
            doc = doc.get("orders")
        if not isinstance(doc, list):
            raise FileProblem('expected a list of orders, or {"schema": …, "orders": [...]}')
        rows = list(enumerate(doc, start=1))
    elif fmt == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if not reader.fieldnames or "hotline_id" not in reader.fieldnames:
            raise FileProblem("the first line should name the columns (hotline_id, …)")
        missing = [f for f in REQUIRED if f not in reader.fieldnames]
        if missing:
            # A renamed export is not "nothing today": refuse it whole, naming what is missing.
            raise FileProblem("missing required columns: " + ", ".join(missing))
        try:
            rows = [(reader.line_num, r) for r in reader]
        except csv.Error as e:
            raise FileProblem(f"CSV: {e}") from e
    else:
        raise FileProblem("format should be json or csv")
    if len(rows) > MAX_ROWS:
        raise FileProblem(f"more than {MAX_ROWS} rows; split the file")
    return rows


def _text(raw: Mapping[str, Any], name: str, reasons: list[str]) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        reasons.append(f"{name}: should be text")
        return ""
    value = str(value).strip()
    if _CONTROL.search(value):
        reasons.append(f"{name}: control characters (NUL …)")
        return ""
    return value


def order_check(row: int, raw: Any, *, tz: tzinfo) -> tuple[Order | None, list[str]]:
    """One row: the order, or None and every reason it is refused."""
    if not isinstance(raw, Mapping):
        return None, ["the row should be an object with the schema's fields"]
    reasons: list[str] = []
    values = {f: _text(raw, f, reasons) for f in FIELDS_IN if f != "anonymous"}
    for f in REQUIRED:
        if not values[f] and not any(r.startswith(f"{f}:") for r in reasons):
            reasons.append(f"{f}: required")
    hid = values["hotline_id"]
    if hid and not _ID.fullmatch(hid):
        reasons.append("hotline_id: 1–64 letters, digits, '.', '_' or '-'")
    called_at = None
    if values["called_at"]:
        try:
            called_at = datetime.fromisoformat(values["called_at"])
        except ValueError:
            reasons.append("called_at: an ISO 8601 date and time, e.g. 2026-03-01T09:30:00+08:00")
        else:
            if called_at.tzinfo is None:
                called_at = called_at.replace(tzinfo=tz)
    route = values["route_to"].lower()
    category = CATEGORIES.get(values["category"])
    if category is None:
        reasons.append("category: suggestion, appeal, accusation (or 建议意见类 …) or empty")
    anonymous_raw = raw.get("anonymous", "")
    anonymous_text = str(anonymous_raw).strip().lower() if anonymous_raw is not None else ""
    if anonymous_text not in TRUE | FALSE:
        reasons.append("anonymous: true or false")
    anonymous = anonymous_text in TRUE or not values["caller_name"]
    if anonymous and values["caller_phone"]:
        reasons.append("caller_phone: an anonymous caller's phone is not sent (no name given)")
    if anonymous_text in TRUE and values["caller_name"]:
        reasons.append("caller_name: an anonymous caller has no name")
    if reasons:
        return None, reasons
    assert called_at is not None and category is not None
    return (
        Order(
            row=row,
            hotline_id=hid,
            called_at=called_at,
            route_to=route,
            region_code=values["region_code"],
            category=category,
            title=values["title"],
            content=values["content"],
            caller_name=values["caller_name"],
            caller_phone=values["caller_phone"],
            anonymous=anonymous,
        ),
        [],
    )


def title_of(order: Order) -> str:
    """The order's title, or the first words of its content."""
    if order.title:
        return order.title  # the registration refuses one longer than its column
    first = " ".join(order.content.split())
    return f"12345 热线转来：{first[:40]}"


def write_json(rows: Iterable[Mapping[str, Any]], *, generated_at: str) -> bytes:
    doc = {"schema": SCHEMA_OUT, "generated_at": generated_at, "orders": list(rows)}
    return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def write_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    w = csv.DictWriter(out, fieldnames=FIELDS_OUT, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in FIELDS_OUT})
    return out.getvalue().encode("utf-8-sig")
