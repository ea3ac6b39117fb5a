"""The open-days backlog criterion counts only what is unanswered at its current stage (walker
finding 3): a petition whose handling opinion (Art. 32) or review opinion (Art. 35) is issued,
with the petitioner's window for the next step running (Arts. 35, 36), was answered; it is not
"登记已 N 日仍未办结". A review still undecided is, and the reason says so."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import local
from tests.flows import act, opinion_delivered, review_decided
from xinfang.resolution.backlog_rules import Criterion, Facts, Kind

pytestmark = pytest.mark.django_db


def test_the_rule_leaves_an_answered_stage_alone_and_says_what_is_owed():
    c, today = Criterion(Kind.OPEN_DAYS, 90), date(2026, 3, 1)
    old = date(2025, 8, 1)
    assert not c.matches(Facts(old, True, 0, answered=True), today=today)
    owed = Facts(old, True, 0, awaiting="复查中，尚未出具复查意见")
    assert c.matches(owed, today=today)
    assert c.reason(owed, today=today) == (
        "登记已 212 日仍未办结：复查中，尚未出具复查意见（标准：超过 90 日）"
    )


def test_only_the_petition_still_owed_an_answer_is_proposed_once(world, register):
    from xinfang.resolution.models import BacklogCase, BacklogCriterion
    from xinfang.resolution.services import backlog_propose_due

    BacklogCriterion.objects.all().delete()
    BacklogCriterion.objects.create(kind="open_days", threshold=90)
    answered = opinion_delivered(world, register)  # opinion issued 2025-08-20, T7 runs
    reviewed = opinion_delivered(world, register)
    act(world, reviewed, "request_review", None, (2025, 8, 28))
    review_decided(world, reviewed)  # review opinion 2025-09-10, T9 runs
    waiting = opinion_delivered(world, register)
    act(world, waiting, "request_review", None, (2025, 8, 28))  # no review opinion yet
    for p in (answered, reviewed, waiting):
        p.refresh_from_db()
        assert p.is_open  # all three still open: the windows run
    assert backlog_propose_due(now=local(2025, 12, 1)) == {"proposed": 1}
    assert backlog_propose_due(now=local(2025, 12, 2)) == {"proposed": 0}  # tick again: once
    case = BacklogCase.objects.get()
    assert case.petition_id == waiting.pk
    assert case.proposed_reason == (
        "登记已 121 日仍未办结：复查中，尚未出具复查意见（标准：超过 90 日）"
    )
