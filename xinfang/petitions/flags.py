"""The cross-cutting facts of a petition (regulation.md §6.1, "flags, not states"), as a pure
table: what each means, the article that grounds it, and who may set it.

PURE: imports no Django. A flag never changes the state or a deadline; it is a fact that the
mechanism owning it records through one service (``petitions.services.petition_flag_set``),
which writes the field and an event. Flags are about matters and the organs' duties, never
about persons: there is no flag that profiles a petitioner (regulation.md §11).

``collective`` (Art. 20) and ``confidential`` (Art. 30) are registered with the petition and are
not set here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


def _(text: str) -> str:  # marker for message extraction; translation happens at render time
    return text


class Flag(StrEnum):
    MAJOR_URGENT = "major_urgent"  # 重大紧急, Art. 25
    MAJOR_URGENT_REPORTED = "major_urgent_reported"  # its report made, Art. 25
    SUPERVISED = "supervised"  # 督办, Art. 40
    LEADER_CASE = "leader_case"  # 领导包案, Art. 18 para 2
    BACKLOG = "backlog"  # 积案
    JOINT_HANDLING = "joint_handling"  # 联合接访、联合办理, Art. 18 para 3


# Roles (directory.Role values) allowed to record each fact. Petition-office staff
# (registrar) and organ heads record what their office or organ decided; supervision (Art. 40)
# is the petition office's own act; a leader's taking charge is recorded by the organ head.
_OFFICE = frozenset({"registrar", "organ_head"})
_HEAD = frozenset({"organ_head"})
# the supervision notice's flag: the roles holding Cap.SUPERVISE (directory.permissions), the
# 督查督办 role among them (walker item 10)
_SUPERVISORS = _OFFICE | {"supervisor"}


@dataclass(frozen=True)
class FlagRule:
    flag: Flag
    label: str  # Chinese, marked for translation
    basis: str  # the article
    meaning: str
    roles: frozenset[str]
    petition_office_only: bool = False  # only staff of a 信访部门 may record it
    needs: Flag | None = None  # recorded only while this flag is on


FLAGS: dict[Flag, FlagRule] = {
    r.flag: r
    for r in (
        FlagRule(
            Flag.MAJOR_URGENT,
            _("重大紧急"),
            _("第二十五条"),
            _("可能造成社会影响的重大、紧急信访事项，应当及时报告本级党委和政府"),
            _OFFICE,
        ),
        FlagRule(
            Flag.MAJOR_URGENT_REPORTED,
            _("已报告党委政府"),
            _("第二十五条"),
            _("重大、紧急信访事项已向本级党委和政府报告（信访部门并报上一级信访部门）"),
            _OFFICE,
            needs=Flag.MAJOR_URGENT,
        ),
        FlagRule(
            Flag.SUPERVISED,
            _("督办"),
            _("第四十条"),
            _("信访部门对办理中的问题进行督办，有关机关、单位应当书面反馈"),
            _SUPERVISORS,
            petition_office_only=True,
        ),
        FlagRule(
            Flag.LEADER_CASE,
            _("领导包案"),
            _("第十八条第二款"),
            _("领导干部包案化解，须写明包案领导"),
            _HEAD,
        ),
        FlagRule(
            Flag.BACKLOG,
            _("积案"),
            _("第十八条、第三十八条"),
            _("久拖未决或反复信访的积案，列入化解"),
            _OFFICE,
        ),
        FlagRule(
            Flag.JOINT_HANDLING,
            _("联合接访"),
            _("第十八条第三款"),
            _("多个机关、单位联合接待、一站式解决"),
            _OFFICE,
        ),
    )
}

#: Not a flag anyone sets: the installation a petition was handed to reports the matter
#: concluded there (``on``) or open again (issue 20; ``services.petition_remote_concluded``).
#: Recorded as a ``flag`` event; the petition's ``is_open`` carries it.
CONCLUDED_ELSEWHERE = "concluded_elsewhere"
CONCLUDED_ELSEWHERE_LABELS = {True: _("对方系统已办结"), False: _("对方系统重新办理")}

#: The flags a worklist filters and counts, in the order shown.
LISTED: tuple[Flag, ...] = (
    Flag.MAJOR_URGENT,
    Flag.SUPERVISED,
    Flag.LEADER_CASE,
    Flag.BACKLOG,
    Flag.JOINT_HANDLING,
)


def flag_refusal(
    flag: Flag,
    on: bool,
    *,
    roles: set[str],
    at_petition_office: bool,
    current: dict[Flag, bool],
    leader: str = "",
) -> tuple[str, str] | None:
    """Why this fact may not be recorded so, as (``forbidden`` | ``refused``, message), or None.
    ``current``: the flags as they stand."""
    rule = FLAGS[flag]
    if not roles & rule.roles:
        return "forbidden", _("您的角色不能设置此标记")
    if rule.petition_office_only and not at_petition_office:
        return "forbidden", _("只有信访部门可以督办（第四十条）")
    if flag == Flag.LEADER_CASE and on and not leader.strip():
        return "refused", _("请写明包案领导（第十八条第二款）")
    if current.get(flag, False) == on and not (flag == Flag.LEADER_CASE and on):
        return "refused", _("该标记已是此状态")
    if on and rule.needs is not None and not current.get(rule.needs, False):
        return "refused", _("请先标记为重大紧急信访事项（第二十五条）")
    return None
