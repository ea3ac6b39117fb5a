"""Confirming a year's holidays from the State Council's notice (ADR 0012): parse and check the
notice, store it, fold again every deadline the change can move, and report what moved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.deadlines import holidays
from xinfang.deadlines.calendar import china_covers, china_statutory
from xinfang.deadlines.models import HolidayNotice, HolidayNoticeDay
from xinfang.deadlines.notice import (
    Notice,
    NoticeError,
    Problem,
    notice_differences,
    notice_parse,
    notice_warnings,
)
from xinfang.deadlines.services import DeadlineMove, calendar_changed
from xinfang.directory.models import User
from xinfang.directory.permissions import Cap, user_can


@dataclass
class CalendarConfirmation:
    """What confirming a notice did (or, for a dry run, would do)."""

    notice: Notice
    warnings: list[str]
    differences: list[tuple[date, bool, bool]]  # vs chinese_calendar, when it covers the year
    recomputed: int = 0
    moves: list[DeadlineMove] = field(default_factory=list)
    dry_run: bool = False
    replaced: bool = False  # the year had been confirmed before
    unchanged: bool = False  # confirmed before with the very same days: nothing was done

    def of(self, how: str) -> list[DeadlineMove]:
        return [m for m in self.moves if m.how == how]

    def summary(self) -> dict[str, int]:
        return {
            "recomputed": self.recomputed,
            "moved": len(self.of("moved")),
            "kept": len(self.of("kept")),
            "reopened": len(self.of("reopened")),
        }

    def stored(self) -> dict:
        """The summary and the first ``STORED_MOVES`` moves, as ``HolidayNotice.report`` keeps them."""
        return {
            **self.summary(),
            "moves": [
                {
                    "tracking_code": m.tracking_code,
                    "petition_id": m.petition_id,
                    "code": m.code,
                    "start": m.start.isoformat(),
                    "before": m.before.isoformat(),
                    "after": m.after.isoformat(),
                    "how": m.how,
                }
                for m in self.moves[:STORED_MOVES]
            ],
        }


STORED_MOVES = 1000
FIRST_YEAR = 2000  # before the current regulation and holiday law: nothing to count  # the page lists these; the command prints every move


class _DryRun(Exception):
    pass


def _message(p: Problem) -> str:
    """A parser problem in the reader's language (ADR 0004: templates with marked labels)."""
    text = gettext(p.template).format(**{k: gettext(str(v)) for k, v in p.params.items()})
    return gettext("第 %(line)s 行：%(text)s") % {"line": p.line, "text": text} if p.line else text


def calendar_notice_preview(*, text: str) -> CalendarConfirmation:
    """Parse and check a notice without writing anything; ``ApplicationError`` if unreadable."""
    try:
        notice = notice_parse(text)
    except NoticeError as e:
        raise ApplicationError(
            gettext("无法读取节假日安排通知，请按提示修改"),
            code="invalid_notice",
            fields={"text": [_message(p) for p in e.problems]},
        ) from e
    latest = clock.today().year + 1  # the State Council publishes the next year's notice
    if not FIRST_YEAR <= notice.year <= latest:
        message = gettext("年份应在 %(first)s 至 %(last)s 之间") % {
            "first": FIRST_YEAR,
            "last": latest,
        }
        raise ApplicationError(message, code="invalid_notice", fields={"text": [message]})
    differences = notice_differences(notice, china_statutory) if china_covers(notice.year) else []
    return CalendarConfirmation(
        notice=notice,
        warnings=[_message(p) for p in notice_warnings(notice)],
        differences=differences,
    )


def calendar_notice_confirm(
    *,
    text: str,
    actor: User | None,
    at: datetime | None = None,
    accept_warnings: bool = False,
    dry_run: bool = False,
    via: str = "page",
) -> CalendarConfirmation:
    """Confirm a year's holidays from the State Council's notice (``text``, the file format of
    docs/calendar-notice.md), and fold again every deadline the change can move.

    An admin action (``Cap.ADMIN``; ``actor`` None only from the command line), audited as
    ``calendar.confirm``. Warnings (a statutory holiday the notice leaves a working day, a
    festival without an item, a disagreement with ``chinese_calendar``) must be accepted. With
    ``dry_run`` everything is computed and rolled back: the report says what would move."""
    from xinfang.audit.services import audit_record

    if actor is not None and not user_can(actor, Cap.ADMIN):
        raise Forbidden(gettext("只有系统管理员可以确认节假日安排"))
    report = calendar_notice_preview(text=text)
    notice = report.notice
    if (report.warnings or report.differences) and not accept_warnings and not dry_run:
        raise ApplicationError(
            gettext("请核对下面的提示，确认无误后勾选“已核对下面的提示”再确认"),
            code="warnings",
            fields={"accept_warnings": report.warnings + _difference_lines(report.differences)},
        )
    now = clock.now()
    report.dry_run = dry_run
    try:
        with transaction.atomic():
            existing = HolidayNotice.objects.select_for_update().filter(year=notice.year).first()
            report.replaced = existing is not None
            before = dict(existing.days.values_list("date", "is_working_day")) if existing else {}
            if existing is not None and before == notice.as_mapping():
                report.unchanged = True  # e.g. the same form sent twice: nothing moves
                return report
            row, _created = HolidayNotice.objects.update_or_create(
                year=notice.year,
                defaults={
                    "title": notice.title,
                    "issued_on": notice.issued_on,
                    "text": notice.text,
                    "confirmed_by": actor,
                    "confirmed_at": at or now,
                },
            )
            HolidayNoticeDay.objects.filter(notice=row).delete()
            HolidayNoticeDay.objects.bulk_create(
                [
                    HolidayNoticeDay(
                        notice=row, date=d.day, is_working_day=d.is_working_day, festival=d.festival
                    )
                    for d in notice.days
                ]
            )
            holidays.clear_cache()
            declared = [d.day for d in notice.days] + list(before)
            first = min([date(notice.year, 1, 1), *declared])
            last = max([date(notice.year, 12, 31), *declared])
            report.recomputed, report.moves = calendar_changed(
                first=first,
                last=last,
                actor=actor,
                at=at,
                reason=gettext("%(title)s已确认") % {"title": notice.title},
            )
            row.report = report.stored()
            row.save(update_fields=["report"])
            audit_record(
                kind="calendar.confirm",
                actor=actor,
                object_type="holiday_notice",
                object_id=notice.year,
                data={
                    "year": notice.year,
                    "title": notice.title,
                    "issued_on": notice.issued_on,
                    "rest_days": len(notice.rest_days),
                    "working_days": len(notice.working_days),
                    "replaced": report.replaced,
                    "warnings_accepted": len(report.warnings) + len(report.differences),
                    "via": via,
                    **report.summary(),
                },
            )
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    finally:
        holidays.clear_cache()
    return report


def _difference_lines(differences: Sequence[tuple[date, bool, bool]]) -> list[str]:
    work, rest = gettext("上班"), gettext("休息")
    return [
        gettext("%(day)s：通知为%(ours)s，chinese_calendar 为%(theirs)s")
        % {"day": d.isoformat(), "ours": work if ours else rest, "theirs": work if theirs else rest}
        for d, ours, theirs in differences
    ]


__all__ = ["CalendarConfirmation", "calendar_notice_confirm", "calendar_notice_preview"]
