"""`xinfang backup [--output DIR]`: one archive with the database, attachments and keys."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinfang.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份：数据库的一致快照、附件和密钥，写入一个带清单和校验和的归档"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--output", default=None, help="folder for the archive (default: <data>/backups)"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        folder = Path(opts["output"] or Path(settings.DATA_DIR) / "backups")
        try:
            r = backup_create(folder=folder)
        except BackupError as e:
            raise CommandError(str(e)) from None
        counts = "，".join(f"{k} {v}" for k, v in r.counts.items())
        self.stdout.write(
            f"备份完成：{r.path}（{r.bytes / 1048576:.1f} MB，{r.seconds} 秒）\n"
            f"  {counts}；附件文件 {r.attachments} 个\n"
            "  归档中含密钥：请加密保存在另一台机器上"
        )
