"""Relief (信访救助, Art. 37): an application linked to a petition, the approval chain handler ->
organ head -> fund owner, payments from the fund, the fund's ledger per organ and year.

The fund's balance never goes below zero: a payment locks the fund row and is refused when the
balance cannot cover it (a check constraint stands behind the service). Relief is help for real
hardship and carries no condition on the petitioner's rights (Art. 37; DEVELOPERS.md principle
3): no parameter here takes one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from xinfang.audit.services import audit_record
from xinfang.core import clock
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.documents.services import document_number_next
from xinfang.petitions.selectors import petition_get_for_user
from xinfang.resolution.access import fund_for_petition, funds_open_to, relief_scope, require
from xinfang.resolution.models import (
    EntryKind,
    FundEntry,
    ReliefApplication,
    ReliefDecision,
    ReliefFund,
    ReliefStatus,
)
from xinfang.resolution.services._shared import (
    ApplicationError,
    Forbidden,
    exists,
    invalid,
    prior,
    record_for_update,
    text,
    unique,
)

NUMBER_CODE = "信救"  # 文种代字 of a relief application
MAX_AMOUNT = Decimal("10000000")  # one application or allocation, yuan
MAX_BALANCE = Decimal("999999999999.99")  # what a fund's balance column holds (14 digits)
DUPLICATE_APPLICATION = "已存在：该救助申请已经提交，请勿重复提交"
DUPLICATE_STEP = "已存在：该环节已经审批，请刷新页面查看"


def amount_parse(value: object, *, field: str) -> Decimal:
    """A positive amount of yuan with at most two decimals; anything else a 400 on ``field``."""
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise invalid({field: [gettext("金额应为数字（元，最多两位小数）")]}) from None
    if not d.is_finite() or d <= 0 or d > MAX_AMOUNT or d != d.quantize(Decimal("0.01")):
        raise invalid({field: [gettext("金额应大于 0、不超过一千万元，最多两位小数")]})
    return d.quantize(Decimal("0.01"))


def _over_balance(fund: ReliefFund, amount: Decimal, field: str) -> dict[str, list[str]]:
    """An amount the fund's balance cannot cover, as an error on ``field`` (else none)."""
    if amount <= fund.balance:
        return {}
    return {field: [gettext("救助资金余额不足（余额 %(b)s 元）") % {"b": fund.balance}]}


def _audit(actor: User, kind: str, obj: str, pk: int, data: dict, at: datetime) -> None:
    audit_record(kind=kind, actor=actor, object_type=obj, object_id=pk, data=data, at=at)


def relief_fund_allocate(
    *, actor: User, year: int, amount: Decimal, note: str = "", at: datetime | None = None
) -> FundEntry:
    """Money allocated to the actor's organ's fund for ``year`` (拨入); the fund is opened on
    its first allocation. Only the head of the fund-owning organ (``Cap.RELIEF_DECIDE``)."""
    require(actor, Cap.RELIEF_DECIDE)
    if actor.organ_id is None:
        raise Forbidden()
    at = at or clock.now()
    amount = amount_parse(amount, field="amount")
    note = text(note, limit=200, field="note")
    if not 2000 <= year <= 2100:
        raise invalid({"year": [gettext("年度有误")]})
    with transaction.atomic():
        ReliefFund.objects.get_or_create(organ_id=actor.organ_id, year=year)
        fund = ReliefFund.objects.select_for_update().get(organ_id=actor.organ_id, year=year)
        if fund.balance + amount > MAX_BALANCE:
            raise invalid({"amount": [gettext("拨入后余额超出可记录的范围")]})
        fund.balance = F("balance") + amount
        fund.save(update_fields=["balance"])
        fund.refresh_from_db(fields=["balance"])
        entry = FundEntry.objects.create(
            fund=fund,
            kind=EntryKind.ALLOCATION,
            amount=amount,
            balance_after=fund.balance,
            on=clock.local_date(at),
            note=note or "拨入",  # the record's language (zh-hans), like a document
            by=actor,
            recorded_at=at,
        )
        _audit(actor, "relief.allocate", "relief_fund", fund.pk, {"amount": str(amount)}, at)
    return entry


def relief_apply(
    *,
    actor: User,
    petition_id: int,
    fund_id: int | None,
    reasons: str,
    hardship: str,
    amount: Decimal,
    submission: str | None = None,
    at: datetime | None = None,
) -> ReliefApplication:
    """A handler applies for relief for the petitioner of a petition the actor's organ may see,
    to a fund of its own region or one above (Art. 37)."""
    require(actor, Cap.RELIEF_APPLY)
    if actor.organ is None:
        raise Forbidden()
    at = at or clock.now()
    if (done := prior(ReliefApplication, submission, applied_by=actor)) is not None:
        return done
    petition = petition_get_for_user(user=actor, petition_id=petition_id)
    errors: dict[str, list[str]] = {}
    reasons = text(reasons, limit=5000, field="reasons")
    hardship = text(hardship, limit=10000, field="hardship")
    if not reasons:
        errors["reasons"] = [gettext("请写明申请理由")]
    if not hardship:
        errors["hardship"] = [gettext("请写明困难情况")]
    fund = (
        ReliefFund.objects.filter(funds_open_to(actor.organ), pk=fund_id).first()
        if fund_id
        else None
    )
    try:
        amount = amount_parse(amount, field="amount")
    except ApplicationError as e:
        errors.update(e.fields)
    chosen = fund
    if fund is None:
        errors["fund"] = [gettext("请选择本地区或上级的救助资金")]
    elif (fund := fund_for_petition(petition, fund)) is None:
        errors["fund"] = [
            gettext(
                "该信访事项检举控告所选救助资金的管理机关（或其上级），上级也没有本年度的"
                "救助资金，请选择上级的救助资金（第三十条第三款）"
            )
        ]
    elif "amount" not in errors:
        errors.update(_over_balance(fund, amount, "amount"))
    if errors:
        raise invalid(errors)
    assert fund is not None and chosen is not None
    today = clock.local_date(at)
    with transaction.atomic(), unique(gettext(DUPLICATE_APPLICATION)):  # one-time key
        app = ReliefApplication.objects.create(
            petition=petition,
            organ=actor.organ,
            fund=fund,
            number=document_number_next(organ_id=actor.organ_id, code=NUMBER_CODE, year=today.year),
            reasons=reasons,
            hardship=hardship,
            amount_requested=amount,
            applied_on=today,
            applied_by=actor,
            submission=submission or None,
        )
        data = {"petition_id": petition.pk, "fund_id": fund.pk}
        if fund.pk != chosen.pk:  # routed past the accused fund owner (Art. 30 para 3)
            data["fund_chosen_id"] = chosen.pk
        _audit(actor, "relief.apply", "relief_application", app.pk, data, at)
    return app


def _for_update(actor: User, application_id: int) -> ReliefApplication:
    return record_for_update(
        ReliefApplication,
        actor=actor,
        record_id=application_id,
        scope=relief_scope(actor),
        missing=gettext("未找到该救助申请，或不在您的查看范围内"),
        related=("fund",),
    )


def relief_decide(
    *,
    actor: User,
    application_id: int,
    approve: bool,
    note: str = "",
    amount: Decimal | None = None,
    at: datetime | None = None,
) -> ReliefApplication:
    """The next step of the chain: the applying organ's head (``head``), then the head of the
    organ that owns the fund (``fund``), who fixes the amount (at most the amount asked). A
    refusal at either step ends the application, with its reason."""
    at = at or clock.now()
    note = text(note, limit=500, field="note")
    with transaction.atomic():
        app = _for_update(actor, application_id)
        require(actor, Cap.RELIEF_DECIDE)
        if app.status == ReliefStatus.SUBMITTED:
            step, organ_id = "head", app.organ_id
        elif app.status == ReliefStatus.HEAD_APPROVED:
            step, organ_id = "fund", app.fund.organ_id
        else:
            raise invalid({"status": [gettext("该救助申请当前状态不能审批")]})
        if actor.organ_id != organ_id:
            raise Forbidden(gettext("由申请机关负责人审核，再由救助资金管理机关负责人审批"))
        if not approve and not note:
            raise invalid({"note": [gettext("不同意的，请写明理由")]})
        fields = ["status"]
        if approve and step == "fund":
            granted = (
                amount_parse(amount, field="amount") if amount is not None else app.amount_requested
            )
            if granted > app.amount_requested:
                raise invalid({"amount": [gettext("批准金额不能超过申请金额")]})
            fund = ReliefFund.objects.get(pk=app.fund_id)
            if over := _over_balance(fund, granted, "amount"):
                raise invalid(over)
            app.amount_approved = granted
            fields.append("amount_approved")
        if not approve:
            app.status = ReliefStatus.REJECTED
        else:
            app.status = ReliefStatus.HEAD_APPROVED if step == "head" else ReliefStatus.APPROVED
        if ReliefDecision.objects.filter(application=app, step=step).exists():
            raise exists(gettext(DUPLICATE_STEP))
        app.save(update_fields=fields)
        with unique(gettext(DUPLICATE_STEP)):
            ReliefDecision.objects.create(
                application=app,
                step=step,
                approve=approve,
                note=note,
                by=actor,
                on=clock.local_date(at),
            )
        _audit(actor, f"relief.{step}", "relief_application", app.pk, {"approve": approve}, at)
    return app


def relief_pay(
    *,
    actor: User,
    application_id: int,
    amount: Decimal,
    at: datetime | None = None,
) -> FundEntry:
    """A payment of an approved application from its fund (by the fund owner's head) on the
    day of ``at``: at most what is still unpaid, and never more than the fund's balance (the
    balance never goes below zero)."""
    at = at or clock.now()
    amount = amount_parse(amount, field="amount")
    with transaction.atomic():
        app = _for_update(actor, application_id)
        require(actor, Cap.RELIEF_DECIDE)
        if actor.organ_id != app.fund.organ_id:
            raise Forbidden(gettext("由救助资金管理机关发放"))
        if app.status != ReliefStatus.APPROVED:
            raise invalid({"status": [gettext("该救助申请尚未批准或已发放完毕")]})
        assert app.amount_approved is not None
        if amount > app.amount_approved - app.paid_total:
            raise invalid({"amount": [gettext("发放金额超过尚未发放的批准金额")]})
        fund = ReliefFund.objects.select_for_update().get(pk=app.fund_id)
        if amount > fund.balance:
            raise invalid(
                {"amount": [gettext("救助资金余额不足（余额 %(b)s 元）") % {"b": fund.balance}]}
            )
        fund.balance = F("balance") - amount
        fund.save(update_fields=["balance"])
        fund.refresh_from_db(fields=["balance"])
        app.paid_total = app.paid_total + amount
        if app.paid_total >= app.amount_approved:
            app.status = ReliefStatus.PAID
        app.save(update_fields=["paid_total", "status"])
        entry = FundEntry.objects.create(
            fund=fund,
            kind=EntryKind.PAYMENT,
            amount=amount,
            balance_after=fund.balance,
            on=clock.local_date(at),
            note=f"救助发放 {app.number}",
            application=app,
            by=actor,
            recorded_at=at,
        )
        _audit(actor, "relief.pay", "relief_application", app.pk, {"amount": str(amount)}, at)
    return entry


__all__ = [
    "amount_parse",
    "relief_apply",
    "relief_decide",
    "relief_fund_allocate",
    "relief_pay",
]
