# The name search of the workbench (exact name of a party) needs an index on petitions_party.name.
# It is created here, by the app that searches, rather than on the Party model.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("workbench", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX workbench_party_name ON petitions_party (name)",
            "DROP INDEX workbench_party_name",
        )
    ]
