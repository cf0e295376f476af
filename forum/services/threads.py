"""Thread and post verbs, and the read queries behind theme, thread and home pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, case, func, select, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from forum import markdown
from forum.database import write_lock
from forum.extensions import db
from forum.models import CircleMember, Post, PostRevision, Theme, Thread, User, utcnow
from forum.permissions import (
    VISIBILITIES,
    Visibility,
    circle_candidates,
    visible_posts,
    visible_themes,
    visible_threads,
)
from forum.services import ServiceError, events
from forum.services.audit import log_action
from forum.services.library import record_uses
from forum.services.mentions import notify_mentions, stored_handles

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
# Pinned threads shown above a theme's list; more than a handful defeats the purpose.
PINNED_MAX = 25
TITLE_MAX = 200
BODY_MAX = 50_000
# Largest id a 64-bit database integer holds.
ID_MAX = 2**63 - 1


def check_title(title: str) -> str:
    """Return the trimmed title. Raises ServiceError when it is empty or too long."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_l("Give the thread a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(_l("The title is too long."), field="title")
    return title


def _check_body(body: str) -> str:
    """Return the body. Raises ServiceError when it is empty or too long."""
    if not (body or "").strip():
        raise ServiceError(_l("Write something first."), field="body")
    if len(body) > BODY_MAX:
        raise ServiceError(_l("The text is too long."), field="body")
    return body


def _new_post(thread: Thread | None, author: User, body: str, position: int, now: datetime) -> Post:
    """Build a post with its Markdown rendered once, now."""
    return Post(
        thread=thread,
        author_id=author.id,
        position=position,
        **markdown.rendered("body", body),
        created_at=now,
    )


def create_thread(
    author: User,
    theme: Theme,
    title: str,
    body: str,
    visibility: str = Visibility.NETWORK,
    circle_ids: list[int] | tuple[int, ...] = (),
) -> Thread:
    """Start a thread with its opening post, for the network or a narrower audience.

    Raises ServiceError on an empty title or body, or an unknown visibility.
    """
    title = check_title(title)
    body = _check_body(body)
    visibility = check_visibility(visibility)
    now = utcnow()
    thread = Thread(
        theme_id=theme.id,
        author_id=author.id,
        title=title,
        created_at=now,
        post_count=1,
        last_post_at=now,
        last_poster_id=author.id,
        visibility=visibility,
    )
    db.session.add(thread)
    opening = _new_post(thread, author, body, 1, now)
    db.session.add(opening)
    circle = []
    if visibility == Visibility.CIRCLE:
        for person in circle_people(author, circle_ids):
            if person.id != author.id:
                thread.circle.append(CircleMember(user_id=person.id, added_by_id=author.id))
                circle.append(person)
    db.session.flush()
    record_uses(post=opening)
    notify_mentions(author, opening.body_html, thread=thread, post=opening)
    events.thread_started(author, thread, opening, circle)
    return thread


def check_visibility(visibility: str) -> Visibility:
    """Return the visibility. Raises ServiceError when it is not one of the known ones."""
    if visibility not in VISIBILITIES:
        raise ServiceError(_l("Choose who can see the thread."), field="visibility")
    return Visibility(visibility)


def circle_people(viewer: User, ids: list[int] | tuple[int, ...]) -> list[User]:
    """Return the active people among the given ids, as can be named into a circle."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(list(ids))).where(circle_candidates(viewer))
        )
    )


def refresh_thread_activity(thread: Thread) -> None:
    """Recompute the thread's latest activity from the posts members can see."""
    latest = db.session.execute(
        select(Post.created_at, Post.author_id)
        .where(Post.thread_id == thread.id, Post.hidden_at.is_(None))
        .order_by(Post.position.desc())
        .limit(1)
    ).first()
    if latest is not None:
        thread.last_post_at, thread.last_poster_id = latest


def reply(author: User, thread: Thread, body: str) -> Post:
    """Add a reply at the end of the thread. Raises ServiceError on an empty body."""
    body = _check_body(body)
    with db.session.no_autoflush:
        post = _new_post(None, author, body, 0, utcnow())  # rendered before any lock is taken
    # Lock the thread row so concurrent replies get distinct positions: FOR UPDATE on
    # PostgreSQL, the write lock on SQLite.
    write_lock()
    locked = db.session.execute(
        select(Thread)
        .where(Thread.id == thread.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    now = utcnow()
    post.thread, post.position, post.created_at = locked, locked.post_count + 1, now
    locked.post_count += 1
    locked.last_post_at = now
    locked.last_poster_id = author.id
    db.session.add(post)
    db.session.flush()
    record_uses(post=post)
    notify_mentions(author, post.body_html, thread=locked, post=post)
    events.replied(author, post)
    return post


def edit_post(editor: User, post: Post, body: str) -> Post:
    """Replace a post's text, keeping the earlier version as a revision; a facilitator's edit
    of someone else's post is written to the moderation log.

    Raises ServiceError on an empty body.
    """
    body = _check_body(body)
    if body == post.body_md:
        return post
    mentioned_before = stored_handles(post.body_md, post.body_html, post.body_render_version)
    db.session.add(
        PostRevision(
            post_id=post.id,
            body_md=post.body_md,
            body_html=post.body_html,
            body_render_version=post.body_render_version,
            written_by_id=post.edited_by_id or post.author_id,
            written_at=post.edited_at or post.created_at,
        )
    )
    markdown.set_markdown(post, "body", body)
    post.edited_at = utcnow()
    post.edited_by_id = editor.id
    if editor.id != post.author_id:
        log_action(editor, "edit_post", post=post, subject=post.author)
        events.post_edited_by_moderator(editor, post)
    db.session.flush()
    record_uses(post=post)
    notify_mentions(editor, post.body_html, before=mentioned_before, thread=post.thread, post=post)
    return post


def withdraw_post(author: User, post: Post) -> None:
    """Withdraw one's own post: members see that it was withdrawn, facilitators still read it."""
    post.withdrawn_at = utcnow()
    db.session.flush()


def revisions_of(post: Post) -> list[PostRevision]:
    """Return a post's earlier versions, newest first, with their writers."""
    return list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.written_by))
            .order_by(PostRevision.replaced_at.desc(), PostRevision.id.desc())
        )
    )


# --- reading -----------------------------------------------------------------------------


# Post numbers. Posts are shown numbered 1, 2, 3 ... over the posts members see: a hidden post
# leaves no gap. Everyone shares these numbers and pages (so "see #12" means the same post to a
# member and a facilitator); whoever still sees a hidden post (facilitators, its author) sees it
# unnumbered, after the post it followed and on that post's page. A withdrawn post keeps its
# number: everyone sees that it was there. Numbers are counted from the stored positions when
# a page is read, so hiding and restoring need no renumbering.


def page_of(number: int) -> int:
    """Return the 1-based page a post number falls on (a hidden post's: the one before it)."""
    return max((number - 1) // POSTS_PER_PAGE + 1, 1)


def page_count(thread: Thread) -> int:
    """Return how many pages the thread has: pages of the posts members see."""
    return page_of(thread.visible_post_count)


def _shown_so_far() -> ColumnElement[int]:
    """Return a SQL window counting the posts members see up to and including each post."""
    return func.sum(case((Post.hidden_at.is_(None), 1), else_=0)).over(
        partition_by=Post.thread_id, order_by=Post.position
    )


def _shown_up_to(posts: Sequence[Post]) -> dict[int, int]:
    """Return, by post id, how many posts members see up to and including it, in one query."""
    if not posts:
        return {}
    earlier = aliased(Post)
    shown = (
        select(func.count())
        .where(earlier.thread_id == Post.thread_id)
        .where(earlier.position <= Post.position)
        .where(earlier.hidden_at.is_(None))
        .correlate(Post)
        .scalar_subquery()
    )
    rows = db.session.execute(select(Post.id, shown).where(Post.id.in_([p.id for p in posts])))
    return {post_id: count for post_id, count in rows}


def post_numbers(posts: Sequence[Post]) -> dict[int, int | None]:
    """Return the shown number of each post by id (None for a hidden post), in one query."""
    counts = _shown_up_to(posts)
    return {post.id: None if post.is_hidden else counts[post.id] for post in posts}


def post_number(post: Post) -> int | None:
    """Return the post's shown number, or None when it is hidden."""
    return post_numbers([post])[post.id]


def post_page(post: Post) -> int:
    """Return the thread page that shows the post, to everyone who may see it."""
    return page_of(_shown_up_to([post])[post.id])


def thread_page_posts(viewer: User, thread: Thread, page: int) -> list[tuple[Post, int | None]]:
    """Return one page of the posts the viewer may see with their shown numbers (None for a
    hidden post), authors and editors preloaded."""
    last = page * POSTS_PER_PAGE
    # Hidden posts before the first shown one count 0 and belong on the first page.
    first = 0 if page == 1 else last - POSTS_PER_PAGE + 1
    numbered = (
        select(Post.id.label("post_id"), _shown_so_far().label("number"))
        .where(Post.thread_id == thread.id)
        .subquery()
    )
    rows = db.session.execute(
        select(Post, numbered.c.number)
        .join(numbered, numbered.c.post_id == Post.id)
        .where(visible_posts(viewer))
        .where(numbered.c.number.between(first, last))
        .options(
            selectinload(Post.author),
            selectinload(Post.edited_by),
            selectinload(Post.hidden_by),
        )
        .order_by(Post.position)
    )
    return [(post, None if post.is_hidden else number) for post, number in rows]


@dataclass(frozen=True)
class ThreadCursor:
    """Where a thread list page starts: after this (last activity, id)."""

    last_post_at: datetime
    thread_id: int

    def encode(self) -> str:
        """Return the cursor as a URL-safe string."""
        return f"{self.last_post_at.isoformat()}_{self.thread_id}"

    @classmethod
    def decode(cls, value: str | None) -> ThreadCursor | None:
        """Parse a cursor string; return None for a missing or malformed one."""
        if not value:
            return None
        moment, _, thread_id = value.rpartition("_")
        try:
            when = datetime.fromisoformat(moment)
            number = int(thread_id)
            if when.tzinfo is not None:  # stored times are naive UTC
                when = when.astimezone(UTC).replace(tzinfo=None)
        except (ValueError, OverflowError):
            return None
        if not 0 <= number <= ID_MAX:
            return None  # beyond what a database integer holds
        return cls(when, number)


def _thread_list_query(viewer: User) -> Select[Thread]:
    """Return a select of threads the viewer may see, with authors, themes and last posters."""
    return (
        select(Thread)
        .where(visible_threads(viewer))
        .options(
            selectinload(Thread.author),
            selectinload(Thread.last_poster),
            selectinload(Thread.theme),
        )
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
    )


def theme_threads(
    viewer: User, theme: Theme, after: ThreadCursor | None
) -> tuple[list[Thread], ThreadCursor | None]:
    """Return one page of a theme's unpinned threads by latest activity, and the next cursor."""
    query = (
        _thread_list_query(viewer)
        .where(Thread.theme_id == theme.id)
        .where(Thread.pinned.is_(False))
    )
    if after is not None:
        query = query.where(
            tuple_(Thread.last_post_at, Thread.id) < tuple_(after.last_post_at, after.thread_id)
        )
    threads = list(db.session.scalars(query.limit(THREADS_PER_PAGE + 1)))
    next_cursor = None
    if len(threads) > THREADS_PER_PAGE:
        threads = threads[:THREADS_PER_PAGE]
        next_cursor = ThreadCursor(threads[-1].last_post_at, threads[-1].id)
    return threads, next_cursor


def pinned_theme_threads(viewer: User, theme: Theme) -> list[Thread]:
    """Return the theme's pinned threads the viewer may see, by latest activity."""
    query = (
        _thread_list_query(viewer).where(Thread.theme_id == theme.id).where(Thread.pinned.is_(True))
    )
    return list(db.session.scalars(query.limit(PINNED_MAX)))


def recent_threads(viewer: User, limit: int = 15) -> list[Thread]:
    """Return the threads with the latest activity across the themes the viewer sees."""
    query = (
        _thread_list_query(viewer)
        .join(Thread.theme)
        .where(visible_themes(viewer))
        .where(Theme.archived_at.is_(None))
    )
    return list(db.session.scalars(query.limit(limit)))


def threads_by_member(viewer: User, member: User, limit: int = 10) -> list[Thread]:
    """Return threads the member started that the viewer may see, newest activity first."""
    query = _thread_list_query(viewer).where(Thread.author_id == member.id)
    return list(db.session.scalars(query.limit(limit)))


def opening_post(thread: Thread) -> Post:
    """Return the thread's first post."""
    return db.session.execute(
        select(Post).where(Post.thread_id == thread.id, Post.position == 1)
    ).scalar_one()


def theme_thread_counts(viewer: User) -> dict[int, int]:
    """Return, per theme id, how many threads the viewer may see, in one query."""
    rows = db.session.execute(
        select(Thread.theme_id, func.count(Thread.id))
        .where(visible_threads(viewer))
        .group_by(Thread.theme_id)
    )
    return {theme_id: count for theme_id, count in rows}
