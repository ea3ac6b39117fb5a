"""Reading pickles written before insight was split into feature packages (pure: no Django).

A saved category model (``classify``) and the repeat-index snapshot (``matters``) are pickles,
which name each class by its module. Files written before the split name the old flat modules
(``xinfang.insight.classifier``, ``xinfang.insight.repeats``); while such a file is read, the old
name points at the module the class lives in now, so nothing saved has to be rebuilt.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: old module name -> the module its pickled classes live in now
MOVED = {
    "xinfang.insight.classifier": "xinfang.insight.classify.classifier",
    "xinfang.insight.repeats": "xinfang.insight.matters.repeats",
}


@contextmanager
def old_module_names() -> Iterator[None]:
    added = []
    for old, new in MOVED.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)
            added.append(old)
    try:
        yield
    finally:
        for old in added:
            sys.modules.pop(old, None)
