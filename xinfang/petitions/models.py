"""The petition aggregate: Petition, Party, Attachment, PetitionEvent (append-only).

``Petition.state`` has exactly one writer: ``petitions.services.petition_act``.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from xinfang.core.crypto import BlindIndexField, EncryptedTextField
from xinfang.directory.models import Organ, Region, User
from xinfang.petitions.workflow import (
    ACTION_LABELS,
    CATEGORY_LABELS,
    OPEN_STATES,
    ROUTE_LABELS,
    STATE_LABELS,
)

StateChoices = [(s.value, label) for s, label in STATE_LABELS.items()]
ActionChoices = (
    [("receive", "接收")]
    + [(a.value, label) for a, label in ACTION_LABELS.items()]
    + [("flag", "标记")]  # a cross-cutting fact recorded (petitions.flags); the state stays
)
CategoryChoices = [(c.value, label) for c, label in CATEGORY_LABELS.items()]
RouteChoices = [(r.value, label) for r, label in ROUTE_LABELS.items()]
OPEN_STATE_VALUES = sorted(s.value for s in OPEN_STATES)


class Channel(models.TextChoices):
    """Art. 17: 信息网络、书信、电话、传真、走访; plus hand-over from a hotline."""

    ONLINE = "online", "网上信访"
    LETTER = "letter", "来信"
    VISIT = "visit", "来访"
    PHONE = "phone", "来电"
    FAX = "fax", "传真"
    HOTLINE = "hotline", "热线转来"


class Petition(models.Model):
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    query_secret = models.CharField(max_length=64, editable=False)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField("收到时间")
    registered_at = models.DateTimeField("登记时间", null=True, blank=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求与事实理由")
    category = models.CharField("类别", max_length=12, choices=CategoryChoices, blank=True)
    route = models.PositiveSmallIntegerField(
        "第三十一条途径", choices=RouteChoices, null=True, blank=True
    )
    region = models.ForeignKey(
        Region, verbose_name="事项所在地", on_delete=models.PROTECT, related_name="+"
    )
    accused_organ = models.ForeignKey(
        Organ,
        verbose_name="被检举控告单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Art. 30 para 3, Art. 28 (recusal): the staff an accusation names never see it, not even
    # as a count, and may not act on it; people who are not users are recorded as text.
    accused_staff = models.ManyToManyField(
        User,
        verbose_name="被检举控告的工作人员",
        blank=True,
        related_name="+",
    )
    accused_persons = models.TextField("被检举控告人（非本系统用户）", blank=True)
    is_collective = models.BooleanField("集体信访", default=False)
    head_count = models.PositiveIntegerField("人数", default=1)
    is_anonymous = models.BooleanField("匿名", default=False)
    confidential = models.BooleanField("申请保密", default=False)

    state = models.CharField("状态", max_length=24, choices=StateChoices, editable=False)
    registering_organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+")
    current_organ = models.ForeignKey(
        Organ, verbose_name="当前承办机关", on_delete=models.PROTECT, related_name="+"
    )
    handling_organ = models.ForeignKey(
        Organ,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="受理办理的有权机关",
    )
    review_organ = models.ForeignKey(
        Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    re_review_organ = models.ForeignKey(
        Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dispatched_by = models.CharField(max_length=12, blank=True, editable=False)  # transfer | assign
    extended = models.BooleanField("已延期", default=False, editable=False)
    in_hearing = models.BooleanField("听证中", default=False, editable=False)
    execution_monitoring = models.BooleanField("监督执行", default=False, editable=False)
    # The decision documents awaiting their delivery record, oldest first, space-separated
    # (opinion, review_opinion, re_review_opinion): one issued later never hides an earlier one.
    delivery_pending = models.CharField(max_length=64, blank=True, editable=False)
    report_done = models.BooleanField(default=False, editable=False)
    # Art. 23 para 3, regulation.md §6.2: the office rejected the holding organ's objection; the
    # item stays with it and a second objection is refused. Cleared by the next transfer/assign.
    objection_rejected = models.BooleanField(default=False, editable=False)
    # Cross-cutting facts (regulation.md §6.1), set only by services.petition_flag_set, which
    # writes a "flag" event; the rules and articles are in petitions.flags.
    major_urgent = models.BooleanField("重大紧急", default=False, editable=False)  # Art. 25
    major_urgent_reported = models.BooleanField("已报告党委政府", default=False, editable=False)
    supervised = models.BooleanField("督办", default=False, editable=False)  # Art. 40
    leader_case = models.BooleanField("领导包案", default=False, editable=False)  # Art. 18
    leader_in_charge = models.CharField("包案领导", max_length=100, blank=True, editable=False)
    backlog = models.BooleanField("积案", default=False, editable=False)
    joint_handling = models.BooleanField("联合接访", default=False, editable=False)  # Art. 18
    repeat_of = models.ForeignKey(
        "self",
        verbose_name="同一事项的前件",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="repeats",
    )
    next_due = models.DateField("最近期限", null=True, blank=True, editable=False)
    is_open = models.BooleanField(default=True, editable=False)
    last_event_at = models.DateTimeField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信访事项"
        indexes = [
            # The worklist: an organ's open petitions by nearest due date (keyset on next_due, id).
            models.Index(
                fields=["current_organ", "next_due", "id"],
                name="petition_worklist",
                condition=Q(is_open=True),
            ),
            models.Index(fields=["state", "received_at"], name="petition_state_received"),
            models.Index(fields=["region", "received_at"], name="petition_region_received"),
            models.Index(fields=["received_at", "id"], name="petition_received"),
            # The worklist's flag filters and counts: an organ's open flagged petitions.
            *[
                models.Index(
                    fields=["current_organ", "next_due", "id"],
                    name=f"petition_open_{f}",
                    condition=Q(is_open=True, **{f: True}),
                )
                for f in ("major_urgent", "supervised", "leader_case", "backlog", "joint_handling")
            ],
            # The worklist filtered by state, category or channel: its first page and its
            # bounded count read the matching rows in due-date order, however few of the
            # organ's open petitions match (issue 14).
            *[
                models.Index(
                    fields=["current_organ", f, "next_due", "id"],
                    name=f"petition_open_by_{f}",
                    condition=Q(is_open=True),
                )
                for f in ("state", "category", "channel")
            ],
            # ... and by the region of the matter: a code prefix (a region and the regions below
            # it) is one range of this index (GB/T 2260 codes, digits only), so its bounded count
            # reads the organ's open petitions of that region, not every petition of the region.
            models.Index(
                fields=["current_organ", "region", "next_due", "id"],
                name="petition_open_by_region",
                condition=Q(is_open=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(head_count__gte=1), name="petition_head_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def concluded_elsewhere(self) -> bool:
        """Handed to an organ another installation serves, which reports the matter concluded
        there (issue 20): the one way a petition in an open state is not open
        (``services.petition_remote_concluded``; its state stays "transferred", ADR 0018)."""
        return not self.is_open and self.state in OPEN_STATE_VALUES


#: Rows per key of ``WorklistTally`` (the petition's id modulo): registrations at one office on
#: one day share a due date, so with one row per key they would queue on it until commit.
WORKLIST_SLOTS = 8

#: ``WorklistTally.next_due`` of the open petitions with no due date (NULL never conflicts).
UNDATED = date(9999, 12, 31)


class WorklistTally(models.Model):
    """How many open petitions an organ holds, by accused organ (the exclusion a reader's
    ancestors make) and next due date (so the clock only moves the boundary between overdue,
    due soon and running), with each worklist flag counted beside (issues 14, 16).

    Written only by ``petitions.services.worklist_tally`` in the transaction of every change of
    what it counts (registration, a step, a flag, a conclusion elsewhere, a deadline fold), so
    the worklist's badges and total read a few rows per due date instead of the organ's open
    petitions. ``xinfang manage worklist_tally_rebuild`` recounts."""

    organ = models.ForeignKey(Organ, on_delete=models.PROTECT, related_name="+", db_index=False)
    accused_organ_id = models.BigIntegerField(default=0)  # 0: no organ accused
    next_due = models.DateField()  # ``UNDATED`` for none
    slot = models.SmallIntegerField(default=0)
    n = models.IntegerField(default=0)
    major_urgent = models.IntegerField(default=0)
    supervised = models.IntegerField(default=0)
    leader_case = models.IntegerField(default=0)
    backlog = models.IntegerField(default=0)
    joint_handling = models.IntegerField(default=0)
    major_urgent_unreported = models.IntegerField(default=0)  # Art. 25: not yet reported

    class Meta:
        verbose_name = verbose_name_plural = "待办计数"
        constraints = [
            models.UniqueConstraint(
                fields=["organ", "next_due", "accused_organ_id", "slot"],
                name="worklist_tally_key",
            )
        ]


class PartyRole(models.TextChoices):
    PETITIONER = "petitioner", "信访人"
    REPRESENTATIVE = "representative", "代表"
    AGENT = "agent", "代理人"


class Party(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField("身份", max_length=16, choices=PartyRole.choices)
    name = models.CharField("姓名或名称", max_length=100)
    # Encrypted at rest (core.crypto); found by their blind indexes, never by value.
    id_number = EncryptedTextField("证件号码", blank=True)
    phone = EncryptedTextField("联系电话", blank=True)
    id_digest = BlindIndexField(source="id_number", kind="id_number")
    phone_digest = BlindIndexField(source="phone", kind="phone")
    address = models.CharField("住址", max_length=200, blank=True)
    is_organisation = models.BooleanField("单位", default=False)
    anonymised_at = models.DateTimeField("匿名化时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "当事人"
        indexes = [
            models.Index(fields=["phone_digest"], name="party_phone_digest"),
            models.Index(fields=["id_digest"], name="party_id_digest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.petition_id}/{instance.sha256[:16]}"


class Attachment(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "附件"


class AppendOnlyError(Exception):
    pass


class PetitionEvent(models.Model):
    """One step of the procedure. Append-only: never updated, never deleted."""

    # indexed by ``event_petition_seq_unique`` (petition first), not again as a foreign key
    petition = models.ForeignKey(
        Petition, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=24, choices=ActionChoices)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_organ = models.ForeignKey(
        Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organ = models.ForeignKey(
        Organ, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField("发生时间")
    recorded_at = models.DateTimeField("记录时间")
    reason = models.TextField("理由", blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "办理记录"
        ordering = ["petition_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "seq"], name="event_petition_seq_unique")
        ]
        indexes = [
            # The petitions ended by re-review (Art. 36 para 3: the same facts and reasons are
            # not accepted again), which the same-matter panel and the intake desk ask for:
            # a few per cent of the events, found without reading the others (issue 14).
            models.Index(
                fields=["petition"],
                condition=models.Q(to_state="terminated"),
                name="event_terminated",
            ),
            # The transfers and assignments of a period that the Art. 41 report counts (item 2):
            # a fraction of the events, read by date without a scan of the others (issue 16).
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(action__in=["transfer", "assign"]),
                name="event_dispatch",
            ),
        ]

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self._state.adding:
            raise AppendOnlyError("办理记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise AppendOnlyError("办理记录只能追加，不能删除")
