"""xinfang manage worklist_tally_rebuild: recount the worklist's rollup from the petitions."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from xinfang.petitions.services.worklist_tally import (
    worklist_tally_counted,
    worklist_tally_rebuild,
    worklist_tally_stored,
)


class Command(BaseCommand):
    help = "按信访事项表重新统计待办计数（在 SQL 导入之后运行；--check 只核对不改写）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--check", action="store_true", help="只核对，有差异时退出码为 1")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        if opts["check"]:
            counted, stored = worklist_tally_counted(), worklist_tally_stored()
            wrong = {k for k in counted.keys() | stored.keys() if counted.get(k) != stored.get(k)}
            self.stdout.write(
                f"待办计数 {len(stored)} 格，与信访事项表不符 {len(wrong)} 格，"
                f"用时 {time.perf_counter() - t0:.1f} 秒"
            )
            if wrong:
                raise SystemExit(1)
            return
        n = worklist_tally_rebuild()
        self.stdout.write(f"已重新统计待办计数 {n} 格，用时 {time.perf_counter() - t0:.1f} 秒")
