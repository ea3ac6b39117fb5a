"""``xinfang manage rates_rebuild [--as-of YYYY-MM-DD]``: build the rate rollup from nothing, in SQL
(the first build; after an import in SQL or a change of the acceptance or evaluation-window
settings). The tick then keeps it (``analytics.rollup.rates_refresh``)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from xinfang.analytics.rollup import rates_rebuild


class Command(BaseCommand):
    help = "重新计算考核指标（及时受理率、按期办结率、满意率、参评率）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--as-of", default=None)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        try:
            as_of = date.fromisoformat(opts["as_of"]) if opts["as_of"] else None
        except ValueError as e:
            raise CommandError("--as-of 应为 YYYY-MM-DD") from e
        n = rates_rebuild(as_of=as_of)
        self.stdout.write(f"已重新计算 {n} 件信访事项的考核指标")
