"""A 文号 names one document: two organs printing the same 机关代字 (set, or the first two
characters of the name, 青山 for every organ of 青山县 without one) never issue the same number
(walker finding 4: relief applications of two organs both 青山信救〔2026〕1号)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_two_organs_falling_back_to_the_same_prefix_never_share_a_number(world):
    from xinfang.documents.services import document_number_next

    made = [
        document_number_next(organ_id=o.pk, code="信救", year=2026)
        for o in (world.housing, world.county_gov, world.court, world.housing)
    ]
    assert made == [f"青山信救〔2026〕{n}号" for n in (1, 2, 3, 4)]
    # another kind and another year count on their own
    assert (
        document_number_next(organ_id=world.court.pk, code="听通", year=2026)
        == "青山听通〔2026〕1号"
    )
    assert (
        document_number_next(organ_id=world.court.pk, code="信救", year=2027)
        == "青山信救〔2027〕1号"
    )


def test_numbers_already_given_per_organ_are_kept_and_never_given_again(world):
    from xinfang.documents.models import DocumentCounter
    from xinfang.documents.services import document_number_next

    # before: each organ counted on its own (housing gave 1..5, the government 1..2)
    DocumentCounter.objects.create(organ=world.housing, code="信督", year=2026, last=5)
    DocumentCounter.objects.create(organ=world.county_gov, code="信督", year=2026, last=2)
    assert document_number_next(organ_id=world.county_gov.pk, code="信督", year=2026) == (
        "青山信督〔2026〕6号"
    )
    assert document_number_next(organ_id=world.housing.pk, code="信督", year=2026) == (
        "青山信督〔2026〕7号"
    )


def test_an_organ_with_its_own_abbreviation_counts_its_own_numbers(world):
    from xinfang.documents.services import document_number_next

    world.housing.abbreviation = "青住建"
    world.housing.save(update_fields=["abbreviation"])
    assert document_number_next(organ_id=world.county_gov.pk, code="信救", year=2026) == (
        "青山信救〔2026〕1号"
    )
    assert document_number_next(organ_id=world.housing.pk, code="信救", year=2026) == (
        "青住建信救〔2026〕1号"
    )
    # an organ whose set 代字 equals another's fallback shares that sequence
    world.court.abbreviation = "青山"
    world.court.save(update_fields=["abbreviation"])
    assert document_number_next(organ_id=world.court.pk, code="信救", year=2026) == (
        "青山信救〔2026〕2号"
    )
