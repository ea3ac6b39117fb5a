"""The planner: one petition's content and steps, drawn from the seeded random generator."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from xinfang.demo._common import _pick
from xinfang.demo.content import _Content
from xinfang.demo.organs import _Unit
from xinfang.demo.states import WANT, _cut_for, _Plan
from xinfang.demo.steps import _Steps
from xinfang.demo.texts import TOPICS
from xinfang.directory.models import Level, Organ
from xinfang.petitions.workflow import State


class _Planner(_Content, _Steps):
    """Plans one petition: what it says (``_Content``) and the steps it takes (``_Steps``)."""

    def __init__(
        self, rng: random.Random, province: _Unit, cities: list[_Unit], counties: list[_Unit]
    ):
        self.rng = rng
        self.province = province
        self.cities = cities
        self.counties = counties
        # The first county and city carry the demo logins: give them a larger share.
        self.county_weights = [
            6.0 if i == 0 else rng.uniform(0.6, 2.0) for i in range(len(counties))
        ]
        self.city_weights = [3.0 if i == 0 else rng.uniform(0.6, 1.5) for i in range(len(cities))]

    # -- the petition itself ------------------------------------------------------------------

    def plan(self, want: State | None = None, **extra: Any) -> _Plan:
        force = {**(WANT.get(want, {}) if want is not None else {}), **extra}
        for _ in range(200):
            plan = self._attempt(force)
            if want is None:
                return plan
            cut = _cut_for(plan.steps, want)
            if cut is not None:
                plan.steps = plan.steps[:cut]
                plan.want = want
                return plan
        raise RuntimeError(f"no plan reaches {want}")  # pragma: no cover - a table error

    def _choice(self, force: dict[str, Any], name: str, options: dict[Any, float]) -> Any:
        if name in force:
            return force[name]
        return _pick(self.rng, options)

    def _attempt(self, force: dict[str, Any]) -> _Plan:
        rng = self.rng
        category = force.get("category")
        route = force.get("route")
        topics = [
            t
            for t in TOPICS
            if (category is None or t.category == category)
            and (route is None or any(r == route for r, _w in t.routes))
        ]
        if force.get("demo_county") and rng.random() < 0.6:
            topics = [t for t in topics if t.dept == "housing"] or topics  # the handler logins
        topic = rng.choices(topics, weights=[t.weight for t in topics])[0]
        category = topic.category
        if category == "appeal":
            route = route or _pick(rng, dict(topic.routes))
        else:
            route = None
        intake_kind = self._choice(
            force, "intake", {"po": 70, "upper_po": 14, "direct": 12, "province": 4}
        )
        if intake_kind == "direct" and (
            topic.dept in ("court", "police", "discipline") or topic.accused
        ):
            intake_kind = "po"
        county = rng.choices(self.counties, weights=self.county_weights)[0]
        if force.get("demo_county"):
            county = self.counties[0]  # where the county and city logins work
        city = county.parent
        assert city is not None
        unit: _Unit
        if intake_kind == "province":
            unit, intake = self.province, self.province.po
        elif intake_kind == "upper_po":
            # a city matter, or a county matter brought straight to the city office
            unit, intake = (city if rng.random() < 0.5 else county), city.po
            if force.get("chain"):
                unit = county  # a county matter the city office passes down (逐级转送)
        elif intake_kind == "direct":
            unit = city if rng.random() < 0.3 else county
            intake = unit.organ(topic.dept)
        else:
            unit, intake = county, county.po
        assert unit is not None
        accused = None
        if topic.accused:
            accused = unit.depts[topic.accused]
            if rng.random() < 0.12 and unit.parent is not None and intake.level == Level.COUNTY:
                # now and then a county government itself is accused: the city takes it
                accused = unit.gov
                intake = unit.parent.po
        fields = self._fields(topic, unit, category, route, accused)
        lag = (
            0
            if fields["channel"] in ("visit", "phone", "hotline")
            else rng.choice((0, 0, 1, 1, 2, 3))
        )
        steps = self._steps(force, topic, unit, intake, category, route, accused)
        return _Plan(
            unit=unit, intake=intake, topic=topic, fields=fields, steps=steps, lag_days=lag
        )

    # -- lookups ------------------------------------------------------------------------------

    def _units(self) -> Iterator[_Unit]:
        yield self.province
        yield from self.cities
        yield from self.counties

    def _unit_of(self, organ: Organ) -> _Unit:
        for u in self._units():
            if u.region.pk == organ.region_id:
                return u
        raise KeyError(organ)  # pragma: no cover

    def _organ_by_pk(self, pk: int | None) -> Organ:
        for u in self._units():
            for o in (u.gov, u.po, u.court, u.police, u.discipline, *u.depts.values()):
                if o.pk == pk:
                    return o
        raise KeyError(pk)  # pragma: no cover
