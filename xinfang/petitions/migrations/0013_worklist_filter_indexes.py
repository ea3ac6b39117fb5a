from django.db import migrations, models

from xinfang.core.online_ddl import AddIndexOnline


class Migration(migrations.Migration):
    # Built without locking out writers (xinfang.core.online_ddl; revB #3): on PostgreSQL CREATE
    # INDEX CONCURRENTLY, so registrations and steps go on during the build of each index over
    # the petitions; hence atomic = False. Same indexes as before (IF NOT EXISTS: a database
    # that built them with the plain form of this migration is left as it is).
    atomic = False

    dependencies = [
        ('petitions', '0012_worklist_tally'),
    ]

    # Issue 14: the worklist filtered by state, category or channel reads its first page and its
    # bounded count in due-date order from an index, however few of the open petitions match.
    operations = [
        AddIndexOnline(
            model_name='petition',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['current_organ', f, 'next_due', 'id'], name=f'petition_open_by_{f}'),
        )
        for f in ('state', 'category', 'channel')
    ]
