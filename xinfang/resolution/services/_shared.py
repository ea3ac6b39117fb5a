"""What every resolution service shares: the gate, the clean text, the error helpers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext

from xinfang.core.errors import ApplicationError, Forbidden, NotFound
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap
from xinfang.petitions.models import Petition
from xinfang.petitions.services import actor_may
from xinfang.petitions.workflow import Action
from xinfang.resolution.access import require

# the study ``suggestion_decide`` is answering, set around its own ``reply`` step: the hook
# ``reply_to_a_suggestion_only_through_its_decision`` trusts this, never the step's data,
# which a caller of the API writes (Art. 29)
deciding_suggestion: ContextVar[int | None] = ContextVar("deciding_suggestion", default=None)

__all__ = [
    "ApplicationError",
    "deciding_suggestion",
    "Forbidden",
    "NotFound",
    "exists",
    "invalid",
    "prior",
    "record_for_update",
    "text",
    "unique",
]


def prior(model: Any, submission: str | None, **who: Any) -> Any:
    """The record an earlier post of the same form created (the form's one-time key, the
    models' ``submission``), or None: a refresh or double click returns it instead of creating
    a second one. Two posts at the same moment may both find none; ``unique`` answers the
    second one's insert."""
    if not submission:
        return None
    return model.objects.filter(submission=submission, **who).first()


def exists(message: str, *, field: str = "") -> ApplicationError:
    """A 409: the record the request would create is already there ("已存在")."""
    fields = {field: [message]} if field else None
    return ApplicationError(message, code="exists", status=409, fields=fields)


@contextmanager
def unique(message: str, *, field: str = "") -> Iterator[None]:
    """The writes of a create whose key a database constraint holds unique (a form's one-time
    key, one live record per petition, one decision per step). The service checks first; when
    two simultaneous posts both pass the check, the second one's insert meets the constraint:
    it is then this clear 409 with ``message``, never the database's IntegrityError (a 500).
    A savepoint: the caller's transaction stays usable."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as e:
        raise exists(message, field=field) from e


def invalid(fields: dict[str, list[str]], message: str | None = None) -> ApplicationError:
    return ApplicationError(message or gettext("请检查标出的内容"), fields=fields)


def text(value: str | None, *, limit: int, field: str) -> str:
    """Trimmed text; NUL bytes and text over ``limit`` are refused on ``field`` (a clear 400)."""
    value = (value or "").strip()
    if "\x00" in value:
        raise invalid({field: [gettext("内容含有不允许的字符")]})
    if len(value) > limit:
        raise invalid({field: [gettext("内容过长（最多 %(n)s 字）") % {"n": limit}]})
    return value


def record_for_update(
    model: Any,
    *,
    actor: User,
    record_id: int,
    scope: Q,
    missing: str,
    step: Action | None = None,
    cap: Cap = Cap.RESOLUTION_VIEW,
    related: tuple[str, ...] = (),
) -> Any:
    """The record (a hearing, a mediation, a suggestion, a relief application, a backlog case)
    ``actor`` takes a step on, locked for the step's transaction. Refused: a role without
    ``cap`` (403); a record outside ``scope`` (the access rule of its kind) answers ``missing``,
    the same 404 as one that does not exist; with ``step``, an actor the petitions gate
    (``actor_may``) does not let take that step on the record's petition now (the organ holding
    it, a role that may)."""
    require(actor, cap)
    rows = model.objects.select_for_update(of=("self",)).filter(scope, pk=record_id)
    record = rows.select_related(*related).first() if related else rows.first()
    if record is None:
        raise NotFound(missing)
    if step is not None:
        petition = Petition.objects.select_related(
            "current_organ", "review_organ", "handling_organ"
        ).get(pk=record.petition_id)
        if why := actor_may(petition, step, actor):
            raise Forbidden(why)
    return record
