"""The header: one row on a desktop for every role, a compact row with a menu button on a
phone, and the menus open by mouse, by keyboard and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SCREENSHOTS, audit, login, watch_layout

ADMIN = "admin@example.org"
MEMBER = "member3@example.org"

# The offsetTop of each top-level item of the header row, and the header's height.
ROW_JS = """
() => {
  const inner = document.querySelector('.header-inner');
  const items = [...inner.children, ...document.querySelectorAll('.nav-list > li')]
    .filter((el) => el.checkVisibility() && !el.matches('.site-menu, .site-nav'));
  return {
    tops: items.map((el) => Math.round(el.getBoundingClientRect().top
      + el.getBoundingClientRect().height / 2)),
    names: items.map((el) => (el.innerText || el.getAttribute('aria-label') || el.tagName).trim()),
    height: document.querySelector('.site-header').getBoundingClientRect().height,
  };
}
"""

# A long first name on the account menu and open reports on the Facilitator menu.
WORST_CASE_JS = """
() => {
  document.querySelector('.account-name').textContent = 'Maximiliane-Charlotte';
  const summary = document.querySelector('.nav-menu > summary');
  if (!summary.querySelector('.nav-count')) {
    summary.insertAdjacentHTML('beforeend', '<span class="nav-count">12</span>');
  }
}
"""


def assert_one_row(page: Page, max_height: int) -> None:
    """Assert that every top-level item of the header shares one line and the header is low:
    their middles lie within a few pixels (items differ in height: a field, a link)."""
    row = page.evaluate(ROW_JS)
    middles = dict(zip(row["names"], row["tops"], strict=True))
    assert max(row["tops"]) - min(row["tops"]) <= 4, middles
    assert row["height"] < max_height, row


def header_shot(page: Page, name: str) -> None:
    """Save a screenshot of the header (and whatever menu is open under it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"header-{name}.png"),
        clip={"x": 0, "y": 0, "width": page.viewport_size["width"], "height": 420},
    )


@pytest.fixture
def no_js_page(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    """A page in a browser with JavaScript switched off."""
    context = watch_layout(browser.new_context(**browser_context_args, java_script_enabled=False))
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("width", ["desktop"])
@pytest.mark.parametrize("who", [ADMIN, MEMBER])
def test_on_a_desktop_the_header_is_one_row(page: Page, width: str, who: str, t) -> None:
    login(page, who)
    assert_one_row(page, max_height=80)
    nav = page.get_by_role("navigation", name=t("Main menu"))
    expect(nav.get_by_role("link", name=t("Meetings"))).to_be_visible()
    expect(page.locator("summary.menu-button")).to_be_hidden()
    if who == ADMIN:
        # The tools are one entry each, their items behind it.
        expect(nav.get_by_text(t("Facilitator"), exact=True)).to_be_visible()
        expect(nav.get_by_role("link", name=t("Accounts"))).to_be_hidden()
        nav.get_by_text(t("Administration"), exact=True).click()
        expect(nav.get_by_role("link", name=t("Accounts"))).to_be_visible()
        header_shot(page, f"{'admin' if who == ADMIN else 'member'}-desktop-open")
        nav.get_by_role("link", name=t("Accounts")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Accounts"))
        # The current page is marked in its menu, and the menu's entry shows it holds it.
        current = nav.locator("[aria-current=page]")
        expect(current).to_have_text(t("Accounts"))
        audit(page)
    else:
        expect(nav.get_by_text(t("Facilitator"), exact=True)).to_have_count(0)
        expect(nav.get_by_text(t("Administration"), exact=True)).to_have_count(0)
    page.goto("/")
    header_shot(page, f"{'admin' if who == ADMIN else 'member'}-desktop")
    if who == ADMIN:
        # The longest the row gets: open reports to count and a long first name, in English too.
        page.evaluate(WORST_CASE_JS)
        assert_one_row(page, max_height=80)
        page.get_by_role("button", name=t("Change the language to") + " English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.evaluate(WORST_CASE_JS)
        assert_one_row(page, max_height=80)
        header_shot(page, "admin-desktop-english")
        page.get_by_role("button", name="Change the language to Dansk").click()
        expect(page.locator("html")).to_have_attribute("lang", "da")


@pytest.mark.parametrize("width", ["desktop"])
def test_the_tool_menus_work_by_keyboard(page: Page, width: str, t) -> None:
    login(page, ADMIN)
    nav = page.get_by_role("navigation", name=t("Main menu"))
    facilitator = nav.locator("summary", has_text=t("Facilitator"))
    facilitator.focus()
    page.keyboard.press("Enter")
    expect(nav.get_by_role("link", name=t("Overview"))).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link", name=t("Overview"))).to_be_focused()
    # Opening another menu closes this one; Escape closes the open one and focuses its button.
    nav.locator("summary", has_text=t("Administration")).click()
    expect(nav.get_by_role("link", name=t("Overview"))).to_be_hidden()
    expect(nav.get_by_role("link", name=t("Themes"))).to_be_visible()
    nav.get_by_role("link", name=t("Themes")).focus()
    page.keyboard.press("Escape")
    expect(nav.get_by_role("link", name=t("Themes"))).to_be_hidden()
    expect(nav.locator("summary", has_text=t("Administration"))).to_be_focused()
    page.keyboard.press("Enter")
    page.locator("main").click()  # a click elsewhere closes it
    expect(nav.get_by_role("link", name=t("Themes"))).to_be_hidden()


@pytest.mark.parametrize("width", ["phone"])
@pytest.mark.parametrize("who", [ADMIN, MEMBER])
def test_on_a_phone_the_header_is_compact_and_its_menu_opens(
    page: Page, width: str, who: str, t
) -> None:
    login(page, who)
    assert_one_row(page, max_height=72)
    nav = page.get_by_role("navigation", name=t("Main menu"))
    expect(nav.get_by_role("link", name=t("Meetings"))).to_be_hidden()
    expect(page.get_by_role("link", name=t("Search"), exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^" + t("Notifications")))).to_be_visible()
    name = "admin" if who == ADMIN else "member"
    header_shot(page, f"{name}-phone")
    page.locator("summary.menu-button").click()
    expect(nav.get_by_role("link", name=t("Meetings"))).to_be_visible()
    expect(nav.get_by_role("button", name=t("Change the language to") + " English")).to_be_visible()
    header_shot(page, f"{name}-phone-open")
    audit(page)
    page.keyboard.press("Escape")  # focus is still on the menu button: Escape closes the menu
    expect(nav.get_by_role("link", name=t("Meetings"))).to_be_hidden()


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_the_menus_open_without_javascript(no_js_page: Page, width: str, t) -> None:
    page = no_js_page
    login(page, ADMIN)
    nav = page.get_by_role("navigation", name=t("Main menu"))
    if width == "phone":
        expect(nav.get_by_role("link", name=t("Meetings"))).to_be_hidden()
        page.locator("summary.menu-button").click()
    expect(nav.get_by_role("link", name=t("Meetings"))).to_be_visible()
    nav.locator("summary", has_text=t("Facilitator")).click()
    nav.get_by_role("link", name=t("Invite")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Invite a person"))


@pytest.mark.parametrize("width", ["desktop"])
def test_the_language_switch_returns_to_the_page(page: Page, width: str, t) -> None:
    page.goto("/login")
    page.get_by_role("button", name=t("Change the language to") + " English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_role("button", name="Change the language to Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    login(page, MEMBER)
    page.goto("/ressourcer?type=link")
    page.get_by_role("button", name=t("Change the language to") + " English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/ressourcer\?type=link$"))
    page.get_by_role("button", name="Change the language to Dansk").click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
