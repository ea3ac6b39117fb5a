"""Encrypt parties' identity numbers and phones at rest; blind indexes replace the phone index.

Rows written before this migration hold plaintext: they are read as such (core.crypto passes
a value that is not a Fernet token through) and written back encrypted, with their digests.
"""

import xinfang.core.crypto
from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    Party = apps.get_model("petitions", "Party")
    last = 0
    while True:
        batch = list(Party.objects.filter(pk__gt=last).order_by("pk")[:1000])
        if not batch:
            break
        for p in batch:
            p.save(update_fields=["id_number", "phone", "id_digest", "phone_digest"])
        last = batch[-1].pk


class Migration(migrations.Migration):

    dependencies = [
        ('petitions', '0001_initial'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='party',
            name='party_phone',
        ),
        migrations.AddField(
            model_name='party',
            name='anonymised_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='匿名化时间'),
        ),
        migrations.AddField(
            model_name='party',
            name='id_digest',
            field=xinfang.core.crypto.BlindIndexField(kind='id_number', source='id_number'),
        ),
        migrations.AddField(
            model_name='party',
            name='phone_digest',
            field=xinfang.core.crypto.BlindIndexField(kind='phone', source='phone'),
        ),
        migrations.AlterField(
            model_name='party',
            name='id_number',
            field=xinfang.core.crypto.EncryptedTextField(blank=True, verbose_name='证件号码'),
        ),
        migrations.AlterField(
            model_name='party',
            name='phone',
            field=xinfang.core.crypto.EncryptedTextField(blank=True, verbose_name='联系电话'),
        ),
        migrations.AddIndex(
            model_name='party',
            index=models.Index(fields=['phone_digest'], name='party_phone_digest'),
        ),
        migrations.AddIndex(
            model_name='party',
            index=models.Index(fields=['id_digest'], name='party_id_digest'),
        ),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
    ]
