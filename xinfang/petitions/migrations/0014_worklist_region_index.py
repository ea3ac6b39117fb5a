from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0013_worklist_filter_indexes'),
    ]

    # Issue 14: the worklist filtered by region counted its rows from the region index, that is
    # every petition of the region ever received (75 ms at 10^6): now a range of this one.
    operations = [
        migrations.AddIndex(
            model_name='petition',
            index=models.Index(condition=models.Q(('is_open', True)), fields=['current_organ', 'region', 'next_due', 'id'], name='petition_open_by_region'),
        ),
    ]
