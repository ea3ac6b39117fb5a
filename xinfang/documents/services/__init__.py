"""Writes of the documents app: giving a document its 文号 when its event is written."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Q

from xinfang.core import clock
from xinfang.directory.models import Organ
from xinfang.documents.models import DocumentCounter, DocumentNumber
from xinfang.documents.selectors import ACTION_KIND, KINDS
from xinfang.petitions.models import PetitionEvent


def organ_abbreviation(organ: Organ) -> str:
    """The organ's 机关代字: set in the admin, else the first two characters of its name."""
    return (organ.abbreviation or organ.name[:2]).strip()


def issuing_organ_id(e: PetitionEvent) -> int | None:
    """The organ that issues the document of ``e`` (as the document itself names it)."""
    return e.actor_organ_id or (e.data or {}).get("from_organ_id") or e.organ_id


def document_number_assign(*, event: PetitionEvent) -> str | None:
    """Give the document of ``event`` the next number of its organ, kind and year (in the
    caller's transaction); None when the event yields no document."""
    kind_code = ACTION_KIND.get(event.action)
    organ_id = issuing_organ_id(event)
    if kind_code is None or organ_id is None:
        return None
    kind = KINDS[kind_code]
    with transaction.atomic(savepoint=False):
        number = document_number_next(
            organ_id=organ_id, code=kind.number_code, year=clock.local_date(event.occurred_at).year
        )
        DocumentNumber.objects.create(event=event, number=number)
    return number


def _sharing_prefix(organ: Organ, prefix: str) -> list[int]:
    """The organs whose documents carry ``prefix`` as 机关代字 (set, or taken from the name),
    lowest id first: nothing requires distinct 代字, and every organ of 青山区 without one falls
    back to 青山."""
    rows = Organ.objects.filter(Q(abbreviation__contains=prefix) | Q(name__startswith=prefix))
    same = {
        o.pk for o in rows.only("pk", "name", "abbreviation") if organ_abbreviation(o) == prefix
    }
    return sorted(same | {organ.pk})


def document_number_next(*, organ_id: int, code: str, year: int) -> str:
    """The next 文号 of ``organ_id``'s documents of kind ``code`` in ``year`` (in the caller's
    transaction): also for the documents of other apps that are not a petition's event (a
    supervision notice and its written reply, Art. 40).

    A 文号 names one document (GB/T 9704-2012 7.2.4: 代字、年份、序号): the sequence runs per
    *prefix*, not per organ, so two organs that print the same 代字 never issue the same number.
    All organs sharing a prefix count on the counter row of the lowest of them (locked), which
    starts above every number any of them already gave (numbers issued are never changed)."""
    with transaction.atomic(savepoint=False):
        organ = Organ.objects.only("name", "abbreviation").get(pk=organ_id)
        prefix = organ_abbreviation(organ)
        sharing = _sharing_prefix(organ, prefix)
        keeper = sharing[0]
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(organ_id=keeper, code=code, year=year)], ignore_conflicts=True
        )
        counter = DocumentCounter.objects.select_for_update().get(
            organ_id=keeper, code=code, year=year
        )
        top = DocumentCounter.objects.filter(organ_id__in=sharing, code=code, year=year).aggregate(
            n=Max("last")
        )["n"]
        counter.last = max(counter.last, top or 0) + 1
        counter.save(update_fields=["last"])
        return f"{prefix}{code}〔{year}〕{counter.last}号"


def document_number_on_act(*, petition: object, event: PetitionEvent, before: object) -> None:
    """Hook of ``petition_act``: the 文号 of the document the step issues, if any."""
    document_number_assign(event=event)
