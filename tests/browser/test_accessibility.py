"""Every page a member, facilitator or admin reaches passes axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import audit, login, screenshot

MEMBER_PAGES = [
    "/",
    "/tema/1",
    "/tema/1/ny",
    "/traad/1",
    "/medlemmer",
    "/medlemmer/3",
    "/profil",
    "/profil/adgangskode",
    "/indlaeg/9999999/rediger",  # the not-found page
]
FACILITATOR_PAGES = ["/invitationer", "/indlaeg/1/versioner"]
ADMIN_PAGES = [
    "/admin/brugere",
    "/admin/brugere/3",
    "/admin/brugere/3/deaktiver",
    "/admin/temaer",
    "/admin/temaer/1",
    "/admin/temaer/1/arkiver",
]
ANONYMOUS_PAGES = ["/login", "/glemt-adgangskode", "/invitation/not-a-token"]


@pytest.mark.parametrize(
    ("who", "paths"),
    [
        (None, ANONYMOUS_PAGES),
        ("member9@example.org", MEMBER_PAGES),
        ("facilitator@example.org", MEMBER_PAGES + FACILITATOR_PAGES),
        ("admin@example.org", ADMIN_PAGES),
    ],
    ids=["anonymous", "member", "facilitator", "admin"],
)
def test_pages_pass_the_audit(page: Page, width: str, who: str | None, paths: list[str]) -> None:
    if who:
        login(page, who)
    for path in paths:
        page.goto(path)
        audit(page)
    if who == "facilitator@example.org":
        page.goto("/traad/1")
        screenshot(page, "thread-facilitator", width)


BROKEN_PAGE = """<!doctype html><html><head><title>Broken</title></head><body>
<main><img src="/static/img/favicon.svg"><input type="text" name="q">
<p style="color:#bbb;background:#fff">Pale text</p></main></body></html>"""


def test_audit_fails_on_a_broken_page(page: Page, width: str) -> None:
    """The audit is alive: a page with an unlabelled input and an image without alt fails it."""
    page.set_content(BROKEN_PAGE)
    with pytest.raises(AssertionError) as failure:
        audit(page)
    report = str(failure.value)
    assert "image-alt" in report or "Image" in report
    assert "label" in report.lower()
