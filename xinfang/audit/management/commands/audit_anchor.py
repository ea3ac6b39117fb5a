"""`xinfang audit anchor`: write the signed heads of the audit chains now (the tick does it
each minute)."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.anchor import anchor_dir, audit_anchor
from xinfang.core import clock


class Command(BaseCommand):
    help = "将各审计链的链头签名并加时间戳，写到数据库之外的锚点目录"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        folder = anchor_dir()
        if folder is None:
            raise CommandError("未配置锚点目录（XINFANG_AUDIT_ANCHOR_DIR）")
        out = audit_anchor(now=clock.now())
        self.stdout.write(f"已写入锚点（{folder}）" if out["written"] else "链头未变，无需新锚点")
