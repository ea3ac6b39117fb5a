"""Template context: whether the demo is still being seeded, and how far (every page says so
meanwhile)."""

from __future__ import annotations

from django.http import HttpRequest

from xinfang.core.preparing import preparing_progress


def demo_preparing(request: HttpRequest) -> dict[str, object]:
    progress = preparing_progress()
    return {"demo_preparing": progress is not None, "demo_progress": progress or 0}
