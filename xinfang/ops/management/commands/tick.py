"""`xinfang tick`: run every due periodic job once (from cron or a systemd timer, each minute)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinfang.ops.lock import LockBusy
from xinfang.ops.models import JobState
from xinfang.ops.services import jobs_discover, tick_run


class Command(BaseCommand):
    help = "运行到期的定时任务（每分钟由 cron 或 systemd 定时器调用一次；可重复运行）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--job", action="append", default=[], help="only this job (repeatable)")
        parser.add_argument("--force", action="store_true", help="run even if not due yet")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--list", action="store_true", help="list the jobs and their last run")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if opts["list"]:
            return self._list()
        try:
            outcomes = tick_run(only=opts["job"], force=opts["force"])
        except KeyError as e:
            raise CommandError(f"没有这个定时任务：{e.args[0]}") from None
        except LockBusy:
            # Not an error: the previous tick is still running (a long job); cron tries again.
            self.stdout.write(
                json.dumps({"busy": True}) if opts["json"] else "上一次 tick 仍在运行，本次跳过"
            )
            return
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    [vars(o) | {"result": dict(o.result)} for o in outcomes], ensure_ascii=False
                )
            )
        else:
            for o in outcomes:
                figures = " ".join(f"{k}={v}" for k, v in o.result.items())
                line = {
                    "ran": f"完成 {o.seconds:.2f}s {figures}",
                    "not_due": "未到期",
                    "failed": f"失败 {o.error}",
                }[o.status]
                self.stdout.write(f"{o.name:<28} {line}".rstrip())
        failed = [o.name for o in outcomes if o.status == "failed"]
        if failed:
            raise CommandError(f"定时任务失败：{', '.join(failed)}")

    def _list(self) -> None:
        states = {s.name: s for s in JobState.objects.all()}
        for job in jobs_discover():
            s = states.get(job.name)
            last = "从未运行"
            if s is not None and s.last_finished_at:
                ok = "成功" if s.last_ok else f"失败：{s.last_error[:80]}"
                last = f"{timezone.localtime(s.last_finished_at):%Y-%m-%d %H:%M:%S} {ok}"
            self.stdout.write(f"{job.name:<28} 每 {job.every}  {last}")
