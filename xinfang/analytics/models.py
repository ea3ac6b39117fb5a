"""The rollup the analysts' counts read: petitions counted by the keys the jurisdiction rule and
the drill-down need, kept current by the one writer of petition state."""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import Organ, Region

#: Rows per key (see ``PetitionTally.slot``); changing it needs ``xinfang manage tally_rebuild``.
TALLY_SLOTS = 16


class PetitionTally(models.Model):
    """How many petitions share one key (organ holding them, region of the matter, category,
    state, accused organ, month received). Written only by ``analytics.services.tally_*``:
    registration adds, every step that changes a key moves one petition from its old key to
    the new one (``petitions.services``), and ``xinfang manage tally_rebuild`` recounts."""

    current_organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+", db_index=False)
    category = models.CharField(max_length=12, blank=True)
    state = models.CharField(max_length=24)
    # 0 when no organ is accused: NULL would make every such key unique (NULLs never conflict)
    accused_organ_id = models.BigIntegerField(default=0)
    month = models.DateField()  # first day of the month the petition was received (local time)
    # Each key is spread over ``TALLY_SLOTS`` rows (the petition's id modulo): a registration's
    # upsert holds its row until commit, and with one row per key every clerk of an office
    # queued on it (issue 14: 9 registrations/s at 1 client, 12/s at 16). Readers sum ``n``.
    slot = models.SmallIntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信访事项计数"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "current_organ",
                    "region",
                    "category",
                    "state",
                    "accused_organ_id",
                    "month",
                    "slot",
                ],
                name="petition_tally_key",
            )
        ]
