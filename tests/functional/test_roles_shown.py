"""Who speaks is clear: a facilitator's or administrator's role stands next to their name
wherever their words are shown, so a member who takes the same name can't pass as them."""

from __future__ import annotations

import re

from forum.services import actions as action_service
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, text


def role_badge(role: str) -> str:
    """Return the badge of a role as a Danish reader's page carries it."""
    return f'<span class="tag tag-role">{da(role)}</span>'


def headers(page: str) -> list[str]:
    """Return the author lines of the posts or comments on a page, in order."""
    return re.findall(r'<[a-z0-9]+ class="post-author">.*?</p>', page, re.S)


def test_posts_show_the_writers_role_next_to_the_name(
    client, login_as, member, facilitator, admin, theme
):
    # A member who calls themselves what the facilitator is called.
    impostor = factories.user(name=facilitator.name, email="kopi@example.org")
    thread = factories.thread(facilitator, theme, title="Velkommen", body="Fra facilitatoren")
    factories.reply(impostor, thread, "Jeg er facilitatoren")
    factories.reply(admin, thread, "Fra administratoren")
    factories.reply(member, thread, "Fra et medlem")
    login_as(member)

    page = text(client.get(f"/traad/{thread.id}"))

    lines = headers(page)
    assert len(lines) == 4
    assert role_badge("Facilitator") in lines[0]
    assert role_badge("Facilitator") not in lines[1]
    assert role_badge("Administrator") in lines[2]
    assert "tag-role" not in lines[1] + lines[3]


def test_commitment_comments_and_owner_show_the_role(client, login_as, member, facilitator, theme):
    impostor = factories.user(name=facilitator.name, email="kopi@example.org")
    item = action_service.create_commitment(
        facilitator, title="Affald", why="", theme=theme, sdgs=[], meeting=None, due_date=None
    )
    action_service.add_comment(facilitator, item, "Godt gået")
    action_service.add_comment(impostor, item, "Også mig")
    login_as(member)

    page = text(client.get(f"/handlinger/{item.id}"))

    lines = headers(page)
    assert len(lines) == 2
    assert role_badge("Facilitator") in lines[0]
    assert "tag-role" not in lines[1]
    owner = page.split(f"<dt>{da('Member')}</dt>")[1].split("</dd>")[0]
    assert role_badge("Facilitator") in owner


def test_profile_shows_the_role_next_to_the_name(client, login_as, member, facilitator, admin):
    impostor = factories.user(name=facilitator.name, email="kopi@example.org")
    login_as(member)

    def heading(person) -> str:
        page = text(client.get(f"/medlemmer/{person.id}"))
        return re.search(r"<h1>.*?</h1>", page, re.S).group(0)

    assert role_badge("Facilitator") in heading(facilitator)
    assert role_badge("Administrator") in heading(admin)
    assert "tag-role" not in heading(impostor)
    assert "tag-role" not in heading(member)


def test_announcements_and_versions_show_the_role(client, login_as, member, facilitator, theme):
    moderation_service.post_announcement(facilitator, "Nyt fra os", "Mødet flyttes")
    thread = factories.thread(member, theme)
    post = thread_service.thread_page_posts(member, thread, 1)[0][0]
    thread_service.edit_post(facilitator, post, "Rettet af facilitatoren")
    login_as(member)

    home = text(client.get("/"))
    versions = text(client.get(f"/indlaeg/{post.id}/versioner"))

    announcement = home.split("Nyt fra os")[1].split("</p>")[0]
    assert role_badge("Facilitator") in announcement
    assert "&lt;span" not in home
    assert role_badge("Facilitator") in versions
