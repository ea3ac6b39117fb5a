"""xinfang manage search_index: index the petitions that registration queued for search."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from xinfang.workbench.services import search_index_pending


class Command(BaseCommand):
    help = "为新登记的信访事项建立全文检索索引（--watch 持续运行）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--watch", action="store_true", help="每隔几秒检查一次，直到中断")
        parser.add_argument("--every", type=float, default=3.0, help="--watch 的间隔（秒）")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        while True:
            t0 = time.perf_counter()
            n = search_index_pending(batch=opts["batch"])
            if n or not opts["watch"]:
                self.stdout.write(
                    f"已为 {n} 件信访事项建立检索索引，用时 {time.perf_counter() - t0:.1f} 秒"
                )
            if not opts["watch"]:
                return
            time.sleep(opts["every"])
