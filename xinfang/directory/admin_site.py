"""The Django admin, driven by the one permission table (``directory.permissions``), and no way
around the read gate (ADR 0013).

* Who may open the admin at all, and each model's page, is read from ``CAPABILITIES``
  (``Cap.ADMIN``; the audit trail ``Cap.AUDIT``), never from Django's superuser flag or its
  per-model permissions: administrators are not superusers.
* Every ``ModelAdmin`` registered on the site, by any app, present or future, is made a
  ``TableAdmin`` by ``XinfangAdminSite.register``: its permissions come from the table and its
  rows pass every registered row scope. Apps above the directory contribute scopes
  (``row_scope_add``): the petitions app filters petitions, every model that points at a
  petition and the audit records about petitions through the same gate as the pages. A new
  admin page is covered without anyone remembering to do it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from xinfang.directory.permissions import Cap, user_can

#: (user, queryset) -> the queryset narrowed to what the user may read (or unchanged).
RowScope = Callable[[Any, QuerySet[Any]], QuerySet[Any]]
_ROW_SCOPES: list[RowScope] = []


def row_scope_add(scope: RowScope) -> None:
    """Contribute a row scope, applied to every admin queryset (idempotent)."""
    if scope not in _ROW_SCOPES:
        _ROW_SCOPES.append(scope)


def rows_for_user(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """``qs`` narrowed by every contributed scope."""
    for scope in _ROW_SCOPES:
        qs = scope(user, qs)
    return qs


class TableAdmin(admin.ModelAdmin):
    """Permissions from the table: ``capability`` opens the page; ``read_only`` admins never
    add, change or delete. A subclass that answers a permission itself (returns False, say)
    keeps its answer: this class sits below it in the MRO."""

    capability: str = Cap.ADMIN
    read_only: bool = False

    def _may(self, request: HttpRequest) -> bool:
        return user_can(request.user, self.capability)  # type: ignore[arg-type]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return not self.read_only and self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not self.read_only and self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return not self.read_only and self._may(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return rows_for_user(request.user, super().get_queryset(request))

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[type]:
        return [_gated_inline(i, self) for i in super().get_inlines(request, obj)]


class _TableInline(admin.options.InlineModelAdmin):
    """Beneath each inline's own code and above Django's: the parent admin's table answer, and
    the row scopes."""

    _parent_admin: TableAdmin

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_admin._may(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_admin.has_change_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_admin.has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._parent_admin.has_change_permission(request, obj)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return rows_for_user(request.user, super().get_queryset(request))  # type: ignore[misc]


def _gated_inline(inline: type, parent: TableAdmin) -> type:
    if issubclass(inline, _TableInline):
        return inline
    # the inline's own answers (can_delete = False, has_add_permission -> False) stay first
    return type(inline.__name__, (inline, _TableInline), {"_parent_admin": parent})


def gated(admin_class: type[admin.ModelAdmin]) -> type[TableAdmin]:
    """``admin_class`` with the table's permissions and the row scopes beneath its own code."""
    if issubclass(admin_class, TableAdmin):
        return admin_class
    return type(admin_class.__name__, (admin_class, TableAdmin), {})


class XinfangAdminSite(admin.AdminSite):
    site_header = "信访工作平台 · 系统管理"
    site_title = "信访工作平台"

    def has_permission(self, request: HttpRequest) -> bool:
        """Open to active staff whose roles carry ``admin`` or ``audit`` in the table."""
        user = request.user
        return bool(
            getattr(user, "is_active", False)
            and (user_can(user, Cap.ADMIN) or user_can(user, Cap.AUDIT))  # type: ignore[arg-type]
        )

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        super().register(model_or_iterable, gated(admin_class or admin.ModelAdmin), **options)
