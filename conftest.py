"""Shared fixtures: a small province with a petition office and organs at each level."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import pytest

if os.environ.get("CI") == "true" and os.environ.get("XINFANG_TEST_DB") == "postgres":
    pass  # the PostgreSQL run is required in CI: a connection failure fails the run


@contextmanager
def shared_data(django_db_blocker) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """For a module- or class-scoped fixture whose expensive data (a seeded demo) several tests
    only read: written once inside a transaction that is rolled back when the scope ends. Each
    test still runs in a savepoint of its own (pytest-django's ``db``), so one test's writes never
    reach the next; a transactional test (live server, races) must not use it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@dataclass
class World:
    province: object
    city: object
    county: object
    prov_gov: object
    city_gov: object
    county_gov: object
    county_po: object
    city_po: object
    housing: object
    city_housing: object
    court: object
    discipline: object
    clerk: object
    handler: object
    head: object
    city_head: object
    prov_head: object
    po_head: object
    city_clerk: object
    analyst: object


@pytest.fixture
def world(db) -> World:
    from xinfang.directory.models import Level, OrganKind, Region, Role
    from xinfang.directory.services import organ_create, staff_create

    province = Region.objects.create(code="990000", name="示范省", level=Level.PROVINCE)
    city = Region.objects.create(code="990100", name="东湖市", level=Level.CITY, parent=province)
    county = Region.objects.create(code="990102", name="青山县", level=Level.COUNTY, parent=city)
    K = OrganKind
    prov_gov = organ_create(
        name="示范省人民政府", kind=K.COMPETENT, level=Level.PROVINCE, region=province
    )
    city_gov = organ_create(
        name="东湖市人民政府", kind=K.COMPETENT, level=Level.CITY, region=city, parent=prov_gov
    )
    county_gov = organ_create(
        name="青山县人民政府", kind=K.COMPETENT, level=Level.COUNTY, region=county, parent=city_gov
    )
    city_po = organ_create(
        name="东湖市信访局", kind=K.PETITION_OFFICE, level=Level.CITY, region=city, parent=city_gov
    )
    county_po = organ_create(
        name="青山县信访局",
        kind=K.PETITION_OFFICE,
        level=Level.COUNTY,
        region=county,
        parent=county_gov,
    )
    housing = organ_create(
        name="青山县住房和城乡建设局",
        kind=K.COMPETENT,
        level=Level.COUNTY,
        region=county,
        parent=county_gov,
    )
    city_housing = organ_create(
        name="东湖市住房和城乡建设局",
        kind=K.COMPETENT,
        level=Level.CITY,
        region=city,
        parent=city_gov,
    )
    court = organ_create(
        name="青山县人民法院",
        kind=K.POLITICAL_LEGAL,
        level=Level.COUNTY,
        region=county,
        parent=county_gov,
    )
    discipline = organ_create(
        name="青山县纪委监委",
        kind=K.DISCIPLINE,
        level=Level.COUNTY,
        region=county,
        parent=county_gov,
    )
    pw = "test-pass-123"
    R = Role
    return World(
        province,
        city,
        county,
        prov_gov,
        city_gov,
        county_gov,
        county_po,
        city_po,
        housing,
        city_housing,
        court,
        discipline,
        clerk=staff_create(username="clerk", password=pw, organ=county_po, roles=[R.REGISTRAR]),
        handler=staff_create(username="handler", password=pw, organ=housing, roles=[R.HANDLER]),
        head=staff_create(
            username="head", password=pw, organ=housing, roles=[R.ORGAN_HEAD, R.HANDLER]
        ),
        city_head=staff_create(
            username="cityhead", password=pw, organ=county_gov, roles=[R.ORGAN_HEAD]
        ),
        prov_head=staff_create(
            username="provhead", password=pw, organ=city_gov, roles=[R.ORGAN_HEAD]
        ),
        po_head=staff_create(
            username="pohead", password=pw, organ=county_po, roles=[R.ORGAN_HEAD, R.REGISTRAR]
        ),
        city_clerk=staff_create(
            username="cityclerk", password=pw, organ=city_po, roles=[R.REGISTRAR]
        ),
        analyst=staff_create(username="analyst", password=pw, organ=county_po, roles=[R.ANALYST]),
    )


def local(y: int, m: int, d: int, h: int = 10) -> datetime:
    from django.utils import timezone

    return timezone.make_aware(datetime(y, m, d, h, 0))


@pytest.fixture
def register(world):
    """Register a petition at the county petition office (override any field)."""
    from xinfang.petitions.services import PartyInput, PetitionInput, petition_register

    def _register(*, organ=None, actor=None, at=None, **over):
        fields = dict(
            channel="letter",
            title="小区楼下餐馆油烟噪声扰民",
            content="青山县幸福小区楼下三家餐馆每晚营业至凌晨，油烟和噪声严重影响居民休息，请求依法处理。",
            region_code="990102",
            category="appeal",
            route=6,
            received_at=local(2025, 3, 3),
            parties=[PartyInput(role="petitioner", name="张三", phone="13800000000")],
        )
        fields.update(over)
        return petition_register(
            data=PetitionInput(**fields),
            organ=organ or world.county_po,
            actor=actor or world.clerk,
            at=at,
        )

    return _register


@pytest.fixture(autouse=True)
def _fresh_holiday_cache():
    """The working calendar is cached per process; a rolled-back override must not leak."""
    from xinfang.deadlines import holidays
    from xinfang.petitions import validation

    holidays.clear_cache()
    validation.regions_forget()
    yield
    holidays.clear_cache()
    validation.regions_forget()


@pytest.fixture(autouse=True)
def _migration_data(request):
    """A transactional test (a live server, a race) ends with a flush that also empties the rows
    the data migrations wrote (the default topics, the backlog criteria). Whichever test runs
    next on that worker would then find none, depending on the order: write them again."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    ):
        return
    import importlib

    from django.apps import apps

    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    with blocker.unblock():
        if apps.get_model("insight", "Topic").objects.exists():
            return
        for module in ("xinfang.insight.migrations.0002_topics_seed",):
            importlib.import_module(module).seed(apps, None)
        backlog = importlib.import_module("xinfang.resolution.migrations.0002_backlog")
        if not apps.get_model("resolution", "BacklogCriterion").objects.exists():
            backlog.default_criteria(apps, None)
            importlib.import_module(
                "xinfang.resolution.migrations.0006_backlog_re_reviewed"
            ).re_reviewed_criterion(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    """A page served in English (the language cookie) leaves English active in the thread; the
    next test starts in the default language again (a test asserting a Chinese message after an
    English page test failed depending on the order)."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def frozen():
    """Today is 2025-09-01 (Asia/Shanghai) for tests that use it: `usefixtures("frozen")`."""
    import time_machine

    with time_machine.travel(local(2025, 9, 1), tick=False):
        yield


def pytest_configure(config):
    """An xdist worker must work in a data folder of its own (config/settings/test.py makes it
    from the worker id): a shared one let one worker's demo marker or data files show on the
    other worker's pages (a surface test saw the demo-preparing note)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    from pathlib import Path

    from django.conf import settings

    if Path(settings.DATA_DIR).name != worker or os.environ["XINFANG_DATA_DIR"] != str(
        settings.DATA_DIR
    ):
        raise pytest.UsageError(
            f"xdist worker {worker} has DATA_DIR {settings.DATA_DIR}, not a folder of its own"
        )
