"""Routing rules as data (Art. 5: 属地管理、分级负责，谁主管、谁负责): policy rows that the
administrators edit, each change audited; the pure matcher (``rules.py``) reads them."""

from __future__ import annotations

from django.db import models

from xinfang.directory.models import Organ, Region, User
from xinfang.insight.models import Topic
from xinfang.petitions.models import CategoryChoices, RouteChoices


class RoutingRule(models.Model):
    """(region, category, Art. 31 route, topic, keywords) → the organ responsible. Empty
    fields match anything; a rule of a nearer region wins (see ``rules.py``)."""

    region = models.ForeignKey(
        Region,
        verbose_name="地区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：全辖区。下级地区未另定规则时沿用上级地区的规则。",
    )
    category = models.CharField("类别", max_length=12, choices=CategoryChoices, blank=True)
    route = models.PositiveSmallIntegerField(
        "第三十一条途径", choices=RouteChoices, null=True, blank=True
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name="事项分类",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    keywords = models.CharField(
        "关键词", max_length=200, blank=True, help_text="以空格或逗号分隔；含其中任一词即适用"
    )
    organ = models.ForeignKey(
        Organ, verbose_name="承办机关", on_delete=models.PROTECT, related_name="routing_rules"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "分流规则"
        verbose_name_plural = "分流规则"
        ordering = ["region_id", "category", "route", "id"]
        indexes = [models.Index(fields=["is_active", "region"], name="routing_rule_active")]

    def __str__(self) -> str:
        return f"规则 {self.pk} → {self.organ_id}"

    def keyword_list(self) -> tuple[str, ...]:
        raw = self.keywords.replace("，", " ").replace(",", " ").replace("、", " ")
        return tuple(dict.fromkeys(w for w in raw.split() if w))
