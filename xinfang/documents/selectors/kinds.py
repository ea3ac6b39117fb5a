"""The kinds of document addressed to the petitioner, the step that issues each, and what a
document holds (:class:`Document`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from xinfang.core import ids

R22 = "《信访工作条例》"


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    number_code: str  # 发文机关代字 part of the 文号
    basis: str
    decision: bool = False  # an opinion whose delivery is recorded (the remedy windows run from it)


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("acknowledgement", "信访事项受理告知书", "信受告", f"{R22}第二十三条"),
        Kind("non_acceptance", "信访事项不予受理告知书", "信不受告", f"{R22}第十九条、第三十六条"),
        Kind("transfer_notice", "信访事项转送告知书", "信转告", f"{R22}第二十二条、第二十三条"),
        Kind("assign_notice", "信访事项交办告知书", "信交告", f"{R22}第二十二条第三项"),
        Kind("legal_notice", "信访事项移送告知书", "信移告", f"{R22}第二十二条第四项、第二十八条"),
        Kind("redirect_notice", "信访事项告知书", "信告", f"{R22}第二十三条第一款"),
        Kind("channel_notice", "导入法定途径告知书", "信导告", f"{R22}第三十一条"),
        Kind("extension_notice", "信访事项延期办理告知书", "信延告", f"{R22}第三十四条"),
        Kind("opinion", "信访处理意见书", "信处", f"{R22}第三十一条第（六）项、第三十二条", True),
        Kind("reply", "信访事项答复意见书", "信答", f"{R22}第二十九条至第三十一条"),
        Kind(
            "agreement",
            "信访事项调解协议书",
            "信调协",
            f"{R22}第三十三条",
        ),
        Kind("review_opinion", "信访事项复查意见书", "信复查", f"{R22}第三十五条", True),
        Kind("re_review_opinion", "信访事项复核意见书", "信复核", f"{R22}第三十六条", True),
        Kind(
            "window_reopened",
            "信访事项申请期限恢复告知书",
            "信恢告",
            f"{R22}第三十五条、第三十六条；《中华人民共和国民法典》第二百零三条",
        ),
    )
}


#: The event actions that produce a document addressed to the petitioner.
ACTION_KIND: dict[str, str] = {
    "acknowledge": "acknowledgement",
    "not_accept": "non_acceptance",
    "transfer": "transfer_notice",
    "assign": "assign_notice",
    "refer_legal": "legal_notice",
    "redirect": "redirect_notice",
    "channel": "channel_notice",
    "extend": "extension_notice",
    "issue_opinion": "opinion",
    "reply": "reply",
    "settle": "agreement",
    "decide_review": "review_opinion",
    "decide_re_review": "re_review_opinion",
    "reopen_window": "window_reopened",
}


#: Which pending-delivery marker (``record_delivery`` data) belongs to which decision.
_DELIVERY_OF = {
    "opinion": "opinion",
    "review_opinion": "review_opinion",
    "re_review_opinion": "re_review_opinion",
}


OPINION_OUTCOMES = {"support": "支持", "explain": "解释说明", "not_support": "不予支持"}


REVIEW_OUTCOMES = {
    "uphold": "维持原处理意见",
    "vary": "撤销或者变更原处理意见",
    "redo": "责令原办理机关重新办理",
}


#: A people's suggestion's decision (Art. 29), as the reply prints it.
ADOPTION_LABELS = {"adopted": "予以采纳", "partly": "部分采纳", "not_adopted": "不予采纳"}

#: The title of an Art. 33 agreement by its kind (the ``settle`` step's ``agreement``).
AGREEMENT_TITLES = {"mediation": "信访事项调解协议书", "settlement": "信访事项和解协议书"}

#: How a party signed an agreement.
SIGN_METHODS = {"in_person": "当面签字", "written": "书面签署"}

#: Printed on every Art. 33 agreement, whatever its terms say.
AGREEMENT_RIGHTS = "本协议的任何约定均不限制信访人依法提出信访、请求复查复核或者提起诉讼的权利。"

#: What remains open to the parties once an Art. 33 agreement ends the matter.
AGREEMENT_REMEDY = (
    "本协议经双方当事人签字，该信访事项办结（《信访工作条例》第三十三条）。"
    "一方不履行本协议的，另一方可以向本机关反映，由本机关督促履行；"
    "对协议的履行发生争议的，可以依法通过诉讼、仲裁等法定途径解决。"
    # no term of a settlement takes a right away (DEVELOPERS.md principle 2): a clause such as
    # 息诉罢访 printed in the agreement binds nobody to give up petitioning, review or the courts
    f"{AGREEMENT_RIGHTS}"
)

DELIVERY_METHODS = {
    "in_person": "直接送达",
    "post": "邮寄送达",
    "electronic": "电子送达",
    "other": "其他方式送达",
}


CHANNEL_LABELS = {
    "online": "网上信访",
    "letter": "来信",
    "visit": "来访",
    "phone": "来电",
    "fax": "传真",
    "hotline": "热线",
}


FINALITY = (
    "本复核意见为终结意见。信访人对复核意见不服，仍以同一事实和理由提出信访事项的，"
    "各级信访部门和其他机关、单位不再受理（《信访工作条例》第三十六条第三款）。"
)


@dataclass(frozen=True)
class Section:
    heading: str  # "" for a plain paragraph
    text: str


@dataclass(frozen=True)
class Delivery:
    on: date
    method: str
    signed: bool


@dataclass(frozen=True)
class Document:
    petition_id: int
    seq: int
    kind: str
    title: str
    number: str  # 文号
    organ: str  # the issuing organ (落款)
    issued_on: date
    recipient: str
    tracking_code: str
    sections: list[Section] = field(default_factory=list)
    remedy: str = ""  # the remedy route and its time limit (opinions), or the finality clause
    basis: str = ""
    is_decision: bool = False
    delivery: Delivery | None = None
    # a 转送告知书 of a hand-over to another installation taken back before it arrived (取回,
    # issue 20): the day it was taken back; the transfer it tells of never happened
    withdrawn_on: date | None = None

    @property
    def issued_on_text(self) -> str:
        return cn_date(self.issued_on)

    @property
    def tracking_code_text(self) -> str:
        return ids.format_tracking_code(self.tracking_code)

    @property
    def withdrawn_text(self) -> str:
        """What the sheet and the DOCX say of a withdrawn hand-over (the document's language)."""
        if self.withdrawn_on is None:
            return ""
        return f"已撤回：本件所告知的转送已于{cn_date(self.withdrawn_on)}取回，对方未接收"


def cn_date(d: date) -> str:
    """A date as official documents print it: 2026年3月5日 (GB/T 9704: Arabic numerals)."""
    return f"{d.year}年{d.month}月{d.day}日"


def document_title(action: str) -> str:
    """The title of the document an event action produces, or "" when it produces none."""
    kind = ACTION_KIND.get(action)
    return KINDS[kind].title if kind else ""


Parties = Sequence[tuple[str, str]]  # (role, name) as the reader may see them
