"""The opinion check fragment of the staff petition page (Art. 32)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from xinfang.insight.opinions.page import opinion_missing
from xinfang.petitions import selectors


@login_required
@require_http_methods(["GET", "POST"])
def opinion_check_view(request: HttpRequest, petition_id: int) -> HttpResponse:
    """An HTML fragment: what the opinion being written does not yet state (Art. 32). The text
    comes by POST (it stays out of URLs and logs); a GET has nothing to check."""
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    if request.method == "GET":
        return render(request, "insight/_opinion_missing.html", {"missing": [], "checked": False})
    missing = opinion_missing(petition=petition, post=request.POST)
    return render(request, "insight/_opinion_missing.html", {"missing": missing, "checked": True})
