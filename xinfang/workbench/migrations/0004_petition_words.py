# The search words as one tsvector per petition on PostgreSQL (ADR 0022): the table, its GIN
# index, and the words already indexed moved into it from the row-per-word table (emptied).
# SQLite keeps the row-per-word table: nothing moves there.

import django.db.models.deletion
from django.db import migrations, models

import xinfang.workbench.models

WORDS = "workbench_petitionwords"
TERMS = "workbench_petitionterm"
GIN = "petition_words_gin"


def words_to_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # one pass, grouped by petition (the (petition, term) primary key orders it); the index is
    # built after the rows, which is several times cheaper than growing it row by row
    schema_editor.execute(
        f"INSERT INTO {WORDS} (petition_id, words) "
        f"SELECT petition_id, array_to_tsvector(array_agg(term)) FROM {TERMS} GROUP BY petition_id"
    )
    schema_editor.execute(f"CREATE INDEX {GIN} ON {WORDS} USING gin (words)")
    # TRUNCATE, not DELETE: the space goes back at once (also when pg_partman partitioned it)
    schema_editor.execute(f"TRUNCATE {TERMS}")
    schema_editor.execute(f"ANALYZE {WORDS}")


def vectors_to_words(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"INSERT INTO {TERMS} (petition_id, term) "
        f"SELECT petition_id, unnest(tsvector_to_array(words)) FROM {WORDS}"
    )
    schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0009_event_dispatch_index'),
        ('workbench', '0003_search_pending'),
    ]

    operations = [
        migrations.CreateModel(
            name='PetitionWords',
            fields=[
                ('petition', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='petitions.petition')),
                ('words', xinfang.workbench.models.SearchWordsField()),
            ],
            options={
                'verbose_name': '检索词（每件一行）',
                'verbose_name_plural': '检索词（每件一行）',
            },
        ),
        migrations.RunPython(words_to_vectors, vectors_to_words),
    ]
