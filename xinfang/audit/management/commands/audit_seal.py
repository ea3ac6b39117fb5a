"""`xinfang audit seal`: seal the petitions written before sealing existed (once, after upgrading)."""

from django.core.management.base import BaseCommand

from xinfang.audit.seals import seals_adopt


class Command(BaseCommand):
    help = "为尚无摘要的信访事项（升级之前写入的）补记审计摘要；升级后执行一次"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        for object_type, n in seals_adopt().items():
            self.stdout.write(f"{object_type}: 补记 {n} 件")
