"""xinfang manage search_reindex: rebuild the full-text index of petition titles and contents."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from xinfang.workbench.services import search_reindex


class Command(BaseCommand):
    help = "重建信访事项标题和内容的全文检索索引"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        n = search_reindex(batch=opts["batch"])
        self.stdout.write(f"已重建 {n} 件信访事项的检索索引，用时 {time.perf_counter() - t0:.1f} 秒")
