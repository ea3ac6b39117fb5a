"""`xinfang manage partitions setup|status|detach|attach`: time partitioning on PostgreSQL with
pg_partman (ADR 0019)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from xinfang.core import clock
from xinfang.ops.partition_archive import partition_attach, partition_detach
from xinfang.ops.partitions import PartitionError, partition_list, partitions_setup


class Command(BaseCommand):
    help = (
        "PostgreSQL 分区（pg_partman）：setup 将审计记录、办理记录、检索词表改为分区表；"
        "status 列出分区；detach --year 分离并归档一年；attach --year 重新挂接"
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        setup = sub.add_parser("setup", help="convert the tables (once, in a maintenance window)")
        setup.add_argument("--start-year", type=int, default=None)
        sub.add_parser("status", help="list the partitions, attached and archived")
        for name in ("detach", "attach"):
            p = sub.add_parser(name, help=f"{name} one year of every time-partitioned table")
            p.add_argument("--year", type=int, required=True)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        action = opts["action"]
        try:
            if action == "setup":
                out = partitions_setup(start_year=opts["start_year"], now=clock.now())
            elif action == "status":
                out = partition_list()
            elif action == "detach":
                out = partition_detach(year=opts["year"])
            else:
                out = partition_attach(year=opts["year"])
        except PartitionError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=1, default=str))
