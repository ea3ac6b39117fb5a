"""A synthetic province for demos: 青岚省 (region codes 99xxxx, fictional), its organs, staff and
18 months of petitions driven through the real service layer.

Nothing here is real: names, places, companies and texts come from the templates below, filled
with a seeded :class:`random.Random`, so the same ``seed`` gives the same province and the same
story of every petition (tracking codes and query passwords stay random: they are secrets).

Every petition is written by ``petition_register_many`` (or ``petition_register`` for the online
submissions still waiting for a clerk) and every step after that by ``petition_act`` with the
real past date of the step, in order, so the event log, the deadlines and the worklists are
exactly what the services would have produced had the staff worked through those 18 months.

``petition_register_many`` takes no ``at``: it registers at ``clock.now()``. To register past
petitions in bulk the generator sets the project's clock (``xinfang.core.clock.now``, the one
source of "now") to the registration time of each batch, and to the time of each step while it
acts, then puts the real clock back. Nothing else is patched.

By what it seeds: ``organs`` (the organs and staff, the demo logins), ``texts`` (the invented
words and topics), ``states`` with ``plans``, ``content`` and ``steps`` (petitions planned to end
in each state), ``topics`` (staff's topic decisions), ``repeats`` (same-matter petitions), and
``seed`` (``demo_seed``, which drives it all through the services). ``manage.py seed_demo``
(``management/commands``) and ``xinfang demo`` call ``demo_seed``.
"""

from __future__ import annotations

import importlib
from typing import Any

# The package is also an app (for ``manage.py seed_demo``), imported before the models are
# ready: the names below load on first use (PEP 562), not when the package is imported.
_EXPORTS = {
    "CITIES": "texts",
    "DAYS_BACK": "_common",
    "DEMO_PASSWORD": "_common",
    "DEPARTMENTS": "texts",
    "LOGINS": "organs",
    "PROVINCE": "texts",
    "TOPICS": "texts",
    "WANT": "states",
    "demo_seed": "seed",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"xinfang.demo.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'xinfang.demo' has no attribute {name!r}")
