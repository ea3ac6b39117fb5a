"""The action forms of the petition page (issue 12, items 1 and 3): a step's required facts are
marked and refused when missing, so no petition is left without a way on; a refused form comes
back with everything the user typed, chose and dated."""

from __future__ import annotations

import re

import pytest

from conftest import local
from tests.flows import act
from xinfang.petitions.models import Petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def _transferred(world, register):  # type: ignore[no-untyped-def]
    p = register(
        category="", route=None, received_at=local(2025, 8, 28), at=local(2025, 8, 29)
    ).petition
    act(world, p, "transfer", world.clerk, (2025, 8, 29), to_organ_id=world.housing.pk)
    return p


def test_accepting_without_a_category_is_refused_at_the_field(client, world, register):
    p = _transferred(world, register)
    client.force_login(world.head)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    # the category is marked required in the acceptance form
    assert re.search(r'<select id="acknowledge-category" name="category" required>', html)
    r = client.post(f"/petitions/{p.pk}/act/acknowledge/", {"category": "", "route": ""})
    assert r.status_code == 400
    assert "请选择信访事项类别" in r.content.decode()
    p.refresh_from_db()
    assert p.state == "transferred"


def test_an_appeal_is_accepted_only_with_its_route(client, world, register):
    p = _transferred(world, register)
    client.force_login(world.head)
    r = client.post(f"/petitions/{p.pk}/act/acknowledge/", {"category": "appeal"})
    assert r.status_code == 400 and "第三十一条的处理途径" in r.content.decode()
    r = client.post(f"/petitions/{p.pk}/act/acknowledge/", {"category": "appeal", "route": "6"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.state, p.category, p.route) == ("acknowledged", "appeal", 6)
    # and the next step is there, with the facts filled in
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f'action="/petitions/{p.pk}/act/start_handling/"' in html


def test_a_petition_accepted_before_without_a_category_can_still_be_handled(
    client, world, register
):
    """Petitions accepted while the category was optional: 开始办理 asks for it."""
    p = _transferred(world, register)
    act(world, p, "acknowledge", world.head, (2025, 8, 30), category="suggestion")
    Petition.objects.filter(pk=p.pk).update(category="", route=None)  # as the old form left it
    client.force_login(world.head)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert "本机关目前没有需要办理的步骤" not in html
    assert f'action="/petitions/{p.pk}/act/start_handling/"' in html
    r = client.post(f"/petitions/{p.pk}/act/start_handling/", {})
    assert r.status_code == 409 and "请先确定信访事项类别" in r.content.decode()
    r = client.post(f"/petitions/{p.pk}/act/start_handling/", {"category": "appeal", "route": "6"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.state == "in_handling"


def test_a_refused_action_form_keeps_the_organ_the_reason_and_the_date(client, world, register):
    p = register(received_at=local(2025, 8, 28), at=local(2025, 8, 29)).petition
    client.force_login(world.po_head)
    r = client.post(
        f"/petitions/{p.pk}/act/assign/",
        {
            "to_organ_id": str(world.housing.pk),
            "report_due": "2025-08-20",  # before the assignment: refused
            "reason": "请于期限内报送结果",
            "at": "2025-08-30",
        },
    )
    assert r.status_code == 400
    html = r.content.decode()
    form = html[html.index(f'action="/petitions/{p.pk}/act/assign/"') :]
    form = form[: form.index("</form>")]
    assert f'<option value="{world.housing.pk}" selected>' in form
    assert 'value="2025-08-20"' in form and 'value="2025-08-30"' in form
    assert "请于期限内报送结果</textarea>" in form
    assert "报送期限应晚于交办日期" in form  # the message at its field
    assert '<details class="action" open>' in html
    # the other forms stay empty
    other = html[html.index(f'action="/petitions/{p.pk}/act/transfer/"') :]
    other = other[: other.index("</form>")]
    assert "selected" not in other and 'value="2025-08-30"' not in other


def test_the_organ_that_issued_the_opinion_still_reads_its_case_under_review(
    client, world, register
):
    """Issue 12, item 4: the housing bureau's opinion goes up for review to the county
    government; the bureau keeps reading its case (no step offered), the reviewer acts."""
    from tests.flows import opinion_delivered

    p = opinion_delivered(world, register)
    act(world, p, "request_review", world.city_head, (2025, 8, 28))
    client.force_login(world.head)
    r = client.get(f"/petitions/{p.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "复查中" in html
    assert "/act/" not in html  # reads, does not act
    r = client.post(f"/petitions/{p.pk}/act/decide_review/", {"outcome": "uphold"})
    assert r.status_code == 403
    client.force_login(world.city_head)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert f"/petitions/{p.pk}/draft/decide_review/" in html  # on the full-page editor
    # an organ that never handled it still does not see it
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    client.force_login(
        staff_create(username="judge", password=None, organ=world.court, roles=[Role.HANDLER])
    )
    assert client.get(f"/petitions/{p.pk}/").status_code == 404


def test_a_handler_is_told_that_the_organ_head_signs_the_opinion_and_the_extension(
    client, world, register
):
    """Issue 12, item 7: a handler who cannot sign sees why, not a page without the step."""
    p = _transferred(world, register)
    act(world, p, "acknowledge", world.head, (2025, 8, 30), category="appeal", route=6)
    act(world, p, "start_handling", world.head, (2025, 8, 30))
    client.force_login(world.handler)
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    note = re.search(r'<p class="note" id="head-signs">(.*?)</p>', html)
    assert note and "负责人签发" in note.group(1)
    assert "延长办理期限" in note.group(1) and "出具处理意见书" in note.group(1)
    assert f'action="/petitions/{p.pk}/act/issue_opinion/"' not in html
    # the handler drafts it on the full-page editor and submits it for signing (item 7)
    assert f'href="/petitions/{p.pk}/draft/issue_opinion/"' in html
    client.force_login(world.head)  # the head signs: the steps are there, no note
    html = client.get(f"/petitions/{p.pk}/").content.decode()
    assert 'id="head-signs"' not in html
    assert f'href="/petitions/{p.pk}/draft/issue_opinion/"' in html
