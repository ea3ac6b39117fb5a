"""Does a handling opinion (信访处理意见书) say what Art. 32 requires? (pure: no Django)

Art. 32 of the 信访工作条例 (2022): the opinion states the request, the facts and reasons, the
decision and its legal basis; local rules ([BJ Art. 43], [SD Art. 41]) add the remedy route
and its time limit. :func:`check_opinion` looks for the words by which a reader recognises each
part and returns what it could not find. It is a reminder for the person who signs, never a
refusal: the signer may issue the opinion anyway after acknowledging the list.

The checks are plain phrase patterns (no model), so a test can state each of them as a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["OUTCOME_WORDS", "Missing", "check_opinion"]


@dataclass(frozen=True)
class Missing:
    """One part of Art. 32 the opinion does not (recognisably) state."""

    code: str  # request | facts | decision | legal_basis | remedy_route | remedy_limit
    label: str  # what is missing, as the signer reads it
    hint: str  # how to state it


#: The three outcomes of Art. 32 para 1 and the words that state them.
OUTCOME_WORDS: dict[str, str] = {
    "support": "支持",
    "explain": "解释说明",
    "not_support": "不予支持",
}

_NUM = r"[0-9一二三四五六七八九十百千零〇两]+"

_REQUEST = re.compile(r"诉求|请求|要求|反映|申请")
_FACTS = re.compile(r"事实|经查|核查|核实|调查|查明|查实|了解到|经了解")
_DECISION = re.compile(r"不予支持|予以支持|支持|解释说明|作出如下|处理意见如下|答复如下")
_LAW_CITED = re.compile(rf"《[^《》]{{2,60}}》|第{_NUM}条")
_LAW_WORD = re.compile(r"(依据|根据|依照|按照)[^，。；,;]{2,}")
_REMEDY_ROUTE = re.compile(r"复查|复核")
_REMEDY_DAYS = re.compile(r"(三十|30)(日|天|个工作日)")
_REMEDY_START = re.compile(r"收到[^。；;]{0,30}?之日起")

_MISSING = {
    "request": Missing(
        "request", "信访人的请求（诉求）", "写明信访人请求解决的问题，如“信访人请求……”"
    ),
    "facts": Missing("facts", "事实和理由（经查）", "写明查明的事实，如“经查，……”"),
    "decision": Missing("decision", "处理结论", "写明支持、不予支持或解释说明（第三十二条第一款）"),
    "legal_basis": Missing(
        "legal_basis", "法律政策依据", "写明所依据的法律法规政策，如“根据《……》第……条”"
    ),
    "remedy_route": Missing(
        "remedy_route", "救济途径（复查、复核）", "告知不服的，可以请求上一级机关复查（第三十五条）"
    ),
    "remedy_limit": Missing(
        "remedy_limit",
        "救济期限",
        "写明期限及起算，如“自收到书面答复之日起三十日内”",
    ),
}


def _norm(text: str | None) -> str:
    """Full-width digits and letters to ASCII, no whitespace (so “３０ 日” reads as “30日”)."""
    if not text:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def check_opinion(
    text: str,
    *,
    decision: str | None = None,
    legal_basis: str | None = None,
    remedy: str | None = None,
) -> list[Missing]:
    """The parts of Art. 32 that ``text`` (the opinion's request, facts and decision, as one
    string) does not state, in the order the opinion is read.

    ``decision`` is the chosen outcome (``support`` / ``explain`` / ``not_support``, or its
    Chinese word); when it is one of the three, the printed opinion states it, so the decision
    counts as stated. ``legal_basis`` is the separate legal-basis field, if the form has one: a
    cited law (《…》), an article (第…条) or a phrase such as 根据…; otherwise the text is
    searched. ``remedy`` is the remedy clause that will be printed (the system adds one to
    opinions); it is searched together with the text for the route (复查/复核), the period
    (三十日/30日) and its start (自收到…之日起).
    """
    body = _norm(text)
    basis = _norm(legal_basis)
    tail = _norm(remedy)
    missing: list[str] = []
    if not _REQUEST.search(body):
        missing.append("request")
    if not _FACTS.search(body):
        missing.append("facts")
    outcome = (decision or "").strip()
    if outcome not in OUTCOME_WORDS and outcome not in OUTCOME_WORDS.values():
        if not _DECISION.search(body):
            missing.append("decision")
    if not (_LAW_CITED.search(basis) or _LAW_WORD.search(basis) or _LAW_CITED.search(body)):
        missing.append("legal_basis")
    remedy_text = body + "。" + tail
    if not _REMEDY_ROUTE.search(remedy_text):
        missing.append("remedy_route")
    if not (_REMEDY_DAYS.search(remedy_text) and _REMEDY_START.search(remedy_text)):
        missing.append("remedy_limit")
    return [_MISSING[c] for c in missing]
