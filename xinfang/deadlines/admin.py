from django.contrib import admin

from xinfang.deadlines.models import HolidayOverride
from xinfang.deadlines.services import holiday_override_remove, holiday_override_set


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    """Edits go through the service so open deadlines are recomputed."""

    list_display = ["date", "is_working_day", "note", "changed_by", "changed_at"]
    date_hierarchy = "date"
    fields = ["date", "is_working_day", "note"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if change and "date" in form.changed_data:
            old = HolidayOverride.objects.get(pk=obj.pk)
            holiday_override_remove(on=old.date)
        n = holiday_override_set(on=obj.date, is_working_day=obj.is_working_day, note=obj.note, actor=request.user)
        self.message_user(request, f"已重新计算 {n} 件信访事项的期限")

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        n = holiday_override_remove(on=obj.date)
        self.message_user(request, f"已重新计算 {n} 件信访事项的期限")

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for obj in list(queryset):
            holiday_override_remove(on=obj.date)
