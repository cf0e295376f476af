"""The journeys members take, in Chromium at desktop and phone widths, each page audited."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import audit, login, screenshot, start_thread, use_menu, watch_layout

DEMO_PASSWORD = "demo-password"
# Each width gets its own people, so journeys that change an account don't meet.
PEOPLE = {
    "desktop": {"author": "member1", "reset": "member5", "lang": "member7", "victim": "member11"},
    "phone": {"author": "member2", "reset": "member6", "lang": "member8", "victim": "member12"},
}


def email_of(key: str) -> str:
    return f"{key}@example.org"


def test_log_in_and_out(page: Page, width: str, t) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("html")).to_have_attribute("lang", "da")
    audit(page)
    screenshot(page, "login", width)

    page.get_by_label(t("Email")).fill(email_of(PEOPLE[width]["author"]))
    page.get_by_label(t("Password")).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=t("Log in")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("What is new in the network"))
    audit(page)
    screenshot(page, "home", width)

    use_menu(page, t("Log out"), role="button")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Log in"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_is_explained_and_email_kept(page: Page, width: str, t) -> None:
    page.goto("/login")
    page.get_by_label(t("Email")).fill("member3@example.org")
    page.get_by_label(t("Password")).fill("not-the-password")
    page.get_by_role("button", name=t("Log in")).click()
    expect(page.get_by_text(t("Wrong email or password.")).first).to_be_visible()
    expect(page.get_by_label(t("Email"))).to_have_value("member3@example.org")
    audit(page)


def test_accept_invitation_from_the_email_link(
    page: Page, browser: Browser, browser_context_args: dict, width: str, mailbox, t
) -> None:
    login(page, "facilitator@example.org")
    use_menu(page, t("Invite"))
    audit(page)
    screenshot(page, "invitations", width)
    newcomer = f"ny-{width}@bibliotek.dk"
    page.get_by_label(t("Name")).fill(f"Nina Ny {width}")
    page.get_by_label(t("Email")).fill(newcomer)
    page.get_by_role("button", name=t("Send invitation")).click()
    expect(page.locator(".flash").first).to_contain_text(newcomer)

    message = [m for m in mailbox.wait_for(1) if m["To"] == newcomer][0]
    link = next(url for url in mailbox.links(message) if "/invitation/" in url)

    second = watch_layout(browser.new_context(**browser_context_args))  # the invitee's own browser
    invitee = second.new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(t("Join the network forum"))
    audit(invitee)
    screenshot(invitee, "accept-invitation", width)
    invitee.get_by_label(t("Password"), exact=True).fill("a-long-new-password")
    invitee.get_by_label(t("Repeat the password")).fill("a-long-new-password")
    invitee.get_by_label(t("Library")).fill("Viborg Bibliotekerne")
    invitee.get_by_role("button", name=t("Create my account")).click()
    expect(invitee.get_by_role("heading", level=1)).to_have_text(t("What is new in the network"))
    invitee.goto(link)  # the link works once
    expect(invitee.get_by_role("heading", level=1)).not_to_have_text(t("Join the network forum"))
    second.close()


def test_start_thread_reply_and_edit_with_revision(page: Page, width: str, t) -> None:
    login(page, email_of(PEOPLE[width]["author"]))
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    audit(page)
    screenshot(page, "theme", width)
    page.get_by_role("link", name=t("Start a thread")).click()
    audit(page)
    title = f"Klimakaffe for kolleger ({width})"
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label(t("Text")).fill(
        "Vi prøver **klimakaffe** hver fredag:\n\n- kort oplæg\n- en handling\n\n"
        "Læs mere på https://www.dr.dk/klima"
    )
    start_thread(page, t("Start the thread"))

    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    first_post = page.locator("article").first
    expect(first_post.locator("strong")).to_have_text("klimakaffe")
    expect(first_post.locator("li")).to_have_count(2)
    expect(first_post.get_by_role("link", name="https://www.dr.dk/klima")).to_have_attribute(
        "rel", "nofollow noopener"
    )
    audit(page)

    page.get_by_label(t("Your reply")).fill("Godt initiativ – vi *prøver* det også.")
    page.get_by_role("button", name=t("Post reply")).click()
    expect(page.locator("article").last.locator("em")).to_have_text("prøver")

    first_post = page.locator("article").first
    first_post.get_by_role("link", name=re.compile(t("Edit"))).click()
    audit(page)
    page.get_by_label(t("Text")).fill("Vi prøver **klimakaffe** hver torsdag i stedet.")
    page.get_by_role("button", name=t("Save changes")).click()
    first_post = page.locator("article").first
    expect(first_post).to_contain_text("torsdag")
    expect(first_post).to_contain_text(t("edited"))
    screenshot(page, "thread", width)
    first_post.get_by_role("link", name=re.compile(t("edited"))).click()
    expect(page.locator("main")).to_contain_text("fredag")
    audit(page)


def test_reset_forgotten_password_through_the_emailed_link(
    page: Page, width: str, mailbox, t
) -> None:
    person = email_of(PEOPLE[width]["reset"])
    page.goto("/login")
    page.get_by_role("link", name=t("Forgot your password?")).click()
    audit(page)
    page.get_by_label(t("Email")).fill(person)
    page.get_by_role("button", name=t("Send the link")).click()
    message = [m for m in mailbox.wait_for(1) if m["To"] == person][0]
    link = next(url for url in mailbox.links(message) if "/nulstil-adgangskode/" in url)

    page.goto(link)
    audit(page)
    page.get_by_label(t("New password"), exact=True).fill("my-brand-new-password")
    page.get_by_label(t("Repeat the new password")).fill("my-brand-new-password")
    page.get_by_role("button", name=t("Save the new password")).click()
    login(page, person, "my-brand-new-password")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("What is new in the network"))


def test_switch_language_to_english_and_back(page: Page, width: str, t) -> None:
    login(page, email_of(PEOPLE[width]["lang"]))
    use_menu(page, t("My profile"))
    audit(page)
    screenshot(page, "profile", width)
    page.get_by_label(t("Language of the forum")).select_option("en")
    page.get_by_role("button", name=t("Change language"), exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    audit(page)
    page.get_by_label("Language of the forum").select_option("da")
    page.get_by_role("button", name="Change language", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "da")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My profile"))


def test_admin_deactivates_a_member_who_loses_access(
    page: Page, browser: Browser, browser_context_args: dict, width: str, t
) -> None:
    victim = email_of(PEOPLE[width]["victim"])
    victim_context = watch_layout(browser.new_context(**browser_context_args))
    victim_page = victim_context.new_page()
    login(victim_page, victim)

    login(page, "admin@example.org")
    use_menu(page, t("Accounts"))
    audit(page)
    screenshot(page, "accounts", width)
    page.get_by_role("row").filter(has_text=victim).get_by_role(
        "link", name=re.compile(t("Manage"))
    ).click()
    audit(page)
    page.get_by_role("link", name=t("Deactivate account…")).click()
    audit(page)
    page.get_by_role("button", name=t("Deactivate account")).click()
    expect(page.locator("main")).to_contain_text(t("Deactivated"))

    victim_page.reload()
    expect(victim_page).to_have_url(re.compile(r"/login"))
    victim_page.get_by_label(t("Email")).fill(victim)
    victim_page.get_by_label(t("Password")).fill(DEMO_PASSWORD)
    victim_page.get_by_role("button", name=t("Log in")).click()
    expect(victim_page.get_by_text(t("Wrong email or password.")).first).to_be_visible()
    victim_context.close()


def test_journey_works_without_javascript(
    browser: Browser, browser_context_args: dict, width: str, t
) -> None:
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    page = context.new_page()
    login(page, "member3@example.org")
    page.get_by_role("link", name="Partnerskaber", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).click()
    page.get_by_label(t("Title")).fill(f"Uden JavaScript ({width})")
    page.get_by_label(t("Text")).fill("Det virker *også* uden script.")
    start_thread(page, t("Start the thread"))
    expect(page.locator("article em")).to_have_text("også")
    context.close()
