"""Models of the insight app."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop

from xinfang.directory.models import User
from xinfang.petitions.models import Petition

# --- Matters (重信重访): petitions grouped as one matter; links are reversible ---------------


class Matter(models.Model):
    """A group of petitions a staff member judged to be about one matter (only a grouping:
    each petition keeps its own thread, notices, answers and evaluations)."""

    created_at = models.DateTimeField("建立时间")
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="建立人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "同一事项"

    def __str__(self) -> str:
        return f"事项 {self.pk}"


class MatterLink(models.Model):
    """One petition's membership of a matter, from linking to unlinking (never deleted)."""

    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="links")
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    linked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    linked_at = models.DateTimeField("归并时间")
    reason = models.TextField("归并理由")
    unlinked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unlinked_at = models.DateTimeField("解除时间", null=True, blank=True)
    unlink_reason = models.TextField("解除理由", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "同一事项归并记录"
        constraints = [
            # A petition belongs to at most one matter at a time.
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(unlinked_at__isnull=True),
                name="matterlink_one_active_per_petition",
            ),
        ]
        indexes = [models.Index(fields=["matter", "unlinked_at"], name="matterlink_matter")]


# --- Topics (事项分类) of the deployment and each petition's topic decision (issue 5 A) --------

#: The default topic tree's names (insight 0002), put in the catalogue here: a topic is shown in
#: the reader's language where the catalogue has its name; a topic an administrator added stays
#: as written.
DEFAULT_TOPIC_NAMES = (
    gettext_noop("城乡建设"),
    gettext_noop("劳动和社会保障"),
    gettext_noop("教育文体"),
    gettext_noop("卫生计生"),
    gettext_noop("环境保护"),
    gettext_noop("交通运输"),
    gettext_noop("商贸旅游"),
    gettext_noop("农村农业"),
    gettext_noop("政法"),
    gettext_noop("民政"),
    gettext_noop("国土资源"),
    gettext_noop("经济管理"),
    gettext_noop("科技与信息产业"),
    gettext_noop("党务政务"),
    gettext_noop("其他"),
)


def topic_label(name: str) -> str:
    """A topic's name, or its full name ("城乡建设 / 物业管理"), in the reader's language: the one
    place where topic names are translated (pages, the desk's suggestion, Open311's list). The
    stored name, the model's labels and the routing rules keep the Chinese name."""
    return " / ".join(gettext(part) if part else part for part in (name or "").split(" / "))


class Topic(models.Model):
    """A matter category (政务主题) of this deployment, in a tree of at most three levels.

    Not the legal category of Art. 31 (申诉求决/检举控告…): a topic says what the matter is
    about (城乡建设, 劳动和社会保障 …); it drives the category suggestion and routing hints."""

    MAX_DEPTH = 3

    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "事项分类"
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="topic_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="topic_unique_root_name"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def depth(self) -> int:
        d, node = 1, self.parent
        while node is not None:
            d, node = d + 1, node.parent
        return d

    @property
    def label(self) -> str:
        """The name in the reader's language (``topic_label``)."""
        return topic_label(self.name)

    @property
    def full_label(self) -> str:
        """The full name in the reader's language (``topic_label``)."""
        return topic_label(self.full_name)

    @property
    def full_name(self) -> str:
        names, node = [self.name], self.parent
        while node is not None:
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        node, seen = self.parent, {self.pk}
        depth = 1
        while node is not None:
            if node.pk in seen:
                raise ValidationError({"parent": "上级分类不能是自己或自己的下级"})
            seen.add(node.pk)
            depth += 1
            node = node.parent
        if depth > self.MAX_DEPTH:
            raise ValidationError({"parent": f"事项分类至多 {self.MAX_DEPTH} 级"})


class TopicOutcome(models.TextChoices):
    CONFIRMED = "confirmed", "确认了系统建议"
    CHANGED = "changed", "修改了系统建议"
    MANUAL = "manual", "人工选择（无系统建议）"


class TopicDecision(models.Model):
    """A petition's topic as a person decided it, and what the model had suggested then.

    Only decisions made by people are training data for ``xinfang insight train``."""

    petition = models.OneToOneField(
        Petition, on_delete=models.CASCADE, related_name="topic_decision", verbose_name="信访事项"
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, related_name="decisions", verbose_name="事项分类"
    )
    outcome = models.CharField("与建议的关系", max_length=10, choices=TopicOutcome.choices)
    suggested_label = models.CharField("系统建议", max_length=50, blank=True)
    confidence = models.FloatField("置信度", null=True, blank=True)
    model_version = models.CharField("模型版本", max_length=64, blank=True)
    top_terms = models.JSONField("依据词语", default=list, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="决定人"
    )
    decided_by_organ = models.ForeignKey(
        "directory.Organ",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="决定人所在机关",
    )
    decided_at = models.DateTimeField("决定时间")
    at_intake = models.BooleanField("登记时决定", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项分类决定"
        indexes = [models.Index(fields=["topic", "decided_at"], name="topicdecision_topic")]

    def __str__(self) -> str:
        return f"{self.petition_id}: {self.topic_id}"


# --- Hot issues computed ahead of their readers (issue 14) --------------------------------


class HotSnapshot(models.Model):
    """The hot issues of one scope and window as the worker last computed them
    (``insight.hot.snapshots``): the page reads this, never clusters. ``rows`` are the page's
    rows (labels and words masked, counts only, the member petitions' ids for the policy-matter
    hints, which read each petition through the user's gate again). ``computed_at`` None: a
    reader asked for this window and the worker has not yet computed it. ``checked_at``: when
    the worker last saw the scope (unchanged, or changed and queued): a snapshot not checked for
    two periods reads as absent. ``mark``: the last petition and event ids the worker had seen
    then (``insight.hot.marks``); ``ids``: the petitions clustered (to tell whether a change
    touches them)."""

    scope = models.CharField("范围", max_length=48)
    weeks = models.SmallIntegerField("周数")
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    fingerprint = models.CharField("所据信访事项", max_length=96, blank=True)
    petitions = models.IntegerField("分析件数", default=0)
    rows = models.JSONField("热点问题", default=list)
    asked_at = models.DateTimeField("最近查看", null=True, blank=True)
    checked_at = models.DateTimeField("核对时间", null=True, blank=True)
    mark = models.CharField("所见变更", max_length=64, blank=True)
    ids = models.JSONField("所分析的信访事项", default=list)

    class Meta:
        verbose_name = verbose_name_plural = "热点问题（预先计算）"
        constraints = [
            models.UniqueConstraint(fields=["scope", "weeks"], name="hotsnapshot_scope_weeks")
        ]

    def __str__(self) -> str:
        return f"{self.scope} / {self.weeks}"
