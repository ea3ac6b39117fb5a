"""Helpers for the browser tests: phone contexts, staff sign-in, the petition page's action forms."""

from __future__ import annotations

import re

PHONE = {"width": 390, "height": 844}


def phone_context(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(
        locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True, accept_downloads=True
    )


def desktop_context(browser):  # type: ignore[no-untyped-def]
    return browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 860})


def sign_in(context, live_server, user) -> None:  # type: ignore[no-untyped-def]
    """A staff session for ``user`` (the login form itself is covered by test_staff_pages)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME,
          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": live_server.url}]
    )


def no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def staff_act(page, label: str, *, fill=None, select=None, check=()) -> None:  # type: ignore[no-untyped-def]
    """Open the action ``label`` on the petition page, fill its form and submit it."""
    box = page.locator("details.action").filter(
        has=page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    box.locator("summary").click()
    for name, value in (select or {}).items():
        field = box.get_by_label(name)
        field.select_option(**value) if isinstance(value, dict) else field.select_option(value)
    for name, value in (fill or {}).items():
        box.get_by_label(name).fill(value)
    for name in check:
        box.get_by_label(name).check()
    box.get_by_role("button", name=label, exact=True).click()
    page.get_by_role("status").filter(has_text=f"已{label}").wait_for()


def staff_sign(page, label: str, *, fill=None, select=None) -> None:  # type: ignore[no-untyped-def]
    """A step the organ's head signs (issue 12, item 7): open its full-page editor from the
    petition page, write the document and sign it (签发)."""
    page.get_by_role("link", name=re.compile(f"^(起草：)?{re.escape(label)}(（草稿）)?$")).click()
    page.get_by_role("heading", name=re.compile(re.escape(label))).wait_for()
    for name, value in (select or {}).items():
        field = page.get_by_label(name)
        field.select_option(**value) if isinstance(value, dict) else field.select_option(value)
    for name, value in (fill or {}).items():
        page.get_by_label(name).fill(value)
    page.get_by_role("button", name="签发", exact=True).click()
    page.get_by_role("status").filter(has_text="已签发").wait_for()
