"""Writes to the directory: organs keep their materialised path."""

from __future__ import annotations

from django.db import transaction

from xinfang.directory.models import Level, Membership, Organ, OrganKind, Region, Role, User


def organ_create(
    *, name: str, kind: str, level: str, region: Region, parent: Organ | None = None
) -> Organ:
    with transaction.atomic():
        organ = Organ.objects.create(
            name=name, kind=kind, level=level, region=region, parent=parent
        )
        organ.path = f"{parent.path if parent else '/'}{organ.pk}/"
        organ.save(update_fields=["path"])
    return organ


def organ_rebuild_paths() -> int:
    """Recompute every path (after edits in the admin)."""
    by_parent: dict[int | None, list[Organ]] = {}
    for o in Organ.objects.all():
        by_parent.setdefault(o.parent_id, []).append(o)
    changed: list[Organ] = []
    stack = [(o, "/") for o in by_parent.get(None, [])]
    while stack:
        o, prefix = stack.pop()
        p = f"{prefix}{o.pk}/"
        if o.path != p:
            o.path = p
            changed.append(o)
        stack.extend((c, p) for c in by_parent.get(o.pk, []))
    Organ.objects.bulk_update(changed, ["path"])
    return len(changed)


def staff_create(
    *, username: str, password: str, organ: Organ | None, roles: list[str], display_name: str = ""
) -> User:
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            password=password,
            organ=organ,
            display_name=display_name,
            # the admin site reads the permission table; nobody is a superuser (ADR 0013)
            is_staff=Role.ADMIN in roles,
        )
        Membership.objects.bulk_create([Membership(user=user, role=r) for r in roles])
    return user


__all__ = ["Level", "OrganKind", "organ_create", "organ_rebuild_paths", "staff_create"]
