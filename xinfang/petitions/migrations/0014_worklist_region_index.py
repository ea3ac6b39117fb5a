from django.db import migrations, models

from xinfang.core.online_ddl import AddIndexOnline


class Migration(migrations.Migration):
    # Built without locking out writers (xinfang.core.online_ddl; revB #3): CREATE INDEX
    # CONCURRENTLY on PostgreSQL, outside a transaction.
    atomic = False

    dependencies = [
        ('petitions', '0013_worklist_filter_indexes'),
    ]

    # Issue 14: the worklist filtered by region counted its rows from the region index, that is
    # every petition of the region ever received (75 ms at 10^6): now a range of this one.
    operations = [
        AddIndexOnline(
            model_name='petition',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['current_organ', 'region', 'next_due', 'id'], name='petition_open_by_region'),
        ),
    ]
