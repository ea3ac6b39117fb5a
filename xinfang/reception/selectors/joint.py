"""Reads of joint handling: the lead organ's cases (petitions through the petitions gate) and
the tasks given to the user's own organ as an assisting organ."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from xinfang.core.errors import NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.selectors import petition_visible
from xinfang.reception.models import JointHandling, JointTask


def joint_list_for_user(*, user: User) -> QuerySet[JointHandling]:
    if not user_can(user, Cap.RECEPTION_VIEW):
        return JointHandling.objects.none()
    return (
        JointHandling.objects.filter(petition_visible(user=user))
        .select_related("petition", "lead")
        .order_by("limit", "id")
    )


def joint_tasks_for_organ(*, user: User) -> QuerySet[JointTask]:
    if not user_can(user, Cap.RECEPTION_VIEW) or user.organ_id is None:
        return JointTask.objects.none()
    return (
        JointTask.objects.filter(organ_id=user.organ_id)
        .select_related("joint__petition", "joint__lead")
        .order_by("replied_on", "due_on", "id")
    )


def joint_get_for_user(*, user: User, joint_id: int) -> JointHandling:
    """A joint case for the lead side (petition visible) or an assisting organ's staff."""
    if not user_can(user, Cap.RECEPTION_VIEW):
        raise NotFound()
    j = (
        JointHandling.objects.filter(
            petition_visible(user=user) | Q(tasks__organ_id=user.organ_id or 0), pk=joint_id
        )
        .select_related("petition", "lead", "signed_by")
        .distinct()
        .first()
    )
    if j is None:
        raise NotFound()
    return j
