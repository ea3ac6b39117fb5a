"""Admin of the resolution app: the backlog criteria (积案标准), data the province sets."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext

from xinfang.resolution.models import BacklogCriterion


class BacklogCriterionForm(forms.ModelForm):
    class Meta:
        model = BacklogCriterion
        fields = ["kind", "threshold", "is_active"]

    def clean_threshold(self) -> int:
        n = self.cleaned_data["threshold"]
        if n is None or n < 1 or n > 100000:
            raise forms.ValidationError(gettext("阈值 N 应为 1 至 100000 的整数"))
        return n


@admin.register(BacklogCriterion)
class BacklogCriterionAdmin(admin.ModelAdmin):
    """A criterion: its kind (``backlog_rules.Kind``), the threshold N and whether it is on.
    The daily tick (``resolution.backlog_propose``) proposes what the active ones match; a
    person confirms or rejects every proposal."""

    form = BacklogCriterionForm
    list_display = ("kind", "threshold", "is_active")
    list_filter = ("is_active",)
