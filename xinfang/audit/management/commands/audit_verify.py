"""`xinfang audit verify`: recompute the audit chain and report every broken record."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.services import audit_verify


class Command(BaseCommand):
    help = "检查审计记录是否被修改、删除或调换顺序"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--expect-head", default=None, help="SEQ:HASH printed by an earlier run, kept elsewhere"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        rep = audit_verify(expect_head=opts["expect_head"])
        for p in rep.problems:
            self.stderr.write(p)
        if not rep.ok:
            raise CommandError(
                f"审计链校验失败：{len(rep.problems)} 处问题（共 {rep.checked} 条记录）"
            )
        self.stdout.write(
            f"审计链完好：{rep.checked} 条记录。链头 {rep.head_seq}:{rep.head_hash}"
            "（请另行保存，下次以 --expect-head 核对）"
        )
