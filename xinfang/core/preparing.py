"""The file that says the demo is still being seeded (``xinfang demo``), and how far it is.

It lives in the data directory, so the server's processes see what the seeding process writes.
Every page shows a banner meanwhile (``demo.context``), and a request that found the database
busy says why (``core.boundary.busy_answer``)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def preparing_marker() -> Path:
    """A file that exists while the demo is being seeded; it holds the progress in per cent."""
    return Path(settings.DATA_DIR) / "demo-preparing"


def preparing_progress() -> int | None:
    """None when no demo is being seeded; else how far it is, in per cent (0 when unknown)."""
    try:
        text = preparing_marker().read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return 0
    return min(int(text), 99) if text.isdigit() and len(text) <= 3 else 0


def mark_progress(percent: int) -> None:
    """Record how far the seed is (registration is the first 40 %, driving the petitions through
    their steps up to 95 %); shown as a courtesy, so a failure to write it is ignored."""
    try:
        preparing_marker().write_text(str(percent), encoding="ascii")
    except OSError:
        pass
