"""Unread: the forum remembers how far each person has read each thread, marks the threads
with new posts in every thread list, opens a thread at the first unread post, and lets a
person mark a theme or everything as read; nothing of a thread one may not see shows."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import event, func, select

from forum.extensions import db
from forum.models import Post, Theme, Thread, ThreadRead, User
from forum.services import circles as circle_service
from forum.services import moderation as moderation_service
from forum.services import reading as reading_service
from forum.services import threads as thread_service
from tests import factories
from tests.text import da, da_n, text

NEW = "Ny"


@pytest.fixture
def writer(db_session):
    return factories.user(name="Vera Skribent", email="vera@example.org")


def listing(page: str, title: str) -> tuple[str, str | None] | None:
    """Return the link and the unread mark (None without one) of a thread in a list, or None
    when the thread is not listed."""
    match = re.search(
        r'<a href="([^"]+)">'
        + re.escape(title)
        + r'</a>(?: <span class="tag tag-unread"><span aria-hidden="true">([^<]+)</span>)?',
        page,
    )
    if match is None:
        return None
    return html.unescape(match.group(1)), match.group(2)


def mark(page: str, title: str) -> str | None:
    """Return the unread mark shown beside a listed thread. Fails when it is not listed."""
    found = listing(page, title)
    assert found is not None, f"{title} is not listed"
    return found[1]


def replies(author: User, thread: Thread, count: int) -> list[Post]:
    """Add `count` replies by the author, committed."""
    return [factories.reply(author, thread, f"Svar {n}") for n in range(count)]


def stored_mark(user: User, thread: Thread) -> int | None:
    """Return the person's stored read mark in the thread, or None."""
    return db.session.scalar(
        select(ThreadRead.last_read_position).where(
            ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id
        )
    )


def thread_page_writes(app, client, url: str) -> list[str]:
    """Open a thread page and return the statements it sent that were not reads."""
    written: list[str] = []

    def _record(conn, cursor, statement, *args) -> None:
        if not statement.lstrip().upper().startswith("SELECT"):
            written.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", _record)
    return written


# --- marks in the lists ---------------------------------------------------------------------


def test_a_thread_never_opened_is_new_and_opening_it_clears_the_mark(
    client, login_as, member, writer, theme
):
    thread = factories.thread(writer, theme, "Cykler til personalet")
    login_as(member)

    assert mark(text(client.get(f"/tema/{theme.id}")), "Cykler til personalet") == NEW
    assert mark(text(client.get("/")), "Cykler til personalet") == NEW
    assert mark(text(client.get(f"/medlemmer/{writer.id}")), "Cykler til personalet") == NEW
    # Read aloud, the mark says what it means.
    assert da("new thread you have not opened") in text(client.get(f"/tema/{theme.id}"))

    client.get(f"/traad/{thread.id}")

    assert stored_mark(member, thread) == 1
    for url in (f"/tema/{theme.id}", "/", f"/medlemmer/{writer.id}"):
        assert listing(text(client.get(url)), "Cykler til personalet") == (
            f"/traad/{thread.id}",
            None,
        ), url


def test_new_replies_are_counted_and_the_link_opens_at_the_first_unread(
    client, login_as, member, writer, theme
):
    thread = factories.thread(writer, theme, "Affaldssortering")
    login_as(member)
    client.get(f"/traad/{thread.id}")
    first_new, *_ = replies(writer, thread, 3)

    for url in (f"/tema/{theme.id}", "/", f"/medlemmer/{writer.id}"):
        link, shown = listing(text(client.get(url)), "Affaldssortering")
        assert shown == da_n("%(num)d new", "%(num)d new", 3), url
        assert link == f"/traad/{thread.id}#post-{first_new.id}", url
    page = text(client.get(f"/tema/{theme.id}"))
    assert (
        da_n("%(num)d new post you have not read", "%(num)d new posts you have not read", 3) in page
    )


def test_the_first_unread_link_goes_to_the_page_that_shows_it(
    client, login_as, member, writer, theme
):
    thread = factories.thread(writer, theme, "Lang snak")
    posts = replies(writer, thread, 24)  # 25 posts: page 2 holds #21-#25
    login_as(member)
    client.get(f"/traad/{thread.id}")  # page 1: read to #20
    assert stored_mark(member, thread) == 20

    link, shown = listing(text(client.get(f"/tema/{theme.id}")), "Lang snak")
    first_unread = posts[19]  # position 21
    assert first_unread.position == 21
    assert shown == da_n("%(num)d new", "%(num)d new", 5)
    assert link == f"/traad/{thread.id}?side=2#post-{first_unread.id}"
    # The same place the post's permalink leads to.
    assert client.get(f"/indlaeg/{first_unread.id}").location == link


def test_the_thread_page_links_to_the_first_unread_post(client, login_as, member, writer, theme):
    thread = factories.thread(writer, theme, "Varmepumper")
    posts = replies(writer, thread, 24)
    login_as(member)
    first_view = text(client.get(f"/traad/{thread.id}"))
    assert da("First unread") not in first_view  # never opened: it starts at the beginning

    page = text(client.get(f"/traad/{thread.id}"))
    target = html.escape(f"/traad/{thread.id}?side=2#post-{posts[19].id}")
    assert f'<a href="{target}">{da("First unread")}</a>' in page
    assert da_n("%(num)d new post", "%(num)d new posts", 5) in page

    client.get(f"/traad/{thread.id}?side=2")
    assert da("First unread") not in text(client.get(f"/traad/{thread.id}"))


def test_the_mark_only_moves_forward_and_rereading_writes_nothing(
    app, client, login_as, member, writer, theme
):
    thread = factories.thread(writer, theme, "Grønne indkøb")
    replies(writer, thread, 24)
    login_as(member)

    # The read mark, and the notifications about what was read.
    assert len(thread_page_writes(app, client, f"/traad/{thread.id}?side=2")) == 2
    assert stored_mark(member, thread) == 25
    # Going back to page 1, and reading page 2 again, takes no write lock at all.
    assert thread_page_writes(app, client, f"/traad/{thread.id}") == []
    assert thread_page_writes(app, client, f"/traad/{thread.id}?side=2") == []
    assert stored_mark(member, thread) == 25


def test_own_posts_are_never_unread(client, login_as, member, writer, theme):
    thread = factories.thread(writer, theme, "Egne svar")
    login_as(member)
    client.get(f"/traad/{thread.id}")
    factories.reply(member, thread)
    factories.reply(writer, thread)

    assert mark(text(client.get(f"/tema/{theme.id}")), "Egne svar") == da_n(
        "%(num)d new", "%(num)d new", 1
    )


def test_hidden_posts_count_only_for_those_who_see_them(
    client, login_as, switch_to, member, writer, facilitator, theme
):
    thread = factories.thread(writer, theme, "Skjult svar")
    login_as(member)
    client.get(f"/traad/{thread.id}")
    switch_to(facilitator)
    client.get(f"/traad/{thread.id}")
    hidden, shown = replies(writer, thread, 2)
    moderation_service.hide_post(facilitator, db.session.get(Post, hidden.id), "Upassende")
    db.session.commit()

    # The facilitator is shown the hidden post, so it is new to them.
    link, count = listing(text(client.get(f"/tema/{theme.id}")), "Skjult svar")
    assert count == da_n("%(num)d new", "%(num)d new", 2)
    assert link.endswith(f"#post-{hidden.id}")
    # A member learns nothing of it: one new post, and the link skips it.
    switch_to(member)
    link, count = listing(text(client.get(f"/tema/{theme.id}")), "Skjult svar")
    assert count == da_n("%(num)d new", "%(num)d new", 1)
    assert link == f"/traad/{thread.id}#post-{shown.id}"


def test_hidden_posts_before_the_first_unread_move_its_page(
    client, login_as, member, writer, facilitator, theme
):
    thread = factories.thread(writer, theme, "Mange svar")
    posts = replies(writer, thread, 24)
    moderation_service.hide_post(facilitator, db.session.get(Post, posts[3].id), "Gentaget")
    db.session.commit()
    login_as(member)
    client.get(f"/traad/{thread.id}")  # #1-#20: positions 1-21 with position 5 hidden
    assert stored_mark(member, thread) == 21

    link, count = listing(text(client.get(f"/tema/{theme.id}")), "Mange svar")
    assert count == da_n("%(num)d new", "%(num)d new", 4)
    assert link == f"/traad/{thread.id}?side=2#post-{posts[20].id}"
    assert client.get(f"/indlaeg/{posts[20].id}").location == link

    # Read to position 20 only: the first unread, position 21, is #20 and on page 1.
    db.session.execute(
        db.update(ThreadRead).where(ThreadRead.user_id == member.id).values(last_read_position=20)
    )
    db.session.commit()
    link, _ = listing(text(client.get(f"/tema/{theme.id}")), "Mange svar")
    assert link == f"/traad/{thread.id}#post-{posts[19].id}"
    permalink = client.get(f"/indlaeg/{posts[19].id}").location
    assert permalink == f"/traad/{thread.id}?side=1#post-{posts[19].id}"  # page 1 as well


# --- marking as read ------------------------------------------------------------------------


def test_marking_a_theme_as_read(client, login_as, member, writer, theme):
    elsewhere = factories.theme(name="Andet tema")
    read_before = factories.thread(writer, theme, "Læst før")
    login_as(member)
    client.get(f"/traad/{read_before.id}")
    replies(writer, read_before, 2)
    factories.thread(writer, theme, "Aldrig åbnet")
    factories.thread(writer, elsewhere, "I et andet tema")
    page = text(client.get(f"/tema/{theme.id}"))
    assert da("Mark the theme as read") in page

    response = client.submit(f"/tema/{theme.id}/marker-laest")

    assert response.status_code == 302
    assert response.location == f"/tema/{theme.id}"
    page = text(client.get(f"/tema/{theme.id}"))
    assert da("All threads in %(theme)s are marked as read.", theme=theme.name) in page
    assert mark(page, "Læst før") is None
    assert mark(page, "Aldrig åbnet") is None
    assert stored_mark(member, read_before) == 3
    assert mark(text(client.get(f"/tema/{elsewhere.id}")), "I et andet tema") == NEW


def test_marking_never_moves_a_mark_back(client, login_as, member, writer, theme):
    thread = factories.thread(writer, theme, "Fremad")
    replies(writer, thread, 2)
    login_as(member)
    client.get(f"/traad/{thread.id}")
    # A stale counter on the thread must not pull the reader's mark back.
    db.session.execute(db.update(Thread).where(Thread.id == thread.id).values(post_count=1))
    db.session.commit()

    client.submit(f"/tema/{theme.id}/marker-laest")

    assert stored_mark(member, thread) == 3


def test_marking_everything_as_read(client, login_as, member, writer, theme):
    elsewhere = factories.theme(name="Andet tema")
    factories.thread(writer, theme, "Første tråd")
    factories.thread(writer, elsewhere, "Anden tråd")
    login_as(member)
    page = text(client.get("/"))
    assert mark(page, "Første tråd") == NEW
    assert da("Mark everything as read") in page

    response = client.submit("/marker-alt-laest")

    assert response.status_code == 302
    assert response.location == "/"
    page = text(client.get("/"))
    assert da("Everything is marked as read.") in page
    assert mark(page, "Første tråd") is None
    assert mark(page, "Anden tråd") is None


def test_marking_as_read_needs_the_form_token(client, login_as, member, writer, theme):
    factories.thread(writer, theme, "Uden nøgle")
    login_as(member)

    assert client.post(f"/tema/{theme.id}/marker-laest").status_code == 400
    assert client.post("/marker-alt-laest").status_code == 400

    assert db.session.scalar(select(func.count()).select_from(ThreadRead)) == 0


# --- confidentiality ------------------------------------------------------------------------


@pytest.fixture
def circle(db_session, theme):
    """A circle thread by its author with one named member, and a member outside it."""
    author = factories.user(name="Ingeborg Kreds", email="ingeborg@example.org")
    insider = factories.user(name="Kasper Inde", email="kasper@example.org")
    outsider = factories.user(name="Otto Udenfor", email="otto@example.org")
    thread = thread_service.create_thread(
        author, theme, "Budgetkrise hos Kommune X", "Fortroligt", "circle", [insider.id]
    )
    db.session.commit()
    return author, insider, outsider, thread


def test_an_outsider_gets_no_mark_or_count_of_a_circle_thread(client, login_as, theme, circle):
    author, _insider, outsider, thread = circle
    replies(author, thread, 2)
    login_as(outsider)

    for url in (f"/tema/{theme.id}", "/", f"/medlemmer/{author.id}"):
        assert listing(text(client.get(url)), "Budgetkrise hos Kommune X") is None, url
    # Marking everything as read writes no mark of it either.
    client.submit("/marker-alt-laest")
    client.submit(f"/tema/{theme.id}/marker-laest")
    assert stored_mark(outsider, thread) is None
    assert reading_service.read_states(outsider, [thread]) == {}


def test_a_member_taken_out_of_a_circle_keeps_no_mark_or_count(client, login_as, theme, circle):
    author, insider, _outsider, thread = circle
    login_as(insider)
    client.get(f"/traad/{thread.id}")
    replies(author, thread, 2)
    assert mark(text(client.get(f"/tema/{theme.id}")), "Budgetkrise hos Kommune X") == da_n(
        "%(num)d new", "%(num)d new", 2
    )

    circle_service.remove_circle_member(author, thread, insider)
    db.session.commit()

    for url in (f"/tema/{theme.id}", "/", f"/medlemmer/{author.id}"):
        page = text(client.get(url))
        assert listing(page, "Budgetkrise hos Kommune X") is None, url
        assert "tag-unread" not in page, url
    # Their old mark stays stored, but nothing reads it while they may not see the thread.
    assert stored_mark(insider, thread) == 1
    assert reading_service.read_states(insider, [thread]) == {}


def test_a_moved_circle_thread_shows_no_mark_to_outsiders_in_its_new_theme(
    client, login_as, switch_to, facilitator, theme, circle
):
    author, insider, outsider, thread = circle
    target = factories.theme(name="Nyt tema")
    factories.thread(author, target, "Åben tråd")
    login_as(insider)
    client.get(f"/traad/{thread.id}")
    replies(author, thread, 1)
    moderation_service.move_thread(facilitator, db.session.get(Thread, thread.id), target)
    db.session.commit()

    # The insider still sees it in its new place, with the new reply counted ...
    assert mark(text(client.get(f"/tema/{target.id}")), "Budgetkrise hos Kommune X") == da_n(
        "%(num)d new", "%(num)d new", 1
    )
    # ... and the outsider sees neither it nor a mark, in the old theme or the new one.
    switch_to(outsider)
    for url in (f"/tema/{theme.id}", f"/tema/{target.id}", "/"):
        page = text(client.get(url))
        assert listing(page, "Budgetkrise hos Kommune X") is None, url
    assert mark(text(client.get(f"/tema/{target.id}")), "Åben tråd") == NEW
    assert reading_service.read_states(outsider, [thread]) == {}


def test_marks_of_a_hidden_thread_are_not_shown_to_members(
    client, login_as, member, writer, facilitator, theme
):
    thread = factories.thread(writer, theme, "Skjult tråd")
    login_as(member)
    client.get(f"/traad/{thread.id}")
    replies(writer, thread, 1)
    moderation_service.hide_thread(facilitator, db.session.get(Thread, thread.id), "Grund")
    db.session.commit()

    assert reading_service.read_states(db.session.get(User, member.id), [thread]) == {}
    assert "tag-unread" not in text(client.get(f"/tema/{theme.id}"))


def test_reading_needs_a_member(db_session, writer, theme):
    thread = factories.thread(writer, theme)
    assert reading_service.read_states(None, [thread]) == {}
    assert reading_service.read_states(writer, []) == {}


def test_marking_a_theme_leaves_other_peoples_marks_alone(db_session, member, writer, theme):
    thread = factories.thread(writer, theme)
    replies(writer, thread, 2)
    reading_service.mark_theme_read(member, db.session.get(Theme, theme.id))
    db.session.commit()

    assert stored_mark(member, thread) == 3
    assert stored_mark(writer, thread) is None
