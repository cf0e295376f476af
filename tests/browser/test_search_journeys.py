"""Search in Chromium at desktop and phone widths, on the demo network, each page audited:
Danish word forms, the confidential circle, a word inside an uploaded PDF, the colleagues
who have done it, and similar titles shown while a new thread's title is typed."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests import samples
from tests.browser.conftest import audit, login, screenshot


def search_from_the_header(page: Page, t, text: str) -> None:
    """Type the query into the header's search box and press Enter, as a member would; on a
    phone the header has a search link instead, to the search page and its box."""
    box = page.locator("header").get_by_role("searchbox", name=t("Search for"))
    if not box.is_visible():
        page.locator("header").get_by_role("link", name=t("Search"), exact=True).click()
        box = page.locator("main").get_by_role("searchbox").first
    box.fill(text)
    box.press("Enter")
    page.wait_for_url("**/soeg?**")


def test_inflected_danish_finds_the_thread_with_the_words_marked(page: Page, width: str, t):
    login(page, "member2@example.org")
    search_from_the_header(page, t, "bibliotekets energiforbrug")
    hit = page.locator(".search-hits li").filter(
        has_text="Mål for energiforbruget: 15 % ned på tre år"
    )
    expect(hit).to_have_count(1)
    marks = hit.locator("mark")
    expect(marks.filter(has_text="energiforbruget").first).to_be_visible()
    expect(marks.filter(has_text="biblioteket").first).to_be_visible()
    # The query stays in the box.
    expect(page.locator("main").get_by_role("searchbox")).to_have_value(
        "bibliotekets energiforbrug"
    )
    audit(page)
    screenshot(page, "search-results", width)
    hit.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mål for energiforbruget")


def test_a_circle_word_is_found_by_the_circle_and_by_nobody_else(page: Page, width: str, t):
    # member9: not in Mette's circle (and no other journey changes their password).
    login(page, "member9@example.org")
    search_from_the_header(page, t, "omstrukturering")
    expect(page.locator(".search-results [role=status]")).to_have_text("0 resultater")
    expect(page.locator(".search-hits")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Fortroligt: omstrukturering")
    audit(page)
    screenshot(page, "search-nothing", width)

    page.context.clear_cookies()
    login(page, "member2@example.org")  # named in the circle
    search_from_the_header(page, t, "omstrukturering")
    hit = page.locator(".search-hits li").filter(has_text="Fortroligt: omstrukturering")
    expect(hit).to_have_count(1)
    expect(hit.locator(".tag-confidential")).to_be_visible()
    audit(page)


def test_a_word_inside_an_uploaded_pdf_is_found(
    page: Page, width: str, t, tmp_path: Path, live_app
):
    from forum import worker

    word = f"Solcellepanelerne{width}"
    pdf = tmp_path / "solceller.pdf"
    pdf.write_bytes(samples.pdf_with_text([f"{word} på taget leverer 30 % af strømmen"]))
    title = f"Erfaringer med solceller ({width})"
    login(page, "member1@example.org")
    page.goto("/ressourcer/ny")
    page.get_by_label(t("A file from your computer")).check()
    page.get_by_label(t("File"), exact=True).set_input_files(str(pdf))
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label("Målsætning", exact=True).check()
    page.get_by_role("button", name=t("Add to the library")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    with live_app.app_context():  # the worker reads the file, as `flask worker` would
        read, failed = worker.read_file_texts(limit=None)  # other journeys' uploads too
    assert read >= 1
    assert failed == 0
    search_from_the_header(page, t, word.lower())
    hit = page.locator(".search-hits li").filter(has_text=title)
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_have_text(word)
    audit(page)
    screenshot(page, "search-pdf", width)


def test_colleagues_who_did_it_are_listed_beside_the_results(page: Page, width: str, t):
    login(page, "member10@example.org")
    search_from_the_header(page, t, "LED magasinet")
    panel = page.get_by_role("complementary", name=t("Colleagues who have worked on it"))
    expect(panel).to_be_visible()
    colleague = panel.get_by_role("listitem").filter(has_text="Mette Søndergaard")
    expect(colleague).to_contain_text("Københavns Biblioteker")
    expect(colleague).to_contain_text("Region Hovedstaden")
    expect(colleague.get_by_role("link", name="Skifte til LED i magasinet")).to_be_visible()
    expect(colleague).to_contain_text(t("done"))
    audit(page)
    screenshot(page, "search-colleagues", width)
    colleague.get_by_role("link", name="Mette Søndergaard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mette Søndergaard")


def test_similar_titles_appear_while_a_new_title_is_typed(page: Page, width: str, t):
    login(page, "member3@example.org")
    page.goto("/")
    page.get_by_role("link", name="Målsætning", exact=True).first.click()
    page.get_by_role("link", name=t("Start a thread")).first.click()
    page.get_by_label(t("Title")).press_sequentially("Hvordan måler I energiforbruget", delay=20)
    similar = page.locator("#similar-threads")
    title = "Mål for energiforbruget: 15 % ned på tre år – realistisk?"
    expect(similar.get_by_role("link", name=title)).to_be_visible()
    audit(page)
    screenshot(page, "new-thread-similar", width)
