"""Admin of the resolution app: the backlog criteria (积案标准), data the province sets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext

from xinfang.directory.permissions import INSTALLATION_LEVELS
from xinfang.resolution.models import BacklogCriterion

#: The levels whose administrators set the backlog criteria: the rows hold for the whole
#: deployment, and the province sets them (Art. 36 para 3, the province's 积案 standard).
SETS_CRITERIA = INSTALLATION_LEVELS


def _sets_criteria(request: HttpRequest) -> bool:
    organ = getattr(request.user, "organ", None)
    return organ is not None and organ.level in SETS_CRITERIA


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

    # a county or city administrator sees the criteria but never adds, changes or deletes them;
    # super() is the permission table's answer (TableAdmin, below this class in the MRO)
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _sets_criteria(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _sets_criteria(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _sets_criteria(request) and super().has_delete_permission(request, obj)
