"""``xinfang manage hotline_import FILE [--dry-run] [--format json|csv] [--by USERNAME]
[--report OUT.json]``: import 12345 work orders (docs/hotline.md). Prints the report as JSON;
exit status 1 when any row is bad (then nothing was saved)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.directory.models import User
from xinfang.exchange.hotline.services import hotline_import


class Command(BaseCommand):
    help = "Import 12345 hotline work orders (JSON or CSV); --dry-run only checks"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--format", choices=["json", "csv"], default=None)
        parser.add_argument("--by", default="", help="the staff user the registrations name")
        parser.add_argument("--report", default="", help="also write the full report here")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        fmt = opts["format"] or ("csv" if path.suffix.lower() == ".csv" else "json")
        actor = None
        if opts["by"]:
            actor = User.objects.filter(username=opts["by"]).first()
            if actor is None:
                raise CommandError(f"no user {opts['by']!r}")
        report = hotline_import(
            data=path.read_bytes(), fmt=fmt, dry_run=opts["dry_run"], actor=actor
        ).as_dict()
        if opts["report"]:
            Path(opts["report"]).write_text(json.dumps(report, ensure_ascii=False, indent=1))
        shown = dict(
            report, bad=report["bad"][:50], already_imported_ids=report["already_imported_ids"][:50]
        )
        self.stdout.write(json.dumps(shown, ensure_ascii=False, indent=1))
        if report["file_problem"] or report["bad"]:
            sys.exit(1)
