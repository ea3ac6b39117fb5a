# The withdrawals a peer sent (a hand-over taken back after a send whose answer was lost,
# ADR 0023, revB #4): a transfer arriving later is refused, so each transfer received looks
# them up; a partial index holds those few messages alone.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0003_take_back"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="inboundmessage",
            index=models.Index(
                condition=models.Q(("kind", "withdraw")),
                fields=["peer"],
                name="federation_inbound_withdraw",
            ),
        ),
    ]
