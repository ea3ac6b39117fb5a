"""`xinfang restore ARCHIVE`: restore a backup into an empty installation and verify it;
`--check` verifies the archive's checksums only (changes nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.ops.backup import BackupError, archive_verify, backup_restore


class Command(BaseCommand):
    help = "从备份恢复到空的系统，并核对（行数、附件校验和、审计链）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("archive")
        parser.add_argument("--check", action="store_true", help="only verify the archive")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        path = Path(opts["archive"])
        try:
            if opts["check"]:
                m = archive_verify(path)
                self.stdout.write(
                    f"备份完好：{len(m['members'])} 个文件的校验和一致（{m['created_at']}）"
                )
                return
            report = backup_restore(path=path)
        except BackupError as e:
            raise CommandError(str(e)) from None
        for p in report.problems:
            self.stderr.write(p)
        if not report.ok:
            raise CommandError(f"恢复后核对发现 {len(report.problems)} 处问题")
        counts = "，".join(f"{k} {v}" for k, v in report.counts.items())
        self.stdout.write(
            f"恢复完成并已核对：{counts}；附件 {report.attachments} 个校验和一致；"
            f"审计链完好（{report.audit_records} 条）"
        )
        if report.replaced_keys:
            self.stdout.write(
                f"  原有的密钥文件 {', '.join(report.replaced_keys)} 已移到数据目录的 keys-before-restore-*"
            )
