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


#: The columns a ``RateTally`` row counts by (and every ``RateFact`` carries).
RATE_KEY = ["current_organ", "accused_organ_id", "region", "channel", "category", "metric",
            "organ", "month", "outcome", "days"]


class RateFact(models.Model):
    """One row a rate or a stage length counts (``analytics.rates.Row``), with the petition's
    gate keys copied (holding organ, accused organ) so the access scope applies to it as to the
    petition, and the petition's channel, category and region for the breakdowns. Rebuilt as of
    one day by ``analytics.services.rates_rebuild`` (``xinfang tick``, hourly); the drill-down
    reads it, the figures read ``RateTally``."""

    # indexed once, by the named index below (not a second time as a foreign key)
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    current_organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    accused_organ_id = models.BigIntegerField(default=0)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10)
    category = models.CharField(max_length=12, blank=True)
    metric = models.CharField(max_length=12)
    organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    outcome = models.CharField(max_length=14)
    days = models.IntegerField(default=0)
    # The last day the row counts (a handling limit still running: the day after its due day
    # the tick takes it out and puts the overdue row from ``RatePending`` in); None: for ever.
    until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核指标明细"
        indexes = [
            # the drill-down's pages, in their order (month, petition) by outcome: of one
            # organ's figure, and of a total or another line's (keyset, never a count)
            models.Index(fields=["metric", "organ", "outcome", "month", "petition"],
                         name="ratefact_drill"),
            models.Index(fields=["metric", "outcome", "month", "petition"], name="ratefact_walk"),
            models.Index(fields=["petition"], name="ratefact_petition"),
            models.Index(fields=["until"], name="ratefact_until",
                         condition=models.Q(until__isnull=False)),
        ]


class RatePending(models.Model):
    """A row that starts counting once day ``since`` has passed (accepted late: not yet
    accepted and its due day passed; a handling limit overdue; an evaluation window expired):
    the tick moves it into ``RateFact`` on the first day after ``since`` without reading the
    petition again (``analytics.rollup``). Same columns as ``RateFact``."""

    # indexed once, by the named index below (not a second time as a foreign key)
    petition = models.ForeignKey(
        "petitions.Petition", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    current_organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    accused_organ_id = models.BigIntegerField(default=0)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10)
    category = models.CharField(max_length=12, blank=True)
    metric = models.CharField(max_length=12)
    organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    outcome = models.CharField(max_length=14)
    days = models.IntegerField(default=0)
    since = models.DateField()

    class Meta:
        verbose_name = verbose_name_plural = "考核指标待计明细"
        indexes = [
            models.Index(fields=["since"], name="ratepending_since"),
            models.Index(fields=["petition"], name="ratepending_petition"),
        ]


class RateDirty(models.Model):
    """A petition whose rate rows must be computed again: written by the petition hooks in the
    transaction of the change (registration, a step, a deadline folded again, an evaluation),
    taken by the tick (``analytics.rollup.rates_refresh``), which deletes exactly the rows it
    read. No foreign key: the queue never holds up a registration."""

    id = models.BigAutoField(primary_key=True)
    petition_id = models.BigIntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "考核指标待重算"


class RateTally(models.Model):
    """``RateFact`` counted by every key: what the rate pages read (regulation.md §8.2)."""

    current_organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    accused_organ_id = models.BigIntegerField(default=0)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=10)
    category = models.CharField(max_length=12, blank=True)
    metric = models.CharField(max_length=12)
    organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    outcome = models.CharField(max_length=14)
    days = models.IntegerField(default=0)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "考核指标计数"
        indexes = [models.Index(fields=["metric", "month"], name="ratetally_metric_month")]
        constraints = [  # one row a key: the tick adds and takes away by upsert
            models.UniqueConstraint(fields=RATE_KEY, name="ratetally_key")
        ]


class RatesAsOf(models.Model):
    """The day the rate rollup was last computed for (one row)."""

    as_of = models.DateField()
    built_at = models.DateTimeField()
    petitions = models.IntegerField(default=0)
    # The highest ids read (``rates_refresh``: what came after is what changed); 0: unknown.
    last_petition_id = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)
    last_evaluation_id = models.BigIntegerField(default=0)


class VolumeTally(models.Model):
    """Petitions received, counted by month, category, channel and whether they repeat an
    earlier petition (``repeat_of``), with the gate keys: the trends page reads it. Rebuilt
    with the rates (``analytics.services.rates_rebuild``)."""

    current_organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    accused_organ_id = models.BigIntegerField(default=0)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.CharField(max_length=12, blank=True)
    channel = models.CharField(max_length=10)
    repeat = models.BooleanField(default=False)
    month = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "信访量趋势计数"
        indexes = [models.Index(fields=["month"], name="volumetally_month")]


class ListExport(models.Model):
    """A 台账 export of an analytics list (now: the petitions behind a rate figure, the
    drill-down) asked for by a user and written as XLSX by the background worker
    (``analytics.tasks.list_export_run``), with its progress and, when done, the file. Only the
    one who asked sees it; the rows are read through the requester's statistics gate as it is
    when the file is written. States are those of the prevention ledger's export."""

    requested_by = models.ForeignKey(
        "directory.User", on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField()
    kind = models.CharField(max_length=20)  # rates_drill
    params = models.JSONField(default=dict)  # the list's filters as the page had them
    title = models.CharField(max_length=300)
    #: the language of the request that asked for it: the worker writes the headers and the
    #: labels (states, channels, categories) in it, not in the installation's default
    language = models.CharField(max_length=10, default="zh-hans")
    state = models.CharField(max_length=8, default="waiting")  # prevention.ExportState
    rows_total = models.IntegerField(default=0)
    rows_done = models.IntegerField(default=0)
    file = models.FileField(upload_to="analytics/exports/", blank=True)
    size = models.IntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账导出（统计）"
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="list_export_user")]


class DispatchTally(models.Model):
    """Transfers and assignments (转送、交办: Art. 22, Art. 41 item 2) counted by the local month
    they were taken in, with their petition's gate keys (holding organ, accused organ) so the
    statistics scope applies to it as to ``PetitionTally``; voided registrations count nowhere.
    Built whole once (``analytics.dispatch.dispatch_rebuild``), then moved by the differences
    the petition hooks queue in ``DispatchDelta``, folded in by ``xinfang tick`` hourly
    (``dispatch_refresh``); the trends page and the Art. 41 report read it."""

    current_organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    accused_organ_id = models.BigIntegerField(default=0)
    action = models.CharField(max_length=24)
    month = models.DateField()
    n = models.IntegerField(default=0)
    #: when the rebuild or fold that last wrote this row ran (the figures' as-of time is
    #: ``DispatchAsOf.counted_at``)
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "转送交办计数"
        indexes = [models.Index(fields=["month"], name="dispatchtally_month")]
        constraints = [  # one row a key: the fold adds and takes away by upsert
            models.UniqueConstraint(
                fields=["current_organ", "accused_organ_id", "action", "month"],
                name="dispatchtally_key",
            )
        ]


class DispatchNamed(models.Model):
    """The part of ``DispatchTally`` on accusations naming one staff member, by the same keys
    and written by the same rebuild and folds (in the same transactions): a named user's
    figures subtract exactly what the tally counted for those petitions, never the live
    petitions (Art. 30 para 3; review A item 1)."""

    user_id = models.BigIntegerField()
    current_organ = models.ForeignKey(Organ, on_delete=models.CASCADE, related_name="+")
    accused_organ_id = models.BigIntegerField(default=0)
    action = models.CharField(max_length=24)
    month = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = verbose_name_plural = "转送交办计数（被检举控告人）"
        indexes = [models.Index(fields=["user_id", "month"], name="dispatchnamed_user_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["user_id", "current_organ", "accused_organ_id", "action", "month"],
                name="dispatchnamed_key",
            )
        ]


class DispatchDelta(models.Model):
    """A difference to ``DispatchTally`` (``user_id`` None) or to one named user's
    ``DispatchNamed`` row, written by the petition hooks in the transaction of the step (a
    transfer or assignment taken, a petition moved to another organ or voided, the staff an
    accusation names recorded again) and folded in by the tick, which deletes exactly the rows
    it read. Plain integers, no foreign keys: the queue never holds up a step."""

    id = models.BigAutoField(primary_key=True)
    user_id = models.BigIntegerField(null=True)
    current_organ_id = models.BigIntegerField()
    accused_organ_id = models.BigIntegerField(default=0)
    action = models.CharField(max_length=24)
    month = models.DateField()
    n = models.IntegerField()

    class Meta:
        verbose_name = verbose_name_plural = "转送交办计数待计"


class DispatchAsOf(models.Model):
    """When the transfers and assignments were last counted (one row): the first build, then
    each fold. No row: never built (the tick builds)."""

    counted_at = models.DateTimeField()
    built_at = models.DateTimeField()
