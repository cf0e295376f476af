"""The resource library in Chromium at desktop and phone widths, each page audited: upload a
file, see it in the library, download the same bytes; a disguised file is refused."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests import samples
from tests.browser.conftest import audit, login, screenshot, use_menu

UPLOADERS = {"desktop": "member1@example.org", "phone": "member2@example.org"}
WIDTH_OF = {"desktop": 1280, "phone": 375}


def test_upload_a_pdf_find_it_and_download_the_same_bytes(
    page: Page, width: str, t, tmp_path: Path
) -> None:
    pdf = tmp_path / "klimastrategi.pdf"
    pdf.write_bytes(samples.pdf(pages=3))
    disguised = tmp_path / "slides.pdf"
    disguised.write_bytes(b"<!doctype html><html><body><script>alert(1)</script></body></html>")
    title = f"Klimastrategi for biblioteket ({width})"

    login(page, UPLOADERS[width])
    use_menu(page, t("Resources"))
    audit(page)
    page.get_by_role("link", name=t("Add a resource")).first.click()
    audit(page)
    screenshot(page, "library-new", width)

    # An HTML page named .pdf is refused with a message, and the rest of the form is kept.
    page.get_by_label(t("A file from your computer")).check()
    page.get_by_label(t("File"), exact=True).set_input_files(str(disguised))
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label("Partnerskaber", exact=True).check()
    page.get_by_role("button", name=t("Add to the library")).click()
    expect(page.locator(".error-summary, .field-error").first).to_be_visible()
    expect(page.get_by_label(t("Title"))).to_have_value(title)
    audit(page)

    page.get_by_label(t("File"), exact=True).set_input_files(str(pdf))
    page.get_by_role("button", name=t("Add to the library")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator("main")).to_contain_text("PDF")
    audit(page)
    screenshot(page, "library-resource", width)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=t("Download %(name)s", name="klimastrategi.pdf")).click()
    download = download_info.value
    assert download.suggested_filename == "klimastrategi.pdf"
    assert Path(download.path()).read_bytes() == pdf.read_bytes()

    use_menu(page, t("Resources"))
    expect(page.get_by_role("link", name=title)).to_be_visible()
    audit(page)
    screenshot(page, "library", width)


def test_a_large_photo_gets_a_preview_that_fits_the_page(
    page: Page, width: str, t, tmp_path: Path
) -> None:
    photo = tmp_path / "reparationscafe.jpg"
    photo.write_bytes(samples.image("JPEG", size=(3000, 2000), exif=True))
    title = f"Reparationscafé i Sønderborg ({width})"
    login(page, UPLOADERS[width])
    page.goto("/ressourcer/ny")
    page.get_by_label(t("A file from your computer")).check()
    page.get_by_label(t("File"), exact=True).set_input_files(str(photo))
    page.get_by_label(t("Title")).fill(title)
    page.get_by_label("Engagement", exact=True).check()
    page.get_by_role("button", name=t("Add to the library")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    preview = page.get_by_role("img", name=re.compile(title.split(" (")[0]))
    expect(preview).to_be_visible()
    box = preview.bounding_box()
    assert box is not None and box["width"] <= min(640, WIDTH_OF[width])
    audit(page)  # includes: nothing sticks out of the window
    screenshot(page, "library-photo", width)
