"""The 台账 kinds of the desk's own lists (``export_kinds``): the search page's results and the
history imports a user ran.

Search (``web:search``): the results of the form's filters as the page finds them
(``workbench.selectors.petition_search_for_user``, read through the petitions gate: never a
petition outside the jurisdiction or one that accuses the user's organ, Art. 30 para 3), all of
its pages, newest first, as the worklist's 台账 writes a petition (``petitions.exports``: names,
phones and identity numbers masked unless ``user_may_see_identity``). A name, phone or identity
number searched for never travels in a URL nor stays in the clear: the export keeps it sealed
(``core.crypto``) until the file is written, then forgets it; the audit record says how the
search was made, not what was searched for (as ``identity.search`` does).

Imports (``imports:start``): the runs the page lists, the uploader's own (no party in them)."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from xinfang.analytics.export_base import Chunk, Kind, Params, kind_register
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap

SEALED = "sealed"  # the params' key of an identity search's term (encrypted)


def _search_params(q: QueryDict) -> Params:
    from xinfang.core.crypto import encrypt
    from xinfang.workbench.selectors import search_query_parse

    s = search_query_parse(q)
    out: Params = {"by": s.by}
    if s.identity:
        out[SEALED] = encrypt(s.q)
    elif s.q:
        out["q"] = s.q
    for key, value in (
        ("state", s.state),
        ("category", s.category),
        ("from", s.received_from),
        ("to", s.received_to),
    ):
        if value:
            out[key] = str(value)
    return out


def _search_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.core.crypto import decrypt
    from xinfang.core.dates import day_of
    from xinfang.workbench.selectors import petition_search_for_user

    day = lambda k: day_of(p.get(k))  # noqa: E731  (kept as the search page read it)
    page = petition_search_for_user(
        user=user,
        q=decrypt(p[SEALED]) if p.get(SEALED) else p.get("q", ""),
        by=p.get("by", "auto"),
        state=p.get("state"),
        category=p.get("category"),
        received_from=day("from"),
        received_to=day("to"),
        cursor=cursor,
        limit=min(limit, 200),
        counted=counted,
    )
    return Chunk(page.items, page.next_cursor, page.total)


def _search_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    from xinfang.petitions.exports import petition_rows

    return petition_rows(user=user, petition_ids=[p.pk for p in items], shown=shown)


def _search_back(p: Params) -> str:
    """The search page again; by words or a code with the query (a GET may carry those), by a
    name, phone or identity number without it (they never go into a URL)."""
    from urllib.parse import urlencode

    if p.get(SEALED) or not p.get("q"):  # an identity search's term was never kept in clear
        return reverse("web:search")
    keep = [(k, p[k]) for k in ("q", "by", "state", "category", "from", "to") if p.get(k)]
    return reverse("web:search") + ("?" + urlencode(keep) if keep else "")


def _register_search() -> None:
    from xinfang.petitions.exports import HEADER

    kind_register(Kind(
        name="search", title=gettext_lazy("信访事项检索结果台账"), page_url="web:search",
        caps=(Cap.VIEW_PETITIONS, Cap.EXPORT), params=_search_params, page=_search_page,
        rows=_search_rows, headers=tuple(HEADER), types="t" * 14,
        widths=(18, 30, 10, 12, 8, 11, 14, 22, 11, 8, 16, 12, 14, 22), chunk=200,
        back=_search_back, secret=(SEALED,),
    ))  # fmt: skip


# -- history imports (imports:start): the page's list, the uploader's latest runs ---------------
def _imports_page(user: User, p: Params, cursor: Any, limit: int, counted: bool) -> Chunk:
    from xinfang.imports.runs import import_runs_for_user

    runs = import_runs_for_user(user=user)  # the page's 20 latest (NotFound / 403 as the page)
    return Chunk([] if counted else runs, None, len(runs) if counted else None)


def _imports_rows(user: User, items: list[Any], shown: list[int]) -> list[list[Any]]:
    from django.utils import timezone

    out = []
    for r in items:
        state = gettext(r.get_state_display())
        if r.state == "done":
            state += f"（{r.imported}）"
        out.append(
            [
                timezone.localtime(r.requested_at).strftime("%Y-%m-%d %H:%M"),
                r.source.name,
                r.file_name,
                r.rows_total,
                state,
            ]
        )
    return out


def _register_imports() -> None:
    from xinfang.petitions.workflow import Action

    kind_register(Kind(
        name="imports", title=gettext_lazy("历史数据导入台账"), page_url="imports:start",
        caps=(Action.REGISTER, Cap.EXPORT), params=lambda q: {}, page=_imports_page,
        rows=_imports_rows, headers=("上传时间", "来源", "文件", "行数", "状态"),
        types="tttnt", widths=(16, 24, 30, 8, 14), chunk=100,
    ))  # fmt: skip


_register_search()
_register_imports()
