"""Organs, regions and staff in the admin site (ADR 0013).

An administrator manages the staff and organs of its own organ's subtree (an administrator
without an organ: the whole installation). It never changes its own organ, roles or status
(no self-elevation), Django's superuser flag, groups and per-model permissions are not offered
(the permission table decides), and every grant or withdrawal of a role and every change of a
user's organ or status is an audit record (``staff.grant``, ``staff.revoke``, ``staff.change``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError
from xinfang.directory.approvals import (
    grant_request_create,
    password_reset_needs_approval,
    password_reset_request,
    two_person_roles,
)
from xinfang.directory.models import GrantRequest, Membership, Organ, Region, Role, User
from xinfang.directory.services import organ_rebuild_paths

if admin.site.is_registered(Group):  # roles are Memberships read by the permission table
    admin.site.unregister(Group)


def _subtree(user: Any) -> Q | None:
    """The organs an administrator manages (None: all of them)."""
    organ = getattr(user, "organ", None)
    if organ is None:
        return None
    return Q(path__startswith=organ.path or f"/{organ.pk}/")


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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organ]:
        qs = super().get_queryset(request)
        scope = _subtree(request.user)
        return qs if scope is None else qs.filter(scope)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        organ_rebuild_paths()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


def _audit(kind: str, actor: Any, user: User, data: dict[str, Any]) -> None:
    from xinfang.audit.services import audit_record

    audit_record(kind=kind, actor=actor, object_type="user", object_id=user.pk, data=data)


@admin.register(User)
class StaffAdmin(UserAdmin):
    list_display = ["username", "display_name", "organ", "is_active"]
    list_filter = ["is_active", "memberships__role"]
    search_fields = ["username", "display_name"]
    # No superuser flag, groups or Django permissions: the permission table decides (ADR 0013).
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "first_name", "last_name", "email")}),
        ("机关与状态", {"fields": ("organ", "is_active", "is_staff")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    autocomplete_fields = ["organ"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request)
        scope = _subtree(request.user)
        if scope is None:
            return qs
        organs = Organ.objects.filter(scope).values("pk")
        return qs.filter(organ_id__in=organs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "organ" and (scope := _subtree(request.user)) is not None:
            kwargs["queryset"] = Organ.objects.filter(scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _own(self, request: HttpRequest, obj: User | None) -> bool:
        return obj is not None and obj.pk == request.user.pk

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if self._own(request, obj):
            # no self-elevation: one's own organ, status and roles are for another administrator
            fields += ["organ", "is_active", "is_staff"]
        return fields

    def get_inlines(self, request: HttpRequest, obj: User | None) -> Any:
        return [] if self._own(request, obj) else super().get_inlines(request, obj)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Another administrator's password is set only when a second administrator approves
        (issue 11): the new password is kept as a hash in a pending request."""
        user = self.get_object(request, unquote(id))
        if (
            request.method == "POST"
            and user is not None
            and password_reset_needs_approval(actor=request.user, user=user)  # type: ignore[arg-type]
        ):
            if not self.has_change_permission(request, user):
                raise PermissionDenied
            form = self.change_password_form(user, request.POST)
            if form.is_valid():
                usable = form.cleaned_data.get("usable_password") not in ("false", False)
                new = form.cleaned_data.get("password1") if usable else None
                try:
                    password_reset_request(
                        actor=request.user,  # type: ignore[arg-type]
                        user=user,
                        password_hash=make_password(new),
                    )
                except ApplicationError as e:
                    messages.error(request, e.message)
                else:
                    messages.warning(
                        request,
                        gettext("密码重置申请已提交，须由另一名管理员在“双人批准”页批准后生效"),
                    )
                return HttpResponseRedirect(reverse("admin:directory_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if (
            change
            and self._own(request, obj)
            and {"organ", "is_active", "is_staff"} & set(form.changed_data)
        ):
            raise PermissionDenied(gettext("不能更改自己的机关、角色或状态"))
        scope = _subtree(request.user)
        if scope is not None and obj.organ_id is not None:
            if not Organ.objects.filter(scope, pk=obj.organ_id).exists():
                raise PermissionDenied(gettext("只能管理本机关及其下级机关的工作人员"))
        before = (
            User.objects.filter(pk=obj.pk).values("organ_id", "is_active").first()
            if change
            else None
        )
        obj.is_superuser = False
        super().save_model(request, obj, form, change)
        after = {"organ_id": obj.organ_id, "is_active": obj.is_active}
        if before != after:
            _audit("staff.change", request.user, obj, {"before": before, "after": after})

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        if self._own(request, user):
            raise PermissionDenied(gettext("不能更改自己的机关、角色或状态"))
        before = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        super().save_formset(request, form, formset, change)
        after = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        held = (after - before) & two_person_roles()
        if held:  # a second administrator approves these (issue 11): asked for, not granted
            Membership.objects.filter(user=user, role__in=held).delete()
            after -= held
            try:
                for role in sorted(held):
                    grant_request_create(actor=request.user, user=user, role=role)
            except ApplicationError as e:  # nobody could approve it: not granted, say why
                messages.error(request, e.message)
            else:
                messages.warning(
                    request,
                    gettext("角色“%(roles)s”须由另一名管理员在“双人批准”页批准后生效")
                    % {"roles": "、".join(Role(r).label for r in sorted(held))},
                )
        for role in sorted(after - before):
            _audit("staff.grant", request.user, user, {"role": role})
        for role in sorted(before - after):
            _audit("staff.revoke", request.user, user, {"role": role})
        if after != before:
            User.objects.filter(pk=user.pk).update(is_staff="admin" in after)


@admin.register(GrantRequest)
class GrantRequestAdmin(admin.ModelAdmin):
    """Read only: requests are made through the staff pages and decided on the approvals page
    (``account:approvals``), never edited here."""

    list_display = ["kind", "user", "role", "requested_by", "requested_at", "status", "decided_by"]
    list_filter = ["kind", "status"]
    exclude = ["password_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[GrantRequest]:
        qs = super().get_queryset(request)
        scope = _subtree(request.user)
        if scope is None:
            return qs
        return qs.filter(user__organ_id__in=Organ.objects.filter(scope).values("pk"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
