"""Writing in a thread as members do: quote, preview, post and see the confirmation where the
page lands; a draft that survives leaving the page; the characters left in a title; a text
kept when the session ended."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import audit, login, screenshot, start_thread

# Each width gets its own writer (accounts that no other journey changes).
WRITERS = {"desktop": "member9@example.org", "phone": "member10@example.org"}
# A title of words longer than a phone's width, to see that it wraps everywhere.
LONG_WORD = "Affaldssorteringsforsøgsordningsevalueringsrapportsopfølgningsmødeindkaldelse"


def start_long_thread(page: Page, width: str, title: str, t) -> str:
    """Start a thread with an opening post taller than the window; return its address."""
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).click()
    page.get_by_label(t("Title")).fill(title)
    paragraphs = [f"Afsnit {n} om **affald** og genbrug på biblioteket." for n in range(1, 31)]
    page.get_by_label(t("Text")).fill("\n\n".join(paragraphs))
    start_thread(page, t("Start the thread"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url


def in_viewport(page: Page, selector: str) -> bool:
    """Return whether the element is wholly inside the window as it is scrolled now."""
    box = page.locator(selector).bounding_box()
    window = page.viewport_size
    assert box is not None and window is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= window["height"]


def test_quote_preview_and_post_a_reply(page: Page, width: str, t) -> None:
    login(page, WRITERS[width])
    title = f"{LONG_WORD} ({width})"
    start_long_thread(page, width, title, t)
    expect(page.locator(".flash-success")).to_contain_text(t("Your thread is started."))
    audit(page)  # the long title wraps: nothing scrolls sideways, breadcrumbs included

    # "Reply" at the top leads to the box and puts the cursor in it.
    page.get_by_role("link", name=t("Reply"), exact=True).click()
    reply = page.get_by_label(t("Your reply"))
    expect(reply).to_be_focused()

    # Quote the opening post: it is put in the box without reloading the page.
    page.locator("article").first.get_by_role("link", name=re.compile(t("Quote"))).click()
    expect(reply).to_have_value(re.compile(r"skrev:\n> Afsnit 1 om \*\*affald\*\*"))
    assert "citer" not in page.url  # no reload: the script put it there
    expect(reply).to_be_focused()
    reply.press("End")
    reply.press_sequentially("Vi gør det *også*.")

    page.get_by_role("button", name=t("Show preview")).click()
    preview = page.locator("section.preview")
    expect(preview.get_by_role("heading", name=t("Preview"))).to_be_visible()
    expect(preview.locator("blockquote").first).to_contain_text("Afsnit 1 om affald")
    expect(preview.locator("em")).to_have_text("også")
    expect(page.get_by_label(t("Your reply"))).to_have_value(re.compile(r"Vi gør det \*også\*\.$"))
    audit(page)
    screenshot(page, "reply-preview", width)

    page.get_by_role("button", name=t("Post reply")).click()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    confirmation = page.locator(".post-flashes")
    expect(confirmation).to_have_text(t("Your reply is posted."))
    # The page jumped down to the new post, and the confirmation is in view there.
    page.wait_for_function("() => window.scrollY > 0")
    assert in_viewport(page, ".post-flashes")
    expect(page.locator("article").last.locator("em")).to_have_text("også")
    audit(page)
    screenshot(page, "reply-posted", width)


def test_a_draft_survives_leaving_the_page(page: Page, width: str, t) -> None:
    login(page, WRITERS[width])
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    page.locator(".thread-list a").first.click()
    page.wait_for_load_state()
    address = page.url
    draft = f"Et halvt skrevet svar ({width})"
    page.get_by_label(t("Your reply")).fill(draft)
    page.wait_for_timeout(600)  # the draft is written a moment after typing stops

    page.get_by_role("link", name=t("Home")).first.click()
    page.goto(address)
    expect(page.get_by_label(t("Your reply"))).to_have_value(draft)
    note = page.locator(".draft-note")
    expect(note).to_contain_text(
        t("Draft restored: the text you were writing here has been brought back.")
    )
    audit(page)
    screenshot(page, "draft-restored", width)

    # Discarding it empties the box, for good.
    note.get_by_role("button", name=t("Discard the draft")).click()
    expect(page.get_by_label(t("Your reply"))).to_have_value("")
    page.goto(address)
    expect(page.locator(".draft-note")).to_have_count(0)

    # A draft that was posted is not brought back.
    page.get_by_label(t("Your reply")).fill(draft)
    page.get_by_role("button", name=t("Post reply")).click()
    expect(page.locator(".post-flashes")).to_be_visible()
    page.goto(address)
    expect(page.get_by_label(t("Your reply"))).to_have_value("")
    expect(page.locator(".draft-note")).to_have_count(0)


def test_a_title_shows_the_characters_left(page: Page, width: str, t) -> None:
    login(page, WRITERS[width])
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).click()
    title = page.get_by_label(t("Title"))
    counter = page.locator("#title-left")
    expect(counter).to_have_text("200 tegn tilbage")
    title.press_sequentially("Affald")
    expect(counter).to_have_text("194 tegn tilbage")
    title.fill("x" * 199)
    title.dispatch_event("input")
    expect(counter).to_have_text("1 tegn tilbage")
    expect(counter).to_have_class(re.compile("char-count-near"))
    described = title.get_attribute("aria-describedby") or ""
    assert "title-left" in described.split()
    # A post's long limit (50,000) is not counted down from the first character.
    expect(page.locator("#body-left")).to_be_hidden()
    audit(page)
    screenshot(page, "character-counter", width)


def test_a_reply_sent_after_the_session_ended_is_kept(page: Page, width: str, t) -> None:
    login(page, WRITERS[width])
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    page.locator(".thread-list a").first.click()
    words = f"Det her må ikke gå tabt ({width})"
    page.get_by_label(t("Your reply")).fill(words)
    page.context.clear_cookies()  # the session ends while the person writes

    page.get_by_role("button", name=t("Post reply")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Log in"))
    expect(page.locator(".kept-notice")).to_contain_text(t("Your text is kept."))
    audit(page)
    page.get_by_label(t("Email")).fill(WRITERS[width])
    page.get_by_label(t("Password")).fill("demo-password")
    page.locator("form button[type=submit]").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        t("Your text is kept — send it again")
    )
    expect(page.get_by_label(t("Your reply"))).to_have_value(words)
    audit(page)
    screenshot(page, "kept-text", width)
    page.get_by_role("button", name=t("Send it again")).click()
    expect(page.locator("article").last).to_contain_text(words)
    expect(page.locator(".post-flashes")).to_have_text(t("Your reply is posted."))
