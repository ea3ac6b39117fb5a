"""xinfang manage calendar_confirm FILE: confirm a year's holidays from the State Council's notice.

The file format is docs/calendar-notice.md (docs/calendar/2026.txt is the 2026 notice). The
command prints the days the notice declares, what a person should check, and then every due date
the confirmation moved, kept or reopened. Audited as ``calendar.confirm``.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import ApplicationError
from xinfang.deadlines.confirmation import calendar_notice_confirm
from xinfang.directory.models import User

HOW = {"moved": "已调整", "kept": "保留原届满日", "reopened": "恢复申请期限"}


class Command(BaseCommand):
    help = "按国务院办公厅节假日安排通知确认某年的节假日，并重新计算受影响的期限"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file", help="通知文件（UTF-8 文本，格式见 docs/calendar-notice.md）")
        parser.add_argument("--dry-run", action="store_true", help="只计算将要调整的期限，不写入")
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="已核对提示（法定假日未放假、漏录节日、与 chinese_calendar 不一致）",
        )
        parser.add_argument("--by", metavar="USERNAME", help="确认人（系统管理员账号），记入审计")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        path = Path(opts["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"无法读取 {path}：{e}") from e
        actor = None
        if opts["by"]:
            actor = User.objects.filter(username=opts["by"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有账号 {opts['by']}")
        try:
            report = calendar_notice_confirm(
                text=text,
                actor=actor,
                accept_warnings=opts["accept_warnings"],
                dry_run=opts["dry_run"],
                via=f"command:{getpass.getuser()}",
            )
        except ApplicationError as e:
            lines = [e.message] + [f"  {m}" for ms in e.fields.values() for m in ms]
            if e.code == "warnings":
                lines.append("核对无误后加 --accept-warnings 再运行。")
            raise CommandError("\n".join(lines)) from e
        n = report.notice
        self.stdout.write(
            f"{n.title}：休息日 {len(n.rest_days)} 天，调休上班 {len(n.working_days)} 天"
            + ("（替换此前确认的安排）" if report.replaced else "")
        )
        for w in report.warnings:
            self.stdout.write(f"  已核对：{w}")
        s = report.summary()
        verb = "将" if report.dry_run else "已"
        self.stdout.write(
            f"{verb}重新计算 {s['recomputed']} 件信访事项：调整 {s['moved']} 个期限，"
            f"保留原届满日 {s['kept']} 个，恢复申请期限 {s['reopened']} 个"
        )
        for m in report.moves:
            self.stdout.write(
                f"  {m.tracking_code} {m.code} 起算 {m.start} 届满 {m.before} → {m.after}"
                f"（{HOW[m.how]}）"
            )
        if report.dry_run:
            self.stdout.write("（试算：未写入）")
