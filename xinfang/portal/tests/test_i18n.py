"""The English catalogue: complete, compiled, and covering the portal's template strings."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

PKG = Path(__file__).resolve().parents[2]
PO = PKG / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _po(*, with_context: bool = False) -> dict:
    """msgid → msgstr (entries with a msgctxt only if ``with_context``, keyed (msgctxt, msgid))."""
    text = PO.read_text(encoding="utf-8")
    found = re.findall(r'^(?:msgctxt "(.*)"\n)?msgid "(.*)"\nmsgstr "(.*)"$', text, flags=re.M)
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
    out: dict = {unescape(k): unescape(v) for c, k, v in found if k and not c}
    if with_context:
        out |= {(unescape(c), unescape(k)): unescape(v) for c, k, v in found if k and c}
    return out


def test_every_entry_is_translated_and_the_compiled_catalogue_is_current():
    po = _po(with_context=True)
    assert po and all(po.values()), [k for k, v in po.items() if not v]
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")
    with MO.open("rb") as f:
        mo = gettext.GNUTranslations(f)
    stale = {
        k for k, v in po.items()
        if (mo.pgettext(*k) if isinstance(k, tuple) else mo.gettext(k)) != v
    }
    assert not stale, f"recompile: (cd xinfang && django-admin compilemessages); {sorted(stale)[:3]}"


def test_every_portal_and_document_template_string_is_in_the_catalogue():
    po = _po()
    missing = []
    for folder in ("portal/templates", "documents/templates"):
        for path in (PKG / folder).rglob("*.html"):
            for s in re.findall(r'{% trans "([^"]+)"', path.read_text(encoding="utf-8")):
                if s not in po:
                    missing.append(f"{path.name}: {s}")
    assert missing == []
