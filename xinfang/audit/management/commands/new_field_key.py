"""Print a new Fernet key for XINFANG_FIELD_KEYS."""

from django.core.management.base import BaseCommand

from xinfang.core.crypto import new_field_key


class Command(BaseCommand):
    help = "生成一个新的字段加密密钥"

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        self.stdout.write(new_field_key())
