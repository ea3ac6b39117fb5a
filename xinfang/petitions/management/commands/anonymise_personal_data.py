"""Anonymise the parties of petitions closed longer than XINFANG_RETENTION_YEARS."""

from django.conf import settings
from django.core.management.base import BaseCommand

from xinfang.petitions.privacy import party_anonymise_expired


class Command(BaseCommand):
    help = "按保存期限匿名化已办结信访事项当事人的身份信息"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--dry-run", action="store_true", help="only count")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        n = party_anonymise_expired(dry_run=opts["dry_run"])
        verb = "将匿名化" if opts["dry_run"] else "已匿名化"
        self.stdout.write(f"{verb} {n} 名当事人（办结满 {settings.XINFANG_RETENTION_YEARS} 年）")
