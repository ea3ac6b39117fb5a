"""The audit trail in the admin site: read-only, for the admin role."""

from django.contrib import admin

from xinfang.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    capability = "audit"  # Cap.AUDIT; rows about petitions pass the petitions' row scope
    list_display = ["chain", "seq", "at", "kind", "actor_name", "ip", "object_type", "object_id"]
    list_filter = ["kind"]
    search_fields = ["actor_name", "object_id", "kind"]
    show_full_result_count = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        from xinfang.directory.permissions import Cap, user_can

        return user_can(request.user, Cap.AUDIT)

    def has_module_permission(self, request):  # type: ignore[no-untyped-def]
        return self.has_view_permission(request)
