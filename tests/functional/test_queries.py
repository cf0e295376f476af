"""Theme, thread and home pages run the same number of SQL queries whatever the data size."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from forum import markdown
from forum.extensions import db
from forum.models import CircleMember, Post, Theme, Thread, ThreadRead, User, utcnow
from forum.services import moderation as moderation_service
from forum.services import threads as thread_service
from tests import factories

# A page that needs more than this many statements has grown a per-row query somewhere.
QUERY_BUDGET = 15


@pytest.fixture
def people(db_session) -> list[int]:
    """Twenty members, added in one go, to write and reply; returns their ids."""
    users = [
        User(
            name=f"Skribent {n}",
            email=f"skribent{n}@example.org",
            role="member",
            language="da",
            password_hash=factories._PASSWORD_HASH,
        )
        for n in range(20)
    ]
    db.session.add_all(users)
    db.session.commit()
    return [user.id for user in users]


def build_thread(theme_id: int, people: list[int], count: int) -> int:
    """Build a thread of `count` posts by many authors, some edited and some withdrawn."""
    theme = db.session.get(Theme, theme_id)
    first, second = db.session.get(User, people[0]), db.session.get(User, people[1])
    thread = thread_service.create_thread(first, theme, "Lang tråd", "Første *indlæg*")
    thread_service.reply(second, thread, "Et svar med https://example.org")
    html = str(markdown.render("Et **svar** med [et link](https://example.org)"))
    start = utcnow() - timedelta(days=1)
    posts = []
    for position in range(3, count + 1):
        author = people[position % len(people)]
        when = start + timedelta(seconds=position)
        posts.append(
            Post(
                thread_id=thread.id,
                author_id=author,
                position=position,
                body_md="Et **svar**",
                body_html=html,
                body_render_version=markdown.RENDER_VERSION,
                created_at=when,
                edited_at=when if position % 7 == 0 else None,
                edited_by_id=author if position % 7 == 0 else None,
                withdrawn_at=when if position % 9 == 0 else None,
            )
        )
    db.session.add_all(posts)
    thread = db.session.get(Thread, thread.id)
    thread.post_count = count
    thread.last_poster_id = people[count % len(people)]
    thread.last_post_at = start + timedelta(seconds=count)
    db.session.commit()
    return thread.id


def build_threads(theme_id: int, people: list[int], count: int) -> None:
    """Build `count` threads in the theme by many authors and last posters, in one commit."""
    html = str(markdown.render("Første *indlæg*"))
    start = utcnow() - timedelta(days=1)
    for n in range(count):
        author = people[n % len(people)]
        last_poster = people[(n * 7 + 3) % len(people)]
        when = start + timedelta(seconds=n)
        thread = Thread(
            theme_id=theme_id,
            author_id=author,
            title=f"Tråd {n}",
            created_at=when,
            post_count=1 + n % 4,
            last_post_at=when,
            last_poster_id=last_poster,
        )
        opening = Post(
            thread=thread,
            author_id=author,
            position=1,
            body_md="Første *indlæg*",
            body_html=html,
            created_at=when,
        )
        db.session.add_all([thread, opening])
    db.session.commit()


@pytest.fixture
def measure(client, count_queries):
    """Return a function that counts the statements of one GET on a fresh database session."""

    def _measure(url: str) -> tuple[int, list[str]]:
        db.session.remove()  # an empty identity map, as at the start of a real request
        responses = []
        statements: list[str] = []

        def _get() -> None:
            responses.append(client.get(url))

        def _record(conn, cursor, statement, *args) -> None:
            statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", _record)
        try:
            count = count_queries(_get)
        finally:
            event.remove(engine, "before_cursor_execute", _record)
        assert responses[0].status_code == 200, url
        assert count <= QUERY_BUDGET, "\n".join(statements)
        return count, statements

    return _measure


def same_count(small: tuple[int, list[str]], large: tuple[int, list[str]]) -> None:
    """Fail with both statement lists when the two pages ran a different number of queries."""
    assert small[0] == large[0], "\n\n".join(["small:", *small[1], "large:", *large[1]])


def visit(client, *urls: str) -> None:
    """Open the pages once, so the reader's read marks already reach them."""
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_thread_page_queries_do_not_grow_with_posts(
    client, login_as, member, theme, people, measure
):
    small = build_thread(theme.id, people, 10)
    large = build_thread(theme.id, people, 300)
    login_as(member)
    # The first view of a page moves the reader's read mark forward (one statement more, see
    # test_reading); measured here are views that write nothing.
    visit(client, f"/traad/{small}", f"/traad/{large}?side=15")

    same_count(measure(f"/traad/{small}"), measure(f"/traad/{large}"))
    same_count(measure(f"/traad/{small}"), measure(f"/traad/{large}?side=15"))
    same_count(measure(f"/traad/{small}"), measure(f"/traad/{large}?side=8"))
    full_page = client.get(f"/traad/{large}?side=15").get_data(as_text=True)
    assert full_page.count("<article id=") == 20


def pin(theme_id: int, count: int) -> None:
    """Pin the theme's `count` oldest threads."""
    ids = db.session.scalars(
        db.select(Thread.id).where(Thread.theme_id == theme_id).order_by(Thread.id).limit(count)
    ).all()
    db.session.execute(db.update(Thread).where(Thread.id.in_(ids)).values(pinned=True))
    db.session.commit()


def cursor_after(theme_id: int, offset: int) -> str:
    """Return the cursor of the theme's page that starts after `offset` unpinned threads."""
    thread = db.session.scalars(
        db.select(Thread)
        .where(Thread.theme_id == theme_id, Thread.pinned.is_(False))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .offset(offset)
    ).first()
    return thread_service.ThreadCursor(thread.last_post_at, thread.id).encode()


def test_theme_page_queries_do_not_grow_with_threads(client, login_as, member, people, measure):
    small_theme = factories.theme(name="Lille tema").id
    large_theme = factories.theme(name="Stort tema").id
    build_threads(small_theme, people, 10)
    build_threads(large_theme, people, 300)
    pin(small_theme, 1)
    pin(large_theme, 20)
    login_as(member)

    # The first page also lists the pinned threads, in one query whatever their number.
    first_page = measure(f"/tema/{large_theme}")
    same_count(measure(f"/tema/{small_theme}"), first_page)
    listing = client.get(f"/tema/{large_theme}").get_data(as_text=True)
    assert listing.count('href="/traad/') == 20 + 25
    # Later pages leave the pinned threads out, and cost the same however deep they go.
    second_page = measure(f"/tema/{large_theme}?efter={cursor_after(large_theme, 24)}")
    same_count(second_page, measure(f"/tema/{large_theme}?efter={cursor_after(large_theme, 149)}"))
    assert second_page[0] <= first_page[0]


def test_home_page_queries_do_not_grow_with_threads(client, login_as, member, people, measure):
    themes = [factories.theme(name=f"Tema {n}").id for n in range(3)]
    login_as(member)
    build_threads(themes[0], people, 10)
    small = measure("/")
    for theme in themes:
        build_threads(theme, people, 100)
    same_count(small, measure("/"))


def read_some(user_id: int, theme_id: int) -> None:
    """Give the reader read marks on two of every three threads of the theme: one before its
    opening post (so it has a new post), one after it; the third stays never opened."""
    ids = db.session.scalars(db.select(Thread.id).where(Thread.theme_id == theme_id)).all()
    db.session.add_all(
        ThreadRead(user_id=user_id, thread_id=thread_id, last_read_position=n % 3)
        for n, thread_id in enumerate(ids)
        if n % 3 != 2
    )
    db.session.commit()


def test_unread_marks_keep_the_theme_and_home_pages_constant(
    client, login_as, member, people, measure
):
    small_theme = factories.theme(name="Lille tema").id
    large_theme = factories.theme(name="Stort tema").id
    member_id = member.id
    build_threads(small_theme, people, 10)
    pin(small_theme, 1)
    read_some(member_id, small_theme)
    login_as(member)
    small = measure(f"/tema/{small_theme}")
    small_home = measure("/")

    build_threads(large_theme, people, 300)
    pin(large_theme, 5)
    read_some(member_id, large_theme)

    same_count(small, measure(f"/tema/{large_theme}"))
    same_count(
        measure(f"/tema/{large_theme}?efter={cursor_after(large_theme, 24)}"),
        measure(f"/tema/{large_theme}?efter={cursor_after(large_theme, 149)}"),
    )
    same_count(small_home, measure("/"))
    # The marks are there to be counted: new threads, threads with a new post, and read ones.
    for url in (f"/tema/{large_theme}", "/"):
        page = client.get(url).get_data(as_text=True)
        assert page.count('<span aria-hidden="true">Ny</span>') >= 4, url
        assert page.count('<span aria-hidden="true">1 nyt</span>') >= 4, url
        assert page.count('href="/traad/') > page.count("tag-unread"), url


def make_confidential(thread_id: int, people: list[int], hider: int) -> None:
    """Turn a thread into a circle of many people, with every fifth post hidden."""
    thread = db.session.get(Thread, thread_id)
    thread.visibility = "circle"
    for person in people[1:]:
        if person != thread.author_id:
            db.session.add(CircleMember(thread_id=thread_id, user_id=person))
    db.session.execute(
        db.update(Post)
        .where(Post.thread_id == thread_id, Post.position % 5 == 0)
        .values(hidden_at=utcnow(), hidden_by_id=hider, hidden_reason="Skjult")
    )
    thread.hidden_post_count = thread.post_count // 5
    db.session.commit()


def test_confidential_thread_page_queries_do_not_grow_with_posts(
    client, login_as, facilitator, theme, people, measure
):
    small = build_thread(theme.id, people, 10)
    large = build_thread(theme.id, people, 300)
    for thread_id in (small, large):
        make_confidential(thread_id, people, facilitator.id)
    login_as(facilitator)
    visit(client, f"/traad/{small}", f"/traad/{large}?side=12")

    same_count(measure(f"/traad/{small}"), measure(f"/traad/{large}"))
    same_count(measure(f"/traad/{small}"), measure(f"/traad/{large}?side=12"))
    # 240 posts shown in 12 pages; the facilitator also sees the hidden ones where they were
    # written: the last page holds #221-#240 and the five hidden among them.
    page = client.get(f"/traad/{large}?side=12").get_data(as_text=True)
    assert page.count("<article id=") == 25
    assert page.count('class="post post-hidden"') == 5


def report_many(people: list[int], theme_id: int, count: int) -> None:
    """Report `count` posts in as many threads, each by another member."""
    theme = db.session.get(Theme, theme_id)
    for n in range(count):
        author = db.session.get(User, people[n % len(people)])
        reporter = db.session.get(User, people[(n + 1) % len(people)])
        thread = thread_service.create_thread(author, theme, f"Rapporteret {n}", "Tekst")
        post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
        moderation_service.report_post(reporter, post, f"Grund {n}")


def moderate_many(facilitator_id: int, count: int) -> None:
    """Lock `count` threads and hide their first posts, resolving their reports."""
    moderator = db.session.get(User, facilitator_id)
    for thread in db.session.scalars(db.select(Thread).limit(count)).all():
        moderation_service.set_locked(moderator, thread, True)
        first = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
        moderation_service.hide_post(moderator, first, "Skjult")


def test_moderation_pages_queries_do_not_grow(
    client, login_as, facilitator, theme, people, measure
):
    theme_id, facilitator_id = theme.id, facilitator.id
    report_many(people, theme_id, 1)
    moderate_many(facilitator_id, 1)
    report_many(people, theme_id, 1)
    login_as(facilitator)
    small = [measure(url) for url in ("/moderation", "/moderation/log")]

    report_many(people, theme_id, 30)
    moderate_many(facilitator_id, 30)
    report_many(people, theme_id, 30)
    large = [measure(url) for url in ("/moderation", "/moderation/log")]
    for before, after in zip(small, large, strict=True):
        same_count(before, after)


def test_my_reports_queries_do_not_grow(client, login_as, member, theme, people, measure):
    theme_id, member_id = theme.id, member.id

    def report(count: int) -> None:
        theme = db.session.get(Theme, theme_id)
        reporter = db.session.get(User, member_id)
        for n in range(count):
            author = db.session.get(User, people[n % len(people)])
            thread = thread_service.create_thread(author, theme, f"Tråd {n}", "Tekst")
            post = db.session.scalar(db.select(Post).where(Post.thread_id == thread.id))
            moderation_service.report_post(reporter, post, "Grund")

    report(1)
    login_as(member)
    small = measure("/mine-rapporter")
    report(30)
    same_count(small, measure("/mine-rapporter"))
