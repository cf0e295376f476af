"""Suggesting @handles while typing a reply: the list, the keys, the link in the post."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, login

# Each width gets its own writer; both mention Anne-Marie Vestergaard (member3).
WRITERS = {"desktop": "member9@example.org", "phone": "member10@example.org"}


def test_typing_at_suggests_people_and_the_reply_links_them(page: Page, width: str, t) -> None:
    login(page, WRITERS[width])
    page.get_by_role("link", name="Engagement").first.click()
    page.locator(".thread-list a").first.click()
    reply = page.get_by_label(t("Your reply"))
    reply.press_sequentially("Hvad siger @anne")
    suggestions = page.get_by_role("listbox", name=t("People you can mention"))
    expect(suggestions).to_be_visible()
    option = suggestions.get_by_role("option", name="Anne-Marie Vestergaard")
    expect(option).to_have_attribute("aria-selected", "true")
    audit(page)
    reply.press("Enter")
    expect(suggestions).to_be_hidden()
    expect(reply).to_have_value("Hvad siger @anne.marie.vestergaard ")
    reply.press_sequentially("til det?")
    page.get_by_role("button", name=t("Post reply")).click()
    link = page.locator("article").last.get_by_role("link", name="@anne.marie.vestergaard")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anne-Marie Vestergaard")


def test_escape_closes_the_suggestions_and_keeps_the_text(page: Page, width: str, t) -> None:
    login(page, WRITERS[width])
    page.get_by_role("link", name="Engagement").first.click()
    page.locator(".thread-list a").first.click()
    reply = page.get_by_label(t("Your reply"))
    reply.press_sequentially("@kas")
    suggestions = page.get_by_role("listbox", name=t("People you can mention"))
    expect(suggestions).to_be_visible()
    reply.press("Escape")
    expect(suggestions).to_be_hidden()
    expect(reply).to_have_value("@kas")
