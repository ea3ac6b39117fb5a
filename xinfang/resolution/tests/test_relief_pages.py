"""The relief pages: apply, approve twice, pay by forms (a refresh pays nothing more), the
ledger and its XLSX, a refused form keeps what was typed, bad input is a 4xx."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from xinfang.resolution.models import FundEntry, ReliefApplication

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_an_application_goes_from_the_handler_to_payment_by_forms(client, world, held):
    from openpyxl import load_workbook

    client.force_login(world.po_head)
    r = client.post(
        "/resolution/relief/funds/allocate/", {"year": "2025", "amount": "8000", "once": "a1"}
    )
    assert r.status_code in (302, 303)
    client.post(
        "/resolution/relief/funds/allocate/", {"year": "2025", "amount": "8000", "once": "a1"}
    )
    assert FundEntry.objects.count() == 1  # the refresh allocated nothing more
    fund = FundEntry.objects.get().fund
    client.force_login(world.handler)
    html = client.get("/resolution/relief/new/").content.decode()
    assert "青山县信访局 2025" in html
    form = {
        "petition": held.tracking_code,
        "fund": str(fund.pk),
        "reasons": "家庭困难",
        "hardship": "重病",
        "amount": "3000",
        "once": "n1",
    }
    r = client.post("/resolution/relief/new/", form)
    assert r.status_code in (302, 303)
    app = ReliefApplication.objects.get()
    client.force_login(world.head)
    r = client.post(f"/resolution/relief/{app.pk}/decide/", {"decision": "approve", "once": "d1"})
    assert r.status_code in (302, 303)
    client.force_login(world.po_head)
    r = client.post(
        f"/resolution/relief/{app.pk}/decide/",
        {"decision": "approve", "amount": "2500", "once": "d2"},
    )
    assert r.status_code in (302, 303)
    for _ in range(2):
        r = client.post(f"/resolution/relief/{app.pk}/pay/", {"amount": "2500", "once": "p1"})
        assert r.status_code in (302, 303)
    app.refresh_from_db()
    assert (app.status, app.paid_total) == ("paid", Decimal("2500"))
    html = client.get(f"/resolution/relief/funds/{fund.pk}/").content.decode()
    assert "5500.00" in html and 'id="export-relief_fund"' in html  # the registry's 台账
    r = client.post(
        "/analytics/exports/new/", {"once": "x1", "kind": "relief_fund", "query": f"fund={fund.pk}"}
    )
    assert r.status_code == 302
    f = client.get(r["Location"])
    rows = list(
        load_workbook(io.BytesIO(b"".join(f.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[2][1:4] == ("拨入", 8000, 8000) and rows[3][1:4] == ("支出", 2500, 5500)
    assert rows[-1][3] == 5500 and rows[-1][5] == app.number  # the balance after the payment


def test_a_refused_form_keeps_what_was_typed_and_bad_input_is_a_400(client, world, held):
    from xinfang.resolution.services import relief_fund_allocate

    fund = relief_fund_allocate(actor=world.po_head, year=2025, amount=Decimal("100")).fund
    client.force_login(world.handler)
    base = {
        "petition": held.tracking_code,
        "fund": str(fund.pk),
        "reasons": "家庭困难理由",
        "hardship": "",
        "amount": "30",
    }
    r = client.post("/resolution/relief/new/", base)
    assert r.status_code == 400 and "家庭困难理由" in r.content.decode()
    for field, value in [
        ("amount", "1e400"),
        ("amount", "abc"),
        ("fund", "x" * 40),
        ("petition", "\x00"),
        ("reasons", "a\x00b"),
    ]:
        r = client.post("/resolution/relief/new/", {**base, "hardship": "重病", field: value})
        assert r.status_code == 400, (field, value)
    assert not ReliefApplication.objects.exists()
    assert client.get("/resolution/relief/99999999/").status_code == 404
    assert client.get("/resolution/relief/funds/99999999/").status_code == 404
    assert client.get("/resolution/relief/?status=zzz").status_code == 400


def test_who_may_open_the_relief_pages(client, world):
    client.force_login(world.analyst)
    assert client.get("/resolution/relief/").status_code == 403
    client.force_login(world.handler)
    assert client.get("/resolution/relief/").status_code == 200
    r = client.post("/resolution/relief/funds/allocate/", {"year": "2025", "amount": "1"})
    assert r.status_code == 403
    client.force_login(world.clerk)
    assert client.get("/resolution/relief/new/").status_code == 200


def test_the_relief_pages_keep_their_query_count(
    client, world, held, django_assert_max_num_queries
):
    from xinfang.resolution.services import relief_apply, relief_fund_allocate

    fund = relief_fund_allocate(actor=world.po_head, year=2025, amount=Decimal("100")).fund
    for _ in range(3):
        app = relief_apply(
            actor=world.handler,
            petition_id=held.pk,
            fund_id=fund.pk,
            reasons="r",
            hardship="h",
            amount=Decimal("10"),
        )
    client.force_login(world.po_head)
    with django_assert_max_num_queries(12):
        assert client.get("/resolution/relief/").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"/resolution/relief/{app.pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/resolution/relief/funds/{fund.pk}/").status_code == 200
