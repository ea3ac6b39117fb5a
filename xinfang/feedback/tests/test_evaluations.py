"""Satisfaction evaluations: petitioner-only, once per stage, within the window (regulation §8)."""

from __future__ import annotations

import pytest

from conftest import local
from tests.flows import act, opinion_delivered, review_decided

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def submit(p, stage="handling", rating="satisfied", **kw):  # type: ignore[no-untyped-def]
    from xinfang.feedback.services import evaluation_submit

    return evaluation_submit(petition=p, stage=stage, rating=rating, **kw)


def test_nothing_can_be_evaluated_before_a_written_answer(world, register):
    from xinfang.core.errors import ApplicationError
    from xinfang.feedback.selectors import evaluation_windows

    p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
    assert evaluation_windows(petition=p) == []
    with pytest.raises(ApplicationError) as e:
        submit(p)
    assert e.value.code == "not_open"


def test_the_handling_stage_opens_when_the_opinion_is_delivered_and_rates_its_organ(
    world, register
):
    from xinfang.feedback.selectors import evaluation_windows

    p = opinion_delivered(world, register)
    (w,) = evaluation_windows(petition=p)
    assert (w.stage, w.organ_id, str(w.opens), str(w.closes), w.is_open) == (
        "handling",
        world.housing.pk,
        "2025-08-25",
        "2025-09-24",
        True,
    )
    ev = submit(p, rating="basically_satisfied", comment="  态度好  ")
    assert (ev.organ_id, ev.comment) == (world.housing.pk, "态度好")
    assert not evaluation_windows(petition=p)[0].is_open


def test_each_stage_is_evaluated_once(world, register):
    from xinfang.core.errors import ApplicationError

    p = opinion_delivered(world, register)
    submit(p)
    with pytest.raises(ApplicationError) as e:
        submit(p, rating="dissatisfied")
    assert e.value.code == "already"


def test_the_review_stage_is_separate_and_rates_the_review_organ(world, register):
    from xinfang.feedback.models import Evaluation

    p = opinion_delivered(world, register)
    submit(p, rating="dissatisfied")
    act(world, p, "request_review", None, (2025, 8, 28))
    review_decided(world, p, day=(2025, 9, 1))
    submit(p, stage="review", rating="satisfied")
    assert dict(Evaluation.objects.values_list("stage", "organ_id")) == {
        "handling": world.housing.pk,
        "review": world.county_gov.pk,
    }


def test_a_reply_opens_the_handling_stage_on_its_date(world, register):
    from xinfang.feedback.selectors import evaluation_windows

    # route (5) of Art. 31: answered by a reply (a suggestion replies through its decision,
    # resolution.hooks, Art. 29)
    p = register(category="appeal", route=5, received_at=local(2025, 8, 1), at=local(2025, 8, 2))
    p = p.petition
    act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
    act(world, p, "acknowledge", world.head, (2025, 8, 5))
    act(world, p, "start_handling", world.head, (2025, 8, 5))
    act(world, p, "reply", world.head, (2025, 8, 30), "已督促物业整改")
    (w,) = evaluation_windows(petition=p)
    assert (w.stage, str(w.opens), w.organ_id) == ("handling", "2025-08-30", world.housing.pk)


def test_the_window_closes_after_the_configured_days(world, register, settings):
    from xinfang.core.errors import ApplicationError

    settings.XINFANG_EVALUATION_WINDOW_DAYS = 3
    p = opinion_delivered(world, register)
    with pytest.raises(ApplicationError) as e:
        submit(p)
    assert e.value.code == "window_closed" and "2025-08-28" in e.value.message


def test_staff_never_evaluate_and_bad_ratings_are_refused(world, register):
    from xinfang.core.errors import ApplicationError, Forbidden
    from xinfang.feedback.models import Evaluation

    p = opinion_delivered(world, register)
    with pytest.raises(Forbidden):
        submit(p, actor=world.head)
    with pytest.raises(ApplicationError) as e:
        submit(p, rating="great", comment="x" * 1001)
    assert set(e.value.fields) == {"rating", "comment"}
    assert not Evaluation.objects.exists()
