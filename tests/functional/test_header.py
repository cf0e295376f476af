"""The header every page carries: the same few entries for everyone, the facilitator's and the
administrator's tools behind one entry each, search, the bell, a language switch, and the
current page marked; no entry twice."""

from __future__ import annotations

import re
from collections import Counter

from forum.extensions import db
from forum.models import User
from forum.services import moderation as moderation_service
from tests import factories
from tests.text import da, da_n, text

MEMBER_LINKS = ["/moeder", "/handlinger", "/ressourcer", "/medlemmer", "/profil", "/varsler"]
FACILITATOR_TOOLS = ["/facilitator/oversigt", "/moderation", "/invitationer"]
ADMIN_TOOLS = ["/admin/brugere", "/admin/temaer"]


def header(page: str) -> str:
    """Return the page's header element."""
    match = re.search(r'<header class="site-header">.*?</header>', page, re.S)
    assert match, "no header"
    return match.group(0)


def links(html: str) -> list[str]:
    """Return the addresses the links of an HTML piece lead to, in order."""
    return re.findall(r'<a [^>]*href="([^"]+)"', html)


def menu(html: str, label: str) -> str:
    """Return the tool menu (a <details>) whose button says label."""
    for found in re.findall(r'<details class="nav-menu".*?</details>', html, re.S):
        summary = re.search(r"<summary>(.*?)</summary>", found, re.S)
        if summary and summary.group(1).startswith(label):
            return found
    raise AssertionError(f"no menu {label!r}")


def test_a_member_sees_the_common_entries_once_and_no_tools(client, login_as, member):
    login_as(member)
    top = header(text(client.get("/")))
    found = Counter(links(top))
    for address in ["/", "/soeg", *MEMBER_LINKS]:
        assert found[address] == 1, (address, found)
    for address in FACILITATOR_TOOLS + ADMIN_TOOLS:
        assert address not in found
    assert 'role="search"' in top
    assert f"<summary>{da('Facilitator')}" not in top
    assert f"<summary>{da('Administration')}" not in top
    # The menu button holds the nav; it is a <details>, so it opens without JavaScript.
    assert re.search(r'<details class="site-menu"[^>]*>\s*<summary class="menu-button">', top)


def test_a_facilitator_finds_the_tools_and_open_reports_behind_one_entry(
    client, login_as, member, facilitator, theme
):
    thread = factories.thread(member, theme)
    moderation_service.report_post(facilitator, factories.reply(member, thread), "Forkert tema")
    db.session.commit()
    login_as(facilitator)
    top = header(text(client.get("/")))
    tools = menu(top, da("Facilitator"))
    assert links(tools) == FACILITATOR_TOOLS
    reports = da_n("open report", "open reports", 1)
    count = f'<span class="nav-count">1<span class="visually-hidden"> {reports}</span>'
    assert count in re.search(r"<summary>.*?</summary>", tools, re.S).group(0)
    assert f"<summary>{da('Administration')}" not in top
    assert all(n == 1 for n in Counter(links(top)).values()), Counter(links(top))


def test_an_admin_has_two_tool_entries_and_still_no_entry_twice(client, login_as, admin):
    login_as(admin)
    top = header(text(client.get("/")))
    assert links(menu(top, da("Facilitator"))) == FACILITATOR_TOOLS
    assert links(menu(top, da("Administration"))) == ADMIN_TOOLS
    found = Counter(links(top))
    assert all(n == 1 for n in found.values()), found


def test_the_current_page_is_marked_once_and_its_menu_with_it(client, login_as, admin):
    login_as(admin)
    for path, current in [
        ("/moeder", "/moeder"),
        ("/handlinger/ny", "/handlinger"),
        ("/admin/brugere", "/admin/brugere"),
        (f"/admin/brugere/{admin.id}", "/admin/brugere"),
        ("/moderation/log", "/moderation"),
        ("/profil/adgangskode", "/profil"),
    ]:
        top = header(text(client.get(path)))
        marked = re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="page"', top)
        assert marked == [current], (path, marked)


def test_the_header_switches_language_and_returns_to_the_page(client, login_as, member):
    login_as(member)
    top = header(text(client.get("/ressourcer?type=link")))
    form = re.search(
        r'<form method="post" action="/sprog" class="language-switch">.*?</form>', top, re.S
    )
    assert form, top
    assert 'name="next" value="/ressourcer?type=link"' in form.group(0)
    assert 'name="language" value="en"' in form.group(0)
    assert '<span lang="en">English</span>' in form.group(0)

    response = client.submit("/sprog", {"language": "en", "next": "/ressourcer?type=link"})
    assert response.headers["Location"] == "/ressourcer?type=link"
    assert db.session.get(User, member.id).language == "en"
    top = header(text(client.get("/ressourcer?type=link")))
    assert '<span lang="da">Dansk</span>' in top
    assert 'name="language" value="da"' in top


def test_a_visitor_who_is_not_logged_in_can_switch_for_the_visit(client):
    page = text(client.get("/login", headers={"Accept-Language": "da"}))
    assert '<html lang="da">' in page
    assert '<span lang="en">English</span>' in header(page)

    response = client.submit("/sprog", {"language": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = text(client.get("/login", headers={"Accept-Language": "da"}))
    assert '<html lang="en">' in page  # the choice beats the browser's language
    away = client.submit("/sprog", {"language": "da", "next": "//evil.example"})
    assert away.headers["Location"] == "/login"
    assert '<html lang="da">' in text(client.get("/login", headers={"Accept-Language": "en"}))


def test_the_account_language_wins_over_the_visit_once_logged_in(client, login_as, member):
    client.submit("/sprog", {"language": "en", "next": "/login"})
    login_as(member)  # a member whose account speaks Danish
    assert '<html lang="da">' in text(client.get("/"))
