"""Reads of the workbench: a user's saved filters, and petition search.

Search reads petitions only through ``petitions.selectors.petition_queryset_for_user`` (the one
jurisdiction rule), so it never finds a petition outside the user's jurisdiction or one that
accuses the user's organ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from xinfang.core import clock, ids
from xinfang.core.crypto import id_digest, phone_digest
from xinfang.core.day_params import day_param, days_ordered
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can
from xinfang.petitions.models import Party, Petition
from xinfang.petitions.selectors import (
    _list_columns,
    identity_shown_q,
    petition_queryset_for_user,
)
from xinfang.petitions.selectors.lists import (
    list_after,
    list_cursor,
    list_cursor_check,
    list_order,
)
from xinfang.workbench.models import SavedFilter, SearchPending
from xinfang.workbench.text import search_kind_of, terms_of_query
from xinfang.workbench.words import (
    petition_has_word,
    petitions_with,
    petitions_with_all,
    uses_tsvector,
)

SEARCH_KINDS = {
    "auto": "自动识别",
    "text": "标题和内容",
    "code": "查询码",
    "phone": "联系电话",
    "id_number": "证件号码",
    "name": "信访人姓名",
}
IDENTITY_KINDS = ("name", "phone", "id_number")


def saved_filter_list(*, user: User) -> list[SavedFilter]:
    return list(SavedFilter.objects.filter(user_id=user.pk).order_by("name", "id")[:100])


@dataclass(frozen=True)
class SearchPage:
    items: list[Petition]
    next_cursor: str | None
    terms: list[str]
    by: str = "text"  # how the query was searched (``auto`` resolved)
    total: int | None = None  # all the matches (asked for with ``counted``: an export)


@dataclass(frozen=True)
class SearchQuery:
    """The search form's filters, parsed once for the page and its 台账 (issue 16)."""

    q: str
    by: str
    state: str | None = None
    category: str | None = None
    received_from: date | None = None
    received_to: date | None = None

    @property
    def identity(self) -> bool:
        """Searched by a party's name, phone or identity number (as ``auto`` would see it)."""
        by = search_kind_of(self.q) if self.by == "auto" else self.by
        return by in IDENTITY_KINDS


def _search_date(text: str, field: str) -> date | None:
    return day_param(
        text,
        field=field,
        message=gettext("日期格式有误"),
        hint=gettext("请按 年-月-日 填写日期"),
    )


def _search_dates_ordered(first: date | None, last: date | None) -> None:
    """A reversed range is a 400 at ``from``: it would find nothing, read as "no petitions"."""
    days_ordered(first, last, field="from", message=gettext("起始日期晚于截止日期"))


def search_query_parse(data: Any) -> SearchQuery:
    """The search form's fields (a POST or a query string): ``q``, ``by`` (``auto`` when
    empty), ``state``, ``category``, ``from``, ``to``. A value no form offers is a 400."""
    from xinfang.petitions.workflow import CATEGORY_LABELS, STATE_LABELS

    f = {k: (data.get(k) or "").strip() for k in ("q", "by", "state", "category", "from", "to")}
    for k, allowed in (
        ("by", SEARCH_KINDS),
        ("state", {x.value for x in STATE_LABELS}),
        ("category", {x.value for x in CATEGORY_LABELS}),
    ):
        if f[k] and f[k] not in allowed:
            raise ApplicationError(gettext("筛选条件有误"), fields={k: [gettext("无此选项")]})
    received_from = _search_date(f["from"], "from")
    received_to = _search_date(f["to"], "to")
    _search_dates_ordered(received_from, received_to)
    return SearchQuery(
        q=f["q"],
        by=f["by"] or "auto",
        state=f["state"] or None,
        category=f["category"] or None,
        received_from=received_from,
        received_to=received_to,
    )


#: A word found in fewer petitions than this is looked up first (see ``_matching_all``).
RARE = 2000


def _matching_all(
    qs: QuerySet[Petition], terms: list[str], *, dated: bool = False
) -> QuerySet[Petition]:
    """Indexed petitions holding every word.

    PostgreSQL (ADR 0022): one ``words @@ 'w1' & 'w2'`` over the GIN index of the petitions'
    word vectors; the planner weighs the words from the vectors' statistics.

    SQLite (ADR 0007): one ``IN`` per word. The newest-first scan stops after a page of
    matches, which is quick while matches are common; when one word is rare it would read the
    whole table, so a capped count per word finds the rarest and, if it is rare, its petitions
    are taken first (at most ``RARE`` ids).

    ``dated`` (a received-date range, read newest received first): a common word is asked per
    petition (``EXISTS``, one probe of the (petition, term) key), so that the walk of the
    ``petition_received`` index in the range drives and a page stops it. With ``IN`` SQLite
    builds the word's whole list and sorts its matches by date: at 10^6 petitions 物业 (65,430
    petitions) + a 3-month range took 166 ms of SQL warm (3.2 s cold), 8.7 ms with ``EXISTS``
    (bench/README.md, "10^6 on SQLite, current code"). Without a range the list is kept: it
    bounds the walk by the word's petitions, where ``EXISTS`` would walk every petition
    newest first for a clerk who may see few of them."""
    if uses_tsvector():
        return qs.filter(id__in=petitions_with_all(terms))
    counts = [(petitions_with(t)[:RARE].count(), t) for t in terms]
    n, rarest = min(counts)
    if n < RARE:
        qs = qs.filter(id__in=list(petitions_with(rarest).values_list("petition_id", flat=True)))
    for t in terms:
        if n >= RARE or t != rarest:
            qs = qs.filter(petition_has_word(t)) if dated else qs.filter(id__in=petitions_with(t))
    return qs


def _queued_matching(qs: QuerySet[Petition], terms: list[str]) -> QuerySet[Petition] | None:
    """Petitions still queued for the index (``SearchPending``: registered moments ago, or
    during a bulk import) whose title or content holds every word, so that search never misses
    a new petition; None when the queue is empty, as it is nearly always (one ``EXISTS``). A
    separate query, merged by id, so the indexed query keeps its plan."""
    if not SearchPending.objects.exists():
        return None
    qs = qs.filter(id__in=SearchPending.objects.values("petition_id"))
    for t in terms:
        qs = qs.filter(Q(title__icontains=t) | Q(content__icontains=t))
    return qs


def petition_search_for_user(
    *,
    user: User,
    q: str,
    by: str = "text",
    state: str | None = None,
    category: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
    counted: bool = False,
) -> SearchPage:
    """Petitions the user may see that match ``q``, newest first: with a received-date range
    the newest received first (keyset on ``received_at, id``: the range's end starts the walk
    of the ``petition_received`` index and a page stops it, however much history lies after
    it; issue 14), else the newest registered first (keyset on id). A range whose first day
    lies after its last is a 400.

    ``by``: ``auto`` (the kind ``search_kind_of`` sees in ``q``; an identity kind only for a
    user who may search by identity, else text), ``text`` (every word of ``q`` in the title or content), ``code`` (the tracking code,
    spaces and case ignored), ``name`` (a party's exact name) or ``phone`` (a party's phone, via
    its blind index), ``id_number`` (a party's identity number, likewise). Name, phone and
    identity number need the ``view_identity`` capability, and find an
    accusation or a confidential petition only for the organ handling it now (as the petition
    page shows its parties)."""
    limit = max(1, min(limit, 200))
    q = (q or "").strip()
    dated = bool(received_from or received_to)
    if cursor:  # a cursor no page gave out is a 400, whatever the query
        list_cursor_check(cursor, dated)
    _search_dates_ordered(received_from, received_to)
    if by not in SEARCH_KINDS:
        raise ApplicationError(
            gettext("未知的检索方式"),
            fields={
                "by": [gettext("可选：%(kinds)s") % {"kinds": gettext("、").join(SEARCH_KINDS)}]
            },
        )
    if by == "auto":
        by = search_kind_of(q)
        if by in IDENTITY_KINDS and not user_can(user, Cap.VIEW_IDENTITY):
            by = "text"
    if by in IDENTITY_KINDS and not user_can(user, Cap.VIEW_IDENTITY):
        raise Forbidden(gettext("您的角色不能按信访人身份信息检索"))
    if not q:
        return SearchPage([], None, [], by)
    qs: QuerySet[Petition] = petition_queryset_for_user(user=user)
    terms: list[str] = []
    queued: QuerySet[Petition] | None = None
    if by == "code":
        qs = qs.filter(tracking_code=ids.normalize_tracking_code(q))
    elif by == "text":
        terms = terms_of_query(q)
        if not terms:
            return SearchPage([], None, [], by)
        queued = _queued_matching(qs, terms)
        qs = _matching_all(qs, terms, dated=dated)
    else:
        if by == "phone":
            digest = phone_digest(q)
            if not digest:
                return SearchPage([], None, [], by)
            parties = Party.objects.filter(phone_digest=digest)
        elif by == "id_number":
            digest = id_digest(q)
            if not digest:
                return SearchPage([], None, [], by)
            parties = Party.objects.filter(id_digest=digest)
        else:
            parties = Party.objects.filter(name=q)
        qs = qs.filter(id__in=parties.values("petition_id"))
        qs = qs.filter(identity_shown_q(user))

    def narrow(qs: QuerySet[Petition]) -> QuerySet[Petition]:
        if state:
            qs = qs.filter(state=state)
        if category:
            qs = qs.filter(category=category)
        return qs.filter(clock.on_local_days("received_at", received_from, received_to))

    total = None
    if counted:  # every match, the queued ones the index has not yet read included
        total = narrow(qs).count()
        if queued is not None:
            total += narrow(queued).exclude(pk__in=narrow(qs).values("pk")).count()

    def page(qs: QuerySet[Petition]) -> list[Petition]:
        qs = list_after(narrow(qs), cursor, dated).order_by(*list_order(dated))
        return list(_list_columns(qs)[: limit + 1])

    items = page(qs)
    if queued is not None:
        seen = {p.pk for p in items}
        extra = [p for p in page(queued) if p.pk not in seen]
        key = (lambda p: (p.received_at, p.pk)) if dated else (lambda p: p.pk)
        items = sorted(items + extra, key=key, reverse=True)
        items = items[: limit + 1]
    more = len(items) > limit
    items = items[:limit]
    return SearchPage(
        items, list_cursor(items[-1], dated) if more and items else None, terms, by, total
    )
