"""Files held for a form that came back with an error (issue 12: nothing attached is lost).

A form that registers something carries a one-time token (``xinfang.core.once``). When it is
refused, the files attached in that try are held under the token (by its digest) and listed on
the form again, each with a box to untick; the next try of the same form adds them to what it
registers. A file the refusal names (its kind or size) is not held. Held files nobody sends
again are forgotten after a day (the job ``core.held_uploads_forget``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from xinfang.core import clock
from xinfang.core.inputs import is_digits
from xinfang.core.once import digest

HELD_FOR = timedelta(days=1)


def _key(token: str) -> str:
    return digest(token)


def held_upload_add(*, token: str, files: list[tuple[str, bytes]]) -> None:
    from xinfang.core.models import HeldUpload

    now = clock.now()
    HeldUpload.objects.bulk_create(
        [
            HeldUpload(
                token=_key(token),
                name=name[:255],
                content=content,
                size=len(content),
                created_at=now,
            )
            for name, content in files
        ]
    )


def held_upload_after_error(
    *, token: str, new: list[tuple[str, bytes]], fields: dict, offset: int
) -> None:
    """Hold the files attached in a refused try, except those the refusal names by their place
    in the list (``attachments[i]``, counted from ``offset``)."""
    bad = {int(m.group(1)) for k in fields if (m := re.match(r"attachments\[(\d+)\]", k))}
    held_upload_add(token=token, files=[f for i, f in enumerate(new, start=offset) if i not in bad])


def held_upload_list(*, token: str) -> list[dict]:
    """The files held for this form: id, name and size."""
    from xinfang.core.models import HeldUpload

    return list(
        HeldUpload.objects.filter(token=_key(token)).order_by("id").values("id", "name", "size")
    )


def held_upload_unticked(post: Any) -> list[int]:
    """The held files the form listed (``held_upload``) that the user no longer ticks
    (``keep_upload``)."""
    kept = set(post.getlist("keep_upload"))
    return [int(v) for v in post.getlist("held_upload") if is_digits(v) and v not in kept]


def held_upload_drop(*, token: str, ids: list[int]) -> None:
    from xinfang.core.models import HeldUpload

    if ids:
        HeldUpload.objects.filter(token=_key(token), pk__in=ids).delete()


def held_upload_contents(*, token: str) -> list[tuple[str, bytes]]:
    from xinfang.core.models import HeldUpload

    rows = HeldUpload.objects.filter(token=_key(token)).order_by("id")
    return [(name, bytes(content)) for name, content in rows.values_list("name", "content")]


def held_upload_release(*, token: str) -> None:
    """The form was sent: its held files now belong to what it registered."""
    from xinfang.core.models import HeldUpload

    HeldUpload.objects.filter(token=_key(token)).delete()


def held_uploads_forget(*, now: datetime) -> int:
    from xinfang.core.models import HeldUpload

    deleted, _ = HeldUpload.objects.filter(created_at__lt=now - HELD_FOR).delete()
    return deleted
