"""xinfang manage tally_rebuild: recount the analytics rollup from the petitions table."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from xinfang.analytics.services import tally_rebuild


class Command(BaseCommand):
    help = "按信访事项表重新统计分析用的计数（在 SQL 导入之后运行）"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        n = tally_rebuild()
        self.stdout.write(f"已重新统计 {n} 件信访事项，用时 {time.perf_counter() - t0:.1f} 秒")
