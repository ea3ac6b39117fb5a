"""`xinfang audit verify`: recompute the audit chains and report every broken record."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.verify import audit_verify


class Command(BaseCommand):
    help = "检查审计记录是否被修改、删除或调换顺序，以及受审计的数据是否在应用之外被改动"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--expect-head",
            default=None,
            help="CHAIN.SEQ:HASH … printed by an earlier run and kept elsewhere",
        )
        parser.add_argument(
            "--no-anchor", action="store_true", help="do not check the latest anchor"
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        rep = audit_verify(expect_head=opts["expect_head"], anchors=not opts["no_anchor"])
        for n in rep.notes:
            self.stdout.write(n)
        for p in rep.problems:
            self.stderr.write(p)
        if not rep.ok:
            raise CommandError(
                f"审计链校验失败：{len(rep.problems)} 处问题（共 {rep.checked} 条记录）"
            )
        self.stdout.write(
            f"审计链完好：{rep.checked} 条记录，{len(rep.heads)} 条链。链头 {rep.heads_text()}"
        )
