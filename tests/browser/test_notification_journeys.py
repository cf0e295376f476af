"""Between meetings: the bell, the notifications page, unread marks and the "Til dig" panel,
in Chromium at desktop and phone widths, each page audited with axe."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import audit, login, screenshot, start_thread, watch_layout

# Each width gets its own people, so the journeys don't meet.
PEOPLE = {
    "desktop": {"author": "member9@example.org", "replier": "member10@example.org"},
    "phone": {"author": "member4@example.org", "replier": "member3@example.org"},
}


def bell_count(page: Page) -> int:
    """Return the unread count on the header's bell (0 when it shows none)."""
    badge = page.locator("a.bell .nav-count")
    if badge.count() == 0:
        return 0
    return int(re.match(r"\d+", badge.inner_text()).group(0))


def test_a_reply_lights_the_bell_and_the_notification_leads_to_the_post(
    page: Page, browser: Browser, browser_context_args: dict, width: str, t
) -> None:
    people = PEOPLE[width]
    title = f"Skraldesortering i personalestuen ({width})"
    login(page, people["author"])
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).click()
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label(t("Text")).fill("Hvordan har I fået kollegerne til at sortere?")
    start_thread(page, t("Start the thread"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    before = bell_count(page)

    other = watch_layout(browser.new_context(**browser_context_args))
    replier = other.new_page()
    login(replier, people["replier"])
    replier.get_by_role("link", name="Engagement", exact=True).first.click()
    thread_link = replier.get_by_role("link", name=title)
    expect(thread_link.locator("xpath=..")).to_contain_text(t("New"))  # never opened: unread
    audit(replier)
    thread_link.click()
    replier.get_by_label(t("Your reply")).fill("Vi satte spande op med billeder på.")
    replier.get_by_role("button", name=t("Post reply")).click()
    expect(replier.locator("article").last).to_contain_text("spande")
    other.close()

    page.goto("/")
    assert bell_count(page) == before + 1
    expect(page.get_by_role("region", name=t("For you"))).to_contain_text(
        re.compile(r"\d+ ulæste? svar i tråde, du følger")
    )
    audit(page)
    screenshot(page, "home-for-you", width)

    page.locator("a.bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Notifications"))
    group = page.locator(".notification-group").filter(has_text=title)
    expect(group).to_be_visible()
    audit(page)
    screenshot(page, "notifications", width)
    group.locator(".notification-items a").first.click()
    expect(page).to_have_url(re.compile(r"/traad/\d+.*#post-\d+"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert bell_count(page) == before


def test_following_choices_are_a_plain_form_on_thread_and_theme(page: Page, width: str, t) -> None:
    login(page, PEOPLE[width]["replier"])
    page.get_by_role("link", name="Partnerskaber", exact=True).first.click()
    page.get_by_role("combobox", name=t("Notifications")).select_option("watching")
    page.get_by_role("button", name=t("Save")).first.click()
    expect(page.locator(".flash")).to_contain_text(
        t("Your notifications for this theme are saved.")
    )
    expect(page.get_by_role("combobox", name=t("Notifications"))).to_have_value("watching")
    audit(page)
    page.get_by_role("combobox", name=t("Notifications")).select_option("normal")
    page.get_by_role("button", name=t("Save")).first.click()
    expect(page.get_by_role("combobox", name=t("Notifications"))).to_have_value("normal")
