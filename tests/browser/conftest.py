"""Browser journeys: the app served on 127.0.0.1 with a seeded database, driven by the
machine's Chromium through Playwright, with an axe-core audit of every page visited."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page
from werkzeug.serving import make_server

from tests.browser.pagecheck import LAYOUT_JS, assert_danish, assert_fits
from tests.conftest import make_test_app, postgres_database

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}
SCREENSHOTS = Path(os.environ.get("FORUM_SCREENSHOTS", "test-results/screenshots"))
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the browser journeys, visibly, where no Chromium is installed."""
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason="no Chromium: apt-get install chromium to run browser tests")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: object, exitstatus: int, config: object) -> None:
    """Say in one line when the browser journeys did not run."""
    if not CHROMIUM:
        terminalreporter.write_line(
            "Browser tests SKIPPED: no Chromium found (apt-get install chromium).", yellow=True
        )


@pytest.fixture(scope="session")
def browser_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of the browser journeys' own, apart from the functional tests' one."""
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        yield from postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'forum.db'}"


@pytest.fixture(scope="session")
def live_app(browser_database_url, smtp_server, tmp_path_factory):
    """The app on a freshly seeded demo network."""
    from forum.demo import seed_demo_network

    mailbox, port = smtp_server
    app = make_test_app(browser_database_url, port, tmp_path_factory.mktemp("browser-instance"))
    mailbox.deliver_for(app)
    with app.app_context():
        seed_demo_network()
    return app


@pytest.fixture(scope="session")
def live_server(live_app) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1 in a background thread."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    live_app.config["FORUM_BASE_URL"] = url  # links in emails point at this server
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(params=list(WIDTHS), ids=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    """Each journey runs at a desktop and a phone width."""
    return request.param


@pytest.fixture
def browser_context_args(browser_context_args: dict, live_server: str, width: str) -> dict:
    w, h = WIDTHS[width]
    return {
        **browser_context_args,
        "base_url": live_server,
        "viewport": {"width": w, "height": h},
        "locale": "da-DK",
    }


_axe = Axe()


def audit(page: Page) -> None:
    """Fail with axe-core's report when the page breaks a WCAG 2.0/2.1 A or AA rule, when it
    scrolls sideways or sticks out of the window, or when a Danish page shows English."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, results.generate_report()
    assert_fits(page)
    # Journeys switch to English on purpose; every page shown in Danish must be all Danish.
    if page.locator("html").get_attribute("lang") == "da":
        assert_danish(page)


# Run in every document a journey loads: after the load event, report what does not fit the
# window to the test (through a binding, which the pages' strict CSP does not block).
WATCH_LAYOUT_JS = f"""
window.addEventListener('load', () => requestAnimationFrame(() => {{
  const problems = ({LAYOUT_JS})();
  if (problems.length) window.__forumLayoutProblems(location.href, problems);
}}));
"""


# What the pages loaded during the current test did not fit; reset for each test.
_layout_faults: list[str] = []


def watch_layout(context: BrowserContext) -> BrowserContext:
    """Check the layout of every page the context loads, failing the current test at its end.

    Journeys that open a second browser (a context of their own) pass it through here.
    """

    def report(_source: object, url: str, problems: list[str]) -> None:
        _layout_faults.append(f"{url} does not fit its window:\n  " + "\n  ".join(problems))

    context.expose_binding("__forumLayoutProblems", report)
    context.add_init_script(WATCH_LAYOUT_JS)
    return context


@pytest.fixture(autouse=True)
def _every_page_fits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test when any page it loads scrolls sideways or sticks out of the window."""
    _layout_faults.clear()
    if "page" in request.fixturenames:
        watch_layout(request.getfixturevalue("context"))
    yield
    faults = list(dict.fromkeys(_layout_faults))
    _layout_faults.clear()
    assert not faults, "\n".join(faults)


def screenshot(page: Page, name: str, width: str) -> None:
    """Save a full-page screenshot where CI keeps test output."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def login(page: Page, email: str, password: str = "demo-password") -> None:
    """Log in through the login form."""
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/login" not in url)


def start_thread(page: Page, button_text: str) -> None:
    """Press the new-thread form's button; when threads with similar titles are shown first
    (once, before a thread is posted), look at them and press it again, as a member would."""
    with page.expect_navigation():
        page.get_by_role("button", name=button_text).click()
    if "/ny" in page.url and page.locator("#similar-threads h2").count():
        with page.expect_navigation():
            page.get_by_role("button", name=button_text).click()


def use_menu(page: Page, name: str, role: Literal["link", "button"] = "link") -> None:
    """Click an item of the header's main menu as a person would: on a phone open the menu
    button first, and open the tool menu (Facilitator, Administration, account) holding it."""
    button = page.locator("summary.menu-button")
    if button.is_visible() and not page.locator("details.site-menu[open]").count():
        button.click()
    item = page.locator("nav.site-nav").get_by_role(role, name=name, include_hidden=True).first
    if not item.is_visible():
        item.locator("xpath=ancestor::details[contains(@class, 'nav-menu')][1]/summary").click()
    with page.expect_navigation():  # every item leads to another page
        item.click()


@pytest.fixture(autouse=True)
def _short_timeouts(request: pytest.FixtureRequest) -> None:
    """Fail a journey within seconds, not Playwright's default 30 s, when a step is wrong."""
    if "page" in request.fixturenames:
        request.getfixturevalue("page").set_default_timeout(8000)


@pytest.fixture
def t(live_app):
    """Return the Danish text of a message, as the reader sees it."""
    from tests.text import plain

    def _t(msgid: str, **variables: object) -> str:
        with live_app.test_request_context():
            return plain(msgid, **variables)

    return _t
