"""What a demo petition says (a part of the planner)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from xinfang.demo._common import _id_number, _pick
from xinfang.demo.organs import _Unit
from xinfang.demo.texts import (
    _ESTATE,
    _ESTATE_SUFFIX,
    _FIRM,
    _GIVEN,
    _INDUSTRY,
    _ROAD,
    _SURNAMES,
    _VILLAGE,
    _Topic,
)
from xinfang.directory.models import Organ
from xinfang.petitions.services import (
    PartyInput,
)


class _Content:
    """What a petition says: its fields, texts and parties (the part of :class:`_Planner` that
    writes the petition itself; ``self.rng`` and the units come from the planner)."""

    def _fields(
        self, topic: _Topic, unit: _Unit, category: str, route: int | None, accused: Organ | None
    ) -> dict[str, Any]:
        rng = self.rng
        slots = self._slots(unit, topic)
        title = rng.choice(topic.titles).format(**slots)
        body = "".join(b.format(**slots) for b in topic.body)
        if category == "suggestion":
            content = f"{body}{topic.ask}。"
        else:
            lead = rng.choice(("现请求", "为此请求", "恳请有关部门", "特此反映，请求"))
            content = f"{body}{lead}{topic.ask}。"
        channel = _pick(
            rng, {"online": 30, "letter": 20, "visit": 24, "phone": 10, "fax": 2, "hotline": 14}
        )
        anonymous = category == "accusation" and rng.random() < 0.35 or rng.random() < 0.02
        collective = (
            not anonymous
            and topic.dept in ("housing", "hrss", "land", "env", "market")
            and rng.random() < 0.16
        )
        parties: list[PartyInput] = []
        head_count = 1
        if not anonymous:
            parties.append(self._person("petitioner", unit, channel))
            if collective:
                head_count = rng.randint(5, 80)
                parties += [
                    self._person("representative", unit, channel) for _ in range(rng.randint(1, 5))
                ]
            if rng.random() < 0.06:
                parties.append(
                    PartyInput(
                        role="agent",
                        name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}律师",
                        phone=self._phone(),
                        address=f"{unit.name}{rng.choice(('正义', '明理', '公信'))}律师事务所",
                    )
                )
        # Category left open at intake now and then: the organ sets it when it accepts.
        blank = category != "accusation" and rng.random() < 0.06
        return dict(
            channel=channel,
            title=title[:200],
            content=content,
            region_code=unit.region.code,
            category="" if blank else category,
            route=None if blank else route,
            accused_organ_id=accused.pk if accused is not None else None,
            is_collective=collective,
            head_count=head_count,
            is_anonymous=anonymous,
            confidential=category == "accusation" and rng.random() < 0.5,
            parties=tuple(parties),
            # kept for the steps; not PetitionInput fields
            _category=category,
            _route=route,
        )

    def _slots(self, unit: _Unit, topic: _Topic) -> dict[str, str]:
        rng = self.rng
        dept = unit.organ(topic.accused) if topic.accused else None
        return {
            "place": f"{unit.name}{rng.choice(unit.towns)}",
            "estate": f"{rng.choice(_ESTATE.split())}{rng.choice(_ESTATE_SUFFIX)}",
            "village": rng.choice(_VILLAGE.split()),
            "company": f"{unit.name[:2]}{rng.choice(_FIRM.split())}{rng.choice(_INDUSTRY)}有限公司",
            "amount": f"{rng.randint(2, 380) * 100:,}",
            "n": str(rng.randint(3, 120)),
            "months": str(rng.randint(2, 18)),
            "year": str(rng.choice((2019, 2020, 2021, 2022, 2023, 2024))),
            "road": rng.choice(_ROAD),
            "school": f"{unit.name}{rng.choice(('第一', '第二', '实验', '城南', '育才'))}小学",
            "hospital": f"{unit.name}{rng.choice(('人民医院', '中医院', '妇幼保健院'))}",
            "dept_name": dept.name if dept else "",
            "fee": str(rng.randint(5, 60) * 10),
        }

    def _phone(self) -> str:
        return f"1{self.rng.choice('3578')}{self.rng.randint(0, 999_999_999):09d}"

    def _person(self, role: str, unit: _Unit, channel: str) -> PartyInput:
        rng = self.rng
        name = f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN) if rng.random() < 0.6 else ''}"
        id_number = ""
        if channel in ("visit", "letter") and rng.random() < 0.7:
            birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 52))
            id_number = _id_number(
                f"{unit.region.code[:4]}{rng.randint(1, 30):02d}", birth, rng.randint(0, 999)
            )
        return PartyInput(
            role=role,
            name=name,
            id_number=id_number,
            phone=self._phone(),
            address=f"{unit.name}{rng.choice(unit.towns)}{rng.randint(1, 200)}号",
        )
