"""Where an open petition counts in the worklist's rollup (``WorklistTally``) and what it adds
there: one definition for its writer (``services.worklist_tally``) and its reader
(``selectors.worklist_counts``)."""

from __future__ import annotations

from datetime import date

from xinfang.petitions.models import UNDATED, WORKLIST_SLOTS, Petition

#: The flags the worklist counts (``petitions.flags.LISTED``), each a column of the rollup.
COUNTED = ("major_urgent", "supervised", "leader_case", "backlog", "joint_handling")
#: Every counted column: the petitions, each flag, the major or urgent ones not yet reported.
COLUMNS = ("n", *COUNTED, "major_urgent_unreported")
#: A cell: the organ holding the petitions, their next due date, the organ they accuse, a slot.
KEY = ("organ_id", "next_due", "accused_organ_id", "slot")

Key = tuple[int, date, int, int]


def worklist_cell(p: Petition) -> tuple[Key, tuple[int, ...]] | None:
    """Where ``p`` counts and what it adds there (one per ``COLUMNS``); None while it is not
    open (it is on no worklist)."""
    if not p.is_open:
        return None
    key = (
        p.current_organ_id,
        p.next_due or UNDATED,
        p.accused_organ_id or 0,
        p.pk % WORKLIST_SLOTS,
    )
    flags = tuple(int(bool(getattr(p, f))) for f in COUNTED)
    return key, (1, *flags, int(bool(p.major_urgent and not p.major_urgent_reported)))
