"""The documents addressed to the petitioner, read from a petition's event log.

Every petitioner-facing step of the procedure yields one document with a date (regulation §6.2
notes): the notice of acceptance, non-acceptance, transfer, redirect, channelling and extension,
the handling opinion (信访处理意见书), the reply, and the review and re-review opinions. A
document is a *view* of its event: the event holds what was decided (Art. 32 contents, reasons,
dates), so the document needs no table of its own and can never disagree with the record.

The 文号 (机关代字 + 文种代字 + 〔year〕 + running number) is given when the event is written
(``documents.services.document_number_assign``, a per-organ, per-kind, per-year register);
events written before that register existed show the kind's code, the year and the event id.

Callers pass a petition they were allowed to read (``petitions.selectors.petition_get_for_user``
for staff, the portal's code-and-password gate for petitioners).

By part: ``kinds`` (the kinds of document and what one holds), ``texts`` (what each says),
``reads`` (a petition's documents). Every name is importable from this package.
"""

from xinfang.documents.selectors.kinds import (
    ACTION_KIND,
    CHANNEL_LABELS,
    DELIVERY_METHODS,
    FINALITY,
    KINDS,
    OPINION_OUTCOMES,
    R22,
    REVIEW_OUTCOMES,
    Delivery,
    Document,
    Kind,
    Section,
    cn_date,
    document_title,
)
from xinfang.documents.selectors.reads import document_get, document_list

__all__ = [
    "ACTION_KIND",
    "CHANNEL_LABELS",
    "DELIVERY_METHODS",
    "FINALITY",
    "KINDS",
    "OPINION_OUTCOMES",
    "R22",
    "REVIEW_OUTCOMES",
    "Delivery",
    "Document",
    "Kind",
    "Section",
    "cn_date",
    "document_get",
    "document_list",
    "document_title",
]
