"""``xinfang manage bench_seed --petitions N``: a realistic history for the benchmarks
(issue 14; ``xinfang.demo.bench_seed``). On an empty database it first builds the demo province
with a few thousand petitions driven through the services; run it again to add more."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from xinfang.demo.bench_jobs import JOBS_MAX
from xinfang.demo.bench_seed import JOBS_POSTGRESQL_ONLY, bench_seed
from xinfang.demo.bench_text import DEFAULT_TEXT_DIR


class Command(BaseCommand):
    help = "生成性能测试用的信访事项及其完整办理历史（大批量写入；仅用于测试数据库）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--petitions", type=int, required=True, help="新增信访事项件数")
        parser.add_argument("--years", type=int, default=5, help="时间跨度（年，默认 5）")
        parser.add_argument("--seed", type=int, default=7, help="随机种子（默认 7）")
        parser.add_argument(
            "--text-dir",
            default=DEFAULT_TEXT_DIR,
            help=f"群众留言 CSV 所在目录（默认 {DEFAULT_TEXT_DIR}；不存在时用内置文本）",
        )
        parser.add_argument(
            "--templates",
            type=int,
            default=None,
            help="空数据库时经由办理服务逐步生成的模板件数（默认 N/50，100–2000）",
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="并行写入的进程数（默认 1；大于 1 仅适用于 PostgreSQL，最多 16）",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if opts["petitions"] < 1:
            raise CommandError("--petitions 至少为 1")
        if not 1 <= opts["years"] <= 30:
            raise CommandError("--years 应在 1 到 30 之间")
        if not 1 <= opts["jobs"] <= JOBS_MAX:
            raise CommandError(f"--jobs 应在 1 到 {JOBS_MAX} 之间")
        if opts["jobs"] > 1 and connection.vendor != "postgresql":
            raise CommandError(JOBS_POSTGRESQL_ONLY)
        result = bench_seed(
            petitions=opts["petitions"],
            years=opts["years"],
            seed=opts["seed"],
            text_dir=opts["text_dir"],
            templates=opts["templates"],
            jobs=opts["jobs"],
            progress=None if opts["json"] else self.stdout.write,
        )
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"共 {result['petitions']} 件信访事项（模板 {result['templates']}，复制 "
                f"{result['copies']}），用时 {result['seconds']} 秒"
            )
        )
        self.stdout.write(json.dumps(result, ensure_ascii=False))
