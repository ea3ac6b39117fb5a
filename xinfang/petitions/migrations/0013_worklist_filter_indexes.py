from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0012_worklist_tally'),
    ]

    # Issue 14: the worklist filtered by state, category or channel reads its first page and its
    # bounded count in due-date order from an index, however few of the open petitions match.
    operations = [
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['current_organ', f, 'next_due', 'id'], name=f'petition_open_by_{f}'),
        )
        for f in ('state', 'category', 'channel')
    ]
