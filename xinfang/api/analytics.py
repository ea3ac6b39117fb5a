"""API operations: de-identified counts."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router

from xinfang.api.schemas import ERRORS, IsoDate, SummaryOut
from xinfang.core.day_params import days_ordered

router = Router()


@router.get("/analytics/summary", response={200: SummaryOut, **ERRORS}, tags=["analytics"])
def analytics_summary(  # type: ignore[no-untyped-def]
    request: HttpRequest, received_from: IsoDate | None = None, received_to: IsoDate | None = None
):
    """De-identified counts for the caller's jurisdiction: by category and state, and by region
    (needs ``view_deidentified``; no identity, no row, no ranking)."""
    from xinfang.analytics.selectors import statistics_for_user

    # a reversed range selects nothing: a 400 at received_from, as /petitions answers, not zeros
    days_ordered(
        received_from, received_to, field="received_from", message=gettext("起始日期晚于截止日期")
    )
    return statistics_for_user(
        user=request.user, received_from=received_from, received_to=received_to  # type: ignore[arg-type]
    ).as_dict()
