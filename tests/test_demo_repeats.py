"""The demo's Art. 36(3) repeats: every earlier petition ended by re-review that the seed picks
is raised again and refused, none is refused at registration (the 3,000-petition demo stopped
on one: the repeat went to the local office, which may not name a petition brought to a higher
office or accusing an organ above it; the petitioner goes back to the office that registered it)."""

from __future__ import annotations

import pytest

from xinfang.demo import demo_seed
from xinfang.petitions.models import Petition

pytestmark = pytest.mark.django_db


class _Every(list):
    """The plans, claiming to be so many that the seed's sample takes every candidate."""

    def __len__(self) -> int:
        return 10**9


def test_every_candidate_repeat_is_registered_at_an_office_that_may_name_the_earlier_one(
    monkeypatch,
):
    import xinfang.demo.seed as seed
    from xinfang.demo._common import _ldate

    real = seed._repeats
    seen: dict[str, int] = {}

    def every(plans, planner, staff, own, rng, today, errors):  # type: ignore[no-untyped-def]
        seen["candidates"] = sum(  # the seed's own choice of candidates (repeats.py)
            1
            for p in plans
            if any(s.action == "decide_re_review" for s in p.steps)
            and p.times
            and (today - _ldate(p.times[-1])).days >= 12
        )
        real(_Every(plans), planner, staff, own, rng, today, errors)

    monkeypatch.setattr(seed, "_repeats", every)
    result = demo_seed(petitions=200, seed=11)
    assert result["errors"] == []
    repeats = Petition.objects.filter(repeat_of__isnull=False)
    assert seen["candidates"] > 0
    assert repeats.count() == seen["candidates"], "no candidate is skipped or refused"
    assert all(r.events.filter(action="not_accept").exists() for r in repeats)
