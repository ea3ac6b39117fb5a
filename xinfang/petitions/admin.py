"""Read-only views of petitions for administrators: state changes only through the services."""

from django.contrib import admin

from xinfang.petitions.models import Petition, PetitionEvent


class EventInline(admin.TabularInline):
    model = PetitionEvent
    extra = 0
    can_delete = False
    fields = ["seq", "action", "from_state", "to_state", "actor", "organ", "occurred_at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["tracking_code", "title", "state", "category", "channel", "current_organ", "next_due"]
    list_filter = ["state", "category", "channel"]
    search_fields = ["tracking_code", "title"]
    inlines = [EventInline]
    show_full_result_count = False

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        # The admin site is no way around jurisdiction and confidentiality (selectors gate).
        from xinfang.petitions.selectors import petition_queryset_for_user

        return petition_queryset_for_user(user=request.user)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
