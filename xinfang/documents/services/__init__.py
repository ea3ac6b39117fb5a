"""Writes of the documents app: giving a document its 文号 when its event is written."""

from __future__ import annotations

from django.db import transaction

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


def document_number_next(*, organ_id: int, code: str, year: int) -> str:
    """The next 文号 of ``organ_id``'s documents of kind ``code`` in ``year`` (in the caller's
    transaction): also for the documents of other apps that are not a petition's event (a
    supervision notice and its written reply, Art. 40)."""
    with transaction.atomic(savepoint=False):
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(organ_id=organ_id, code=code, year=year)], ignore_conflicts=True
        )
        counter = DocumentCounter.objects.select_for_update().get(
            organ_id=organ_id, code=code, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
        organ = Organ.objects.only("name", "abbreviation").get(pk=organ_id)
        return f"{organ_abbreviation(organ)}{code}〔{year}〕{counter.last}号"


def document_number_on_act(*, petition: object, event: PetitionEvent, before: object) -> None:
    """Hook of ``petition_act``: the 文号 of the document the step issues, if any."""
    document_number_assign(event=event)
