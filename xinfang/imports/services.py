"""Importing earlier petitions from a 台账 file: check every row, then commit the good ones a
batch at a time (ADR 0020).

Two passes over the file. The first reads each row as a plan (``plan.plan_row``: fields, known
organs, the order of the dates) and skips the rows of the source imported before. The second
takes the good rows, ``BATCH`` at a time, through the bulk path
``petitions.services.petition_register_past_many`` (registration and each step at its original
date, by the same code as ``petition_register_past``: the law's table deciding), with the
petitioner's evaluation through ``feedback.services.evaluation_submit``. Each batch is one
transaction: a row refused there is reported and only it is skipped; a crash leaves whole
batches, never half a petition, and importing the file again adds only what is missing (the
source's row ids, ``ImportedRow``). A dry run takes the same path and rolls each batch back, so
it reports exactly what the commit would do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from xinfang.core import clock
from xinfang.core.errors import ApplicationError, Forbidden
from xinfang.directory.models import Organ, OrganKind, User
from xinfang.directory.permissions import user_can_register
from xinfang.feedback.services import evaluation_submit
from xinfang.imports.models import ImportedRow, ImportSource
from xinfang.imports.plan import FIELDS, LABELS, OrganRef, Plan, plan_row
from xinfang.imports.tabular import ColumnMap, Problem, Report, RowInvalid, Table, check_rows
from xinfang.petitions.models import PartyRole, Petition
from xinfang.petitions.services import (
    Batch,
    PartyInput,
    PastItem,
    PastStep,
    PetitionInput,
    petition_register_past_many,
)
from xinfang.petitions.workflow import STATE_LABELS, State

Progress = Callable[[str, int, int], None]  # (phase, done, total)
BATCH = 500  # rows per transaction of a commit
#: the registration service's field (``parties[0].id_number``) as the file's column (walker 16)
_SERVICE_FIELD = {
    "received_at": "received", "region_code": "region", "accused_organ_id": "accused_organ",
    "name": "petitioner", "parties": "petitioner", "is_anonymous": "petitioner",
    "head_count": "petitioner",
}  # fmt: skip


def _column(reason: str) -> str:
    """A reason "parties[0].id_number: 校验位不正确" as "证件号码：校验位不正确"; one with no field
    path, or a field with no column, keeps only its message."""
    path, sep, message = reason.partition(": ")
    if not sep or " " in path or not path.isascii():
        return reason
    key = path.rsplit(".", 1)[-1]
    label = LABELS.get(_SERVICE_FIELD.get(key, key))
    return f"{label}：{message}" if label else message


def import_may(user: User) -> bool:
    """Who may import: staff who register petitions (the intake desk), for their own organ
    and the organs below it."""
    return user_can_register(user)


def import_source_get(*, name: str, organ: Organ | None = None) -> ImportSource:
    """The source ``name`` of ``organ`` (the importer's; None: the command line's)."""
    name = " ".join((name or "").split())
    if not name or len(name) > 100 or "\x00" in name:
        raise ApplicationError(
            gettext("请填写来源名称（不超过 100 字）"),
            fields={"source": [gettext("请填写来源名称（不超过 100 字）")]},
        )
    source, _ = ImportSource.objects.get_or_create(
        name=name, organ=organ, defaults={"updated_at": clock.now()}
    )
    return source


def import_mapping_save(*, source: ImportSource, mapping: Mapping[str, str]) -> None:
    """Keep the column mapping for the next file of the same source."""
    source.mapping = dict(mapping)
    source.updated_at = clock.now()
    source.save(update_fields=["mapping", "updated_at"])


def mapping_for(source: ImportSource, header: list[str]) -> ColumnMap:
    """The source's saved mapping where its columns are in this file, else the guess."""
    saved = {k: c for k, c in (source.mapping or {}).items() if c in header and k in LABELS}
    return ColumnMap({**ColumnMap.guess(header, FIELDS).columns, **saved})


def organ_resolver(*, within: Organ | None) -> Callable[[str], OrganRef | str]:
    """Organs by name or abbreviation (all read once). ``within``: only that organ and those
    below it may register (an importer's jurisdiction); a transfer may go anywhere."""
    by_name: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, name, abbr, kind, path in Organ.objects.filter(is_active=True).values_list(
        "pk", "name", "abbreviation", "kind", "path"
    ):
        for key in {name.strip(), (abbr or "").strip()} - {""}:
            by_name[key].append((pk, kind, path))

    def of(text: str) -> OrganRef | str:
        found = by_name.get(text.strip(), [])
        if not found:
            return gettext("没有这个机关")
        if len(found) > 1:
            return gettext("有多个同名机关，请使用全称")
        pk, kind, _path = found[0]
        return OrganRef(pk, kind == OrganKind.PETITION_OFFICE)

    return of


@dataclass
class Outcome:
    report: Report[Plan]
    imported: int
    committed: bool


def import_rows(
    *,
    source: ImportSource,
    table: Table,
    mapping: ColumnMap,
    actor: User | None,
    dry_run: bool,
    today: date | None = None,
    progress: Progress | None = None,
    run_id: int | None = None,
) -> Outcome:
    """Check (``dry_run``) or commit the rows of ``table``, a batch per transaction; a bad row
    is reported and skipped (see the module).
    ``actor`` None: the command line (any organ); a user may import for their organ and below."""
    if actor is not None and not import_may(actor):
        raise Forbidden(gettext("您的角色不能导入信访事项"))
    if problems := mapping.check(table.header, FIELDS):
        raise ApplicationError(gettext("列对应有误"), fields={"mapping": problems})
    today = today or clock.today()
    within = actor.organ if actor is not None else None
    of = organ_resolver(within=within)
    homes = _jurisdiction(within)

    def parse(values: dict[str, str]) -> Plan:
        plan = plan_row(values, organ_of=of, today=today)
        if homes is not None and plan.organ_id not in homes:
            raise RowInvalid([gettext("登记机关不在您所在机关及其下级机关之内")])
        return plan

    def already(refs: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(refs), 500):
            found |= set(
                ImportedRow.objects.filter(source=source, ref__in=refs[i : i + 500]).values_list(
                    "ref", flat=True
                )
            )
        return found

    tick = (lambda d, t: progress("check", d, t)) if progress else None
    report = check_rows(
        table, mapping, FIELDS, parse, ref_field="row_id", already=already, progress=tick
    )
    good: list[tuple[int, str, Plan]] = []
    total = len(report.good)
    organs = Organ.objects.in_bulk({plan.organ_id for _n, _r, plan in report.good})
    for start in range(0, total, BATCH):
        part = report.good[start : start + BATCH]
        batch = _import_batch(
            part, organs=organs, source=source, actor=actor, run_id=run_id, dry_run=dry_run
        )
        for i, reasons in sorted(batch.refused.items()):
            report.problems.append(Problem(part[i][0], part[i][1], [_column(r) for r in reasons]))
        good += [part[i] for i in sorted(batch.registered)]
        if progress is not None:
            progress("commit" if not dry_run else "dry", min(start + BATCH, total), total)
    report.good = good
    report.problems.sort(key=lambda p: p.row)
    return Outcome(report, len(good), not dry_run)


class _DryRun(Exception):
    def __init__(self, batch: Batch) -> None:
        self.batch = batch


def _import_batch(
    part: list[tuple[int, str, Plan]],
    *,
    organs: Mapping[int, Organ],
    source: ImportSource,
    actor: User | None,
    run_id: int | None,
    dry_run: bool,
) -> Batch:
    """One batch in one transaction (rolled back on a dry run)."""
    plans = [plan for _n, _r, plan in part]

    def then(i: int, petition: Petition) -> None:
        _after(plans[i], petition)

    try:
        with transaction.atomic():
            batch = petition_register_past_many(
                items=[_past_item(plan, organs[plan.organ_id]) for plan in plans],
                source=source.name,
                actor=actor,
                then=then,
            )
            ImportedRow.objects.bulk_create(
                [
                    ImportedRow(
                        source=source, ref=plans[i].ref, petition=reg.petition, run_id=run_id
                    )
                    for i, reg in sorted(batch.registered.items())
                ]
            )
            if dry_run:
                raise _DryRun(batch)
    except _DryRun as d:
        return d.batch
    return batch


def _jurisdiction(organ: Organ | None) -> set[int] | None:
    if organ is None:
        return None
    below = (
        Organ.objects.filter(path__startswith=organ.path) if organ.path else Organ.objects.none()
    )
    return {organ.pk, *below.values_list("pk", flat=True)}


def _past_item(plan: Plan, organ: Organ) -> PastItem:
    anonymous = not plan.petitioner
    parties = (
        ()
        if anonymous
        else (
            PartyInput(
                role=PartyRole.PETITIONER,
                name=plan.petitioner,
                id_number=plan.id_number,
                phone=plan.phone,
                address=plan.address,
            ),
        )
    )
    data = PetitionInput(
        channel=plan.channel,
        title=plan.title,
        content=plan.content,
        region_code=plan.region,
        received_at=plan.received,
        category=plan.category,
        route=plan.route,
        accused_organ_id=plan.accused_organ_id,
        is_anonymous=anonymous,
        parties=parties,
    )
    return PastItem(
        data=data,
        organ=organ,
        registered_at=plan.received,
        steps=[PastStep(s.action, s.on, s.reason, s.data) for s in plan.steps],
        source_ref=plan.ref,
    )


def _after(plan: Plan, petition: Petition) -> None:
    """The row's own checks and writes after its steps (in the batch's transaction; an
    ApplicationError refuses the row)."""
    if plan.state is not None and petition.state != plan.state:
        raise ApplicationError(
            gettext("所填状态“%(given)s”与各日期得出的状态“%(state)s”不一致")
            % {
                "given": gettext(STATE_LABELS[plan.state]),
                "state": gettext(STATE_LABELS[State(petition.state)]),
            }
        )
    if plan.rating and plan.rated_on is not None:
        evaluation_submit(
            petition=petition,
            stage="handling",
            rating=plan.rating,
            at=timezone.make_aware(datetime.combine(plan.rated_on, time(12))),
        )
