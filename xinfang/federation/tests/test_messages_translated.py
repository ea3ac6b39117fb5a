"""The federation inbox's refusals are translated (review-revB item 9): a peer or a staff
member reading in English gets English, as every other message of the app."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import translation

from xinfang.core import clock
from xinfang.core.errors import ApplicationError
from xinfang.federation.services.remedy_in import remedy_apply


@pytest.mark.django_db
def test_a_forwarded_request_that_is_no_remedy_is_refused_in_the_readers_language():
    envelope = SimpleNamespace(body={"action": "settle", "transfer_id": "x"})
    with translation.override("en"):
        with pytest.raises(ApplicationError) as e:
            remedy_apply(peer=None, envelope=envelope, now=clock.now())  # type: ignore[arg-type]
    assert e.value.message == "A request that cannot be forwarded"
    with translation.override("zh-hans"):
        with pytest.raises(ApplicationError) as e:
            remedy_apply(peer=None, envelope=envelope, now=clock.now())  # type: ignore[arg-type]
    assert e.value.message == "不能转来的请求"
