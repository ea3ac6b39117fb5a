from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from xinfang.directory.models import Membership, Organ, Region, User
from xinfang.directory.services import organ_rebuild_paths


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(Organ)
class OrganAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "region", "parent", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "region"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        organ_rebuild_paths()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "display_name", "organ", "is_active"]
    list_filter = ["is_active", "memberships__role"]
    search_fields = ["username", "display_name"]
    fieldsets = (*UserAdmin.fieldsets, ("机关与角色", {"fields": ("organ", "display_name")}))  # type: ignore[misc]
    inlines = [MembershipInline]
    autocomplete_fields = ["organ"]
