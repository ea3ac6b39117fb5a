"""Staff pages for documents: the printable HTML and the DOCX of one petitioner-facing step."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from xinfang.documents.render import docx_response
from xinfang.documents.selectors import document_get, document_list
from xinfang.petitions import selectors
from xinfang.petitions.selectors.parties import (
    identity_restricted,
    parties_for_user,
    user_may_see_identity,
)


def _parties(request: HttpRequest, petition) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Names as this user may see them (masked, and the display audited, per petitions.privacy)."""
    return [(x["role"], x["name"]) for x in parties_for_user(user=request.user, petition=petition)]  # type: ignore[arg-type]


def _names_hidden(request: HttpRequest, petition) -> bool:  # type: ignore[no-untyped-def]
    """Whether this user sees the parties' names masked (the rule of ``parties_for_user``)."""
    return identity_restricted(petition) and not user_may_see_identity(
        user=request.user,  # type: ignore[arg-type]
        petition=petition,
    )


@login_required
def document_page(request: HttpRequest, petition_id: int, seq: int) -> HttpResponse:
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    doc = document_get(
        petition=petition,
        seq=seq,
        parties=_parties(request, petition),
        names_hidden=_names_hidden(request, petition),
    )
    return render(
        request,
        "documents/page.html",
        {
            "doc": doc,
            "back_url": reverse("web:petition", args=[petition_id]),
            "back_label": "返回信访事项",
            "docx_url": reverse("documents:docx", args=[petition_id, seq]),
        },
    )


@login_required
def document_docx_view(request: HttpRequest, petition_id: int, seq: int) -> HttpResponse:
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    doc = document_get(
        petition=petition,
        seq=seq,
        parties=_parties(request, petition),
        names_hidden=_names_hidden(request, petition),
    )
    return docx_response(doc)


@login_required
def document_index(request: HttpRequest, petition_id: int) -> HttpResponse:
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    return render(
        request,
        "documents/index.html",
        {"petition": petition, "docs": document_list(petition=petition, parties=())},
    )
