"""The organs of the demo province and their staff: units (a government, its petition office,
departments), the demo logins, and the officer who takes each step."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password

from xinfang.demo._common import A
from xinfang.demo.texts import _GIVEN, _SURNAMES, _TOWN_WORDS, CITIES, DEPARTMENTS, PROVINCE
from xinfang.directory.models import Level, Organ, OrganKind, Region, Role, User
from xinfang.directory.permissions import user_can_act, user_can_register
from xinfang.directory.services import organ_create, staff_create
from xinfang.petitions.workflow import Action


@dataclass
class _Unit:
    """One administrative level in one place and its organs."""

    region: Region
    level: str
    name: str
    gov: Organ
    po: Organ
    depts: dict[str, Organ]
    court: Organ
    police: Organ
    discipline: Organ
    parent: _Unit | None = None
    towns: tuple[str, ...] = ()

    def organ(self, key: str) -> Organ:
        if key == "court":
            return self.court
        if key == "police":
            return self.police
        if key == "discipline":
            return self.discipline
        if key == "gov":
            return self.gov
        return self.depts[key]


def _unit(code: str, name: str, level: str, parent: _Unit | None, rng: random.Random) -> _Unit:
    region = Region.objects.create(
        code=code, name=name, level=level, parent=parent.region if parent else None
    )
    K = OrganKind
    prov = level == Level.PROVINCE

    def mk(suffix: str, kind: str, up: Organ | None) -> Organ:
        return organ_create(
            name=f"{name}{suffix}", kind=kind, level=level, region=region, parent=up
        )

    gov = mk("人民政府", K.COMPETENT, parent.gov if parent else None)
    po = mk("信访局", K.PETITION_OFFICE, gov)
    depts = {key: mk(p if prov else c, K.COMPETENT, gov) for key, p, c in DEPARTMENTS}
    court_name = {Level.PROVINCE: "高级人民法院", Level.CITY: "中级人民法院"}.get(level, "人民法院")
    police_name = "公安厅" if prov else ("公安分局" if name.endswith("区") else "公安局")
    court = mk(court_name, K.POLITICAL_LEGAL, gov)
    police = mk(police_name, K.POLITICAL_LEGAL, gov)
    discipline = mk("纪委监委", K.DISCIPLINE, gov)
    words = _TOWN_WORDS.split()
    towns = tuple(
        f"{w}{'街道' if i % 3 == 0 else '镇'}" for i, w in enumerate(rng.sample(words, 5))
    )
    return _Unit(region, level, name, gov, po, depts, court, police, discipline, parent, towns)


# (username suffix, roles, organ slot, label)
LOGINS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("clerk", (Role.REGISTRAR,), "po"),
    ("handler", (Role.HANDLER,), "housing"),
    ("head", (Role.ORGAN_HEAD,), "housing"),
    ("gov_head", (Role.ORGAN_HEAD,), "gov"),
    ("supervisor", (Role.SUPERVISOR,), "po"),
    ("leader", (Role.LEADER,), "gov"),
    ("analyst", (Role.ANALYST,), "po"),
    ("admin", (Role.ADMIN,), "po"),
)


class _Staff:
    """Who takes each step: a demo login where one sits at the organ, else the organ's duty
    officer (created on first use, with no usable password)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.by_organ: dict[int, list[User]] = defaultdict(list)
        self.officers: dict[int, User] = {}

    def add(self, user: User) -> None:
        assert user.organ_id is not None
        self.by_organ[user.organ_id].append(user)

    def for_action(self, organ: Organ, action: Action, role: str) -> User:
        users = self.by_organ.get(organ.pk, [])
        ranked = sorted(users, key=lambda u: 0 if role in _roles(u) else 1)
        for u in ranked:
            if action == A.REGISTER:
                if user_can_register(u):
                    return u
            elif user_can_act(u, action):
                return u
        return self.officer(organ)

    def officer(self, organ: Organ) -> User:
        u = self.officers.get(organ.pk)
        if u is None:
            rng = self.rng
            u = staff_create(
                username=f"staff_{organ.pk}",
                password=None,  # type: ignore[arg-type]  # no login: create_user sets it unusable
                organ=organ,
                roles=[Role.ORGAN_HEAD, Role.REGISTRAR, Role.HANDLER],
                display_name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}",
            )
            self.officers[organ.pk] = u
        return u


def _roles(user: User) -> frozenset[str]:
    from xinfang.directory.permissions import user_roles

    return user_roles(user)


def _directory(rng: random.Random) -> tuple[_Unit, list[_Unit], list[_Unit]]:
    province = _unit(PROVINCE[0], PROVINCE[1], Level.PROVINCE, None, rng)
    cities: list[_Unit] = []
    counties: list[_Unit] = []
    for code, name, subs in CITIES:
        city = _unit(code, name, Level.CITY, province, rng)
        cities.append(city)
        for ccode, cname in subs:
            counties.append(_unit(ccode, cname, Level.COUNTY, city, rng))
    return province, cities, counties


def _logins(
    staff: _Staff, province: _Unit, city: _Unit, county: _Unit, password: str
) -> list[dict[str, Any]]:
    """Readable logins for every role at the province, the first city and its first district.

    The one demo password is hashed once and shared (hashing it per user would take seconds).
    """
    rng = staff.rng
    out = []
    users = []
    for prefix, unit in (("province", province), ("city", city), ("county", county)):
        for suffix, roles, slot in LOGINS:
            organ = unit.organ(slot) if slot != "po" else unit.po
            user = staff_create(
                username=f"{prefix}_{suffix}",
                password=None,  # type: ignore[arg-type]  # set below, hashed once for all
                organ=organ,
                roles=list(roles),
                display_name=f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}",
            )
            users.append(user)
            staff.add(user)
            out.append(
                {
                    "username": user.username,
                    "role": roles[0],
                    "roles": [Role(r).label for r in roles],
                    "organ": organ.name,
                }
            )
    # A second administrator at the county petition office, so the two-person approval (issue
    # 11, ADR 0013) can be tried: county_admin asks, county_admin2 approves or rejects. No draw
    # from the seed's random stream, so the rest of the demo stays as it was.
    second = staff_create(
        username="county_admin2",
        password=None,  # type: ignore[arg-type]
        organ=county.po,
        roles=[Role.ADMIN],
        display_name="第二管理员",
    )
    users.append(second)
    staff.add(second)
    out.append(
        {
            "username": second.username,
            "role": Role.ADMIN,
            "roles": [Role(Role.ADMIN).label],
            "organ": county.po.name,
        }
    )
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(password))
    return out
