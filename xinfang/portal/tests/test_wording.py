"""Issue 12, item 13: the portal's English says what the button does."""

from __future__ import annotations

from django.utils import translation


def test_leaving_a_lookup_is_not_closing_the_petition_in_english():
    with translation.override("en"):
        assert translation.gettext("退出查询") == "Leave this lookup"
