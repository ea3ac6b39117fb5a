"""Every state-changing form is carried out once: a refresh, a double click or the browser's
"send again" never records twice (issue 13 §1.10; DEVELOPERS.md "a refresh never registers
twice"). One mechanism for every form: ``{% once_token %}`` and ``xinfang.core.once_forms``.

Two checks make forgetting it impossible: every ``<form method="post">`` of every template
carries the token (a template nobody renders in a test is still read here), and every page
that can be opened, rendered as a role that may open it, shows no POST form without it
(``test_once_pages.py``). Deliberate exceptions are listed below with their reason.

Planted faults this module catches (rerun: make the change, run this file):
- ``OnceFormMiddleware`` removed from ``MIDDLEWARE``: the refresh tests record twice;
- ``OnceFormMiddleware.__call__`` keeping the claim of a refused form (no ``delete``): the
  corrected form sent with the same token is not carried out;
- ``{% once_token %}`` removed from a template's form: the template scan names it;
- ``once_token`` giving a fresh token to a form re-shown after an error: the kept-token test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import xinfang
from xinfang.prevention.models.disputes import DisputeStep
from xinfang.prevention.tests import conftest as _prevention
from xinfang.workbench.models import SavedFilter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

town, record = _prevention.town, _prevention.record  # the township and its dispute helper

#: POST forms without a one-time token, by the place they post to, each with its reason.
EXEMPT = {
    "set_language": "changes the language of the session; doing it twice changes nothing",
    "web:logout": "ends the session; a second logout changes nothing",
    "portal:forget": "forgets the tracking code in this browser; twice is the same",
    "web:search": "a search (POST so that a phone or ID number never sits in a URL): no change",
    "web:login": "a login: nothing recorded but the login itself (throttled and audited)",
    "portal:track": "a lookup by code and password (throttled): no change",
    "reception_book:find": "a lookup of one's own appointment by its code: no change",
    "portal:receipt": "downloads the receipt of the page it is on: no change",
    "core:bad_input": "sends back the fields of the refused form, its own token among them",
}
#: Forms that carry a token the view claims itself (``@once_by_view``), by template.
OWN_TOKEN = {
    "web/intake.html": "the desk (scope desk.register, with a fingerprint of the form)",
    "portal/submit.html": "the portal (scope portal.submit; a repeat gets a fresh receipt)",
    "prevention/ledger.html": "the ledger export (scope prevention.ledger_export)",
    "analytics/drill.html": "the drill-down's 台账 export (scope analytics.list_export)",
    "analytics/_export_button.html": "a list's 台账 export (scope analytics.list_export)",
    "portal/confirm.html": "the portal's check step re-posts every field of the submission form, "
    "its token among them (scope portal.submit)",
}

FORM = re.compile(r"<form\b[^>]*\bmethod=[\"']post[\"'][^>]*>(.*?)</form>", re.S | re.I)


def _exempt_by_template(template: str, form: str) -> str | None:
    """The reason a form of a template carries no token, or None."""
    head = form[:400]
    if "set_language" in head:
        return EXEMPT["set_language"]
    if "web:logout" in head:
        return EXEMPT["web:logout"]
    if "portal:forget" in head:
        return EXEMPT["portal:forget"]
    by_template = {
        "web/search.html": "web:search",
        "web/login.html": "web:login",
        "portal/track.html": "portal:track",
        "reception/book_find.html": "reception_book:find",
        "portal/receipt.html": "portal:receipt",
        "core/bad_input.html": "core:bad_input",
    }
    name = by_template.get(template)
    return EXEMPT[name] if name else None


def _templates() -> list[tuple[str, str]]:
    root = Path(xinfang.__file__).parent
    return [
        (str(p.relative_to(p.parents[1])), p.read_text(encoding="utf-8"))
        for p in sorted(root.glob("*/templates/**/*.html"))
        + sorted(root.glob("*/*/templates/**/*.html"))
    ]


def test_every_post_form_of_every_template_carries_the_one_time_token():
    missing, seen = [], 0
    for name, text in _templates():
        for m in FORM.finditer(text):
            seen += 1
            form = m.group(0)
            if "{% once_token %}" in form or 'name="once"' in form or "form.once" in form:
                continue
            if name in OWN_TOKEN and "{% for field in form %}" in form:
                continue
            if _exempt_by_template(name, form) is None:
                missing.append(f"{name}: {form[:160]}")
    print(f"{seen} POST forms in the templates")
    assert seen > 40  # the scan reads the templates (a wrong glob finds none and passes)
    assert not missing, "POST forms without {% once_token %}:\n" + "\n".join(missing)


def test_the_forms_that_claim_their_own_token_are_the_marked_views():
    from django.urls import resolve

    for path in ("/intake/letter/", "/portal/submit/", "/prevention/disputes/exports/",
                 "/analytics/exports/new/"):
        assert getattr(resolve(path).func, "once_by_view", False), path
    texts = dict(_templates())
    for template in OWN_TOKEN:
        text = texts[template]
        assert 'name="once"' in text or "form.once" in text or "for field in form" in text, template


# --- a refresh records nothing twice ---------------------------------------------------------


def _token(html: str, action: str) -> str:
    for m in FORM.finditer(html):
        if f'action="{action}"' in m.group(0):
            t = re.search(r'name="once" value="([^"]+)"', m.group(0))
            assert t, f"the form posting to {action} carries a one-time token"
            return t.group(1)
    raise AssertionError(f"no form posts to {action}")


@pytest.fixture
def dispute(town, record):
    return record()


def test_a_mediation_step_sent_twice_is_recorded_once(client, town, dispute):
    client.force_login(town.clerk)
    page = f"/prevention/disputes/{dispute.pk}/"
    action = f"/prevention/disputes/{dispute.pk}/steps/"
    token = _token(client.get(page).content.decode(), action)
    step = {"kind": "mediation", "on": "2025-08-25", "note": "村委会组织调解", "once": token}
    first = client.post(action, step)
    assert first.status_code == 302 and first["Location"] == page
    again = client.post(action, step)  # the refresh of the answer, a double click
    assert again.status_code == 303 and again["Location"] == page
    assert DisputeStep.objects.filter(dispute=dispute).count() == 1
    html = client.get(page).content.decode()
    assert "这份表单已经提交过" in html
    # a new form (a new token) with the same words is a second step, as the clerk meant
    token2 = _token(html, action)
    assert token2 != token
    assert client.post(action, {**step, "once": token2}).status_code == 302
    assert DisputeStep.objects.filter(dispute=dispute).count() == 2


def test_a_refused_form_keeps_its_token_and_the_corrected_one_goes_through(client, town, dispute):
    client.force_login(town.clerk)
    page = f"/prevention/disputes/{dispute.pk}/"
    action = f"/prevention/disputes/{dispute.pk}/steps/"
    token = _token(client.get(page).content.decode(), action)
    bad = {"kind": "mediation", "on": "2025-02-30", "note": "保留这段经过", "once": token}
    r = client.post(action, bad)
    assert r.status_code == 400 and "保留这段经过" in r.content.decode()
    assert _token(r.content.decode(), action) == token  # the re-shown form kept its token
    r = client.post(action, {**bad, "on": "2025-08-25"})
    assert r.status_code == 302
    assert DisputeStep.objects.filter(dispute=dispute, note="保留这段经过").count() == 1


def test_a_saved_filter_sent_twice_is_saved_once(client, world):
    client.force_login(world.clerk)
    html = client.get("/worklist/?state=registered").content.decode()
    token = _token(html, "/worklist/filters/")
    data = {"name": "待受理", "query": "state=registered", "once": token}
    assert client.post("/worklist/filters/", data).status_code == 302
    assert client.post("/worklist/filters/", data).status_code == 303
    assert SavedFilter.objects.filter(user=world.clerk).count() == 1


def _locked(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError("database is locked")


def test_a_form_sent_while_the_database_is_locked_is_a_503_and_nothing_is_saved(
    client, town, dispute, monkeypatch
):
    """Walker report item 1: SQLite busy in the one-time token's transaction (outside the
    view) gave a 500; it is the 503 with Retry-After, and the form may be sent again."""
    from django.db.models.query import QuerySet

    from xinfang.core.models import OnceKey

    client.force_login(town.clerk)
    page = f"/prevention/disputes/{dispute.pk}/"
    action = f"/prevention/disputes/{dispute.pk}/steps/"
    token = _token(client.get(page).content.decode(), action)
    step = {"kind": "mediation", "on": "2025-08-25", "note": "锁住时提交", "once": token}
    with monkeypatch.context() as m:  # the claim itself meets the lock
        m.setattr(OnceKey.objects, "create", _locked)
        r = client.post(action, step)
    assert r.status_code == 503 and r["Retry-After"] == "30"
    assert "系统繁忙，请稍后再试" in r.content.decode()
    assert not DisputeStep.objects.filter(dispute=dispute).exists()

    update = QuerySet.update

    def update_locked(self, **kwargs):  # the view has saved; keeping the claim meets the lock
        if self.model is OnceKey:
            _locked()
        return update(self, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(QuerySet, "update", update_locked)
        r = client.post(action, step)
    assert r.status_code == 503 and r["Retry-After"] == "30"
    assert not DisputeStep.objects.filter(dispute=dispute).exists()  # nothing half saved
    assert not OnceKey.objects.exists()
    r = client.post(action, step)  # later, the same form goes through once
    assert r.status_code == 302
    assert DisputeStep.objects.filter(dispute=dispute, note="锁住时提交").count() == 1


def test_a_busy_database_in_any_middleware_is_a_503_not_a_500(rf):
    from django.db import OperationalError

    from xinfang.core.boundary import server_error

    try:
        _locked()
    except OperationalError:  # Django's handler500 is called inside the except
        page = server_error(rf.post("/federation/peers/"))
        api = server_error(rf.post("/api/v1/petitions"))
    assert page.status_code == 503 and page["Retry-After"] == "30"
    assert "系统繁忙" in page.content.decode()
    assert api.status_code == 503 and b"unavailable" in api.content
    try:
        raise ValueError("a real bug")
    except ValueError:
        assert server_error(rf.get("/")).status_code == 500
