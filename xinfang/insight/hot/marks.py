"""What changed since the hot-issue worker last looked (issue 14: at 10^6 the refresh that found
nothing changed still read every scope's whole window, 118 s for 149 scopes).

Every change that can move a petition into or out of a scope's window, or make it an accusation,
is a new petition (a higher id) or a step (a ``PetitionEvent``, a higher id); naming a staff
member an accusation accuses forgets the snapshots concerned at once (``hooks``); a change to the
organ tree changes every gate. A *mark* records the highest petition and event ids and a digest
of the organ tree: a snapshot whose mark is the current one is unchanged without a look at its
window, and one whose mark is older is changed only if a petition changed since then is in its
window now or was among the petitions it grouped.
"""

from __future__ import annotations

import hashlib

from django.db.models import Max

from xinfang.directory.models import Organ
from xinfang.petitions.models import Petition, PetitionEvent

#: More changed petitions than this since a snapshot's mark: its window is read instead.
MANY = 2000


def watermark() -> str:
    """The current mark: ``<last petition id>:<last event id>:<organ tree digest>`` (three
    indexed queries; the organs are a few thousand rows at most)."""
    pid = Petition.objects.aggregate(m=Max("id"))["m"] or 0
    eid = PetitionEvent.objects.aggregate(m=Max("id"))["m"] or 0
    organs = Organ.objects.order_by("pk").values_list(
        "pk", "path", "kind", "region_id", "is_active"
    )
    digest = hashlib.sha256(repr(list(organs)).encode()).hexdigest()[:16]
    return f"{pid}:{eid}:{digest}"


class Changes:
    """The petitions changed since an earlier mark, asked once per distinct mark in a run."""

    def __init__(self, now_mark: str) -> None:
        self.now_mark = now_mark
        self._since: dict[str, frozenset[int] | None] = {}

    def since(self, mark: str) -> frozenset[int] | None:
        """The ids of the petitions registered or stepped since ``mark``; None when that cannot
        be told cheaply (no mark, another organ tree, or more than ``MANY``): read the window."""
        if mark not in self._since:
            self._since[mark] = self._ask(mark)
        return self._since[mark]

    def _ask(self, mark: str) -> frozenset[int] | None:
        try:
            pid_s, eid_s, organs = mark.split(":")
            pid, eid = int(pid_s), int(eid_s)
        except ValueError:
            return None
        if organs != self.now_mark.rsplit(":", 1)[-1]:
            return None
        new = list(Petition.objects.filter(pk__gt=pid).values_list("pk", flat=True)[: MANY + 1])
        stepped = list(
            PetitionEvent.objects.filter(pk__gt=eid).values_list("petition_id", flat=True)[
                : 4 * MANY + 1
            ]
        )
        if len(new) > MANY or len(stepped) > 4 * MANY:
            return None
        changed = frozenset(new) | frozenset(stepped)
        return None if len(changed) > MANY else changed
