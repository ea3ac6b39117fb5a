from django.contrib import admin

from xinfang.directory.permissions import Cap
from xinfang.feedback.models import Evaluation


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    """Read-only: evaluations come only from petitioners (regulation §8.2)."""

    capability = Cap.VIEW_PETITIONS  # petition content: never for the admin role alone

    list_display = ("petition", "stage", "organ", "rating", "created_at")
    list_filter = ("stage", "rating")
    readonly_fields = ("petition", "stage", "organ", "rating", "comment", "created_at")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
