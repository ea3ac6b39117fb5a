"""The organ picker's server side (issue 12, item 10): what a page's picker shows when a step's
organs are too many to list (the first ones, how many there are, a search box that works without
JavaScript), and the staff search behind its filter box, ``petition_targets_view``: the organs
the step may send this petition to, by name or region code, or one level of the tree below an
organ. The same gate as the step itself: only someone who may take the step on a petition they
may see gets an answer (404 for a petition out of sight, 403 for a step they cannot take)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from xinfang.core.boundary import json_errors
from xinfang.core.inputs import is_digits
from xinfang.directory.models import Organ
from xinfang.directory.permissions import user_can_register
from xinfang.directory.selectors import (
    SearchPage,
    organ_picker_groups,
    organ_picker_label,
    organ_picker_list,
    organ_search,
)
from xinfang.petitions import selectors
from xinfang.petitions.selectors.targets import (
    PICKER_FIRST,
    PICKER_FULL,
    SENDING,
    TargetList,
    organ_target_search,
)
from xinfang.petitions.workflow import Action


def _external_marks(organs: list[Organ]) -> dict[int, str]:
    """An organ another installation serves, by id: its option text says so and by which peer
    ("乙省住房和城乡建设厅（外部系统 · 对接省B）", walker #10). One query, and only when the list
    holds such an organ (the usual page has none)."""
    ids = [o.pk for o in organs if getattr(o, "external", False)]
    if not ids:
        return {}
    from xinfang.federation.models import RemoteOrgan

    rows = RemoteOrgan.objects.filter(organ_id__in=ids).values_list("organ_id", "peer__name")
    return {pk: gettext("（外部系统 · %(peer)s）") % {"peer": peer} for pk, peer in rows}


def _marked_groups(organs: list[Organ]) -> list[dict]:
    groups = organ_picker_groups(organs=organs)
    marks = _external_marks(organs)
    if marks:
        for g in groups:
            g["options"] = [(v, name + marks.get(int(v), "")) for v, name in g["options"]]
    return groups


#: The name of the picker's search button (and ``pick_q`` its text) in a step's form.
PICK_SEARCH = "pick_search"
#: The longest search text (a name part or a region code; more is refused, 400).
QUERY_MAX = 50
#: Searches one user may make a minute (each answers at most ``SEARCH_LIMIT`` organs).
SEARCHES_PER_MINUTE = 120


def picker_state(tl: TargetList, *, url: str) -> dict:
    """What the picker template shows besides its options: whether the list is cut, the
    counts, the search text and the address of the server search."""
    shown = len(tl.organs)
    if tl.query:
        note = gettext("找到 %(n)d 个") % {"n": tl.total}
        if tl.more:
            note += gettext("，还有 %(n)d 个，请输入更多字") % {"n": tl.more}
    elif tl.cut:
        note = gettext(
            "共 %(total)d 个机关，这里只列出前 %(shown)d 个；请输入名称或区划代码搜索"
        ) % {"total": tl.total, "shown": shown}
    else:
        note = ""
    return {"cut": tl.cut, "total": tl.total, "query": tl.query, "note": note, "url": url}


def target_pickers(
    *,
    petition: object,
    actions: list[Action],
    keep: dict[Action, str] | None = None,
    search: dict[Action, str] | None = None,
) -> dict[str, dict]:
    """For the petition page: each sending step's picker groups and state."""
    out = {}
    for a, tl in selectors.organ_targets(
        petition=petition,  # type: ignore[arg-type]
        actions=actions,
        keep=keep,
        search=search,
    ).items():
        url = reverse("web:petition_targets", args=[petition.pk, a.value])  # type: ignore[attr-defined]
        out[a.value] = {
            "groups": _marked_groups(tl.organs),
            "pick": picker_state(tl, url=url),
        }
    return out


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse(
        {"message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def _over_rate(user_id: int) -> bool:
    key = f"xinfang:organ-search:{user_id}"
    if cache.add(key, 1, timeout=60):
        return False
    try:
        return cache.incr(key) > SEARCHES_PER_MINUTE
    except ValueError:  # expired between add and incr
        return False


@json_errors
@login_required
@require_GET
def petition_targets_view(request: HttpRequest, petition_id: int, action: str) -> HttpResponse:
    """``GET …/targets/<action>/?q=<name or region code>`` or ``?parent=<organ id>``: JSON
    ``{"organs": [{"id", "name", "group", "children"}], "total", "more", "message"}``."""
    if (bad := _bad_input(request)) is not None:
        return bad
    q = request.GET.get("q", "")
    parent = request.GET.get("parent", "")
    petition = selectors.petition_get_for_user(user=request.user, petition_id=petition_id)  # type: ignore[arg-type]
    try:
        step = Action(action)
    except ValueError:
        return _bad(gettext("未知的操作"), 404)
    if step not in SENDING or action not in selectors.petition_actions_for_user(
        user=request.user,  # type: ignore[arg-type]
        petition=petition,
    ):
        return _bad(gettext("您现在不能办理这一步"), 403)
    if _over_rate(request.user.pk):
        return _bad(gettext("搜索过于频繁，请稍后再试"), 429)
    page = organ_target_search(
        petition=petition, action=step, query=q, parent_id=int(parent) if parent else None
    )
    return _answer(page)


def _bad_input(request: HttpRequest) -> JsonResponse | None:
    q = request.GET.get("q", "")
    parent = request.GET.get("parent", "")
    if "\x00" in q or len(q) > QUERY_MAX:
        return _bad(gettext("搜索内容过长或含有无效字符"))
    if parent and (not is_digits(parent) or len(parent) > 12):
        return _bad(gettext("上级机关编号无效"))
    return None


def _answer(page: SearchPage) -> JsonResponse:
    message = (
        gettext("找到 %(n)d 个") % {"n": page.total} if page.total else gettext("没有符合的机关")
    )
    if page.more:
        message += gettext("，还有 %(n)d 个，请输入更多字") % {"n": page.more}
    marks = _external_marks(page.organs)
    return JsonResponse(
        {
            "organs": [
                {
                    "id": o.pk,
                    "name": o.name + marks.get(o.pk, ""),
                    "group": organ_picker_label(o),
                    "children": o.child_count,  # type: ignore[attr-defined]
                }
                for o in page.organs
            ],
            "total": page.total,
            "more": page.more,
            "message": message,
        },
        json_dumps_params={"ensure_ascii": False},
    )


#: Every active organ may be accused, petition offices included (issue 11, item 7).
ACCUSABLE = Q(is_active=True)


def accusable_picker(*, keep: str = "", query: str = "") -> dict:
    """The desk's accused-organ picker: groups and state (cut past ``PICKER_FULL``)."""
    organs, total, cut, more = organ_picker_list(
        allowed=ACCUSABLE, full=PICKER_FULL, first=PICKER_FIRST, keep=keep, query=query
    )
    tl = TargetList(organs=organs, total=total, cut=cut, query=query if cut else "", more=more)
    return {
        "groups": organ_picker_groups(organs=organs),
        "pick": picker_state(tl, url=reverse("web:intake_organs")),
    }


@json_errors
@login_required
@require_GET
def intake_organs_view(request: HttpRequest) -> HttpResponse:
    """``GET /intake/organs/?q=`` or ``?parent=``: the desk's accused-organ search (JSON as
    ``petition_targets_view``), for whoever may register a petition."""
    if not user_can_register(request.user):  # type: ignore[arg-type]
        return _bad(gettext("您的角色不能登记信访事项"), 403)
    if (bad := _bad_input(request)) is not None:
        return bad
    if _over_rate(request.user.pk):
        return _bad(gettext("搜索过于频繁，请稍后再试"), 429)
    parent = request.GET.get("parent", "")
    return _answer(
        organ_search(
            allowed=ACCUSABLE,
            query=request.GET.get("q", ""),
            parent_id=int(parent) if parent else None,
        )
    )
