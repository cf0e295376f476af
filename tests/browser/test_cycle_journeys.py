"""Journeys of the confidential circle, moderation and the meeting cycle, as members take them."""

from __future__ import annotations

import re

from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from forum.demo import PEOPLE
from tests.browser.conftest import audit, login, screenshot, start_thread, use_menu, watch_layout

NAMES = {person.email: person.name for person in PEOPLE}
# Each width gets its own people, so the journeys don't meet.
CAST = {
    "desktop": {"author": "member1", "insider": "member2", "outsider": "member3"},
    "phone": {"author": "member9", "insider": "member10", "outsider": "member4"},
}


def email(key: str) -> str:
    return f"{key}@example.org"


def new_page(browser: Browser, args: dict, who: str) -> Page:
    """Open a fresh browser (its own cookies) logged in as someone."""
    page = watch_layout(browser.new_context(**args)).new_page()
    page.set_default_timeout(8000)
    login(page, who)
    return page


def test_confidential_circle_and_moderation(
    page: Page, browser: Browser, browser_context_args: dict, width: str, t
) -> None:
    cast = {role: email(key) for role, key in CAST[width].items()}
    title = f"Budget under pres ({width})"

    # The author starts a circle thread with one colleague.
    login(page, cast["author"])
    page.get_by_role("link", name="Engagement", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).click()
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label(t("Text")).fill("Vi mister *to stillinger* – hvordan holder vi fast?")
    page.get_by_label(t("Confidential circle")).check()
    page.get_by_label(NAMES[cast["insider"]]).check()
    audit(page)
    start_thread(page, t("Start the thread"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text(t("Confidential circle"))
    thread_url = page.url.split("?")[0].split("#")[0]
    audit(page)
    screenshot(page, "circle-thread", width)

    # The named colleague sees it on the home page and replies.
    insider = new_page(browser, browser_context_args, cast["insider"])
    insider.get_by_role("link", name=title).first.click()
    insider.get_by_label(t("Your reply")).fill("Vi flyttede opgaven ind i driftsmøderne.")
    insider.get_by_role("button", name=t("Post reply")).click()
    expect(insider.locator("article").last).to_contain_text("driftsmøderne")

    # Anyone else sees no trace of it, and its address answers as if it did not exist.
    outsider = new_page(browser, browser_context_args, cast["outsider"])
    expect(outsider.locator("main")).not_to_contain_text(title)
    outsider.get_by_role("link", name="Engagement", exact=True).first.click()
    expect(outsider.locator("main")).not_to_contain_text(title)
    response = outsider.goto(thread_url)
    assert response.status == 404
    expect(outsider.get_by_role("heading", level=1)).to_have_text(t("Page not found"))

    # The facilitator sees it, hides the reply with a reason, and the log shows it.
    facilitator = new_page(browser, browser_context_args, "facilitator@example.org")
    facilitator.goto(thread_url)
    expect(facilitator.get_by_role("heading", level=1)).to_have_text(title)
    facilitator.locator("article").last.get_by_role("link", name=re.compile(t("Hide"))).click()
    audit(facilitator)
    reason = f"Nævner en navngiven kollega ({width})"
    facilitator.get_by_label(t("Reason")).fill(reason)
    facilitator.get_by_role("button", name=t("Hide the post")).click()
    expect(facilitator.locator("main")).to_contain_text(reason)
    facilitator.goto("/moderation/log")
    audit(facilitator)
    expect(facilitator.locator("main")).to_contain_text(reason)
    screenshot(facilitator, "moderation-log", width)

    insider.goto(thread_url)  # the hidden reply is gone for members... but its author sees why
    expect(insider.locator("main")).to_contain_text(reason)
    page.goto(thread_url)
    expect(page.locator("main")).not_to_contain_text("driftsmøderne")

    # The author reports a post in another thread; the facilitator dismisses the report.
    page.goto("/")
    page.get_by_role("link", name="Print: fra 180.000 til 120.000 sider om året").click()
    page.locator("article").nth(1).get_by_role("link", name=re.compile(t("Report"))).click()
    audit(page)
    page.get_by_label(t("Reason")).fill(f"Tallene ser forkerte ud ({width})")
    page.get_by_role("button", name=t("Send the report")).click()
    facilitator.goto("/moderation")
    audit(facilitator)
    screenshot(facilitator, "moderation-queue", width)
    item = facilitator.locator("li, article, tr").filter(
        has_text=f"Tallene ser forkerte ud ({width})"
    )
    item.get_by_role("button", name=re.compile(t("Dismiss"))).first.click()
    page.goto("/mine-rapporter")
    audit(page)
    expect(page.locator("main")).to_contain_text(t("Handled: dismissed, the post stays"))
    for other in (insider, outsider, facilitator):
        other.context.close()


def test_meeting_cycle(
    page: Page, browser: Browser, browser_context_args: dict, width: str, t, live_server: str
) -> None:
    member = email("member5" if width == "desktop" else "member6")
    login(page, member)

    # RSVP for the upcoming meeting.
    use_menu(page, t("Meetings"))
    audit(page)
    page.get_by_role("link", name=re.compile("Netværksmøde 3")).first.click()
    audit(page)
    screenshot(page, "meeting", width)
    # The answer comes first until given; after that it is folded under "Change your answer".
    # (The audit opens every <details> to read its text; a reader would click the summary.)
    if not page.get_by_label(t("Yes, I will come")).is_visible():
        page.get_by_text(t("Change your answer"), exact=True).click()
    page.get_by_label(t("Yes, I will come")).check()
    page.get_by_label(t("Dietary needs")).fill("Vegetar")
    page.get_by_role(
        "button", name=re.compile(f"{t('Save my answer')}|{t('Change my answer')}")
    ).click()
    main = page.locator("main")
    expect(main.get_by_text(t("You are coming"), exact=True)).to_be_visible()
    expect(main.get_by_text(t("Change your answer"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=t("Change my answer"))).to_be_hidden()
    # The row of links under the invitation has no bullets to sit on them.
    bullets = main.locator("ul.actions > li").evaluate_all(
        "items => items.map(li => getComputedStyle(li).listStyleType)"
    )
    assert bullets and set(bullets) == {"none"}
    audit(page)
    screenshot(page, "meeting-answered", width)

    # Record a commitment made at the last meeting, log two check-ins, ask for help.
    page.goto("/handlinger/ny")
    audit(page)
    title = f"Grønne arrangementer hver måned ({width})"
    page.get_by_label(t("What will you do?")).fill(title)
    page.get_by_label(t("Why? What do you hope it changes?")).fill("Synlighed for borgerne.")
    meeting_select = page.get_by_label(t("Made at the network meeting"))
    last_meeting = meeting_select.locator("option", has_text="Netværksmøde 2").get_attribute(
        "value"
    )
    meeting_select.select_option(last_meeting)
    page.get_by_role("button", name=t("Record the commitment")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    commitment_url = page.url
    for n, ask in ((1, False), (2, True)):
        page.get_by_role("link", name=t("Log a check-in")).click()
        if n == 1:
            audit(page)
        page.get_by_label(t("What I tried")).fill(f"Forsøg nummer {n}")
        page.get_by_label(t("What I need from the others")).fill("Idéer til oplægsholdere")
        if ask:
            page.get_by_label(t("Ask the network for help")).check()
        page.get_by_role("button", name=t("Save the check-in")).click()
    page.goto(commitment_url)
    expect(page.locator("main")).to_contain_text("Forsøg nummer 2")
    audit(page)
    screenshot(page, "commitment", width)

    # The member subscribes to the calendar feed: the meeting and the due date are in it.
    use_menu(page, t("My profile"))
    page.get_by_role("button", name=t("Get my calendar address")).click()
    feed_url = page.get_by_label(t("Your private calendar address")).input_value()
    feed = page.context.request.get(feed_url.replace("http://localhost", live_server))
    assert feed.ok
    events = [c for c in Calendar.from_ical(feed.body()).walk("VEVENT")]
    summaries = " ".join(str(event["SUMMARY"]) for event in events)
    assert "Netværksmøde 3" in summaries
    assert title in summaries

    # The facilitator opens the overview with its chart, and the preparation page to print.
    facilitator = new_page(browser, browser_context_args, "facilitator@example.org")
    facilitator.goto("/facilitator/oversigt")
    audit(facilitator)
    expect(facilitator.locator("main")).to_contain_text(title)
    screenshot(facilitator, "overview", width)
    use_menu(facilitator, t("Meetings"))
    facilitator.get_by_role("link", name=re.compile("Netværksmøde 3")).first.click()
    facilitator.get_by_role("link", name=t("Prepare the meeting")).first.click()
    audit(facilitator)
    expect(facilitator.locator("main")).to_contain_text(NAMES[member])
    facilitator.emulate_media(media="print")
    screenshot(facilitator, "prepare-print", width)
    facilitator.context.close()


def test_opening_a_circle_to_the_network_asks_first(page: Page, width: str, t) -> None:
    author = {"desktop": "member5", "phone": "member6"}[width]
    title = f"Samarbejde med kommunen ({width})"
    login(page, email(author))
    page.get_by_role("link", name="Partnerskaber", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).click()
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label(t("Text")).fill("Vi overvejer en fælles aftale med teknisk forvaltning.")
    page.get_by_label(t("Confidential circle")).check()
    page.get_by_label(NAMES[email("member7")]).check()
    start_thread(page, t("Start the thread"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)

    page.get_by_role("link", name=t("Who can see the thread")).click()
    page.get_by_label(t("The network")).check()
    page.get_by_role("button", name=t("Save")).click()
    # Nothing is opened yet: the page says what becomes visible to whom, and asks.
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    expect(page.locator("main")).to_contain_text(
        t("Every member of the network can read the thread and reply to it.")
    )
    audit(page)
    screenshot(page, "open-to-network", width)
    page.get_by_role("button", name=t("Open the thread to the network")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).not_to_contain_text(t("Confidential circle"))
    audit(page)
