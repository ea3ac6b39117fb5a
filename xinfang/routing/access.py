"""Who may read and edit routing rules: system administrators (``Cap.ADMIN``: routing rules
are policy tables, design.md habit 4), for the regions of their own organ. A rule for the
whole installation (no region) is edited only by an administrator of a top organ (no parent).
A rule outside the scope answers 404, the same as one that does not exist."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext

from xinfang.core.errors import Forbidden
from xinfang.directory.models import Organ, Region, User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors.access import organ_within, region_prefix


def may_manage(user: User) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_can(user, Cap.ADMIN)


def require_manage(user: User) -> Organ:
    organ = getattr(user, "organ", None)
    if not may_manage(user) or organ is None:
        raise Forbidden(gettext("只有系统管理员可以管理分流规则"))
    return organ


def top_level(organ: Organ) -> bool:
    return organ.parent_id is None


def rule_scope(user: User) -> Q:
    """The rules the user may read and edit."""
    organ = getattr(user, "organ", None)
    if not may_manage(user) or organ is None:
        return Q(pk__in=[])
    q = Q(region__code__startswith=region_prefix(organ))
    if top_level(organ):
        q |= Q(region__isnull=True)
    return q


def region_in_scope(user: User, region: Region | None) -> bool:
    organ = getattr(user, "organ", None)
    if organ is None:
        return False
    if region is None:
        return top_level(organ)
    return region.code.startswith(region_prefix(organ))


def organ_in_scope(user: User, organ: Organ) -> bool:
    own = getattr(user, "organ", None)
    return own is not None and organ_within(own, organ)
