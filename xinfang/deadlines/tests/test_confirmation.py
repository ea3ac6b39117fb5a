"""Confirming a year from the State Council's notice, with a database (ADR 0012).

The 2027 notice used here is made up (xinfang/deadlines/tests/data/2027-example.txt; the real
one is not published yet). Against the provisional calendar it adds two rest days, Thursday 11
and Friday 12 February, and makes Sunday 31 January a working day:

  provisional 2027 Spring Festival  Fri 5 – Wed 10 February (first working day Thu 11)
  the example notice                Fri 5 – Fri 12 February (first working day Mon 15);
                                    Sun 31 January and Sat 20 February working
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from conftest import local
from tests.flows import OPINION, act, opinion_delivered_on
from xinfang.audit.models import AuditRecord
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.deadlines.confirmation import calendar_notice_confirm, calendar_notice_preview
from xinfang.deadlines.holidays import calendar_in_force
from xinfang.deadlines.models import Deadline, HolidayNotice, KeptDueDate
from xinfang.deadlines.selectors import calendar_years, calendar_years_to_confirm
from xinfang.deadlines.services import holiday_override_set

pytestmark = pytest.mark.django_db
D = date.fromisoformat
ROOT = Path(__file__).resolve().parents[3]
NOTICE_2026 = (ROOT / "docs" / "calendar" / "2026.txt").read_text(encoding="utf-8")
EXAMPLE_2027 = (Path(__file__).parent / "data" / "2027-example.txt").read_text(encoding="utf-8")


@pytest.fixture
def admin(world):
    from xinfang.directory.models import Role
    from xinfang.directory.services import staff_create

    return staff_create(
        username="sysadmin", password="test-pass-123", organ=None, roles=[Role.ADMIN]
    )


def deadline(p, code):
    return Deadline.objects.filter(petition=p, code=code).order_by("-start_date", "-id").first()


def transferred(world, register, on):
    """Received the day before ``on`` at the county office, transferred to the housing bureau."""
    received = date.fromordinal(on.toordinal() - 1)
    p = register(
        received_at=local(*received.timetuple()[:3]), at=local(*received.timetuple()[:3])
    ).petition
    act(world, p, "transfer", world.clerk, on.timetuple()[:3], to_organ_id=world.housing.pk)
    return p


# --- The deadlines say when they are provisional -------------------------------------------------


def test_a_deadline_counted_into_2027_is_stored_as_provisional_and_one_within_2026_is_not(
    world, register
):
    with time_machine.travel(local(2026, 12, 21), tick=False):
        late = register(received_at=local(2026, 12, 20), at=local(2026, 12, 20)).petition
        early = register(received_at=local(2026, 12, 1), at=local(2026, 12, 1)).petition
    t1 = deadline(late, "T1")
    assert (t1.due_date, t1.provisional) == (D("2027-01-04"), True)
    assert (deadline(early, "T1").due_date, deadline(early, "T1").provisional) == (
        D("2026-12-16"),
        False,
    )


def test_the_admin_is_told_which_years_to_confirm(world, register, admin):
    with time_machine.travel(local(2026, 6, 1), tick=False):
        assert calendar_years_to_confirm() == []  # nothing can reach 2027 yet
    with time_machine.travel(local(2026, 12, 6), tick=False):
        (year,) = calendar_years_to_confirm()
        assert (year.year, year.open_provisional) == (2027, 0)
    with time_machine.travel(local(2026, 12, 21), tick=False):
        transferred(world, register, date(2026, 12, 20))  # T3 counts into 2027 (T4 does not)
        (year,) = calendar_years_to_confirm()
        assert (year.year, year.open_provisional) == (2027, 1)
        statuses = {y.year: y.source for y in calendar_years()}
        assert statuses == {2027: "provisional", 2026: "package"}
        calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)
        assert calendar_years_to_confirm() == []
        assert {y.year: y.source for y in calendar_years()}[2027] == "confirmed"


# --- Confirming ---------------------------------------------------------------------------------


def test_the_2026_notice_confirms_a_year_the_package_knows_and_moves_nothing(
    world, register, admin
):
    with time_machine.travel(local(2026, 12, 6), tick=False):
        p = transferred(world, register, date(2026, 9, 16))  # T3 rolls past National Day
        before = list(Deadline.objects.filter(petition=p).values_list("code", "due_date"))
        report = calendar_notice_confirm(text=NOTICE_2026, actor=admin)
    assert report.differences == [] and report.warnings == []
    assert report.summary() == {"recomputed": 1, "moved": 0, "kept": 0, "reopened": 0}
    assert list(Deadline.objects.filter(petition=p).values_list("code", "due_date")) == before
    notice = HolidayNotice.objects.get(year=2026)
    assert (notice.issued_on, notice.confirmed_by, notice.days.count()) == (
        D("2025-11-04"),
        admin,
        39,
    )
    assert 2026 in calendar_in_force().confirmed_years
    record = AuditRecord.objects.get(kind="calendar.confirm")
    assert (record.actor_id, record.object_id, record.data["rest_days"]) == (admin.pk, "2026", 33)


def test_confirming_2027_moves_keeps_and_reopens_and_reports_each(world, register, admin):
    with time_machine.travel(local(2027, 2, 20), tick=False):
        later = transferred(world, register, date(2027, 1, 27))  # T3: Thu 11 Feb provisional
        past = transferred(world, register, date(2027, 1, 16))  # T3: day 15 is Sun 31 Jan
        met = transferred(world, register, date(2027, 1, 16))
        act(world, met, "acknowledge", world.head, (2027, 2, 1), category="appeal", route=6)
        lapsed = opinion_delivered_on(world, register, (2027, 1, 6))  # T7: day 30 is Fri 5 Feb
        assert deadline(lapsed, "T7").due_date == D("2027-02-11")
        act(world, lapsed, "expire_window", world.head, (2027, 2, 12), provisional_ack=True)
        assert deadline(past, "T3").due_date == D("2027-02-01")

        report = calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)

    by = {(m.petition_id, m.code): m for m in report.moves}
    # The organ's duty moves later with the two new rest days.
    assert (by[later.pk, "T3"].how, deadline(later, "T3").due_date) == ("moved", D("2027-02-15"))
    # Sunday 31 January is a working day: 15 days from 16 January now end on it. Both petitions
    # keep Monday 1 February: one is still open (the move would make it overdue at once, not the
    # organ's doing), the other was met on 1 February (it would read as late).
    for p in (past, met):
        m = by[p.pk, "T3"]
        assert (m.before, m.computed, m.after, m.how) == (
            D("2027-02-01"),
            D("2027-01-31"),
            D("2027-02-01"),
            "kept",
        )
        assert deadline(p, "T3").due_date == D("2027-02-01")
    assert not deadline(met, "T3").closed_on > deadline(met, "T3").due_date
    # The window was marked expired on 12 February, but it ran to Monday 15 February.
    m = by[lapsed.pk, "T7"]
    assert (m.before, m.computed, m.after, m.how, m.closed_on) == (
        D("2027-02-11"),
        D("2027-02-15"),
        D("2027-03-02"),  # the reopened window's last day
        "reopened",
        D("2027-02-12"),
    )
    # Reopened by the law's own step: back to "opinion issued", the days lost (12–15 February)
    # given back from today, at least ten (XINFANG_REOPENED_WINDOW_MIN_DAYS): 20 February + 10.
    lapsed.refresh_from_db()
    assert lapsed.state == "opinion_issued" and lapsed.is_open
    ev = lapsed.events.order_by("-seq").first()
    assert (ev.action, ev.actor_id, ev.to_state) == ("reopen_window", None, "opinion_issued")
    assert {
        k: ev.data[k] for k in ("window", "shown_due", "lapsed_on", "true_due", "days", "by")
    } == {
        "window": "T7",
        "shown_due": "2027-02-11",
        "lapsed_on": "2027-02-12",
        "true_due": "2027-02-15",
        "days": 10,
        "by": admin.pk,
    }
    t7 = deadline(lapsed, "T7")
    assert (t7.start_date, t7.due_date, t7.outcome) == (D("2027-02-20"), D("2027-03-02"), "open")
    assert AuditRecord.objects.filter(
        kind="petition.reopen_window", object_id=str(lapsed.pk)
    ).exists()
    assert report.summary()["reopened"] == 1
    assert not Deadline.objects.filter(provisional=True, due_date__year=2027).exists()
    # The objection window (5 working days from 27 January) now counts Sunday 31 January and
    # ends on 2 February, in the past: the organ keeps 3 February, as for a duty.
    assert (by[later.pk, "T4"].computed, by[later.pk, "T4"].how) == (D("2027-02-02"), "kept")
    assert set(KeptDueDate.objects.values_list("petition_id", "code", "due_date")) == {
        (past.pk, "T3", D("2027-02-01")),
        (met.pk, "T3", D("2027-02-01")),
        (later.pk, "T4", D("2027-02-03")),
    }
    stored = HolidayNotice.objects.get(year=2027).report
    assert {k: stored[k] for k in report.summary()} == report.summary()
    assert {(m["tracking_code"], m["code"], m["how"]) for m in stored["moves"]} == {
        (m.tracking_code, m.code, m.how) for m in report.moves
    }
    # Sent again (a reload, a double click): nothing is done twice.
    again = calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)
    assert again.unchanged and again.moves == []
    assert AuditRecord.objects.filter(kind="calendar.confirm").count() == 1


def test_a_petitioners_window_is_never_shortened_by_the_notice(world, register, admin):
    with time_machine.travel(local(2027, 1, 20), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 1))  # day 30 is Sunday 31 January
        t7 = deadline(p, "T7")
        assert (t7.due_date, t7.provisional) == (D("2027-02-01"), True)
        report = calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)
    (m,) = report.moves
    assert (m.code, m.computed, m.after, m.how) == ("T7", D("2027-01-31"), D("2027-02-01"), "kept")
    t7 = deadline(p, "T7")
    assert (t7.due_date, t7.provisional) == (D("2027-02-01"), False)
    # On the day the petitioner was shown, the request for review is still on time.
    with time_machine.travel(local(2027, 2, 1), tick=False):
        act(world, p, "request_review", world.city_head, (2027, 2, 1))
    p.refresh_from_db()
    assert p.state == "review_requested"


def test_an_organs_duty_still_ahead_moves_earlier_with_the_notice(world, register, admin):
    with time_machine.travel(local(2027, 1, 20), tick=False):
        p = transferred(world, register, date(2027, 1, 16))
        report = calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)
    m = next(m for m in report.moves if m.code == "T3")
    assert (m.after, m.how) == (D("2027-01-31"), "moved")
    assert deadline(p, "T3").due_date == D("2027-01-31")
    assert not KeptDueDate.objects.exists()


def test_a_dry_run_reports_what_would_move_and_writes_nothing(world, register, admin):
    with time_machine.travel(local(2027, 1, 30), tick=False):
        p = transferred(world, register, date(2027, 1, 27))
        audits = AuditRecord.objects.count()
        report = calendar_notice_confirm(text=EXAMPLE_2027, actor=admin, dry_run=True)
    assert report.dry_run
    assert [(m.code, m.after, m.how) for m in report.moves] == [
        ("T3", D("2027-02-15"), "moved"),
        ("T4", D("2027-02-02"), "moved"),  # Sunday 31 January counts as a working day
    ]
    assert not HolidayNotice.objects.exists()
    assert AuditRecord.objects.count() == audits
    assert (deadline(p, "T3").due_date, deadline(p, "T3").provisional) == (D("2027-02-11"), True)
    assert calendar_in_force().is_provisional_year(2027)


def test_confirming_again_replaces_the_days_and_refolds(world, register, admin):
    with time_machine.travel(local(2027, 1, 30), tick=False):
        p = transferred(world, register, date(2027, 1, 27))
        calendar_notice_confirm(text=EXAMPLE_2027, actor=admin)
        assert deadline(p, "T3").due_date == D("2027-02-15")
        corrected = EXAMPLE_2027.replace(
            "2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天",
            "2月5日（农历除夕、周五）至10日（农历正月初五、周三）放假调休，共6天",
        )
        report = calendar_notice_confirm(text=corrected, actor=admin)
    assert report.replaced
    assert deadline(p, "T3").due_date == D("2027-02-11")
    assert HolidayNotice.objects.get(year=2027).days.filter(date=D("2027-02-12")).count() == 0
    assert AuditRecord.objects.filter(kind="calendar.confirm").count() == 2


def test_a_notice_with_points_to_check_is_confirmed_only_once_they_are_accepted(world, admin):
    partial = "年份：2027\n一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n"
    with pytest.raises(ApplicationError) as e:
        calendar_notice_confirm(text=partial, actor=admin)
    assert e.value.code == "warnings"
    assert any("春节" in m for m in e.value.fields["accept_warnings"])
    assert not HolidayNotice.objects.exists()
    report = calendar_notice_confirm(text=partial, actor=admin, accept_warnings=True)
    assert report.warnings and HolidayNotice.objects.filter(year=2027).exists()
    assert AuditRecord.objects.get(kind="calendar.confirm").data["warnings_accepted"] == len(
        report.warnings
    )


def test_a_notice_that_disagrees_with_chinese_calendar_must_be_accepted_too(admin):
    wrong = NOTICE_2026.replace("1月4日（周日）上班。", "")
    report = calendar_notice_preview(text=wrong)
    assert report.differences == [(D("2026-01-04"), False, True)]
    with pytest.raises(ApplicationError) as e:
        calendar_notice_confirm(text=wrong, actor=admin)
    assert e.value.fields["accept_warnings"] == ["2026-01-04：通知为休息，chinese_calendar 为上班"]


def test_only_an_administrator_confirms_a_year(world):
    for user in (world.clerk, world.head, world.analyst):
        with pytest.raises(Forbidden):
            calendar_notice_confirm(text=EXAMPLE_2027, actor=user)
    assert not HolidayNotice.objects.exists()


def test_a_file_that_is_not_a_notice_is_refused_line_by_line(admin):
    with pytest.raises(ApplicationError) as e:
        calendar_notice_confirm(text="年份：2027\n春节：2月30日放假\n五一：5月1日放假", actor=admin)
    assert e.value.code == "invalid_notice"
    assert e.value.fields["text"] == [
        "第 3 行：这一行有日期和放假或上班安排，但没有以节日名称开头（如“一、元旦：”），无法识别",
        "第 2 行：“2月30日”不是有效日期",
    ]


def test_an_override_that_makes_a_past_last_day_a_rest_day_reopens_the_window_too(world, register):
    # Covered years too: a local holiday entered late must not leave a right lost.
    with time_machine.travel(local(2025, 10, 20), tick=False):
        p = register(received_at=local(2025, 8, 1), at=local(2025, 8, 2)).petition
        act(world, p, "transfer", world.clerk, (2025, 8, 3), to_organ_id=world.housing.pk)
        act(world, p, "acknowledge", world.head, (2025, 8, 5), category="appeal", route=6)
        act(world, p, "start_handling", world.head, (2025, 8, 5))
        act(world, p, "issue_opinion", world.head, (2025, 8, 20), **OPINION)
        act(world, p, "record_delivery", world.head, (2025, 9, 1), method="post", signed="true")
        assert deadline(p, "T7").due_date == D("2025-10-09")
        act(world, p, "expire_window", world.head, (2025, 10, 10))
        holiday_override_set(on=D("2025-10-09"), is_working_day=False, note="地方假日")
    p.refresh_from_db()
    assert p.state == "opinion_issued"
    ev = p.events.order_by("-seq").first()
    assert (ev.action, ev.data["true_due"], ev.data["days"]) == ("reopen_window", "2025-10-10", 10)
    assert "地方假日" in ev.reason
    assert deadline(p, "T7").due_date == D("2025-10-30")


# --- The command -----------------------------------------------------------------------------


def test_the_command_confirms_a_file_and_prints_what_moved(
    world, register, admin, capsys, tmp_path
):
    path = tmp_path / "2027.txt"
    path.write_text(EXAMPLE_2027, encoding="utf-8")
    with time_machine.travel(local(2027, 1, 30), tick=False):
        p = transferred(world, register, date(2027, 1, 27))
        call_command("calendar_confirm", str(path), "--dry-run")
        assert not HolidayNotice.objects.exists()
        call_command("calendar_confirm", str(path), "--by", "sysadmin")
    out = capsys.readouterr().out
    assert "将重新计算 1 件信访事项：调整 2 个期限" in out and "（试算：未写入）" in out
    assert "已重新计算 1 件信访事项：调整 2 个期限" in out
    assert f"{p.tracking_code} T3 起算 2027-01-27 届满 2027-02-11 → 2027-02-15（已调整）" in out
    record = AuditRecord.objects.get(kind="calendar.confirm")
    assert record.actor_id == admin.pk and record.data["via"].startswith("command:")


def test_the_command_refuses_a_bad_file_and_unaccepted_warnings_with_a_clear_message(
    admin, tmp_path
):
    bad = tmp_path / "bad.txt"
    bad.write_text("年份：2027\n春节：2月30日放假\n", encoding="utf-8")
    with pytest.raises(CommandError, match="2月30日"):
        call_command("calendar_confirm", str(bad))
    partial = tmp_path / "partial.txt"
    partial.write_text("年份：2027\n元旦：1月1日放假\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--accept-warnings"):
        call_command("calendar_confirm", str(partial))
    with pytest.raises(CommandError, match="无法读取"):
        call_command("calendar_confirm", str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="没有账号"):
        call_command("calendar_confirm", str(partial), "--by", "nobody")
    binary = tmp_path / "notice.doc"
    binary.write_bytes(b"\xd0\xcf\x11\xe0\xff\xfe")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("calendar_confirm", str(binary))


# --- A newer chinese_calendar ---------------------------------------------------------------


@pytest.fixture
def package_covers_2027(monkeypatch):
    """Stands in for a chinese_calendar release with 2027 in it (the days of the example notice)."""
    import types

    import chinese_calendar

    from xinfang.deadlines import calendar
    from xinfang.deadlines.notice import notice_parse

    days = notice_parse(EXAMPLE_2027).as_mapping()

    def is_workday(d):  # type: ignore[no-untyped-def]
        return days.get(d, d.weekday() < 5) if d.year == 2027 else chinese_calendar.is_workday(d)

    def install():  # type: ignore[no-untyped-def]
        monkeypatch.setattr(
            calendar, "chinese_calendar", types.SimpleNamespace(is_workday=is_workday)
        )
        monkeypatch.setattr(calendar, "china_covers", lambda year: 2004 <= year <= 2027)
        calendar.china_statutory.cache_clear()

    yield install
    monkeypatch.undo()
    calendar.china_statutory.cache_clear()


def test_a_newer_chinese_calendar_covering_2027_settles_its_deadlines_at_the_next_tick(
    world, register, package_covers_2027
):
    from xinfang.core.periodic import periodic_jobs
    from xinfang.deadlines.jobs import calendar_settle

    assert "deadlines.calendar_settle" in {j.name for j in periodic_jobs()}
    with time_machine.travel(local(2027, 2, 20), tick=False):
        p = opinion_delivered_on(world, register, (2027, 1, 6))
        act(world, p, "expire_window", world.head, (2027, 2, 12), provisional_ack=True)
        assert calendar_settle(now=local(2027, 2, 20)) == {"years": 0, "recomputed": 0}
        package_covers_2027()  # the release is installed; the stored rows still say provisional
        assert calendar_settle(now=local(2027, 2, 20)) == {"years": 1, "recomputed": 1}
        assert calendar_settle(now=local(2027, 2, 20)) == {"years": 0, "recomputed": 0}
    p.refresh_from_db()
    assert p.state == "opinion_issued"  # the window lost on 12 February is reopened
    assert not Deadline.objects.filter(provisional=True).exists()
    record = AuditRecord.objects.get(kind="calendar.settle")
    assert (record.object_id, record.data["reopened"]) == ("2027", 1)


def test_the_fault_of_issue_10_a_window_lost_to_new_years_day_is_reopened_after_the_upgrade(
    world, register
):
    """Issue 10: an opinion delivered on 2026-12-02 showed T7 due 2027-01-01 (counted Monday to
    Friday) and the window was marked expired. After the upgrade the tick refolds those rows:
    New Year's Day rests, 2 and 3 January are a weekend, the window ran to Monday 4 January."""
    from xinfang.deadlines.jobs import calendar_settle

    with time_machine.travel(local(2027, 1, 2), tick=False):
        p = register(received_at=local(2026, 9, 1), at=local(2026, 9, 1)).petition
        act(world, p, "transfer", world.clerk, (2026, 9, 2), to_organ_id=world.housing.pk)
        act(world, p, "acknowledge", world.head, (2026, 9, 3), category="appeal", route=6)
        act(world, p, "start_handling", world.head, (2026, 9, 3))
        act(world, p, "issue_opinion", world.head, (2026, 11, 30), **OPINION)
        act(world, p, "record_delivery", world.head, (2026, 12, 2), method="post", signed="true")
        # The row as the version before this one stored it.
        Deadline.objects.filter(petition=p, code="T7").update(
            due_date=D("2027-01-01"), provisional=False
        )
        act(world, p, "expire_window", world.head, (2027, 1, 2))  # no box: "not provisional"
        p.refresh_from_db()
        assert p.state == "final_no_appeal"
        # Folding again for that step already shows the true last day, but reopens nothing ...
        assert (deadline(p, "T7").due_date, deadline(p, "T7").outcome) == (
            D("2027-01-04"),
            "lapsed",
        )
    with time_machine.travel(local(2027, 1, 3), tick=False):
        # ... the next tick does, with the notice, and the petitioner gets the days back.
        assert calendar_settle(now=local(2027, 1, 3)) == {"years": 1, "recomputed": 1}
        assert calendar_settle(now=local(2027, 1, 3)) == {"years": 0, "recomputed": 0}
    p.refresh_from_db()
    assert p.state == "opinion_issued"
    t7 = deadline(p, "T7")
    # Marked expired on 2 January, it ran to 4 January: 3 days lost, at least 10 given back;
    # 3 January + 10 = 13 January.
    assert (t7.start_date, t7.due_date, t7.outcome) == (D("2027-01-03"), D("2027-01-13"), "open")
