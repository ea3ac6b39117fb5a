"""``manage.py seed_demo``: fill an empty database with the demo province (``xinfang.demo``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import ApplicationError
from xinfang.demo import DEMO_PASSWORD, demo_seed
from xinfang.petitions.models import Petition


class Command(BaseCommand):
    help = "生成演示数据：虚构的青岚省（区划代码 99xxxx）、机关、各角色账号和约 18 个月的信访事项"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--petitions", type=int, default=3000, help="信访事项件数（默认 3000）")
        parser.add_argument("--seed", type=int, default=7, help="随机种子：相同种子生成相同数据")
        parser.add_argument("--password", default=DEMO_PASSWORD, help="演示账号的统一密码")
        parser.add_argument(
            "--share-writes",
            action="store_true",
            help="服务器同时运行时使用（xinfang demo）：每个短事务之后让出数据库写锁片刻，"
            "生成期间登录和提交不必久等",
        )

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if Petition.objects.exists():
            raise CommandError(
                "数据库中已有信访事项，拒绝生成演示数据（演示数据只能生成到空数据库中）。"
                "请换一个数据目录（XINFANG_DATA_DIR）或数据库后再试。"
            )
        if opts["petitions"] < 1:
            raise CommandError("--petitions 至少为 1")
        started = time.perf_counter()
        try:
            result = demo_seed(
                seed=opts["seed"],
                petitions=opts["petitions"],
                password=opts["password"],
                progress=lambda msg: self.stdout.write(msg),
                share_writes=opts["share_writes"],
            )
        except ApplicationError as e:
            raise CommandError(e.message) from e
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"已生成 {result['petitions']} 件信访事项、{result['events']} 条办理记录，"
                f"用时 {time.perf_counter() - started:.1f} 秒"
            )
        )
        if result["errors"]:
            out.write(self.style.WARNING(f"{len(result['errors'])} 个步骤被拒绝："))
            for line in result["errors"][:20]:
                out.write(f"  {line}")
        out.write(f"\n演示账号（密码均为 {result['password']}）：")
        for login in result["logins"]:
            out.write(f"  {login['username']:<22} {'、'.join(login['roles']):<8} {login['organ']}")
