"""Three-level video reception (省市县三级视频接访, Art. 18): a video session of one organ joins
up to two organs of other levels (three levels in all, each level once), and the reception
record lists each level's participants. The meeting link comes from ``reception.video``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils.translation import gettext

from xinfang.directory.models import Organ, User
from xinfang.directory.permissions import Cap
from xinfang.reception.models import ReceptionRecord, ReceptionSession, SessionLevel
from xinfang.reception.selectors import record_get_for_user
from xinfang.reception.services._shared import NotFound, gate, invalid, text

MAX_LEVELS = 3  # the session's own organ and at most two others: province, city, county


def session_levels_set(
    *, actor: User, session_id: int, organ_ids: Sequence[int]
) -> list[SessionLevel]:
    """The organs of other levels joining the video session (replacing those set before)."""
    with transaction.atomic():
        s = (
            ReceptionSession.objects.select_for_update(of=("self",))
            .select_related("organ")
            .filter(pk=session_id)
            .first()
        )
        if s is None:
            raise NotFound()
        gate(actor, Cap.RECEPTION_MANAGE, s.organ)
        ids = list(dict.fromkeys(i for i in organ_ids if i))
        errors: list[str] = []
        if not s.video:
            errors.append(gettext("只有视频接访场次可以联通多级机关"))
        if len(ids) > MAX_LEVELS - 1:
            errors.append(gettext("视频接访最多联通三级机关"))
        organs = list(Organ.objects.filter(pk__in=ids, is_active=True))
        if len(organs) != len(ids) or s.organ_id in ids:
            errors.append(gettext("请选择本机关以外的机关"))
        levels = [s.organ.level, *(o.level for o in organs)]
        if len(set(levels)) != len(levels):
            errors.append(gettext("每一级只能有一个机关参加"))
        if errors:
            raise invalid({"levels": errors})
        SessionLevel.objects.filter(session=s).delete()
        return SessionLevel.objects.bulk_create(SessionLevel(session=s, organ=o) for o in organs)


def record_participants_set(
    *, actor: User, record_id: int, people: Mapping[int, str]
) -> ReceptionRecord:
    """Each level's participants on the record of a video session: ``people`` maps the organ
    (the session's own or one that joined) to the names of those who took part."""
    r = record_get_for_user(user=actor, record_id=record_id)
    gate(actor, Cap.RECEPTION_MANAGE, r.organ)
    s = r.session
    if s is None or not s.video:
        raise invalid({"participants": [gettext("只有视频接访的记录登记各级参加人员")]})
    organs = {
        s.organ_id: s.organ,
        **{lv.organ_id: lv.organ for lv in s.levels.select_related("organ")},
    }
    if set(people) - set(organs):
        raise invalid({"participants": [gettext("请选择本场视频接访的参加机关")]})
    rows = []
    for organ_id, o in organs.items():
        names = text(people.get(organ_id, ""), limit=500, field="participants")
        if names:
            rows.append({"organ_id": organ_id, "organ": o.name, "level": o.level, "people": names})
    with transaction.atomic():
        ReceptionRecord.objects.filter(pk=r.pk).update(participants=rows)
    r.participants = rows
    return r
