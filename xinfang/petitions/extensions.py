"""What the apps above ``petitions`` contribute to it, registered in their ``AppConfig.ready()``.

``petitions`` imports none of the apps above it (design.md: ``petitions < documents, feedback,
workbench, insight < reception, resolution, … < web, portal, api``). An app above that must act
when a petition changes, or show something on the staff petition page, registers a function
here, and petitions calls what is registered. Plain lists, no Django signals: the calls are
explicit in the services and the page, in the order the apps are installed (ADR 0010).

Write hooks, called inside the service's transaction (what they write commits or rolls back
with the petition; a hook that raises refuses the whole step):

- ``on_registered(fn)``: ``fn(*, petitions)`` after new petitions are written, one or a batch
  (the search queue, the analytics rollup).
- ``on_acted(fn)``: ``fn(*, petition, event, before)`` after a step is written: ``event`` is the
  new ``PetitionEvent``, ``before`` a copy of the petition as it was before the step (the
  document's 文号, the rollup moving the petition to its new cell).
- ``on_accused(fn)``: ``fn(*, petition, user_ids, before)`` after the staff an accusation names
  were recorded again after its registration (``petition_accused_set``): ``user_ids`` those
  named before or now (what was computed for them, or for the organ, may hold the petition),
  ``before`` those named before (the transfers rollup moves the petition's steps between them).
- ``on_changed(fn)``: ``fn(*, petition_ids)`` after what a petition's figures read changed
  without a step: its deadlines folded again (a calendar change, a recompute), an evaluation
  (the rate rollup's queue).

Contributions to the staff petition page (reads; each already filtered for the user):

- ``panel_add(name=, template=, context=)``: a section of the page. ``context(*, petition,
  user)`` returns a dict (or None/empty to show nothing); the page renders ``template`` with
  it under the variable ``name``.
- ``timeline_add(name=, items=)``: entries of the page's timeline. ``items(*, petition, user)``
  returns :class:`TimelineItem`; the page merges them with the petition's events by time.
- ``external_served(fn)``: ``fn()`` returns a ``Q`` over ``directory.Organ``: the organs
  another installation serves that may receive a petition now (an active peer serves them;
  federation, issue 20). Without it no such organ is offered or accepted.
- ``handover_undelivered(fn)``: ``fn(*, petition) -> bool``: whether the petition's latest
  hand-over to such an organ is still undelivered (the other installation has not acknowledged
  it), so the office that made it may take it back (``take_back``; federation, issue 20).
- ``presence_add(name=, rows=)``: ``rows()`` returns a queryset of the app's records of the
  petition ``OuterRef("pk")`` (no user scope). The page asks all of them in ONE query
  (``presence_read``) before its panels run; a panel asks ``present(petition, name)`` and skips
  its own scoped query when the petition has no such record at all (False), and runs it as
  before when it has (True) or when nothing was read (None: another caller). What is shown is
  always read through the panel's own scope; presence only spares the query that would find
  nothing. Most petitions have none of most apps' records (pagespeed).
- ``petition_page_set(view)``: the interface that shows the staff petition page registers its
  view, so that a panel's own form (posted to its app) can show the page again with its errors
  (``petition_page_render``) without importing the interface.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

_registered: dict[str, Callable[..., None]] = {}
_acted: dict[str, Callable[..., None]] = {}
_changed: dict[str, Callable[..., None]] = {}
_accused: dict[str, Callable[..., None]] = {}
_panels: dict[str, Panel] = {}
_timelines: dict[str, Callable[..., Iterable[TimelineItem]]] = {}
_page: list[Callable[..., Any]] = []
_presence: dict[str, Callable[[], Any]] = {}
_served: list[Callable[[], Any]] = []
_undelivered: list[Callable[..., bool]] = []


def _key(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


# -- write hooks ------------------------------------------------------------------------------


def on_registered(fn: Callable[..., None]) -> Callable[..., None]:
    """Call ``fn(*, petitions)`` in the transaction that writes new petitions. Registering the
    same function again changes nothing (``ready()`` may run twice)."""
    _registered[_key(fn)] = fn
    return fn


def on_acted(fn: Callable[..., None]) -> Callable[..., None]:
    """Call ``fn(*, petition, event, before)`` in the transaction that writes a step."""
    _acted[_key(fn)] = fn
    return fn


def on_accused(fn: Callable[..., None]) -> Callable[..., None]:
    """Call ``fn(*, petition, user_ids, before)`` in the transaction that records again who an
    accusation names."""
    _accused[_key(fn)] = fn
    return fn


def accused(*, petition: Any, user_ids: Sequence[int], before: Sequence[int] = ()) -> None:
    """For ``petition_accused_set``: run the ``on_accused`` hooks (``before``: those named
    before the change)."""
    for fn in list(_accused.values()):
        fn(petition=petition, user_ids=user_ids, before=before)


def on_changed(fn: Callable[..., None]) -> Callable[..., None]:
    """Call ``fn(*, petition_ids)`` in the transaction that changed their deadlines or
    evaluations without a step."""
    _changed[_key(fn)] = fn
    return fn


def changed(*, petition_ids: Sequence[int]) -> None:
    """For the services that change a petition's deadlines or evaluations without a step."""
    if petition_ids:
        for fn in list(_changed.values()):
            fn(petition_ids=petition_ids)


def registered(*, petitions: Sequence[Any]) -> None:
    """For the registration services: run the ``on_registered`` hooks."""
    for fn in list(_registered.values()):
        fn(petitions=petitions)


def snapshot(petition: Any) -> Any:
    """A copy of ``petition`` as it is now (for ``before``), taken before a step changes it."""
    return copy.copy(petition)


def acted(*, petition: Any, event: Any, before: Any) -> None:
    """For ``petition_act``: run the ``on_acted`` hooks."""
    for fn in list(_acted.values()):
        fn(petition=petition, event=event, before=before)


# -- the organs another installation serves --------------------------------------------------


def external_served(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Register ``fn() -> Q``: the external organs (``Organ.external``) served now (one
    provider: registering again replaces it)."""
    _served[:] = [fn]
    return fn


def external_served_q() -> Any:
    """A ``Q`` over ``Organ``: the external organs that may receive a petition now (none
    without a provider)."""
    from django.db.models import Q

    return _served[0]() if _served else Q(pk__in=[])


def handover_undelivered(fn: Callable[..., bool]) -> Callable[..., bool]:
    """Register ``fn(*, petition) -> bool`` (one provider: registering again replaces it)."""
    _undelivered[:] = [fn]
    return fn


def handover_is_undelivered(*, petition: Any) -> bool:
    """Whether the latest hand-over of ``petition`` to another installation is not yet
    acknowledged there (False without a provider: nothing can be taken back)."""
    return bool(_undelivered[0](petition=petition)) if _undelivered else False


# -- the staff petition page ------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    name: str  # the template variable the context is given as; unique
    template: Any  # a template name, or a Template object (anything `{% include %}` takes)
    context: Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class TimelineItem:
    """One dated entry an app adds to a petition's timeline."""

    at: datetime
    label: str  # what happened, in the source language (zh-hans), translated by the page
    text: str = ""
    organ: str = ""
    actor: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def panel_add(*, name: str, template: Any, context: Callable[..., dict[str, Any] | None]) -> None:
    """Show ``template`` on the staff petition page with ``context(petition=, user=)``."""
    _panels[name] = Panel(name=name, template=template, context=context)


def timeline_add(*, name: str, items: Callable[..., Iterable[TimelineItem]]) -> None:
    """Merge ``items(petition=, user=)`` into the staff petition page's timeline."""
    _timelines[name] = items


def panels_for_user(*, petition: Any, user: Any) -> list[dict[str, Any]]:
    """The registered panels with something to show: ``{"name", "template", "context"}``."""
    out = []
    for panel in list(_panels.values()):
        ctx = panel.context(petition=petition, user=user)
        if ctx:
            out.append({"name": panel.name, "template": panel.template, "context": ctx})
    return out


def timeline_for_user(*, petition: Any, user: Any) -> list[TimelineItem]:
    """Every registered app's timeline entries for ``petition``, oldest first."""
    items = [i for fn in list(_timelines.values()) for i in fn(petition=petition, user=user)]
    return sorted(items, key=lambda i: i.at)


def presence_add(*, name: str, rows: Callable[[], Any]) -> None:
    """Register ``rows() -> QuerySet`` of the records of the petition ``OuterRef("pk")``."""
    _presence[name] = rows
    _presence_sql.clear()


#: (database vendor, names) -> (SQL, params, index of the petition id among them): the query
#: is the same for every petition, so the ORM builds it once per process, not on every page.
_presence_sql: dict[tuple[str, tuple[str, ...]], tuple[str, list[Any], int]] = {}
_SENTINEL = -7_770_001  # no petition has it: marks the id's place among the params


def _presence_query(model: Any, alias: str, vendor: str) -> tuple[str, list[Any], int, list[str]]:
    from django.db.models import Exists

    names = list(_presence)
    key = (vendor, tuple(names))
    got = _presence_sql.get(key)
    if got is None:
        exprs = {f"xf_{i}": Exists(_presence[n]()) for i, n in enumerate(names)}
        qs = model.objects.using(alias).filter(pk=_SENTINEL).annotate(**exprs).values_list(*exprs)
        sql, params = qs.query.sql_with_params()
        at = [i for i, x in enumerate(params) if x == _SENTINEL]
        if len(at) != 1:  # never expected; the ORM's own query then, every time
            raise LookupError("presence query: the petition id's place is ambiguous")
        got = _presence_sql[key] = (sql, list(params), at[0])
    return got[0], got[1], got[2], names


def presence_read(petition: Any) -> dict[str, bool]:
    """Whether the petition has any record of each registered kind, in one query; kept on the
    object for ``present`` (the page's panels)."""
    from django.db import connections, router

    found: dict[str, bool] = {}
    if _presence and petition.pk is not None:
        model = type(petition)
        alias = router.db_for_read(model, instance=petition)
        conn = connections[alias]
        sql, params, at, names = _presence_query(model, alias, conn.vendor)
        params = [*params[:at], petition.pk, *params[at + 1 :]]
        with conn.cursor() as c:
            c.execute(sql, params)
            row = c.fetchone()
        found = {n: bool(row[i]) if row else False for i, n in enumerate(names)}
    petition._xinfang_presence = found
    return found


def present(petition: Any, name: str) -> bool | None:
    """Whether ``presence_read`` found records of ``name`` for this petition object; None when
    it was not read (the caller then runs its own query)."""
    found = getattr(petition, "_xinfang_presence", None)
    if found is None or name not in found:
        return None
    return found[name]


def petition_page_set(view: Callable[..., Any]) -> None:
    """Register the staff petition page: ``view(request, petition_id, errors=, status=)``."""
    _page[:] = [view]


def petition_page_render(request: Any, petition_id: int, *, errors: dict, status: int) -> Any:
    """Show the staff petition page again, with ``errors`` (a refused form of a panel)."""
    if not _page:
        raise RuntimeError("no staff petition page registered (is xinfang.web installed?)")
    return _page[0](request, petition_id, errors=errors, status=status)


def _forget(name: str) -> None:
    """Tests: remove a panel or timeline registered under ``name``."""
    _panels.pop(name, None)
    _timelines.pop(name, None)
