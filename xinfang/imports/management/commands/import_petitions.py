"""``xinfang import FILE --source NAME [--mapping M] [--dry-run]``: petitions of the past from a
台账 file (XLSX or CSV), every row or none (``imports.services.import_rows``)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import ApplicationError
from xinfang.imports.plan import FIELDS
from xinfang.imports.services import (
    import_mapping_save,
    import_rows,
    import_source_get,
    mapping_for,
)
from xinfang.imports.tabular import ColumnMap, TableError, read_table

PHASES = {"check": "检查", "dry": "试导入", "commit": "导入"}


def parse_mapping(text: str) -> dict[str, str]:
    """``--mapping``: a JSON file, JSON text, or ``field=列名,field=列名``."""
    path = Path(text)
    if path.suffix == ".json" and path.is_file():
        text = path.read_text(encoding="utf-8")
    text = text.strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as e:
            raise CommandError(f"--mapping 不是有效的 JSON：{e}") from e
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise CommandError("--mapping 应为 {字段: 列名}")
        return {str(k): v for k, v in data.items()}
    out = {}
    for part in text.split(","):
        key, sep, column = part.partition("=")
        if not sep:
            raise CommandError(f"--mapping 项“{part}”应为 字段=列名")
        out[key.strip()] = column.strip()
    return out


class Bar:
    """A progress bar on the terminal (stderr), redrawn at most ten times a second."""

    def __init__(self, stream, enabled: bool) -> None:  # type: ignore[no-untyped-def]
        self.stream, self.enabled, self.last = stream, enabled, 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        share = done / total if total else 1.0
        filled = int(share * 30)
        self.stream.write(
            f"\r{PHASES.get(phase, phase)} [{'#' * filled}{'.' * (30 - filled)}] "
            f"{share:4.0%} {done}/{total}"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "从 台账 文件（XLSX 或 CSV）导入历史信访事项：可先试导入核对；导入时每批（500 行）一个事务，"
        "有误的行报告并跳过，重新导入同一文件不会重复"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="XLSX 或 CSV 文件")
        parser.add_argument("--source", required=True, help="来源名称（列对应按来源保存）")
        parser.add_argument(
            "--mapping",
            help="列对应：JSON 文件、JSON 文本或 字段=列名,字段=列名（字段见 --fields）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只试导入并报告，不保存")
        parser.add_argument("--fields", action="store_true", help="列出可对应的字段后退出")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出报告")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if opts["fields"]:
            for f in FIELDS:
                self.stdout.write(f"{f.key}\t{f.label}{'（必填）' if f.required else ''}")
            return
        path = Path(opts["file"])
        try:
            content = path.read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取 {path}：{e.strerror}") from e
        try:
            table = read_table(content, name=path.name)
            source = import_source_get(name=opts["source"])
        except TableError as e:
            raise CommandError(str(e)) from e
        except ApplicationError as e:
            raise CommandError(e.message) from e
        mapping = mapping_for(source, table.header)
        if opts["mapping"]:
            mapping = ColumnMap({**mapping.columns, **parse_mapping(opts["mapping"])})
        if problems := mapping.check(table.header, FIELDS):
            raise CommandError("列对应有误：" + "；".join(problems))
        bar = Bar(sys.stderr, enabled=not opts["json"] and sys.stderr.isatty())
        started = time.monotonic()
        try:
            out = import_rows(
                source=source, table=table, mapping=mapping, actor=None,
                dry_run=opts["dry_run"], progress=bar,
            )  # fmt: skip
        except ApplicationError as e:
            raise CommandError(e.message) from e
        if out.committed or opts["dry_run"]:
            import_mapping_save(source=source, mapping=mapping.columns)
        report = out.report.as_dict() | {
            "committed": out.committed,
            "imported": out.imported if out.committed else 0,
            "seconds": round(time.monotonic() - started, 2),
        }
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            for p in out.report.problems:
                self.stdout.write(f"第 {p.row} 行（{p.ref or '无行号'}）：" + "；".join(p.reasons))
            verdict = (
                "已导入" if out.committed else "试导入（未保存）" if opts["dry_run"] else "未导入"
            )
            self.stdout.write(
                f"{verdict}：共 {report['total']} 行，可导入 {report['good']}，有误 {report['bad']}，"
                f"此前已导入而跳过 {report['skipped']}；用时 {report['seconds']} 秒"
            )
        if out.report.problems:
            raise CommandError(
                "有误的行须改正后重新导入；本次没有保存任何信访事项"
                if opts["dry_run"]
                else "有误的行未导入，改正后重新导入该文件即可（已导入的行不会重复导入）"
            )
