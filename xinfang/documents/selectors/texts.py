"""What each document says: its sections, built from the event that issues it and the petition."""

from __future__ import annotations

from datetime import date, datetime

from xinfang.core import clock, ids
from xinfang.core.inputs import is_digits
from xinfang.core.masking import mask_name, mask_names_in, mask_text
from xinfang.directory.models import Organ
from xinfang.documents.selectors.kinds import (
    _DELIVERY_OF,
    ACTION_KIND,
    ADOPTION_LABELS,
    AGREEMENT_REMEDY,
    AGREEMENT_TITLES,
    CHANNEL_LABELS,
    DELIVERY_METHODS,
    FINALITY,
    KINDS,
    OPINION_OUTCOMES,
    R22,
    REVIEW_OUTCOMES,
    SIGN_METHODS,
    Delivery,
    Document,
    Parties,
    Section,
    cn_date,
)
from xinfang.petitions.workflow import CATEGORY_LABELS, ROUTE_HELP, ROUTE_LABELS, Category, Route


class _Context:
    """What the builders share: the petition, its events, the organs named in event data."""

    def __init__(  # type: ignore[no-untyped-def]
        self,
        petition,
        events: list,  # type: ignore[type-arg]
        parties: Parties | None = None,
        names_hidden: bool = False,
    ) -> None:
        self.petition = petition
        self.events = events
        self.parties = parties
        # the reader sees the parties' names masked (petitions.selectors.parties): so are the
        # names the document's own text carries (an agreement's signatures and terms)
        self.names_hidden = names_hidden
        self._organs: dict[int, str] | None = None
        self._recipient: str | None = None
        self._plural = False
        self._numbers: dict[int, str] | None = None

    def number(self, e) -> str | None:  # type: ignore[no-untyped-def]
        """The 文号 given to the document of ``e`` (one query for all the petition's)."""
        if self._numbers is None:
            from xinfang.documents.models import DocumentNumber

            ids = [x.pk for x in self.events if x.action in ACTION_KIND]
            self._numbers = dict(
                DocumentNumber.objects.filter(event_id__in=ids).values_list("event_id", "number")
            )
        return self._numbers.get(e.pk)

    def organ_name(self, organ_id: object) -> str:
        if not organ_id:
            return ""
        if self._organs is None:
            wanted = {
                int(v)
                for e in self.events
                for k, v in (e.data or {}).items()
                if k.endswith("organ_id") and is_digits(str(v))
            }
            self._organs = dict(Organ.objects.filter(pk__in=wanted).values_list("pk", "name"))
        return self._organs.get(int(organ_id), "")  # type: ignore[call-overload]

    @property
    def recipient(self) -> str:
        if self._recipient is None:
            p = self.petition
            if p.is_anonymous:
                self._recipient = "信访人"
            else:
                parties = self.parties
                if parties is None:
                    parties = [(x.role, x.name) for x in p.parties.all()]
                petitioners = [name for role, name in parties if role == "petitioner"]
                reps = [name for role, name in parties if role == "representative"]
                if p.is_collective and reps:
                    self._recipient = f"{'、'.join(reps)}等{p.head_count}人"
                else:
                    self._recipient = "、".join(petitioners) or "信访人"
                self._plural = bool(p.is_collective or len(petitioners) > 1)
        return self._recipient

    @property
    def plural(self) -> bool:
        """Whether the document speaks to several people (你们) or one (你): a collective
        petition, or several petitioners signing one letter (issue 12, item 8)."""
        _ = self.recipient
        return self._plural

    def last_before(self, index: int, *actions: str):  # type: ignore[no-untyped-def]
        for e in reversed(self.events[:index]):
            if e.action in actions:
                return e
        return None

    def issuing_organ(self, e) -> str:  # type: ignore[no-untyped-def]
        if e.actor_organ_id:
            return e.actor_organ.name
        if (e.data or {}).get("from_organ_id"):
            return self.organ_name(e.data["from_organ_id"])
        return e.organ.name if e.organ_id else ""


def _route_ref(r: Route) -> tuple[str, str]:
    """("第三十一条第（六）项", "信访程序：…") from the workflow's route label."""
    label = ROUTE_LABELS[r]
    return f"第三十一条第{label[:3]}项", label[3:]


def _intro(ctx: _Context) -> str:
    p = ctx.petition
    received = clock.local_date(p.received_at)
    return (
        f"你于{cn_date(received)}通过{CHANNEL_LABELS.get(p.channel, p.channel)}"
        f"提出的“{p.title}”信访事项（查询码 {ids.format_tracking_code(p.tracking_code)}）"
    )


def _build(ctx: _Context, index: int) -> Document:
    e = ctx.events[index]
    kind = KINDS[ACTION_KIND[e.action]]
    on = clock.local_date(e.occurred_at)
    sections, remedy = _BUILDERS[kind.code](ctx, index, e, on)
    if ctx.plural:  # the fixed wording addresses them all; what staff wrote stays as written
        sections = [
            Section(s.heading, s.text.replace("你", "你们")) if s.heading in _OWN_WORDING else s
            for s in sections
        ]
    delivery = None
    if kind.decision:
        for later in ctx.events[index + 1 :]:
            if later.action in ACTION_KIND and ACTION_KIND[later.action] == kind.code:
                break  # a later decision of the same kind has its own delivery
            if (
                later.action == "record_delivery"
                and (later.data or {}).get("document") == _DELIVERY_OF[kind.code]
            ):
                d = later.data or {}
                delivery = Delivery(
                    on=clock.local_date(later.occurred_at),
                    method=DELIVERY_METHODS.get(d.get("method", ""), d.get("method", "")),
                    signed=bool(d.get("signed")),
                )
                break
    return Document(
        petition_id=ctx.petition.pk,
        seq=e.seq,
        kind=kind.code,
        title=AGREEMENT_TITLES.get((e.data or {}).get("agreement", ""), kind.title)
        if kind.code == "agreement"
        else kind.title,
        number=ctx.number(e) or f"{kind.number_code}〔{on.year}〕{e.pk}号",
        organ=ctx.issuing_organ(e),
        issued_on=on,
        recipient=ctx.recipient,
        tracking_code=ctx.petition.tracking_code,
        sections=sections,
        remedy=remedy,
        basis=kind.basis,
        is_decision=kind.decision,
        delivery=delivery,
    )


Built = tuple[list[Section], str]

#: The headings of sections in the document's own wording (the rest quote what staff wrote).
_OWN_WORDING = frozenset({"", "处理途径和程序"})


def _p(text: str) -> Section:
    return Section("", text)


def _acknowledgement(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    p = ctx.petition
    organ = ctx.issuing_organ(e)
    out = [_p(f"{_intro(ctx)}，{organ}已于{cn_date(on)}受理。经审查，该事项属于本机关职权范围。")]
    category = (e.data or {}).get("category") or p.category
    route = (e.data or {}).get("route") or p.route
    if category == Category.SUGGESTION:
        out.append(
            _p(
                f"本机关将对你提出的建议意见进行研究论证，并将研究和采纳情况予以答复（{R22}第二十九条）。"
            )
        )
    elif category == Category.ACCUSATION:
        out.append(
            _p(
                f"本机关将依照有关规定办理。检举控告材料及有关信息不会透露或者转给被检举控告的人员和单位（{R22}第三十条）。"
            )
        )
    elif category == Category.APPEAL and route:
        r = Route(int(route))
        item, what = _route_ref(r)
        text = f"依照{R22}{item}（{what}）办理。{ROUTE_HELP[r]}"
        if r == Route.PETITION:
            text += (
                "本机关将自受理之日起六十日内办结，出具信访处理意见书；情况复杂的，经本机关负责人批准，"
                f"可以适当延长办理期限，但延长期限不得超过三十日，并告知你延期理由（{R22}第三十四条）。"
            )
        out.append(Section("处理途径和程序", text))
    else:
        out.append(_p(f"本机关将依照{R22}规定的程序办理，并将办理结果告知你。"))
    out.append(
        _p(
            f"你可以凭查询码和查询密码在网上查询办理进展和结果，并对办理情况作出评价（{R22}第二十一条）。"
        )
    )
    return out, ""


_NOT_ACCEPT_GROUNDS = {
    "duplicate_higher": (
        "经审查，你反映的事项已经有关机关受理或者正在办理，又在规定期限内向上级机关提出同一信访事项，"
        f"依照{R22}第十九条第三款，本机关不予受理。"
    ),
    "same_facts_after_re_review": (
        "经审查，你反映的事项已经复核终结，现以同一事实和理由再次提出，"
        f"依照{R22}第三十六条第三款，本机关不予受理。"
    ),
}


def _non_acceptance(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    ground = (e.data or {}).get("ground", "other")
    out = [
        _p(f"{_intro(ctx)}，本机关已收到。"),
        _p(_NOT_ACCEPT_GROUNDS.get(ground, "经审查，本机关决定不予受理。")),
    ]
    if e.reason:
        out.append(Section("理由", e.reason))
    out.append(_p("你如有新的事实和理由，可以依法另行提出。"))
    return out, ""


def _transfer(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    to = e.organ.name if e.organ_id else ctx.organ_name((e.data or {}).get("to_organ_id"))
    verb = "交办" if e.action == "assign" else "转送"
    out = [_p(f"{_intro(ctx)}，本机关已收到。")]
    if e.action == "refer_legal":
        out.append(
            _p(
                f"该事项涉及法律、诉讼问题，本机关已于{cn_date(on)}将其移送{to}，"
                f"依照法律法规规定的程序处理（{R22}第二十二条、第二十八条）。"
            )
        )
    else:
        out.append(_p(f"依照{R22}第二十二条，本机关已于{cn_date(on)}将该事项{verb}{to}办理。"))
        if (e.data or {}).get("to_petition_office"):
            out.append(_p(f"{to}将依照规定转送或者交办有权处理的机关、单位。"))
        else:
            out.append(
                _p(
                    f"{to}将自收到之日起十五日内书面告知你接收情况以及处理途径和程序（{R22}第二十三条第三款）。"
                )
            )
    return out, ""


def _redirect(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    proper = (e.data or {}).get("proper_organ", "")
    out = [
        _p(f"{_intro(ctx)}，本机关已收到。"),
        _p(
            f"经审查，该事项不属于本机关（本系统）职权范围，请你向{proper}提出（{R22}第二十三条第一款）。"
        ),
    ]
    if e.reason:
        out.append(Section("理由", e.reason))
    return out, ""


def _channel(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    route = ctx.petition.route
    out = [_p(f"{_intro(ctx)}，本机关已受理。")]
    if route:
        r = Route(int(route))
        item, what = _route_ref(r)
        out.append(_p(f"经审查，该事项属于{R22}{item}所列情形（{what}）。{ROUTE_HELP[r]}"))
    out.append(Section("应当通过的法定途径", e.reason))
    return out, ""


def _extension(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    days = (e.data or {}).get("days")
    ack = ctx.last_before(i, "acknowledge", "decide_review")
    since = f"本机关于{cn_date(clock.local_date(ack.occurred_at))}受理该事项，" if ack else ""
    t6 = (
        ctx.petition.deadlines.filter(code="T6", start_date__lte=on, extension_days__gt=0)
        .order_by("-start_date")
        .values_list("due_date", "provisional")
        .first()
    )
    until = f"，延长后的办理期限至{cn_date(t6[0])}" if t6 else ""
    out = [
        _p(
            f"{_intro(ctx)}，{since}因情况复杂，经本机关负责人批准，办理期限延长{days}日{until}（{R22}第三十四条）。"
        ),
        Section("延期理由", e.reason),
    ]
    if t6 and t6[1]:
        out.append(_p(PROVISIONAL_DATE))
    return out, ""


#: Printed under a date counted over a year whose holidays the State Council has not arranged yet
#: (ADR 0012): the petitioner learns that the date may move, and which way it cannot.
PROVISIONAL_DATE = (
    "上述日期按《全国年节及纪念日放假办法》规定的法定节假日暂定计算；国务院办公厅公布当年节假日安排后，"
    "本机关将按公布的安排重新计算，日期如有变化另行告知。"
)


def _window_reopened(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    d = e.data or {}
    review = d.get("window") == "T7"
    what, step, article = (
        ("处理意见", "复查", "第三十五条") if review else ("复查意见", "复核", "第三十六条")
    )
    to = _parent_name(e) or ("原办理机关的上一级机关" if review else "复查机关的上一级机关")
    lapsed_on = date.fromisoformat(d["lapsed_on"]) if d.get("lapsed_on") else None
    true_due = date.fromisoformat(d["true_due"]) if d.get("true_due") else None
    if d.get("ground") == "asked_in_time":  # asked in time at another installation (issue 20)
        asked = clock.local_date(datetime.fromisoformat(d["asked_at"]))
        via = f"通过{d['via']}" if d.get("via") else ""
        return [
            _p(
                f"{_intro(ctx)}，你于{cn_date(asked)}{via}请求{step}，"
                + (
                    f"在对{what}请求{step}的期限（至{cn_date(true_due)}）内。"
                    if true_due
                    else "在申请期限内。"
                )
                + (
                    f"该请求送达本机关时，本机关已于{cn_date(lapsed_on)}将该期限登记为期满未申请。"
                    if lapsed_on
                    else ""
                )
            ),
            _p(
                f"请求{step}的权利以你提出请求的时间为准。本机关现恢复该申请期限，"
                f"你的{step}请求已转{to}办理（{R22}{article}）。"
            ),
        ], ""
    shown = date.fromisoformat(d["shown_due"]) if d.get("shown_due") else None
    due = (
        ctx.petition.deadlines.filter(code=d.get("window", ""), start_date=on)
        .values_list("due_date", flat=True)
        .first()
    )
    out = [
        _p(
            f"{_intro(ctx)}，你对{what}不服请求{step}的期限，自收到书面答复之日起计算"
            + (f"，原计算至{cn_date(shown)}" if shown else "")
            + (f"，本机关于{cn_date(lapsed_on)}将其登记为期满未申请。" if lapsed_on else "。")
        ),
        _p(
            "按现行的节假日安排，该期限"
            + (f"至{cn_date(true_due)}届满" if true_due else "届满日为休息日后的第一个工作日")
            + "，登记期满未申请时期限尚未届满（期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日，"
            "《中华人民共和国民法典》第二百零三条）。"
        ),
    ]
    remedy = (
        f"本机关现恢复你请求{step}的期限：你可以自本告知书作出之日起{d.get('days', '')}日内"
        + (f"，即在{cn_date(due)}前（含当日）" if due else "")
        + f"，向{to}请求{step}（{R22}{article}）。"
    )
    return out, remedy


def _decision_sections(d: dict, decision_label: str, outcome: str) -> list[Section]:
    return [
        Section(
            "信访请求" if decision_label == "处理意见" else f"{decision_label[:2]}请求",
            d.get("request", ""),
        ),
        Section("事实和理由", d.get("facts", "")),
        Section(
            decision_label,
            f"{outcome}。{d.get('decision', '')}" if outcome else d.get("decision", ""),
        ),
        Section("依据", d.get("legal_basis", "")),
    ]


def _remedy(organ_parent: str, step: str) -> str:
    if step == "review":
        return (
            f"信访人对处理意见不服的，可以自收到书面答复之日起30日内请求{organ_parent or '原办理机关的上一级机关'}"
            f"复查（{R22}第三十五条）。"
        )
    return (
        f"信访人对复查意见不服的，可以自收到书面答复之日起30日内向{organ_parent or '复查机关的上一级机关'}"
        f"请求复核（{R22}第三十六条）。"
    )


def _opinion(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    d = e.data or {}
    out = [
        _p(f"{_intro(ctx)}，本机关依法受理，听取了你的陈述，进行了调查核实。现提出处理意见如下：")
    ]
    out += _decision_sections(d, "处理意见", OPINION_OUTCOMES.get(d.get("outcome", ""), ""))
    remedy = d.get("remedy") or _remedy(_parent_name(e), "review")
    return out, remedy


def _reply(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    category = ctx.petition.category
    label = CATEGORY_LABELS.get(Category(category), "") if category else ""
    adoption = ADOPTION_LABELS.get((e.data or {}).get("adoption", ""))
    if adoption:  # a people's suggestion studied and decided (Art. 29)
        intro = (
            f"{_intro(ctx)}{f'（{label}）' if label else ''}，本机关已进行研究论证"
            f"（{R22}第二十九条），现答复如下："
        )
        return [
            _p(intro),
            Section("研究采纳情况", f"{adoption}。"),
            Section("答复意见", e.reason),
        ], ""
    intro = f"{_intro(ctx)}{f'（{label}）' if label else ''}，本机关已依法办理，现答复如下："
    return [_p(intro), Section("答复意见", e.reason)], ""


def _names_in_agreement(ctx: _Context, d: dict) -> list[str]:  # type: ignore[type-arg]
    """The names an agreement's text may carry: its signers and the petition's parties."""
    parties = ctx.petition.parties.filter(is_organisation=False).values_list("name", flat=True)
    return [s.get("name", "") for s in d.get("signatures") or []] + list(parties)


def _terms(ctx: _Context, text: str, names) -> str:  # type: ignore[no-untyped-def]
    """The terms as the reader may see them: where the parties are masked to the reader, so
    are their names and any identity number or phone in the terms (Art. 46(5))."""
    return mask_text(mask_names_in(text, names)) if ctx.names_hidden else text


def _agreement(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    """The Art. 33 agreement: the mediation's record, what was agreed, who signed, when and
    how; the remedy route stays printed (what the parties may still do)."""
    d = e.data or {}
    names = _names_in_agreement(ctx, d) if ctx.names_hidden else ()
    # who was present is a list of people: withheld whole, as the mediation page does
    present = d.get("present", "") if not ctx.names_hidden else "（仅现办理机关可见）"
    word = "调解" if d.get("agreement") == "mediation" else "和解"
    held = d.get("held_on", "")
    held_text = cn_date(date.fromisoformat(held)) if held else ""
    out = [
        _p(
            f"{_intro(ctx)}，本机关在办理过程中，经双方当事人同意，"
            f"{'主持调解' if word == '调解' else '引导双方当事人和解'}，达成如下协议（{R22}第三十三条）："
        ),
        Section(
            f"{word}情况",
            "；".join(
                x
                for x in (
                    f"{word}日期：{held_text}" if held_text else "",
                    f"地点：{d.get('place', '')}" if d.get("place") else "",
                    f"调解人：{d.get('mediator', '')}" if d.get("mediator") else "",
                    f"到场人员：{present}" if present else "",
                )
                if x
            ),
        ),
        Section("协议内容", _terms(ctx, d.get("summary", ""), names)),
    ]
    signed = []
    for s in d.get("signatures") or []:
        when = cn_date(date.fromisoformat(s["on"])) if s.get("on") else ""
        name = mask_name(s.get("name", "")) if ctx.names_hidden else s.get("name", "")
        signed.append(
            f"{name}（{s.get('side_label', '')}）于{when}{SIGN_METHODS.get(s.get('method', ''), '')}"
        )
    if signed:
        out.append(Section("当事人签字", "；".join(signed) + "。"))
    return out, AGREEMENT_REMEDY


def _review_opinion(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    d = e.data or {}
    opinion = ctx.last_before(i, "issue_opinion")
    request = ctx.last_before(i, "request_review")
    handler = ctx.issuing_organ(opinion) if opinion else "原办理机关"
    when = f"于{cn_date(clock.local_date(request.occurred_at))}" if request else ""
    opinion_on = f"于{cn_date(clock.local_date(opinion.occurred_at))}" if opinion else ""
    out = [
        _p(
            f"你不服{handler}{opinion_on}对你提出的“{ctx.petition.title}”信访事项作出的处理意见，{when}请求复查。"
            "本机关依法进行了复查，现提出复查意见如下："
        )
    ]
    out += _decision_sections(d, "复查意见", REVIEW_OUTCOMES.get(d.get("outcome", ""), ""))
    if d.get("outcome") == "redo":
        remedy = (
            f"本机关责令{handler}重新办理，自本意见作出之日起{d.get('redo_days', 60)}日内重新出具信访处理意见书。"
            f"信访人对重新作出的处理意见不服的，可以依照{R22}第三十五条请求复查。"
        )
    else:
        remedy = d.get("remedy") or _remedy(_parent_name(e), "re_review")
    return out, remedy


def _re_review_opinion(ctx: _Context, i: int, e, on: date) -> Built:  # type: ignore[no-untyped-def]
    d = e.data or {}
    review = ctx.last_before(i, "decide_review")
    request = ctx.last_before(i, "request_re_review")
    reviewer = ctx.issuing_organ(review) if review else "复查机关"
    when = f"于{cn_date(clock.local_date(request.occurred_at))}" if request else ""
    hearing = any(
        x.action == "hearing_start"
        for x in ctx.events[ctx.events.index(request) if request else 0 : i]
    )
    out = [
        _p(
            f"你不服{reviewer}对你提出的“{ctx.petition.title}”信访事项作出的复查意见，{when}请求复核。"
            f"本机关依法进行了复核{'，并举行了听证' if hearing else ''}，现提出复核意见如下："
        )
    ]
    out += _decision_sections(d, "复核意见", "")
    return out, FINALITY


def _parent_name(e) -> str:  # type: ignore[no-untyped-def]
    organ = e.actor_organ if e.actor_organ_id else (e.organ if e.organ_id else None)
    parent = organ.parent if organ is not None and organ.parent_id else None
    return parent.name if parent else ""


_BUILDERS = {
    "acknowledgement": _acknowledgement,
    "non_acceptance": _non_acceptance,
    "transfer_notice": _transfer,
    "assign_notice": _transfer,
    "legal_notice": _transfer,
    "redirect_notice": _redirect,
    "channel_notice": _channel,
    "extension_notice": _extension,
    "opinion": _opinion,
    "reply": _reply,
    "agreement": _agreement,
    "review_opinion": _review_opinion,
    "re_review_opinion": _re_review_opinion,
    "window_reopened": _window_reopened,
}
