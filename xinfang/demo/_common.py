"""Shared by the demo generator: the password, the time span, small helpers and the clock it sets."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from xinfang.core import clock
from xinfang.directory.models import Organ
from xinfang.petitions.workflow import Action, State

DEMO_PASSWORD = "xinfang-demo-2026"


DAYS_BACK = 548  # about 18 months


A = Action


S = State


def _pick(rng: random.Random, options: dict[Any, float]) -> Any:
    keys = list(options)
    return rng.choices(keys, weights=[options[k] for k in keys])[0]


def _in_subtree(organ: Organ, root: Organ | None) -> bool:
    return root is not None and (organ.pk == root.pk or organ.path.startswith(root.path))


def _id_number(region6: str, birth: date, seq: int) -> str:
    body = f"{region6}{birth:%Y%m%d}{seq:03d}"
    total = sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class _Clock:
    def __init__(self) -> None:
        self.at: datetime | None = None
        self._real = clock.now

    def now(self) -> datetime:
        return self.at if self.at is not None else self._real()


@contextmanager
def _own_clock() -> Iterator[_Clock]:
    c = _Clock()
    real = clock.now
    clock.now = c.now  # type: ignore[assignment]
    try:
        yield c
    finally:
        clock.now = real  # type: ignore[assignment]


def _local(d: date, minutes: int) -> datetime:
    return timezone.make_aware(datetime.combine(d, time(0, 0)) + timedelta(minutes=minutes))


def _ldate(t: datetime) -> date:
    return timezone.localdate(t)
