"""Re-encrypt every encrypted field under the first key of XINFANG_FIELD_KEYS.

Rotation: generate a key (`xinfang manage new_field_key`), put it FIRST in XINFANG_FIELD_KEYS
keeping the old ones after it, restart, run this command, then remove the old keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from xinfang.audit.services import audit_record
from xinfang.petitions.models import Party


class Command(BaseCommand):
    help = "以当前密钥重新加密全部加密字段（密钥轮换）"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        n, last = 0, 0
        while True:
            with transaction.atomic():
                # Read (decrypted with whichever key fits), write back (encrypted with the first).
                rows = list(
                    Party.objects.filter(pk__gt=last)
                    .order_by("pk")
                    .values_list("pk", "id_number", "phone")[:1000]
                )
                if not rows:
                    break
                for pk, id_number, phone in rows:
                    Party.objects.filter(pk=pk).update(id_number=id_number, phone=phone)
                last = rows[-1][0]
                n += len(rows)
        audit_record(kind="crypto.rotate", object_type="party", data={"rows": n})
        self.stdout.write(f"已以当前密钥重新加密 {n} 名当事人的证件号码和电话")
