"""The 转送告知书 of a hand-over taken back (取回, issue 20) says so wherever it is read: the
petitioner's list (walker #18), and also its own page and its DOCX, on the portal and for staff.
The transfer it tells of never happened; a notice that reads as valid would send the
petitioner to an organ that never received the petition.

Planted fault: ``handovers_withdrawn`` returning nothing: every assertion on the page, the DOCX
and the list fails."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from docx import Document as read_docx

from tests.flows import portal_open
from xinfang.federation.tests import test_take_back as tb
from xinfang.petitions.models import Petition

remote, sent, _take_back = tb.remote, tb.sent, tb._take_back  # its fixtures, and its step

pytestmark = pytest.mark.django_db

MARK = "已撤回：本件所告知的转送已于"


def _transfer_seq(p: Petition) -> int:
    return p.events.filter(action="transfer").order_by("-seq").values_list("seq", flat=True)[0]


def _docx_text(content: bytes) -> str:
    return "\n".join(par.text for par in read_docx(io.BytesIO(content)).paragraphs)


def test_the_transfer_notice_of_a_hand_over_taken_back_is_marked_on_its_page_and_docx(
    world, sent, remote, client
):
    seq = _transfer_seq(sent)
    portal_open(client, sent)
    page = f"/portal/p/{quote(sent.tracking_code)}/documents/{seq}/"
    before = client.get(page).content.decode()
    assert MARK not in before and "doc-withdrawn" not in before
    assert MARK not in _docx_text(client.get(page.rstrip("/") + ".docx").content)

    _take_back(world, sent)
    html = client.get(page).content.decode()
    assert 'class="doc-withdrawn-stamp"' in html and MARK in html  # on the sheet, printed too
    assert 'class="doc-withdrawn"' in html and "已撤回，对方未接收" in html  # the bar above it
    r = client.get(page.rstrip("/") + ".docx")
    assert r.status_code == 200 and MARK in _docx_text(r.content)
    listing = client.get(f"/portal/p/{quote(sent.tracking_code)}/").content.decode()
    assert 'class="doc-withdrawn"' in listing

    # the same document for the office's staff
    client.force_login(world.clerk)
    staff = client.get(f"/documents/petitions/{sent.pk}/{seq}/").content.decode()
    assert MARK in staff
    staff_docx = client.get(f"/documents/petitions/{sent.pk}/{seq}.docx")
    assert MARK in _docx_text(staff_docx.content)


def test_the_english_page_names_the_withdrawal_in_english_and_keeps_the_sheet_chinese(
    world, sent, remote, client
):
    seq = _transfer_seq(sent)
    _take_back(world, sent)
    portal_open(client, sent)
    client.cookies["django_language"] = "en"
    html = client.get(
        f"/portal/p/{quote(sent.tracking_code)}/documents/{seq}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    bar = html[html.index('class="doc-withdrawn"') :][:200]
    assert "已撤回" not in bar and "withdrawn" in bar.lower()
    assert MARK in html  # the official document itself is in Chinese (GB/T 9704)
