"""Read-only views of petitions in the admin site, and the row scope that keeps the whole admin
site behind the read gate (ADR 0013): petitions, every model that points at a petition (topic
decisions, evaluations, documents, …) and the audit records about petitions are filtered by the
same selectors as the pages, for every admin class registered now or later
(``directory.admin_site.row_scope_add``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from xinfang.audit.models import AuditRecord
from xinfang.directory.admin_site import row_scope_add
from xinfang.directory.permissions import Cap
from xinfang.petitions.models import Party, Petition, PetitionEvent
from xinfang.petitions.selectors import _jurisdiction, petition_queryset_for_user


def _ids_as_text(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.annotate(_key=Cast("pk", CharField())).values("_key")


def petition_rows_for_user(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The admin's rows of ``qs`` that carry a petition only where the gate lets ``user`` read
    that petition: a petition itself; a row with a foreign key to one; an audit record about one
    (or one of its parties), read by the auditor's jurisdiction with both accusation exclusions
    (the trail is for auditing, but never tells the accused an accusation exists)."""
    model = qs.model
    if model is Petition:
        return qs.filter(pk__in=petition_queryset_for_user(user=user).values("pk"))
    if model is AuditRecord:
        seen = Petition.objects.filter(_jurisdiction(user))
        parties = Party.objects.filter(petition__in=seen.values("pk"))
        return qs.filter(
            ~Q(object_type__in=("petition", "party"))
            | Q(object_type="petition", object_id="")
            | Q(object_type="petition", object_id__in=_ids_as_text(seen))
            | Q(object_type="party", object_id__in=_ids_as_text(parties))
        )
    visible = petition_queryset_for_user(user=user).values("pk")
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is Petition:
            cond = Q(**{f"{f.name}__in": visible})
            if f.null:
                cond |= Q(**{f"{f.name}__isnull": True})
            qs = qs.filter(cond)
    return qs


row_scope_add(petition_rows_for_user)


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
    capability = Cap.VIEW_PETITIONS  # petition content: never for the admin role alone
    read_only = True
    list_display = [
        "tracking_code",
        "title",
        "state",
        "category",
        "channel",
        "current_organ",
        "next_due",
    ]
    list_filter = ["state", "category", "channel"]
    search_fields = ["tracking_code", "title"]
    inlines = [EventInline]
    show_full_result_count = False

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
