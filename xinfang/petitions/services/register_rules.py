"""What a petition must carry to be registered (Arts. 17–23): the inputs a registration takes
and their validation, one rule set for the single path (``register.py``), the portal's check
before sending and the bulk path of the importers (``bulk.py``). Writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from xinfang.core.columns import column_problems
from xinfang.core.errors import ApplicationError
from xinfang.directory.models import Organ, User
from xinfang.petitions import validation as v
from xinfang.petitions.models import Channel, Party, PartyRole, Petition
from xinfang.petitions.services._shared import _in_subtree
from xinfang.petitions.services.accused import _accused_staff_clean
from xinfang.petitions.services.attachments import AttachmentInput
from xinfang.petitions.workflow import Category, Route


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_organisation: bool = False


@dataclass(frozen=True)
class PetitionInput:
    channel: str
    title: str
    content: str
    region_code: str
    received_at: datetime | date | None = None
    category: str = ""
    route: int | None = None
    accused_organ_id: int | None = None
    accused_staff_ids: Sequence[int] = ()  # staff named in an accusation (Art. 30 para 3)
    accused_persons: str = ""  # people named who are not users of the system
    accused_staff_names: str = ""  # staff named by name, "姓名" or "姓名（机关）", 、 between
    is_collective: bool = False
    head_count: int = 1
    is_anonymous: bool = False
    confidential: bool = False
    parties: Sequence[PartyInput] = ()
    attachments: Sequence[AttachmentInput] = ()
    repeat_of_id: int | None = None
    received_by: str = ""  # a visit: the staff who received the visitors (Art. 18; issue 12)


def _validate_registration(
    data: PetitionInput,
    *,
    organ: Organ,
    received_at: datetime,
    now: datetime,
    actor: User | None = None,
) -> dict[str, Any]:
    errs: dict[str, list[str]] = {}

    def err(field_name: str, msg: str) -> None:
        errs.setdefault(field_name, []).append(msg)

    if data.channel not in Channel.values:
        err("channel", gettext("请选择信访渠道"))
    title = (data.title or "").strip()
    content = (data.content or "").strip()
    if not title:
        err("title", gettext("请填写标题"))
    if not content:
        err("content", gettext("请填写信访诉求、事实和理由（第十九条）"))
    elif len(content) > 50_000:
        err("content", gettext("内容不能超过 50000 字，较长材料请作为附件上传"))
    if received_at > now + timedelta(minutes=5):
        err("received_at", gettext("收到时间不能晚于现在"))
    if received_at.year < 2000:
        err("received_at", gettext("收到时间有误"))
    region = v.region(data.region_code)
    if region is None:
        err("region_code", gettext("请选择事项所在地（有效的区划代码）"))
    category = data.category or ""
    if category and category not in Category.__members__.values():
        err("category", gettext("类别应为建议意见类、检举控告类或申诉求决类"))
    route = data.route
    if route is not None:
        if category != Category.APPEAL:
            err("route", gettext("只有申诉求决类事项选择第三十一条的处理途径"))
        elif route not in {r.value for r in Route}:
            err("route", gettext("处理途径应为第三十一条第（一）至（六）项之一"))
    accused = None
    if data.accused_organ_id is not None:
        if category != Category.ACCUSATION:
            err("accused_organ_id", gettext("只有检举控告类事项填写被检举控告单位"))
        else:
            accused = (
                Organ.objects.filter(pk=data.accused_organ_id).first()
                if 0 < data.accused_organ_id < 2**63  # a column's id, else none (no overflow)
                else None
            )
            if accused is None:
                err("accused_organ_id", gettext("被检举控告单位不存在"))
            elif _in_subtree(organ, accused):
                err(
                    "accused_organ_id",
                    gettext(
                        "不能由被检举控告单位或其下级登记办理（第三十条第三款），请向其上级或纪检监察机关提出"
                    ),
                )
    accused_staff: list[User] = []
    accused_persons = (data.accused_persons or "").strip()
    staff_names = (data.accused_staff_names or "").strip()
    if data.accused_staff_ids or accused_persons or staff_names:
        if category != Category.ACCUSATION:
            field = (
                "accused_staff_ids"
                if data.accused_staff_ids
                else "accused_staff_names"
                if staff_names
                else "accused_persons"
            )
            err(field, gettext("只有检举控告类事项填写被检举控告人"))
        else:
            accused_staff, msgs = _accused_staff_clean(
                data.accused_staff_ids, accused_persons, staff_names
            )
            for f, m in msgs:
                err(f, m)
    parties = list(data.parties)
    petitioners = [p for p in parties if p.role == PartyRole.PETITIONER]
    reps = [p for p in parties if p.role == PartyRole.REPRESENTATIVE]
    agents = [p for p in parties if p.role == PartyRole.AGENT]
    for i, p in enumerate(parties):
        if p.role not in PartyRole.values:
            err(f"parties[{i}].role", gettext("身份应为信访人、代表或代理人"))
        if not data.is_anonymous or p.role != PartyRole.PETITIONER:
            if not p.name.strip():
                err(f"parties[{i}].name", gettext("请填写姓名或名称"))
        if p.id_number and (msg := v.id_number_problem(p.id_number)):
            err(f"parties[{i}].id_number", msg)
        if p.phone and not v.phone_ok(p.phone):
            err(f"parties[{i}].phone", gettext("联系电话格式不正确"))
    if not data.is_anonymous and not petitioners:
        err("parties", gettext("请填写信访人；不愿留名的请勾选匿名"))
    if data.is_anonymous and any(p.id_number or p.phone for p in petitioners):
        err("is_anonymous", gettext("匿名信访不登记信访人的证件号码和电话"))
    if data.is_collective:
        if data.head_count < 2:
            err("head_count", gettext("集体信访请填写人数（至少 2 人）"))
        if len(reps) > settings.XINFANG_MAX_REPRESENTATIVES:
            err(
                "parties",
                gettext("集体信访推选的代表不超过 %(n)s 人（第二十条第三款）")
                % {"n": settings.XINFANG_MAX_REPRESENTATIVES},
            )
    else:
        if reps:
            err("parties", gettext("只有集体信访推选代表"))
        if data.head_count != 1:
            err("head_count", gettext("个人信访人数为 1；多人请勾选集体信访"))
    if len(agents) > 2:
        err("parties", gettext("代理人不超过 2 人"))
    files = []
    if len(data.attachments) > settings.XINFANG_ATTACHMENTS_PER_PETITION:
        err(
            "attachments",
            gettext("附件不超过 %(n)s 个") % {"n": settings.XINFANG_ATTACHMENTS_PER_PETITION},
        )
    for i, a in enumerate(data.attachments):
        if len(a.content) > settings.XINFANG_ATTACHMENT_MAX_BYTES:
            err(
                f"attachments[{i}]",
                gettext("“%(name)s”超过 %(mb)s MB")
                % {"name": a.name, "mb": settings.XINFANG_ATTACHMENT_MAX_BYTES // (1024 * 1024)},
            )
            continue
        kind = v.sniff_type(a.content)
        if kind is None:
            err(
                f"attachments[{i}]",
                gettext("“%(name)s”的文件类型不受支持（可上传 PDF、JPEG、PNG、TIFF、Word、文本）")
                % {"name": a.name},
            )
            continue
        if not v.name_fits(a.name, kind):
            err(
                f"attachments[{i}]",
                gettext(
                    "“%(name)s”的文件名与其内容不符：请使用 PDF、JPEG、PNG、TIFF、Word 或文本文件的扩展名"
                )
                % {"name": a.name},
            )
            continue
        files.append((a, kind))
    # Every value against the column that will hold it (a 500 on PostgreSQL otherwise).
    fit = column_problems(
        Petition,
        {"title": title, "accused_persons": accused_persons, "head_count": data.head_count},
    )
    for i, p in enumerate(parties):
        fit |= column_problems(
            Party,
            {"role": p.role, "name": p.name.strip(), "address": p.address.strip()},
            prefix=f"parties[{i}].",
        )
    for f, ms in fit.items():
        for m in ms:
            err(f, m)
    repeat_of = None
    if data.repeat_of_id is not None and not 0 < data.repeat_of_id < 2**63:
        err("repeat_of_id", gettext("关联的信访事项不存在"))
    elif data.repeat_of_id is not None:
        # Only a petition the registrar may see (the one gate): a hidden one answers as one
        # that does not exist, and is never linked (Art. 30 para 3: no oracle, no link).
        earlier = Petition.objects.all()
        if actor is not None:
            from xinfang.petitions.selectors.access import petition_queryset_linkable_for

            earlier = petition_queryset_linkable_for(user=actor)
        repeat_of = earlier.filter(pk=data.repeat_of_id).first()
        if repeat_of is None:
            err("repeat_of_id", gettext("关联的信访事项不存在"))
    received_by = " ".join(data.received_by.split())
    if len(received_by) > 100:
        err("received_by", gettext("不超过 100 字"))
    if received_by and data.channel != Channel.VISIT:
        err("received_by", gettext("只有来访登记填写接待人员"))
    if errs:
        raise ApplicationError(gettext("登记信息有误，请按提示修改"), code="invalid", fields=errs)
    return {
        "received_by": received_by,
        "title": title,
        "content": content,
        "region": region,
        "category": category,
        "route": route,
        "accused": accused,
        "accused_staff": accused_staff,
        "accused_persons": accused_persons,
        "parties": [_strip_party(p) for p in parties],
        "files": files,
        "repeat_of": repeat_of,
    }


def _strip_party(p: PartyInput) -> PartyInput:
    return PartyInput(
        role=p.role,
        name=p.name.strip() or "匿名",
        id_number=v.id_number_clean(p.id_number),
        phone=v.phone_clean(p.phone),
        address=p.address.strip(),
        is_organisation=p.is_organisation,
    )
