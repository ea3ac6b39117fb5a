"""Print docs/domain/workflow.md from xinfang/petitions/workflow/.

Regenerate after changing the workflow table:

    python docs/domain/gen_workflow.py > docs/domain/workflow.md

tests/test_docs.py fails while the file differs from this script's output. A new state needs a
line in ``MEANINGS`` below (the script refuses to run without one).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from xinfang.petitions import workflow as wf  # noqa: E402

S = wf.State

#: What each state means (regulation.md §6.1), one line each.
MEANINGS: dict[wf.State, str] = {
    S.RECEIVED: "Arrived on some channel (online, letter, visit, phone, fax, hotline); "
    "not yet registered. Online submissions wait here for a clerk.",
    S.REGISTERED: "Registered (登记), as every item must be (Arts. 22, 23, 43, 44). "
    "A petition office now has T1 to route it; a competent organ that received it directly "
    "has T2 to tell the petitioner.",
    S.ROUTING: "Back at the petition office after it upheld an objection, or after it took back "
    "a hand-over another installation never acknowledged (取回); it must route again "
    "(a new T1).",
    S.TRANSFERRED: "Transferred (转送) to a competent organ, which has T3 to notify and T4 to "
    "object.",
    S.ASSIGNED: "Assigned (交办) to a competent organ with a report date (T5) and a completion "
    "report owed; otherwise as TRANSFERRED.",
    S.REFERRED_LEGAL: "Sent to the political-legal organs (涉法涉诉, Art. 22(4), Art. 28). "
    "Leaves the petition track.",
    S.REFERRED_DISCIPLINE: "An accusation sent to discipline inspection and supervision "
    "(Art. 22(5), Art. 30). Confidential; leaves the petition track.",
    S.OBJECTED: "The receiving organ objected within T4 (not within its powers); the materials "
    "are back at the office, which agrees or disagrees.",
    S.ACKNOWLEDGED: "Accepted with the written notice of receipt, route and procedure (T2/T3 "
    "met). Its date is 受理之日: T6 starts here for route (6).",
    S.REDIRECTED: "Final. A direct item outside the organ's system: the petitioner is told "
    "which organ to go to (Art. 23 para 1).",
    S.NOT_ACCEPTED: "Final. Not accepted, with a written, reasoned notice (duplicate at a higher "
    "level, Art. 19 para 3; same facts after re-review, Art. 36 para 3).",
    S.CHANNELLED: "Final. An appeal on route (1)–(4) of Art. 31 is guided into litigation, "
    "arbitration, a party appeal or an administrative procedure.",
    S.IN_HANDLING: "Investigation and verification: route (6) (T6, hearing, settlement, "
    "opinion), route (5) or an accusation handled by the organ (a reply).",
    S.SUGGESTION_REVIEW: "A suggestion (建议意见类) being studied (Art. 29); ends with a reply.",
    S.REPLIED: "Final. A suggestion, an accusation or a route (5) appeal answered; no review or "
    "re-review follows.",
    S.OPINION_ISSUED: "The 信访处理意见书 is issued (support / explain / not support, Art. 32). "
    "Its delivery starts the petitioner's T7.",
    S.SETTLED: "Final. A mediation or settlement agreement is signed (Art. 33).",
    S.REVIEW_REQUESTED: "The petitioner asked the organ one level up to review (复查); T8 runs.",
    S.REVIEW_DECIDED: "The review opinion is issued (uphold or vary). Its delivery starts T9.",
    S.RE_REVIEW_REQUESTED: "The petitioner asked for re-review (复核); T10 runs, hearing time "
    "not counted.",
    S.TERMINATED: "Final. The re-review opinion ends the matter (终结); the same facts and "
    "reasons are not accepted again (Art. 36 para 3).",
    S.FINAL_NO_APPEAL: "Final. The T7 or T9 window passed unused; the last opinion stands.",
    S.CLOSED: "Archived. Nothing follows.",
    S.VOIDED: "A mistaken or duplicate registration, voided with its reason by the office that "
    "registered it before any notice reached the petitioner. Kept, audited, on the timeline; "
    "counted nowhere. Nothing follows.",
}

FLAGS = """\
## Flags (not states)

Some facts run alongside the state. They are fields of `Petition`, changed only by
`petition_act` (through the same event), and passed to the guards in `workflow.Context`:

- **`extended`** (已延期): the T6 handling period of a route (6) item was extended (at most 30
  days, once, approved by the organ's head, reason told to the petitioner; Art. 34). Guard of
  `extend`. Cleared when a review orders the organ to redo the handling (a new T6).
- **`in_hearing`** (听证中): a hearing is open, set by `hearing_start` and cleared by
  `hearing_end`. While it is open no opinion, agreement or re-review decision can be issued.
  During re-review the hearing time is not counted in T10 (Art. 36 para 2); during handling
  it does not stop T6.
- **`execution_monitoring`** (监督执行): set when an opinion supports the request; the organ must
  see to its execution (Art. 32 para 2). It runs alongside the later states.
- **`delivery_pending`** (文书待送达): `opinion`, `review_opinion` or `re_review_opinion` awaits
  its delivery record. `record_delivery` clears it; delivering an opinion starts T7, a review
  opinion T9 (Arts. 35, 36: the windows run from receipt). A petition stays in the worklists
  (`is_open`) while a delivery is pending.
- **`dispatched_by`** (`transfer` | `assign`) and **`report_done`**: how the item reached the
  competent organ, and whether the completion report (办结报告) owed on an assignment was sent
  (`report_result`, Art. 22(3)). A rejected objection returns the item the way it came.

- **`objection_rejected`**: the petition office rejected the holding organ's objection; the
  item stays with that organ, a second objection is refused and T3 runs on from the transfer
  (Art. 23 para 3, regulation §6.2). Cleared by the next transfer or assignment.

`delivery_pending` is a queue: a review opinion issued while the opinion's delivery is still
unrecorded joins it, and `record_delivery` (with `document`, or the oldest) stays possible in
every state that can follow a decision; a delivery recorded after the request opens no window.
Final states allow only `close`, plus the records that may still be owed there:
`record_delivery` and `report_result` (an assigned item's completion report).

## Cross-cutting facts (regulation.md §6.1)

Facts about the matter and the organs' duties, never about the petitioner as a person. They
change neither the state nor a deadline; `petitions.services.petition_flag_set` is their one
writer (the rules, with articles, are the pure table `xinfang/petitions/flags.py`) and writes
a `flag` event (not shown on the portal). The worklist filters and counts them, the export has
a column for them.

| Flag | 中文 | Basis | Who records it |
|---|---|---|---|
| `major_urgent` | 重大紧急 | Art. 25 | petition office staff, organ head; its report (`major_urgent_reported`) is counted until made |
| `supervised` | 督办 | Art. 40 | a petition office only |
| `leader_case` | 领导包案 (with `leader_in_charge`) | Art. 18 para 2 | organ head |
| `backlog` | 积案 | Arts. 18, 38 | petition office staff, organ head |
| `joint_handling` | 联合接访 | Art. 18 para 3 | petition office staff, organ head |

`collective` (Art. 20) and `confidential` (Art. 30) are registered with the petition.
"""


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _state(s: wf.State) -> str:
    return f"`{s.name}`"


def render() -> str:
    missing = [s.name for s in wf.State if s not in MEANINGS]
    if missing:
        raise SystemExit(f"gen_workflow.py: add a meaning for {', '.join(missing)}")
    out: list[str] = []
    w = out.append
    w("# Petition workflow (信访事项办理流程)")
    w("")
    w(
        "<!-- Generated by docs/domain/gen_workflow.py from xinfang/petitions/workflow/. "
        "Do not edit by hand; tests/test_docs.py checks it. -->"
    )
    w("")
    w(
        "The lawful procedure of a petition under 信访工作条例 (2022), as the pure table in "
        "`xinfang/petitions/workflow/table.py` (its words in `vocabulary.py`, its guards in `guards.py`). The legal ground is `regulation.md` §6; the time "
        "limits T1–T10 are in `xinfang/deadlines/statutes.py`. Only "
        "`petitions.services.petition_act` (`xinfang/petitions/services/act.py`) changes the state, "
        "by asking `workflow.next_state`."
    )
    w("")
    w("## State diagram")
    w("")
    w("Edges are labelled with the action; an action that keeps the state is a loop.")
    w("")
    w("```mermaid")
    out.append(wf.mermaid().rstrip("\n"))
    w("```")
    w("")
    w("## States")
    w("")
    w("| Code name | Value | 中文 | Final | Meaning |")
    w("|---|---|---|---|---|")
    for s in wf.State:
        final = {S.CLOSED: "archive", S.VOIDED: "void"}.get(
            s, "yes" if s in wf.FINAL_STATES else ""
        )
        w(
            f"| {_state(s)} | `{s.value}` | {_cell(wf.STATE_LABELS[s])} | {final} "
            f"| {_cell(MEANINGS[s])} |"
        )
    w("")
    w("## Transitions")
    w("")
    w(
        "In table order. *To* is the resulting state (\u201csame\u201d: the state stays and a "
        "flag or record changes); a second line names the state a context field selects "
        "instead. *Guard* is the short text of the condition checked by `next_state`."
    )
    w("")
    w("| From | Action | 中文 | To | Guard | Basis |")
    w("|---|---|---|---|---|---|")
    for t in wf.TRANSITIONS:
        sources = ", ".join(_state(s) for s in sorted(t.sources, key=list(wf.State).index))
        to = _state(t.target) if t.target is not None else "same"
        for field_name, value, target in t.target_if:
            to += f"<br>{_state(target)} if `{field_name}` = `{value}`"
        w(
            f"| {sources} | `{t.action.value}` | {_cell(wf.ACTION_LABELS[t.action])} | {to} "
            f"| {_cell(t.guard_text)} | {_cell(t.basis)} |"
        )
    w("")
    out.append(FLAGS.rstrip("\n"))
    w("")
    w("## Categories and routes")
    w("")
    w("| Code name | 中文 |")
    w("|---|---|")
    for c in wf.Category:
        w(f"| `Category.{c.name}` | {_cell(wf.CATEGORY_LABELS[c])} |")
    for r in wf.Route:
        w(f"| `Route.{r.name}` ({r.value}) | {_cell(wf.ROUTE_LABELS[r])} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
