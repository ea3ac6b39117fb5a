"""The mechanism of a 台账 kind (``export_kinds`` is the registry): a list's page selector read
page after page with its own cursor, its filters, columns and masking, and its read gate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import User
from xinfang.directory.permissions import user_can

Params = dict[str, Any]


@dataclass(frozen=True)
class Chunk:
    items: list[Any]
    next_cursor: Any  # None: the last page
    total: int | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    title: Any  # the 台账's name (lazy text)
    page_url: str  # the list page's URL name (the way back, with the filters)
    caps: tuple[str, ...]
    params: Callable[[QueryDict], Params]
    page: Callable[[User, Params, Any, int, bool], Chunk]  # user, filters, cursor, limit, counted
    rows: Callable[[User, list[Any], list[int]], list[list[Any]]]  # + identities shown
    headers: tuple[str, ...]
    types: str  # one letter a column: t text, d date, n number (prevention.xlsx)
    widths: tuple[float, ...] = ()
    chunk: int = 500
    #: the list page with its filters when its URL takes an argument (a fund's ledger); else
    #: ``page_url`` with the filters as the query string
    back: Callable[[Params], str] | None = None
    #: the file's title when it names what the page names (an organ, a year); else ``title``
    titled: Callable[[User, Params], str] | None = None
    #: filters the audit record leaves out (a search's sealed name, phone or identity number)
    secret: tuple[str, ...] = ()

    def may(self, user: User) -> bool:
        return all(user_can(user, c) for c in self.caps)

    def require(self, user: User) -> None:
        if not self.may(user):
            raise Forbidden(gettext("您的角色不能导出这份台账"))

    def count(self, user: User, params: Params) -> int:
        return self.page(user, params, None, 1, True).total or 0

    def iter_rows(
        self, user: User, params: Params, shown: list[int], progress: Callable[[int], None]
    ) -> Iterator[list[Any]]:
        cursor, done = None, 0
        while True:
            chunk = self.page(user, params, cursor, self.chunk, False)
            yield from self.rows(user, chunk.items, shown)
            done += len(chunk.items)
            progress(done)
            if chunk.next_cursor is None or not chunk.items:
                return
            cursor = chunk.next_cursor


KINDS: dict[str, Kind] = {}


def kind_register(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def bad_filter() -> ApplicationError:
    return ApplicationError(gettext("筛选条件有误"), code="bad_param", status=400)


def text_param(q: QueryDict, key: str, allowed: Any = None, max_length: int = 40) -> str:
    """One filter of the page's query string: short, no NUL, among ``allowed`` when given."""
    v = q.get(key, "") or ""
    if len(v) > max_length or "\x00" in v or (v and allowed is not None and v not in allowed):
        raise bad_filter()
    return v
