"""``xinfang manage hotline_export [--since ISO] [--format json|csv] [-o FILE]``: the answers
of the imported 12345 work orders, under the hotline's ids (docs/hotline.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from xinfang.core import clock
from xinfang.exchange.hotline import schema
from xinfang.exchange.hotline.selectors import hotline_answers


class Command(BaseCommand):
    help = "Export the answers of imported 12345 hotline work orders (JSON or CSV)"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--since", default="", help="only orders with a step since then")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("-o", "--output", default="")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        since = None
        if opts["since"]:
            since = parse_datetime(opts["since"])
            if since is None:
                raise CommandError("--since: an ISO 8601 date and time")
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
        rows = hotline_answers(since=since)
        if opts["format"] == "csv":
            body = schema.write_csv(rows)
        else:
            body = schema.write_json(rows, generated_at=clock.now().isoformat(timespec="seconds"))
        if opts["output"]:
            Path(opts["output"]).write_bytes(body)
        else:
            self.stdout.write(body.decode("utf-8-sig"))
