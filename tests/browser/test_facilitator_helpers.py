"""The circle picker's "Find a person" box: typing filters the people by name, library or
@handle, ticked people stay in view, the count is told; without JavaScript a plain list."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import audit, login, screenshot

# Only reads: the new thread form is never sent.
READERS = {"desktop": "member4@example.org", "phone": "member5@example.org"}
NEW_THREAD = "/tema/1/ny"


def shown(page: Page) -> list[str]:
    """Return the labels of the people the list shows now."""
    return page.locator("#circle-list > li:visible label").all_inner_texts()


def invitation_links(mailbox, address: str, count: int) -> list[str]:
    """Deliver the queued emails until `count` invitations reached the address; return their
    links, oldest first."""
    for _ in range(50):
        messages = [m for m in mailbox.wait_for(0, timeout=0.1) if m["To"] == address]
        if len(messages) >= count:
            break
    return [url for message in messages for url in mailbox.links(message) if "/invitation/" in url]


def test_typing_filters_the_people_and_keeps_the_ticked_ones(page: Page, width: str, t) -> None:
    login(page, READERS[width])
    page.goto(NEW_THREAD)
    everyone = page.locator("#circle-list > li").count()
    assert everyone > 5
    find = page.get_by_label(t("Find a person"))
    expect(find).to_be_visible()
    count = page.locator("[data-filter-count]")

    find.press_sequentially("roskilde")  # a library
    expect(page.locator("#circle-list > li:visible")).to_have_count(1)
    assert "Anne-Marie Vestergaard" in shown(page)[0]
    expect(count).to_have_text(t("1 person matches."))
    page.locator("#circle-list > li:visible input[type=checkbox]").check()
    audit(page)
    screenshot(page, "circle-picker-filtered", width)

    find.fill("")
    find.press_sequentially("rasmus")  # a name: Anne-Marie stays, ticked
    expect(page.locator("#circle-list > li:visible")).to_have_count(2)
    labels = " ".join(shown(page))
    assert "Rasmus Holm Jeppesen" in labels and "Anne-Marie Vestergaard" in labels
    expect(count).to_have_text(t("1 person matches."))

    find.fill("@anne.marie")  # a handle, as in @mentions
    expect(page.locator("#circle-list > li:visible")).to_have_count(1)
    find.fill("xyzzy")
    expect(page.locator("#circle-list > li:visible")).to_have_count(1)  # the ticked one
    expect(count).to_have_text(t("Nobody matches. People you have ticked stay in the list."))

    find.press("Enter")  # does not send the form
    expect(page).to_have_url(re.compile(re.escape(NEW_THREAD) + "$"))
    expect(page.locator(".error-summary")).to_have_count(0)
    find.press("Escape")  # empties the box: everyone again
    expect(find).to_have_value("")
    expect(page.locator("#circle-list > li:visible")).to_have_count(everyone)
    expect(page.get_by_label(re.compile("Anne-Marie Vestergaard"))).to_be_checked()


def test_without_javascript_the_picker_is_a_plain_list(
    browser: Browser, browser_context_args: dict, width: str, t
) -> None:
    # No layout watch and no axe here: both run scripts in the page (the same page is audited
    # with JavaScript above).
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    login(page, READERS[width])
    page.goto(NEW_THREAD)
    expect(page.get_by_label(t("Find a person"))).to_be_hidden()
    people = page.locator("#circle-list > li")
    expect(page.locator("#circle-list > li:visible")).to_have_count(people.count())
    context.close()


def test_a_facilitator_sends_an_invitation_again_and_revokes_it(
    page: Page, width: str, mailbox, t
) -> None:
    login(page, "facilitator@example.org")
    page.goto("/invitationer")
    guest = f"gaest-{width}@bibliotek.dk"
    page.get_by_label(t("Name")).fill(f"Gitte Gæst {width}")
    page.get_by_label(t("Email")).fill(guest)
    page.get_by_role("button", name=t("Send invitation")).click()
    row = page.locator("tr", has_text=guest)
    expect(row).to_contain_text(t("Not used yet"))
    audit(page)
    screenshot(page, "invitations-open", width)
    assert len(invitation_links(mailbox, guest, 1)) == 1  # the first email went out

    row.get_by_role("button", name=re.compile(t("Send again"))).click()
    flash = page.locator(".flash").first
    expect(flash).to_contain_text(guest)
    expect(flash).to_be_in_viewport()
    expect(page.locator("tr", has_text=guest)).to_contain_text(t("Not used yet"))
    links = invitation_links(mailbox, guest, 2)
    assert len(set(links)) == 2  # a new link each time

    page.locator("tr", has_text=guest).get_by_role("link", name=re.compile(t("Revoke"))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Revoke the invitation to %(name)s?", name=f"Gitte Gæst {width}")
    )
    audit(page)
    page.get_by_role("button", name=t("Revoke invitation")).click()
    expect(page.locator(".flash").first).to_contain_text(guest)
    expect(page.locator("tr", has_text=guest)).to_contain_text(t("Revoked"))
    audit(page)
    page.goto(links[-1])  # the newest link no longer works either
    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("The invitation link does not work")
    )
