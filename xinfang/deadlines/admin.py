from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from xinfang.deadlines.models import HolidayNotice, HolidayNoticeDay, HolidayOverride
from xinfang.deadlines.services import holiday_override_remove, holiday_override_set

# The admin's index names the provisional years to confirm (deadlines/selectors.py).
admin.site.index_template = "deadlines/admin_index.html"


@admin.register(HolidayOverride)
class HolidayOverrideAdmin(admin.ModelAdmin):
    """Edits go through the service so open deadlines are recomputed."""

    list_display = ["date", "is_working_day", "note", "changed_by", "changed_at"]
    date_hierarchy = "date"
    fields = ["date", "is_working_day", "note"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if change and "date" in form.changed_data:
            old = HolidayOverride.objects.get(pk=obj.pk)
            holiday_override_remove(on=old.date, actor=request.user)
        n = holiday_override_set(
            on=obj.date, is_working_day=obj.is_working_day, note=obj.note, actor=request.user
        )
        self.message_user(request, f"已重新计算 {n} 件信访事项的期限")

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        n = holiday_override_remove(on=obj.date, actor=request.user)
        self.message_user(request, f"已重新计算 {n} 件信访事项的期限")

    def delete_queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        for obj in list(queryset):
            holiday_override_remove(on=obj.date, actor=request.user)


class HolidayNoticeDayInline(admin.TabularInline):
    model = HolidayNoticeDay
    fields = ["date", "is_working_day", "festival"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(HolidayNotice)
class HolidayNoticeAdmin(admin.ModelAdmin):
    """Read only: a notice is confirmed (audited, deadlines recomputed) on the calendar page or
    with ``xinfang manage calendar_confirm``, never edited here."""

    list_display = ["year", "title", "issued_on", "confirmed_by", "confirmed_at", "confirm_page"]
    fields = ["year", "title", "issued_on", "confirmed_by", "confirmed_at", "report", "text"]
    readonly_fields = fields
    inlines = [HolidayNoticeDayInline]

    @admin.display(description="确认或重新确认")
    def confirm_page(self, obj: HolidayNotice) -> str:
        return format_html('<a href="{}">{}</a>', reverse("deadlines:calendar"), "节假日安排")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
