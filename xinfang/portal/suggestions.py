"""The public list of adopted people's suggestions (人民建议征集, Art. 29): what each suggestion
was about and what the organ replied, newest first. It reads only the suggestion's public
fields (``resolution.selectors.suggestion_public_list``): never the petition, never the
suggester's name, phone or address, unless the suggester consented to be credited."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from xinfang.core.errors import ApplicationError
from xinfang.core.inputs import is_digits
from xinfang.resolution.selectors import suggestion_public_list


@require_GET
def suggestions(request: HttpRequest) -> HttpResponse:
    raw = (request.GET.get("cursor") or "").strip()
    if raw and (not is_digits(raw) or len(raw) > 12):
        raise ApplicationError("cursor")
    page = suggestion_public_list(cursor=int(raw) if raw else None)
    return render(request, "portal/suggestions.html", {"page": page})
