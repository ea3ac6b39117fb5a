"""Writes to petitions. ``petition_act`` is the one writer of ``Petition.state``.

Every public function is keyword-only and runs in one transaction: validate everything first,
then write the petition, its event and its deadlines together, so a refusal leaves nothing
behind. Refusals raise :class:`ApplicationError` with field-level messages.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext

from xinfang.analytics.services import tally_add, tally_key, tally_move
from xinfang.audit.services import audit_petition_events
from xinfang.core import clock, ids
from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.deadlines.models import Deadline
from xinfang.deadlines.services import deadline_facts, deadline_recompute, deadline_rows
from xinfang.deadlines.tracker import next_due
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import user_can_act, user_can_register
from xinfang.documents.services import document_number_assign
from xinfang.petitions import validation as v
from xinfang.petitions.models import Attachment, Channel, Party, PartyRole, Petition, PetitionEvent
from xinfang.petitions.workflow import (
    OPEN_STATES,
    Action,
    Category,
    Context,
    IllegalAction,
    OpinionOutcome,
    ReviewOutcome,
    Route,
    State,
    next_state,
)
from xinfang.workbench.services import search_enqueue

# ---------------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""
    is_organisation: bool = False


@dataclass(frozen=True)
class AttachmentInput:
    name: str
    content: bytes


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


@dataclass(frozen=True)
class Registration:
    petition: Petition
    query_password: str  # shown once on the receipt; only its HMAC is stored


def petition_register(
    *,
    data: PetitionInput,
    organ: Organ,
    actor: User | None,
    at: datetime | None = None,
    submitted_online: bool = False,
) -> Registration:
    """Receive and (for staff) register a petition at ``organ`` (Arts. 17–23).

    ``submitted_online`` leaves it RECEIVED for a clerk's review (the portal); otherwise the
    clerk's registration follows at once. Nothing is written unless all of it is valid.
    """
    if actor is not None and not user_can_register(actor):
        raise Forbidden(gettext("您的角色不能登记信访事项"))
    now = clock.now()
    received_at = _as_datetime(data.received_at) if data.received_at is not None else now
    clean = _validate_registration(data, organ=organ, received_at=received_at, now=now)
    if actor is not None and any(u.pk == actor.pk for u in clean["accused_staff"]):
        raise Forbidden(gettext("您是被检举控告人，应当回避（第二十八条、第三十条第三款）"))
    with transaction.atomic():
        # Everything is computed in memory first, so the new row is written by one INSERT.
        petition, password = _build(data, clean, organ=organ, received_at=received_at)
        events = [
            _new_event(petition, 1, "receive", "", State.RECEIVED, actor, organ, received_at, now)
        ]
        petition.state = State.RECEIVED  # the initial state, set once, at creation
        if not submitted_online:
            ev = _transition(
                petition,
                Action.REGISTER,
                Context(),
                actor=actor,
                at=at or now,
                seq=2,
                reason="",
                data={},
                now=now,
                prev_at=received_at,
            )
            events.append(ev)
        facts = deadline_facts(petition, events)
        petition.next_due = next_due(facts, organ.pk)
        petition.is_open = petition.state in OPEN_STATES
        petition.save(force_insert=True)
        PetitionEvent.objects.bulk_create(events)
        audit_petition_events(events=events, actor=actor)
        Deadline.objects.bulk_create(deadline_rows(petition, facts))
        _save_parties_and_files(petition, clean)
        search_enqueue(petition_ids=[petition.pk])
        tally_add(Counter([tally_key(petition)]))
    return Registration(petition, password)


def petition_register_many(
    *, items: Sequence[PetitionInput], organ: Organ, actor: User | None
) -> list[Registration]:
    """The bulk path for imports: the same validation and rows as ``petition_register``,
    written with a few multi-row inserts in one transaction."""
    if actor is not None and not user_can_register(actor):
        raise Forbidden(gettext("您的角色不能登记信访事项"))
    now = clock.now()
    prepared = []
    errors: dict[str, list[str]] = {}
    v.regions_warm({d.region_code for d in items})
    for i, data in enumerate(items):
        received_at = _as_datetime(data.received_at) if data.received_at is not None else now
        try:
            prepared.append(
                (
                    data,
                    _validate_registration(data, organ=organ, received_at=received_at, now=now),
                    received_at,
                )
            )
        except ApplicationError as e:
            errors[f"items[{i}]"] = [e.message] + [
                f"{k}: {m}" for k, ms in e.fields.items() for m in ms
            ]
    if actor is not None and any(
        u.pk == actor.pk for _d, clean, _r in prepared for u in clean["accused_staff"]
    ):
        raise Forbidden(gettext("您是被检举控告人，应当回避（第二十八条、第三十条第三款）"))
    if errors:
        raise ApplicationError(gettext("部分信访事项无效，均未保存"), code="invalid", fields=errors)
    out: list[Registration] = []
    with transaction.atomic():
        petitions, events, facts_of = [], [], []
        for data, clean, received_at in prepared:
            p, password = _build(data, clean, organ=organ, received_at=received_at)
            p.state = State.REGISTERED  # receive + register, written as the two events below
            p.registered_at = now
            p.last_event_at = now
            evs = [
                _new_event(p, 1, "receive", "", State.RECEIVED, actor, organ, received_at, now),
                _new_event(
                    p, 2, Action.REGISTER, State.RECEIVED, State.REGISTERED, actor, organ, now, now
                ),
            ]
            facts = deadline_facts(p, evs)
            p.next_due = next_due(facts, organ.pk)
            petitions.append(p)
            events.extend(evs)
            facts_of.append(facts)
            out.append(Registration(p, password))
        Petition.objects.bulk_create(petitions)
        PetitionEvent.objects.bulk_create(events)
        audit_petition_events(events=events, actor=actor)
        Deadline.objects.bulk_create(
            [
                row
                for p, facts in zip(petitions, facts_of, strict=True)
                for row in deadline_rows(p, facts)
            ]
        )
        Party.objects.bulk_create(
            [
                Party(petition=p, **vars(pi))
                for p, (_d, clean, _r) in zip(petitions, prepared, strict=True)
                for pi in clean["parties"]
            ]
        )
        through = Petition.accused_staff.through
        through.objects.bulk_create(
            [
                through(petition_id=p.pk, user_id=u.pk)
                for p, (_d, clean, _r) in zip(petitions, prepared, strict=True)
                for u in clean["accused_staff"]
            ]
        )
        search_enqueue(petition_ids=[p.pk for p in petitions])
        tally_add(Counter(tally_key(p) for p in petitions))
    return out


def _validate_registration(
    data: PetitionInput, *, organ: Organ, received_at: datetime, now: datetime
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
    elif len(title) > 200:
        err("title", gettext("标题不能超过 200 字"))
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
            accused = Organ.objects.filter(pk=data.accused_organ_id).first()
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
        if len(p.name) > 100:
            err(f"parties[{i}].name", gettext("姓名不能超过 100 字"))
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
        files.append((a, kind))
    repeat_of = None
    if data.repeat_of_id is not None:
        repeat_of = Petition.objects.filter(pk=data.repeat_of_id).first()
        if repeat_of is None:
            err("repeat_of_id", gettext("关联的信访事项不存在"))
    if errs:
        raise ApplicationError(gettext("登记信息有误，请按提示修改"), code="invalid", fields=errs)
    return {
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
        id_number=p.id_number.strip().upper(),
        phone=p.phone.strip(),
        address=p.address.strip(),
        is_organisation=p.is_organisation,
    )


def _build(
    data: PetitionInput, clean: Mapping[str, Any], *, organ: Organ, received_at: datetime
) -> tuple[Petition, str]:
    code = ids.new_tracking_code()
    password = ids.new_query_password()
    p = Petition(
        tracking_code=code,
        query_secret=ids.hash_query_password(code, password, settings.SECRET_KEY),
        channel=data.channel,
        received_at=received_at,
        title=clean["title"],
        content=clean["content"],
        category=clean["category"],
        route=clean["route"],
        region=clean["region"],
        accused_organ=clean["accused"],
        accused_persons=clean["accused_persons"],
        is_collective=data.is_collective,
        head_count=data.head_count,
        is_anonymous=data.is_anonymous,
        confidential=data.confidential,
        registering_organ=organ,
        current_organ=organ,
        repeat_of=clean["repeat_of"],
        last_event_at=received_at,
    )
    return p, password


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
            named = "、".join(f"{u.display_name}（{u.organ.name if u.organ else gettext('无机关')}）" for u in hits[:5])
            msgs.append(
                gettext("有多位名为“%(name)s”的工作人员：%(named)s，请写成“姓名（机关）”")
                % {"name": name, "named": named}
            )
        elif hits[0].pk not in found:
            found.append(hits[0].pk)
    return found, msgs


def _accused_staff_clean(
    ids_: Sequence[int], persons: str, names: str = ""
) -> tuple[list[User], list[tuple[str, str]]]:
    """The named staff as users, and what is wrong with the names given."""
    msgs: list[tuple[str, str]] = []
    if len(persons) > 2000:
        msgs.append(("accused_persons", gettext("被检举控告人不超过 2000 字")))
    by_name, name_msgs = staff_by_names(names)
    msgs += [("accused_staff_names", m) for m in name_msgs]
    wanted = {int(x) for x in ids_} | set(by_name)
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


def _save_parties_and_files(petition: Petition, clean: Mapping[str, Any]) -> None:
    if clean.get("accused_staff"):
        _named_staff_save(petition, clean["accused_staff"])
    Party.objects.bulk_create([Party(petition=petition, **vars(pi)) for pi in clean["parties"]])
    for a, kind in clean["files"]:
        digest = hashlib.sha256(a.content).hexdigest()
        att = Attachment(
            petition=petition,
            original_name=a.name[:200],
            content_type=kind,
            size=len(a.content),
            sha256=digest,
        )
        att.file.save(digest[:16], ContentFile(a.content), save=False)
        att.save()


def attachment_add(
    *, petition: Petition, actor: User | None, name: str, content: bytes
) -> Attachment:
    """Add a scanned page or document to a petition already registered."""
    kind = v.sniff_type(content)
    if len(content) > settings.XINFANG_ATTACHMENT_MAX_BYTES:
        raise ApplicationError(
            gettext("附件过大"),
            fields={
                "file": [
                    gettext("不超过 %(mb)s MB")
                    % {"mb": settings.XINFANG_ATTACHMENT_MAX_BYTES // (1024 * 1024)}
                ]
            },
        )
    if kind is None:
        raise ApplicationError(
            gettext("文件类型不受支持"),
            fields={"file": [gettext("可上传 PDF、JPEG、PNG、TIFF、Word、文本")]},
        )
    if petition.attachments.count() >= settings.XINFANG_ATTACHMENTS_PER_PETITION:
        raise ApplicationError(gettext("附件数量已达上限"))
    with transaction.atomic():
        _save_parties_and_files(
            petition, {"parties": [], "files": [(AttachmentInput(name, content), kind)]}
        )
    return petition.attachments.order_by("-id").first()  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------
# The one writer of state
# ---------------------------------------------------------------------------------------------


def petition_act(
    *,
    petition_id: int,
    action: Action | str,
    actor: User | None,
    at: datetime | date | None = None,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> Petition:
    """Take one step of the procedure on a petition.

    Locks the row, checks the actor's organ and role, the law (``workflow.next_state``), the
    step's own fields and its date, then writes the new state, the event and the recomputed
    deadlines in one transaction. ``at`` is the real date of a paper event (a letter's receipt,
    a delivery receipt); it may not be in the future nor before the previous event.
    """
    action = Action(action)
    data = dict(data or {})
    now = clock.now()
    with transaction.atomic():
        petition = (
            Petition.objects.select_for_update(of=("self",))
            .select_related("current_organ", "registering_organ", "handling_organ", "review_organ")
            .get(pk=petition_id)
        )
        if actor is not None:
            _gate(petition, action, actor)
        when = _event_time(at, petition.last_event_at, now)
        ctx = petition_context(petition, data)
        _check_legal(petition, action, ctx)  # the law first: an illegal step is refused as such
        _validate_step(petition, action, reason, data, when)
        counted_as = tally_key(petition)  # the analytics rollup follows the petition
        history = list(petition.events.order_by("seq"))  # read once: the next seq and the fold
        seq = (history[-1].seq if history else 0) + 1
        ev = _transition(
            petition,
            action,
            ctx,
            actor=actor,
            at=when,
            seq=seq,
            reason=reason,
            data=data,
            now=now,
            prev_at=petition.last_event_at,
        )
        ev.save()
        document_number_assign(event=ev)  # the 文号 of the document this step issues, if any
        audit_petition_events(events=[ev], actor=actor)
        deadline_recompute(petition=petition, events=[*history, ev])
        petition.is_open = petition.state in OPEN_STATES or bool(petition.delivery_pending)
        petition.save()
        tally_move(counted_as, tally_key(petition))
    return petition


def _transition(
    petition: Petition,
    action: Action,
    ctx: Context,
    *,
    actor: User | None,
    at: datetime,
    seq: int,
    reason: str,
    data: dict[str, Any],
    now: datetime,
    prev_at: datetime,
) -> PetitionEvent:
    """Apply ``action``: the only place that assigns ``Petition.state`` after creation."""
    target = _check_legal(petition, action, ctx)
    source = petition.state
    _apply_effects(petition, action, data, at)
    petition.state = target
    petition.last_event_at = at
    actor_organ = actor.organ if actor is not None else None
    return _new_event(
        petition,
        seq,
        action,
        source,
        target,
        actor,
        petition.current_organ,
        at,
        now,
        reason=reason,
        data=_jsonable(data),
        actor_organ=actor_organ,
    )


def _check_legal(petition: Petition, action: Action, ctx: Context) -> State:
    try:
        return next_state(State(petition.state), action, ctx)
    except IllegalAction as e:
        # The pure table cannot translate (no Django): its static message, or its template with
        # labels as parameters, is the msgid. A state is named as such, the action refused as the
        # command the user chose (msgctxt "staff action", as on its button).
        message = gettext(e.template)
        if e.params:
            message = message.format(**{k: _label(k, v) for k, v in e.params.items()})
        raise ApplicationError(message, code=e.code, status=409) from e


def _label(kind: str, label: str) -> str:
    if kind == "action" and (command := pgettext("staff action", label)) != label:
        return command
    return gettext(label)


def _new_event(
    petition: Petition,
    seq: int,
    action: str,
    source: str,
    target: str,
    actor: User | None,
    organ: Organ,
    at: datetime,
    now: datetime,
    *,
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor_organ: Organ | None = None,
) -> PetitionEvent:
    return PetitionEvent(
        petition=petition,
        seq=seq,
        action=str(action),
        from_state=str(source),
        to_state=str(target),
        actor=actor,
        actor_organ=actor_organ if actor_organ is not None else (actor.organ if actor else None),
        organ=organ,
        occurred_at=at,
        recorded_at=now,
        reason=reason,
        data=data or {},
    )


def actor_may(petition: Petition, action: Action, actor: User) -> str | None:
    """Why ``actor`` may not take ``action`` on ``petition`` now, or None when they may.

    The actor's role must allow the action (directory.permissions) and the actor's organ must
    hold the petition, or be the organ a remedy request goes to (Arts. 35, 36)."""
    if not user_can_act(actor, action):
        return gettext("您的角色不能执行此操作")
    organ_id = actor.organ_id
    if organ_id is None:
        return gettext("您未归属任何机关")
    if organ_id == petition.current_organ_id:
        return None
    if action == Action.REQUEST_REVIEW and petition.handling_organ is not None:
        if organ_id == petition.handling_organ.parent_id:
            return None
    if action == Action.REQUEST_RE_REVIEW and petition.review_organ is not None:
        if organ_id == petition.review_organ.parent_id:
            return None
    return gettext("该信访事项不在本机关办理")


def _gate(petition: Petition, action: Action, actor: User) -> None:
    if (why := actor_may(petition, action, actor)) is not None:
        raise Forbidden(why)
    _recuse(petition, actor)


def _recuse(petition: Petition, actor: User) -> None:
    """A staff member an accusation names may not act on it (Art. 28, Art. 30 para 3). The
    answer is the one for a missing petition: nothing tells them that it exists."""
    from xinfang.petitions.selectors import petition_names_user

    if petition.category == Category.ACCUSATION and petition_names_user(
        petition=petition, user=actor
    ):
        raise NotFound(gettext("未找到该信访事项，或不在您的查看范围内"))


# ---------------------------------------------------------------------------------------------
# Naming the accused staff after registration
# ---------------------------------------------------------------------------------------------


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
    from xinfang.audit.services import audit_record
    from xinfang.directory.permissions import user_actions

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
            msgs.append(("accused_staff_ids", gettext("不能由被检举控告人本人办理，请交其他工作人员")))
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
        audit_record(
            kind="petition.accused_set",
            actor=actor,
            object_type="petition",
            object_id=petition.pk,
            data={
                "before": before,
                "after": sorted(u.pk for u in users),
                "persons_recorded": bool(persons),
            },
        )
    return petition


def petition_context(petition: Petition, data: Mapping[str, Any] | None = None) -> Context:
    """The facts the workflow guards need (pure derivation; used by selectors too)."""
    data = data or {}
    category = data.get("category") or petition.category or None
    route = data.get("route") or petition.route
    return Context(
        category=Category(category) if category else None,
        route=Route(int(route)) if route else None,
        at_petition_office=petition.current_organ.kind == OrganKind.PETITION_OFFICE,
        dispatched_by=Action(petition.dispatched_by) if petition.dispatched_by else None,
        extended=petition.extended,
        in_hearing=petition.in_hearing,
        outcome=data.get("outcome"),
        delivery_pending=bool(petition.delivery_pending),
        assigned=petition.dispatched_by == Action.ASSIGN,
        report_done=petition.report_done,
    )


def _open_deadline(petition: Petition, code: str) -> Deadline | None:
    return (
        Deadline.objects.filter(petition=petition, code=code, outcome="open")
        .order_by("-start_date")
        .first()
    )


def _validate_step(
    petition: Petition, action: Action, reason: str, data: dict[str, Any], when: datetime
) -> None:
    """Per-step fields (Art. 32 contents, reasons, organs) and time windows. Mutates ``data``
    into its stored form (ids, ISO dates)."""
    errs: dict[str, list[str]] = {}

    def err(f: str, msg: str) -> None:
        errs.setdefault(f, []).append(msg)

    day = clock.local_date(when)
    A = Action
    needs_reason = {
        A.OBJECT: gettext_noop("请说明异议的具体理由（第二十三条第三款）"),
        A.OBJECTION_ACCEPT: gettext_noop("请说明同意异议的理由"),
        A.OBJECTION_REJECT: gettext_noop("请说明不同意异议的理由"),
        A.REDIRECT: gettext_noop("请说明理由"),
        A.NOT_ACCEPT: gettext_noop("请说明不予受理的理由"),
        A.CHANNEL: gettext_noop("请写明应当通过的法定途径和告知内容"),
        A.EXTEND: gettext_noop("请说明延期理由，该理由将告知信访人（第三十四条）"),
        A.REPLY: gettext_noop("请填写答复内容"),
        A.REPORT_RESULT: gettext_noop("请填写办结报告内容"),
    }
    if action in needs_reason and not reason.strip():
        err("reason", gettext(needs_reason[action]))

    if action in (A.TRANSFER, A.ASSIGN, A.REFER_LEGAL, A.REFER_DISCIPLINE):
        to = _organ(data.get("to_organ_id"))
        if to is None:
            err("to_organ_id", gettext("请选择接收机关"))
        else:
            data["to_organ_id"] = to.pk
            if to.pk == petition.current_organ_id:
                err("to_organ_id", gettext("不能转送给本机关"))
            if petition.accused_organ_id and _in_subtree(to, petition.accused_organ):
                err(
                    "to_organ_id",
                    gettext("检举控告材料不得转送给被检举控告的单位或其下级（第三十条第三款）"),
                )
            if action == A.REFER_LEGAL and to.kind != OrganKind.POLITICAL_LEGAL:
                err("to_organ_id", gettext("涉法涉诉事项应移送政法机关（第二十二条第四项）"))
            if action == A.REFER_DISCIPLINE and to.kind != OrganKind.DISCIPLINE:
                err("to_organ_id", gettext("应移送纪检监察机关（第二十二条第五项）"))
            if (
                action == A.TRANSFER
                and petition.current_organ.kind != OrganKind.PETITION_OFFICE
                and not _in_subtree(to, petition.current_organ)
            ):
                err(
                    "to_organ_id",
                    gettext(
                        "有权机关只能转送本系统下级机关；不属本系统的，请告知信访人向有权机关提出（第二十三条）"
                    ),
                )
        if action == A.ASSIGN:
            due = _date(data.get("report_due"))
            if due is None:
                err("report_due", gettext("交办须确定报送结果的期限（第二十二条第三项）"))
            elif due <= day:
                err("report_due", gettext("报送期限应晚于交办日期"))
            else:
                data["report_due"] = due.isoformat()
    if action == A.OBJECT:
        t4 = _open_deadline(petition, "T4")
        if t4 is not None and day > t4.due_date:
            err(
                "at",
                gettext("异议应在收到之日起五个工作日内提出，期限已于 %(due)s 届满（第二十三条第三款）")
                % {"due": t4.due_date},
            )
    if action == A.REDIRECT and not str(data.get("proper_organ", "")).strip():
        err("proper_organ", gettext("请写明应当向哪个机关提出"))
    if action == A.NOT_ACCEPT:
        ground = data.get("ground", "other")
        if ground not in ("duplicate_higher", "same_facts_after_re_review", "other"):
            err("ground", gettext("请选择不予受理的情形"))
        if ground == "same_facts_after_re_review":
            prior = petition.repeat_of
            if prior is None or not prior.events.filter(action=A.DECIDE_RE_REVIEW).exists():
                err(
                    "ground",
                    gettext("只有与已复核终结事项的事实和理由相同，才能依第三十六条第三款不予受理"),
                )
            if not data.get("confirmed"):
                err("confirmed", gettext("请工作人员核实新提出的事实和理由确与已终结事项相同后确认"))
    if action in (A.ACKNOWLEDGE, A.START_HANDLING):
        category = data.get("category", petition.category)
        route = data.get("route", petition.route)
        if category and category not in Category.__members__.values():
            err("category", gettext("类别无效"))
        if route not in (None, "") and int(route) not in {r.value for r in Route}:
            err("route", gettext("途径无效"))
        if category and category != Category.APPEAL and route not in (None, ""):
            err("route", gettext("只有申诉求决类事项选择第三十一条的处理途径"))
    if action == A.EXTEND:
        days = _int(data.get("days"))
        if days is None or not 1 <= days <= 30:
            err("days", gettext("延长期限为 1 至 30 日（第三十四条）"))
        else:
            data["days"] = days
        t6 = _open_deadline(petition, "T6")
        if t6 is not None and day > t6.due_date:
            err("at", gettext("办理期限已届满，不能再延期"))
    if action == A.SETTLE:
        if data.get("agreement") not in ("mediation", "settlement"):
            err("agreement", gettext("请选择调解协议书或和解协议书（第三十三条）"))
        if not str(data.get("summary", "")).strip():
            err("summary", gettext("请填写协议主要内容"))
    if action in (A.ISSUE_OPINION, A.DECIDE_REVIEW, A.DECIDE_RE_REVIEW):
        # Art. 32: the request, the facts and reasons, the decision and its legal basis.
        for f, label in (
            ("request", gettext_noop("信访人的请求")),
            ("facts", gettext_noop("事实和理由")),
            ("decision", gettext_noop("处理意见")),
            ("legal_basis", gettext_noop("依据")),
        ):
            if not str(data.get(f, "")).strip():
                err(f, gettext("请填写%(label)s（第三十二条）") % {"label": gettext(label)})
    if action == A.ISSUE_OPINION and data.get("outcome") not in {o.value for o in OpinionOutcome}:
        err("outcome", gettext("请选择：支持、解释说明或不予支持（第三十二条）"))
    if action == A.DECIDE_REVIEW and data.get("outcome") == ReviewOutcome.REDO:
        redo = _int(data.get("redo_days", 60))
        if redo is None or not 1 <= redo <= 60:
            err("redo_days", gettext("重新办理期限为 1 至 60 日"))
        else:
            data["redo_days"] = redo
    if action == A.RECORD_DELIVERY:
        if data.get("method") not in ("in_person", "post", "electronic", "other"):
            err("method", gettext("请选择送达方式：直接送达、邮寄、电子或其他"))
        if data.get("signed") not in (True, False, "true", "false", "1", "0"):
            err("signed", gettext("请说明信访人签收或拒收"))
        else:
            data["signed"] = data.get("signed") in (True, "true", "1")
    if action == A.REQUEST_REVIEW:
        t7 = _open_deadline(petition, "T7")
        if t7 is not None and day > t7.due_date:
            err(
                "at",
                gettext("复查申请应在收到处理意见书之日起三十日内提出，已于 %(due)s 届满（第三十五条）")
                % {"due": t7.due_date},
            )
        handler = petition.handling_organ or petition.current_organ
        if handler.parent_id is None:
            err("review_organ", gettext("原办理机关没有上一级机关，无法复查"))
    if action == A.REQUEST_RE_REVIEW:
        t9 = _open_deadline(petition, "T9")
        if t9 is not None and day > t9.due_date:
            err(
                "at",
                gettext("复核申请应在收到复查意见之日起三十日内提出，已于 %(due)s 届满（第三十六条）")
                % {"due": t9.due_date},
            )
        if petition.review_organ is None or petition.review_organ.parent_id is None:
            err("re_review_organ", gettext("复查机关没有上一级机关，无法复核"))
    if action == A.EXPIRE_WINDOW:
        window = _open_deadline(petition, "T7") or _open_deadline(petition, "T9")
        if window is None:
            err("at", gettext("申请期限尚未开始计算（请先登记文书送达）"))
        elif day <= window.due_date:
            err("at", gettext("申请期限至 %(due)s 才届满") % {"due": window.due_date})
    if errs:
        raise ApplicationError(gettext("操作信息有误，请按提示修改"), code="invalid", fields=errs)


def _apply_effects(petition: Petition, action: Action, data: dict[str, Any], at: datetime) -> None:
    """Who holds the petition next, and the flags (not the state) that the step changes."""
    A = Action
    if action == A.REGISTER:
        petition.registered_at = at
    elif action in (A.TRANSFER, A.ASSIGN, A.REFER_LEGAL, A.REFER_DISCIPLINE):
        to = Organ.objects.get(pk=data["to_organ_id"])
        data["from_organ_id"] = petition.current_organ_id
        petition.current_organ = to
        data["to_petition_office"] = to.kind == OrganKind.PETITION_OFFICE
        if action in (A.TRANSFER, A.ASSIGN):
            petition.dispatched_by = action.value
            petition.handling_organ = None if to.kind == OrganKind.PETITION_OFFICE else to
    elif action == A.OBJECT:
        back = _last_sender(petition)
        data["returned_to_organ_id"] = back.pk
        petition.current_organ = back
    elif action == A.OBJECTION_REJECT:
        objector = petition.handling_organ
        if objector is not None:
            petition.current_organ = objector
    elif action == A.OBJECTION_ACCEPT:
        petition.handling_organ = None
    elif action in (A.ACKNOWLEDGE, A.START_HANDLING):
        if data.get("category"):
            petition.category = data["category"]
        if data.get("route") not in (None, ""):
            petition.route = int(data["route"])
        petition.handling_organ = petition.current_organ
    elif action == A.EXTEND:
        petition.extended = True
    elif action == A.HEARING_START:
        petition.in_hearing = True
    elif action == A.HEARING_END:
        petition.in_hearing = False
    elif action == A.ISSUE_OPINION:
        petition.execution_monitoring = data.get("outcome") == OpinionOutcome.SUPPORT
        petition.delivery_pending = "opinion"
        data.setdefault("remedy", _remedy_text(petition.current_organ, "review"))
    elif action == A.RECORD_DELIVERY:
        data["document"] = petition.delivery_pending
        petition.delivery_pending = ""
    elif action == A.REQUEST_REVIEW:
        handler = petition.handling_organ or petition.current_organ
        petition.handling_organ = handler
        petition.review_organ = handler.parent
        petition.current_organ = handler.parent  # type: ignore[assignment]
    elif action == A.DECIDE_REVIEW:
        if data.get("outcome") in (ReviewOutcome.VARY, ReviewOutcome.REDO):
            petition.execution_monitoring = False  # the supported opinion no longer stands
        if data.get("outcome") == ReviewOutcome.REDO:
            petition.current_organ = petition.handling_organ  # type: ignore[assignment]
            petition.extended = False
        else:
            petition.delivery_pending = "review_opinion"
            data.setdefault("remedy", _remedy_text(petition.current_organ, "re_review"))
    elif action == A.REQUEST_RE_REVIEW:
        assert petition.review_organ is not None
        petition.re_review_organ = petition.review_organ.parent
        petition.current_organ = petition.review_organ.parent  # type: ignore[assignment]
    elif action == A.DECIDE_RE_REVIEW:
        petition.delivery_pending = "re_review_opinion"
    elif action == A.REPORT_RESULT:
        petition.report_done = True


def _remedy_text(organ: Organ, step: str) -> str:
    parent = organ.parent
    if step == "review":
        to = parent.name if parent else "上一级行政机关"
        return f"信访人对处理意见不服的，可以自收到书面答复之日起30日内请求{to}复查（《信访工作条例》第三十五条）。"
    to = parent.name if parent else "复查机关的上一级行政机关"
    return f"信访人对复查意见不服的，可以自收到书面答复之日起30日内向{to}请求复核（《信访工作条例》第三十六条）。"


def _last_sender(petition: Petition) -> Organ:
    ev = (
        petition.events.filter(action__in=[Action.TRANSFER, Action.ASSIGN, Action.OBJECTION_REJECT])
        .order_by("-seq")
        .first()
    )
    if ev is not None and ev.data.get("from_organ_id"):
        return Organ.objects.get(pk=ev.data["from_organ_id"])
    return petition.registering_organ


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _event_time(at: datetime | date | None, previous: datetime, now: datetime) -> datetime:
    """The real time of an event, validated: not in the future, not before the previous event."""
    if at is None:
        when = now
    elif isinstance(at, datetime):
        when = _as_datetime(at)
    else:
        when = _as_datetime(at)
        if clock.local_date(when) == clock.local_date(now):
            when = now
        elif when < previous and clock.local_date(when) == clock.local_date(previous):
            when = previous
    if when > now + timedelta(minutes=5):
        raise ApplicationError(
            gettext("日期不能晚于今天"), fields={"at": [gettext("日期不能晚于今天")]}
        )
    if when < previous and clock.local_date(when) < clock.local_date(previous):
        raise ApplicationError(
            gettext("日期不能早于上一步办理日期"),
            fields={
                "at": [
                    gettext("日期不能早于上一步办理日期 %(date)s")
                    % {"date": clock.local_date(previous)}
                ]
            },
        )
    return max(when, previous)


def _as_datetime(at: datetime | date) -> datetime:
    if isinstance(at, datetime):
        return at if timezone.is_aware(at) else timezone.make_aware(at)
    return timezone.make_aware(datetime.combine(at, time(12, 0)))


def _date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and v:
        try:
            return date.fromisoformat(v)
        except ValueError:
            return None
    return None


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _organ(v: Any) -> Organ | None:
    pk = _int(v)
    if pk is None:
        return None
    return Organ.objects.filter(pk=pk, is_active=True).first()


def _in_subtree(organ: Organ, root: Organ | None) -> bool:
    """Whether ``organ`` is ``root`` or below it."""
    if root is None:
        return False
    return organ.pk == root.pk or (bool(root.path) and organ.path.startswith(root.path))


def _jsonable(data: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, val in data.items():
        if isinstance(val, (date, datetime)):
            out[k] = val.isoformat()
        else:
            out[k] = val
    return out


__all__ = [
    "AttachmentInput",
    "PartyInput",
    "PetitionInput",
    "Registration",
    "attachment_add",
    "actor_may",
    "petition_accused_set",
    "petition_act",
    "petition_context",
    "petition_register",
    "petition_register_many",
]
