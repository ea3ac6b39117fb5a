# The table of Django's database cache (settings.CACHES, XINFANG_CACHE=database), created with
# the other tables so that `xinfang demo` / `xinfang manage migrate` is the only set-up step.
# With another cache backend configured (tests: local memory) this creates nothing.

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
