"""An opinion posted straight to /act/issue_opinion/ with Art. 32 gaps (issue 12) lands on the
opinion editor in a real browser: gaps named, focus on the summary, every word kept; the head
completes it there and signs."""

from __future__ import annotations

import pytest

from tests.browser.helpers import desktop_context, sign_in
from tests.flows import OPINION
from xinfang.web.tests.test_opinion_gaps import GAPPY, _in_handling

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POST_DIRECTLY = """([url, fields]) => {
  const f = document.createElement('form');
  f.method = 'post'; f.action = url;
  const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
  for (const [k, v] of Object.entries({...fields, csrfmiddlewaretoken: token})) {
    const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
    f.appendChild(i);
  }
  document.body.appendChild(f); f.submit();
}"""


@pytest.fixture(autouse=True)
def _no_limits_left_over():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_a_direct_gappy_opinion_lands_on_the_editor_and_is_signed_there(
    live_server, browser, world, register
):
    from xinfang.petitions.models import Petition

    p = _in_handling(world, register)
    ctx = desktop_context(browser)
    sign_in(ctx, live_server, world.head)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/petitions/{p.pk}/")
    page.evaluate(POST_DIRECTLY, [f"/petitions/{p.pk}/act/issue_opinion/", GAPPY])
    page.get_by_role("heading", name="出具处理意见书").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    gaps = page.locator(".opinion-missing").inner_text()
    assert "法律政策依据" in gaps
    assert page.get_by_label("信访人的请求").input_value() == GAPPY["request"]
    assert page.get_by_label("事实和理由").input_value() == GAPPY["facts"]
    # the head completes it on the editor and signs
    page.get_by_label("事实和理由").fill(OPINION["facts"])
    page.get_by_label("依据").fill(OPINION["legal_basis"])
    page.get_by_role("button", name="签发", exact=True).click()
    page.get_by_role("status").filter(has_text="已签发").wait_for()
    ctx.close()
    assert Petition.objects.get(pk=p.pk).state == "opinion_issued"
