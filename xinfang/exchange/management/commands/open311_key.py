"""``xinfang manage open311_key issue NAME [--contact C] [--by USERNAME] | list | revoke ID``:
API keys of Open311 client applications (the key is printed once; only its hash is kept)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.errors import ApplicationError
from xinfang.directory.models import User
from xinfang.exchange.models import Open311Key
from xinfang.exchange.open311.keys import open311_key_issue, open311_key_revoke


class Command(BaseCommand):
    help = "Issue, list or revoke the API keys of Open311 client applications"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="what", required=True)
        issue = sub.add_parser("issue")
        issue.add_argument("name")
        issue.add_argument("--contact", default="")
        issue.add_argument("--by", default="", help="the administrator named in the audit record")
        sub.add_parser("list")
        revoke = sub.add_parser("revoke")
        revoke.add_argument("key_id", type=int)
        revoke.add_argument("--by", default="")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        actor = None
        if opts.get("by"):
            actor = User.objects.filter(username=opts["by"]).first()
            if actor is None:
                raise CommandError(f"no user {opts['by']!r}")
        try:
            if opts["what"] == "issue":
                row, key = open311_key_issue(
                    name=opts["name"], contact=opts["contact"], actor=actor
                )
                self.stdout.write(f"{row.pk}\t{row.name}\t{key}")
                self.stderr.write("The key is shown only now; keep it with the application.")
            elif opts["what"] == "revoke":
                row = open311_key_revoke(key_id=opts["key_id"], actor=actor)
                self.stdout.write(f"{row.pk}\t{row.name}\trevoked {row.revoked_at:%Y-%m-%d %H:%M}")
            else:
                for row in Open311Key.objects.order_by("pk"):
                    state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
                    used = f"{row.last_used_at:%Y-%m-%d %H:%M}" if row.last_used_at else "-"
                    self.stdout.write(
                        f"{row.pk}\t{row.name}\t{row.prefix}…\t{state}\tlast used {used}"
                    )
        except ApplicationError as e:
            raise CommandError(e.message) from e
