# The (ip, kind, at) index over every audit record served one query, the login throttle's count
# of an address's failed logins: a partial index of those rows alone serves it (issue 14).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_chains'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='auditrecord',
            name='audit_ip_kind_at',
        ),
        migrations.AddIndex(
            model_name='auditrecord',
            index=models.Index(condition=models.Q(('kind', 'login.failed')), fields=['ip', 'at'], name='audit_failed_login_ip'),
        ),
    ]
