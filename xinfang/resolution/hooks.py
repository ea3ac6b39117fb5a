"""Hooks registered into petitions (``extensions.on_acted``), run inside the step's transaction:
one that raises refuses the whole step."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from xinfang.petitions.workflow import Action, Category
from xinfang.resolution.services._shared import deciding_suggestion, invalid


def settle_only_through_its_mediation(*, petition: Any, event: Any, before: Any) -> None:
    """调解和解 (Art. 33): once a mediation is recorded for a petition, the matter is settled
    only by that mediation's agreement with every party's signature (``mediation_sign`` takes
    the ``settle`` step itself, naming the mediation). A ``settle`` taken from the petition
    page after a party refused to sign, or while signatures are still awaited, would close the
    matter on an agreement that does not exist: refused. A matter with no mediation record
    settles as before (a settlement the parties reached and the organ recorded)."""
    if event.action != Action.SETTLE:
        return
    from xinfang.resolution.models import Mediation, MediationStatus

    mediations = Mediation.objects.filter(petition_id=petition.pk)
    mediation_id = (event.data or {}).get("mediation_id")
    if mediation_id is not None:
        return  # taken by mediation_sign on the last signature
    latest = mediations.order_by("-pk").values_list("status", flat=True).first()
    if latest is None:
        return
    if latest == MediationStatus.FAILED:
        why = gettext(
            "本件的调解有当事人拒绝签字，未达成协议，不能以调解和解结案；可以重新调解（第三十三条）"
        )
    else:
        why = gettext("本件已登记调解，请在调解页面登记各方签字，全部签字后自动结案（第三十三条）")
    raise invalid({"summary": [why]}, why)


def reply_to_a_suggestion_only_through_its_decision(
    *, petition: Any, event: Any, before: Any
) -> None:
    """建议意见类 (Art. 29): a people's suggestion is answered by deciding it - adopted, partly
    adopted or not adopted - with the reasons (对可以采纳的予以采纳并回复). ``suggestion_decide``
    takes the ``reply`` step itself, naming its study and the decision. A plain ``reply`` from
    the petition page (or the API) would close the suggestion with no decision recorded: no
    adoption in the reply document, nothing for the public list or for recognition. Refused,
    with the way to the decision step."""
    if event.action != Action.REPLY or before.category != Category.SUGGESTION:
        return
    from xinfang.resolution.models import Suggestion, SuggestionStatus

    # suggestion_decide marks its own step (a ContextVar, as federation's remedy_asked_at):
    # the step's data is the caller's, and the API passes it as sent
    study = deciding_suggestion.get()
    if study is not None:
        studying = Suggestion.objects.filter(
            pk=study, petition_id=petition.pk, status=SuggestionStatus.STUDYING
        )
        if studying.exists():
            return  # taken by suggestion_decide
    why = gettext(
        "建议意见类信访事项须在“人民建议”中研究，作出予以采纳、部分采纳或不予采纳的决定，"
        "答复随决定一并发出（第二十九条）"
    )
    raise invalid({"reason": [why]}, why)
