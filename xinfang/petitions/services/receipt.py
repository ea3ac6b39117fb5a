"""The receipt of a registration answered again (the same submission sent twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from xinfang.core import ids
from xinfang.core.errors import NotFound
from xinfang.petitions.models import Petition
from xinfang.petitions.services.register import Registration


def petition_receipt_again(*, petition_id: int) -> Registration:
    """The registration of ``petition_id`` with a new query password.

    The same submission sent again (a double click, a refresh, a client's retry) is not
    registered twice; its sender gets the receipt again. The query password exists only as
    its HMAC (ADR 0003), so the receipt carries a new one and the earlier one stops working:
    the browser that sent the submission twice may never have shown the first answer.
    Only a caller holding the submission's one-time token (``xinfang.core.once``) gets here.
    """
    with transaction.atomic():
        petition = Petition.objects.select_for_update().filter(pk=petition_id).first()
        if petition is None:
            raise NotFound()
        password = ids.new_query_password()
        petition.query_secret = ids.hash_query_password(
            petition.tracking_code, password, settings.SECRET_KEY
        )
        petition.save(update_fields=["query_secret"])
    return Registration(petition, password)
