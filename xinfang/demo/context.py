"""Template context: whether the demo is still being seeded (every page says so meanwhile)."""

from __future__ import annotations

from django.http import HttpRequest

from xinfang.demo.seed import preparing_marker


def demo_preparing(request: HttpRequest) -> dict[str, bool]:
    return {"demo_preparing": preparing_marker().exists()}
