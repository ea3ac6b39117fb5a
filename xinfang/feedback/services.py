"""Writes of evaluations. Only the petitioner evaluates (regulation §8.2): there is no staff path."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.feedback.models import Evaluation, Rating, Stage
from xinfang.feedback.selectors import evaluation_windows
from xinfang.petitions import extensions

COMMENT_MAX = 1000


def evaluation_submit(
    *,
    petition,  # type: ignore[no-untyped-def]
    stage: str,
    rating: str,
    comment: str = "",
    actor: object | None = None,
    at: datetime | None = None,
) -> Evaluation:
    """Record the petitioner's evaluation of one stage, once, within its window.

    ``actor`` is the signed-in staff user of the request, if any: staff never evaluate on a
    petitioner's behalf (regulation §8.2, "责任代为评价"), so any actor is refused.
    """
    if actor is not None:
        raise Forbidden(gettext("工作人员不能代为评价：满意度评价只能由信访人本人提出"))
    errs: dict[str, list[str]] = {}
    if stage not in Stage.values:
        errs["stage"] = [gettext("评价环节无效")]
    if rating not in Rating.values:
        errs["rating"] = [gettext("请选择：满意、基本满意或不满意")]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errs["comment"] = [gettext("意见不超过 %(n)s 字") % {"n": COMMENT_MAX}]
    if errs:
        raise ApplicationError(gettext("评价信息有误，请按提示修改"), fields=errs)
    when = at or clock.now()
    window = next(
        (w for w in evaluation_windows(petition=petition, today=clock.local_date(when))
         if w.stage == stage),
        None,
    )
    if window is None:
        raise ApplicationError(
            gettext("该环节尚未作出书面答复，暂不能评价"), code="not_open", status=409
        )
    if window.evaluation is not None:
        raise ApplicationError(
            gettext("该环节已经评价过，每个环节只评价一次"), code="already", status=409
        )
    if not window.is_open:
        raise ApplicationError(
            gettext("评价期限已于 %(due)s 届满") % {"due": window.closes},
            code="window_closed",
            status=409,
        )
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                petition=petition,
                stage=stage,
                organ_id=window.organ_id,
                rating=rating,
                comment=comment,
                created_at=when,
            )
            extensions.changed(petition_ids=[petition.pk])  # the rate rollup counts it
            return evaluation
    except IntegrityError as e:  # a second submission raced the first
        raise ApplicationError(
            gettext("该环节已经评价过，每个环节只评价一次"), code="already", status=409
        ) from e


__all__ = ["evaluation_submit"]
