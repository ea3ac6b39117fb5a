"""``xinfang manage repeats_rebuild [--save]``: rebuild the repeat index (重信重访) from the
database; ``--save`` writes the snapshot into the data folder that processes load at start."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from xinfang.insight.matters.index import repeat_index_rebuild


class Command(BaseCommand):
    help = "重建重信重访索引（--save 写入数据目录的快照，进程启动时读取）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--save", action="store_true", help="写入快照")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        out = repeat_index_rebuild(save=opts["save"])
        msg = f"已索引 {out['petitions']} 件信访，用时 {out['seconds']} 秒，约 {out['bytes'] // 1024} KiB"
        if "snapshot" in out:
            msg += f"；快照：{out['snapshot']}"
        self.stdout.write(msg)
