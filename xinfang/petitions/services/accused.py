"""Naming the staff an accusation accuses (Art. 30 para 3), at registration and after it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import User
from xinfang.petitions import extensions
from xinfang.petitions.models import Petition
from xinfang.petitions.services.act import _recuse
from xinfang.petitions.workflow import (
    Category,
)

_NAME_SEP = re.compile(r"[、，,；;\s]+")


_NAME_ORGAN = re.compile(r"^(?P<name>[^（(]+)[（(](?P<organ>[^）)]+)[）)]$")


def staff_by_names(text: str) -> tuple[list[int], list[str]]:
    """Staff users named in ``text`` ("张三、李四（青山县住建局）"): their ids, and what could not
    be matched. A bare name must match exactly one active user's name; when several share it,
    the message lists them so the clerk can add the organ in brackets."""
    found: list[int] = []
    msgs: list[str] = []
    for item in [x for x in _NAME_SEP.split(text or "") if x][:51]:
        m = _NAME_ORGAN.match(item)
        name, organ = (m["name"].strip(), m["organ"].strip()) if m else (item, "")
        users = User.objects.filter(display_name=name, is_active=True).select_related("organ")
        if organ:
            users = users.filter(organ__name__contains=organ)
        hits = list(users.order_by("organ__path", "pk")[:6])
        if not hits:
            msgs.append(
                gettext("没有名为“%(name)s”的工作人员；不是本系统用户的请填在“被检举控告人”中")
                % {"name": item}
            )
        elif len(hits) > 1:
            named = "、".join(
                f"{u.display_name}（{u.organ.name if u.organ else gettext('无机关')}）"
                for u in hits[:5]
            )
            msgs.append(
                gettext("有多位名为“%(name)s”的工作人员：%(named)s，请写成“姓名（机关）”")
                % {"name": name, "named": named}
            )
        elif hits[0].pk not in found:
            found.append(hits[0].pk)
    return found, msgs


def _an_id(value: object) -> int | None:
    """A row id as the columns hold them (1 to 2⁶³−1), or None."""
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def _accused_staff_clean(
    ids_: Sequence[int], persons: str, names: str = ""
) -> tuple[list[User], list[tuple[str, str]]]:
    """The named staff as users, and what is wrong with the names given."""
    msgs: list[tuple[str, str]] = []
    if len(persons) > 2000:
        msgs.append(("accused_persons", gettext("被检举控告人不超过 2000 字")))
    by_name, name_msgs = staff_by_names(names)
    msgs += [("accused_staff_names", m) for m in name_msgs]
    ids_ok = {i for i in (_an_id(x) for x in ids_) if i is not None}
    if len(ids_ok) < len(set(ids_)):  # not an id at all: no such staff
        msgs.append(("accused_staff_ids", gettext("被检举控告的工作人员不存在")))
        return [], msgs
    wanted = ids_ok | set(by_name)
    if len(wanted) > 50:
        msgs.append(("accused_staff_ids", gettext("被检举控告的工作人员不超过 50 人")))
        return [], msgs
    users = list(User.objects.filter(pk__in=wanted)) if wanted else []
    if len(users) != len(wanted):
        msgs.append(("accused_staff_ids", gettext("被检举控告的工作人员不存在")))
    return users, msgs


def _named_staff_save(petition: Petition, users: Sequence[User]) -> None:
    through = Petition.accused_staff.through
    through.objects.bulk_create([through(petition_id=petition.pk, user_id=u.pk) for u in users])


def petition_accused_set(
    *,
    petition_id: int,
    actor: User,
    staff_ids: Sequence[int],
    persons: str = "",
    staff_names: str = "",
) -> Petition:
    """Record who an accusation names (replacing what was recorded), by the organ handling it.

    Only for accusations; only staff of the organ holding the petition now whose role may act
    on it; never by someone it names. Audited (``petition.accused_set``: ids, never names)."""
    from xinfang.audit.services import Entry
    from xinfang.directory.permissions import user_actions
    from xinfang.petitions.seal import petition_seal

    with transaction.atomic():
        petition = Petition.objects.select_for_update(of=("self",)).get(pk=petition_id)
        if actor.organ_id is None or actor.organ_id != petition.current_organ_id:
            raise Forbidden(gettext("该信访事项不在本机关办理"))
        if not user_actions(actor):
            raise Forbidden(gettext("您的角色不能执行此操作"))
        _recuse(petition, actor)
        if petition.category != Category.ACCUSATION:
            raise ApplicationError(
                gettext("只有检举控告类事项填写被检举控告人"),
                fields={"accused_staff_ids": [gettext("只有检举控告类事项填写被检举控告人")]},
            )
        persons = (persons or "").strip()
        users, msgs = _accused_staff_clean(staff_ids, persons, staff_names)
        if any(u.pk == actor.pk for u in users):
            msgs.append(
                ("accused_staff_ids", gettext("不能由被检举控告人本人办理，请交其他工作人员"))
            )
        if msgs:
            fields: dict[str, list[str]] = {}
            for f, m in msgs:
                fields.setdefault(f, []).append(m)
            raise ApplicationError(gettext("被检举控告人信息有误"), fields=fields)
        before = sorted(
            Petition.accused_staff.through.objects.filter(petition_id=petition.pk).values_list(
                "user_id", flat=True
            )
        )
        Petition.accused_staff.through.objects.filter(petition_id=petition.pk).delete()
        _named_staff_save(petition, users)
        petition.accused_persons = persons
        petition.save(update_fields=["accused_persons"])
        change = Entry(
            "petition.accused_set",
            actor,
            "petition",
            petition.pk,
            {
                "before": before,
                "after": sorted(u.pk for u in users),
                "persons_recorded": bool(persons),
            },
        )
        # the change's record carrying the seal of what was written (ADR 0014, 0026)
        petition_seal(petition_ids=[petition.pk], actor=actor, entries=[change])
        extensions.accused(
            petition=petition, user_ids=sorted(set(before) | {u.pk for u in users}), before=before
        )
    return petition
