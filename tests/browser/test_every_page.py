"""Every page each demo role reaches, on a phone: in Danish only, nothing sideways, audited.

The pages are found by crawling, so a new page is covered as soon as something links to it:
from the role's home page, every same-site link is followed breadth-first (GET only: logout
and every confirmation are forms that POST, and no form is sent). Pages that share a route
pattern (/traad/1, /traad/2 ...) are visited at most PER_PATTERN times. Forms that refuse
empty or malformed input are sent too, so that error messages are checked as well.
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Iterator
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import audit, login, screenshot
from tests.browser.pagecheck import assert_danish, assert_fits

ROLES = {
    "anonymous": None,
    "member": "member3@example.org",
    "facilitator": "facilitator@example.org",
    "admin": "admin@example.org",
}
# Pages no link leads to: the not-found page and dead links from emails.
START = {
    "anonymous": ["/", "/invitation/not-a-token", "/nulstil-adgangskode/not-a-token"],
    "member": ["/", "/findes-ikke"],
    "facilitator": ["/"],
    "admin": ["/"],
}
PER_PATTERN = 2
MAX_PAGES = 90
# Forms that refuse empty input, per role; each is also sent with malformed values.
FORMS = {
    "anonymous": ["/login", "/glemt-adgangskode"],
    "member": ["/tema/1/ny", "/handlinger/ny", "/profil", "/profil/adgangskode"],
    "facilitator": ["/invitationer", "/moeder/ny", "/meddelelser/ny"],
    "admin": ["/admin/temaer", "/admin/temaer/1"],
}
SKIP = re.compile(r"^/(static|healthz)\b")


def pattern(url: str) -> str:
    """Return a link's route pattern: numbers replaced, query values dropped."""
    parts = urlsplit(url)
    names = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return re.sub(r"\d+", "#", parts.path) + ("?" + "&".join(names) if names else "")


def links(page: Page, origin: str) -> list[str]:
    """Return the same-site links of the page, without fragments, in document order."""
    hrefs = page.eval_on_selector_all("a[href]", "anchors => anchors.map(a => a.href)")
    found = []
    for href in hrefs:
        url = urldefrag(urljoin(page.url, href)).url
        if url.startswith(origin + "/") and not SKIP.match(url[len(origin) :]):
            found.append(url)
    return found


def is_html(page: Page, url: str) -> bool:
    """Say whether a link leads to a page rather than a download (CSV, calendar)."""
    response = page.request.head(url)
    return response.headers.get("content-type", "").startswith("text/html")


def crawl(page: Page, origin: str, start: list[str]) -> list[str]:
    """Visit the pages reachable from start, checking each; return the URLs visited."""
    queue = deque(origin + path for path in start)
    seen = set(queue)
    per_pattern: Counter[str] = Counter()
    visited: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if per_pattern[pattern(url)] >= PER_PATTERN or not is_html(page, url):
            continue
        per_pattern[pattern(url)] += 1
        page.goto(url)
        visited.append(page.url)
        check(page, axe=per_pattern[pattern(url)] == 1)
        for link in links(page, origin):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return visited


def check(page: Page, axe: bool = True) -> None:
    """Run every page check: axe-core (once per route pattern, for time), layout, no English."""
    if axe:
        audit(page)
    else:
        assert_fits(page)
    assert_danish(page)


def send_broken(page: Page, path: str, how: str) -> None:
    """Send the main form of a page (the one with most fields), emptied or malformed.

    The browser's own checks (required, maxlength, date pickers) are switched off, as an old
    browser or a hurried person would get past them.
    """
    page.goto(path)
    page.evaluate(
        """(how) => {
        const fields = (f) => f.querySelectorAll('input:not([type=hidden]), textarea, select');
        const form = [...document.querySelectorAll('main form')]
          .sort((a, b) => fields(b).length - fields(a).length)[0];
        form.noValidate = true;
        form.setAttribute('data-broken', '');
        for (const field of form.querySelectorAll('input, textarea, select')) {
          if (['hidden', 'submit', 'button', 'checkbox', 'radio'].includes(field.type)) continue;
          field.removeAttribute('maxlength');
          if (field.tagName === 'SELECT') {
            if (how === 'empty') continue;
            field.add(new Option('?', 'no-such-choice', true, true));
          } else if (how === 'empty') {
            field.value = '';
          } else if (['date', 'time', 'datetime-local', 'number'].includes(field.type)) {
            field.type = 'text';
            field.value = 'ikke-en-værdi';
          } else {
            field.value = 'x'.repeat(60000);
          }
        }
      }""",
        how,
    )
    with page.expect_navigation():
        page.locator("form[data-broken] [type=submit]").first.click()


@pytest.mark.parametrize("width", ["phone"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_is_danish_and_fits_a_phone(
    page: Page, base_url: str, role: str, width: str
) -> None:
    started = time.monotonic()
    if ROLES[role]:
        login(page, ROLES[role])
    visited = crawl(page, base_url, START[role])
    assert len(visited) >= (3 if role == "anonymous" else 15), visited
    print(f"{role}: {len(visited)} pages in {time.monotonic() - started:.1f} s")


@pytest.mark.parametrize("width", ["phone"])
@pytest.mark.parametrize("role", list(ROLES))
def test_refused_forms_explain_in_danish(page: Page, role: str, width: str) -> None:
    if ROLES[role]:
        login(page, ROLES[role])
    for path in FORMS[role]:
        for how in ("empty", "malformed"):
            send_broken(page, path, how)
            expect(page.locator(".error-summary, .error-message").first).to_be_visible()
            check(page)
    screenshot(page, f"form-errors-{role}", width)


@pytest.fixture
def bare_page(browser: Browser, browser_context_args: dict) -> Iterator[Page]:
    """A phone-sized page outside the layout watch, for the checks' own tests."""
    context = browser.new_context(**browser_context_args)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("width", ["phone"])
def test_the_english_check_sees_english(bare_page: Page, width: str) -> None:
    """The check is alive: English interface text, even in an attribute, fails it."""
    page = bare_page
    page.set_content(
        '<html lang="da"><body><p>Velkommen</p>'
        '<button aria-label="Log out">x</button></body></html>'
    )
    with pytest.raises(AssertionError, match="Log out"):
        assert_danish(page)
    page.set_content(
        '<html lang="da"><body><p>Feltet skal udfyldes. This field is required.</p></body></html>'
    )
    with pytest.raises(AssertionError, match="This field is required"):
        assert_danish(page)


@pytest.mark.parametrize("width", ["phone"])
def test_the_layout_check_sees_what_sticks_out(bare_page: Page, width: str) -> None:
    """The check is alive: a wide table fails it, unless in a focusable, labelled region."""
    page = bare_page
    wide = '<table><tr><td style="min-width:900px">bred</td></tr></table>'
    page.set_content(f'<html lang="da"><body style="margin:0">{wide}</body></html>')
    with pytest.raises(AssertionError, match="px wide"):
        assert_fits(page)
    page.set_content(
        f'<html lang="da"><body><div style="overflow-x:auto">{wide}</div></body></html>'
    )
    with pytest.raises(AssertionError, match="not focusable and labelled"):
        assert_fits(page)
    page.set_content(
        '<html lang="da"><body><div style="overflow-x:auto" tabindex="0" role="region" '
        f'aria-label="Tabel">{wide}</div></body></html>'
    )
    assert_fits(page)


# The pages whose tables become cards on a phone, by who may see them.
TABLE_PAGES = {
    "facilitator@example.org": ["/facilitator/oversigt", "/moderation/log", "/invitationer"],
    "admin@example.org": ["/admin/brugere", "/admin/temaer"],
}


def test_data_tables_fit_without_scrolling_sideways(page: Page, width: str, t) -> None:
    login(page, "facilitator@example.org")
    page.goto("/traad/1/moderer")  # pin and unpin: the moderation log gets rows to show
    for _ in range(2):
        page.locator("form[action$='/fastgoer'] button").click()
    page.goto("/moeder")
    hrefs = page.eval_on_selector_all("main a", "anchors => anchors.map(a => a.pathname)")
    meeting = next(h for h in hrefs if re.fullmatch(r"/moeder/\d+", h))
    page.goto(meeting + "/deltagere")
    check(page)
    screenshot(page, "attendance", width)
    page.goto("/invitationer")  # a long address must wrap in the list of open invitations
    page.get_by_label(t("Name")).fill(f"Nina Langenavn-Sørensen-Christiansen ({width})")
    page.get_by_label(t("Email")).fill(
        f"nina.langenavn-soerensen-christiansen.{width}@koebenhavns-biblioteker.example.org"
    )
    page.get_by_role("button", name=t("Send invitation")).click()
    for who, paths in TABLE_PAGES.items():
        page.context.clear_cookies()
        login(page, who)
        for path in paths:
            page.goto(path)
            expect(page.locator("table.table-stack tbody tr").first).to_be_visible()
            check(page)
            screenshot(page, path.strip("/").replace("/", "-"), width)
