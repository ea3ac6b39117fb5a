"""The Art. 32 check of an opinion being written on the petition page (see ``opinion_check``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from xinfang.insight.opinions.opinion_check import Missing, check_opinion
from xinfang.petitions.models import Petition

#: The opinion form's fields (``xinfang.web.forms.FIELDS[ISSUE_OPINION]``) kept on a refusal.
OPINION_FIELDS = ("outcome", "request", "facts", "decision", "legal_basis", "reason")
ACK_FIELD = "ack_missing"


def opinion_remedy(*, petition: Petition) -> str:
    """The remedy clause the system prints on the opinion (the service adds it on issuing)."""
    from xinfang.petitions.services import _remedy_text

    return _remedy_text(petition.current_organ, "review")


def opinion_missing(*, petition: Petition, post: Any) -> list[Missing]:
    """What the opinion in ``post`` does not state of Art. 32 (and the remedy clause)."""
    # The form has a field for each part, printed under its heading (信访请求, 事实和理由): a
    # field of at least a sentence (10 characters) states that part; a shorter one is judged
    # by the patterns (a bare "餐馆已整改。" states no finding).
    parts = {k: str(post.get(k, "")).strip() for k in ("request", "facts", "decision")}
    heads = {"request": "信访请求：", "facts": "事实和理由：", "decision": ""}
    text = "。".join((heads[k] if len(v) >= 10 else "") + v for k, v in parts.items())
    remedy = str(post.get("remedy", "")).strip() or opinion_remedy(petition=petition)
    return check_opinion(
        text,
        decision=post.get("outcome") or None,
        legal_basis=post.get("legal_basis") or None,
        remedy=remedy,
    )


def opinion_acknowledged(post: Any) -> bool:
    return post.get(ACK_FIELD) in ("on", "true", "1")


def opinion_refusal(*, action: str, missing: list[Missing], post: Any) -> dict[str, Any]:
    """The ``errors`` the petition page shows when an opinion with gaps was not acknowledged."""
    return {
        "action": action,
        "message": gettext(
            "处理意见书尚未写明第三十二条要求的全部内容：请补充，"
            "或勾选“已知悉以上缺项，仍然出具”后再出具。"
        ),
        "fields": {},
        "opinion_missing": missing,
        "opinion_post": {k: str(post.get(k, "")) for k in OPINION_FIELDS if post.get(k)},
    }
