"""Admin of the insight app."""

from __future__ import annotations

from django.contrib import admin

from xinfang.directory.permissions import Cap
from xinfang.insight.models import Topic, TopicDecision

# --- topics (事项分类) ------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("full_name", "parent", "sort_order", "is_active")
    list_filter = ("is_active",)
    list_editable = ("sort_order", "is_active")
    search_fields = ("name",)
    ordering = ("parent__id", "sort_order", "name")


@admin.register(TopicDecision)
class TopicDecisionAdmin(admin.ModelAdmin):
    """Read-only: decisions are written by ``topic_decide`` (with their audit records)."""

    capability = Cap.VIEW_PETITIONS  # petition content: never for the admin role alone

    list_display = ("petition", "topic", "outcome", "suggested_label", "confidence", "decided_at")
    list_filter = ("outcome", "at_intake")
    raw_id_fields = ("petition",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
