"""An opinion posted straight to ``/act/issue_opinion/`` with Art. 32 parts missing (issue 12):
the answer is the opinion editor with the gaps named and every word kept, not a petition page
without the form. Nothing is issued and nothing is saved until the signer acts on the editor."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act

pytestmark = pytest.mark.django_db

GAPPY = {
    "outcome": "not_support",
    "request": "请求责令餐馆停止夜间营业",
    "facts": "餐馆已整改。",  # the facts as found are not stated
    "decision": "对请求不予支持。",
    "legal_basis": "无",  # no law cited
    "reason": "现场核查两次",
}


def _in_handling(world, register):  # type: ignore[no-untyped-def]
    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    return p


def test_a_gappy_opinion_posted_directly_comes_back_on_the_editor_with_every_word(
    client, world, register
):
    from xinfang.documents.models import Draft

    p = _in_handling(world, register)
    client.force_login(world.head)
    r = client.post(f"/petitions/{p.pk}/act/issue_opinion/", GAPPY)
    html = r.content.decode()
    assert r.status_code == 400
    # the editor's form, posting to the editor, with the gaps and the box to acknowledge them
    assert f'action="/petitions/{p.pk}/draft/issue_opinion/"' in html
    assert 'id="error-summary"' in html and "处理意见书尚未写明（第三十二条）" in html
    assert "法律政策依据" in html and 'name="ack_missing"' in html
    for value in ("请求责令餐馆停止夜间营业", "餐馆已整改。", "对请求不予支持。", "现场核查两次"):
        assert value in html
    assert '<option value="not_support" selected>' in html
    p.refresh_from_db()
    assert p.state == "in_handling"
    assert not Draft.objects.filter(petition_id=p.pk).exists()


def test_another_organ_posting_it_still_gets_the_refusal_not_the_editor(client, world, register):
    p = _in_handling(world, register)
    client.force_login(world.po_head)  # the office no longer holds it
    r = client.post(f"/petitions/{p.pk}/act/issue_opinion/", GAPPY)
    assert r.status_code in (400, 403, 404)
    assert f'action="/petitions/{p.pk}/draft/issue_opinion/"' not in r.content.decode()
    p.refresh_from_db()
    assert p.state == "in_handling"
