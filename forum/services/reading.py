"""Read marks: how far each person has read each thread, and what is new to them since.

A read mark is the highest post position a person has been shown in a thread. What is
unread to them is every later post they may see that someone else wrote: hidden posts count
only for those who are shown them (facilitators, their authors), and a thread they may no
longer see (taken out of its circle, hidden) shows and counts nothing, whatever mark it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, and_, case, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from forum.database import try_write_lock
from forum.extensions import db
from forum.models import Notification, Post, Theme, Thread, ThreadRead, User, utcnow
from forum.permissions import is_member, visible_posts, visible_threads
from forum.services.notifications import mark_thread_notifications_read
from forum.services.threads import page_of


@dataclass(frozen=True)
class ReadState:
    """How far one reader has read one thread they have opened, and what is new after it."""

    last_read_position: int
    # Posts after the mark that the reader may see and did not write.
    unread: int
    # The first of those and the thread page that shows it (None when nothing is unread).
    first_unread_id: int | None
    first_unread_page: int


def is_unread(state: ReadState | None) -> bool:
    """Return whether a thread has something the reader has not read (never opened, or new
    posts since)."""
    return state is None or state.unread > 0


def read_states(reader: User | None, threads: Sequence[Thread]) -> dict[int, ReadState]:
    """Return the reader's read state by thread id for the threads they have opened and may
    see, in one query; a thread missing from the answer is one they never opened."""
    if not is_member(reader) or not threads:
        return {}
    ids = [thread.id for thread in threads]
    mark = and_(ThreadRead.thread_id == Post.thread_id, ThreadRead.user_id == reader.id)
    after_mark = (
        select(
            Post.thread_id.label("thread_id"),
            func.count().label("unread"),
            func.min(Post.position).label("first_position"),
        )
        .join(ThreadRead, mark)
        .where(Post.thread_id.in_(ids))
        .where(Post.position > ThreadRead.last_read_position)
        .where(Post.author_id != reader.id)
        .where(visible_posts(reader))
        .group_by(Post.thread_id)
        .subquery()
    )
    first = aliased(Post)
    earlier = aliased(Post)
    # The first unread post's shown number, as thread_service numbers posts; counting the
    # shown posts before it is only needed when the thread has hidden ones.
    shown_before = (
        select(func.count())
        .where(earlier.thread_id == first.thread_id)
        .where(earlier.position <= first.position)
        .where(earlier.hidden_at.is_(None))
        .correlate(first)
        .scalar_subquery()
    )
    number = case((Thread.hidden_post_count == 0, first.position), else_=shown_before)
    rows = db.session.execute(
        select(
            ThreadRead.thread_id,
            ThreadRead.last_read_position,
            after_mark.c.unread,
            first.id,
            number,
        )
        .join(Thread, Thread.id == ThreadRead.thread_id)
        .outerjoin(after_mark, after_mark.c.thread_id == ThreadRead.thread_id)
        .outerjoin(
            first,
            and_(
                first.thread_id == after_mark.c.thread_id,
                first.position == after_mark.c.first_position,
            ),
        )
        .where(ThreadRead.user_id == reader.id)
        .where(ThreadRead.thread_id.in_(ids))
        .where(visible_threads(reader))
    )
    return {
        thread_id: ReadState(
            last_read_position=position,
            unread=unread or 0,
            first_unread_id=first_id,
            first_unread_page=page_of(shown or 0),
        )
        for thread_id, position, unread, first_id, shown in rows
    }


def read_state(reader: User | None, thread: Thread) -> ReadState | None:
    """Return the reader's read state of one thread, or None when they never opened it."""
    return read_states(reader, [thread]).get(thread.id)


def _insert() -> Any:
    """Return an INSERT into thread_reads in the dialect of the session's database, which
    knows ON CONFLICT."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(ThreadRead)
    if dialect == "sqlite":
        return sqlite.insert(ThreadRead)
    raise NotImplementedError(dialect)  # pragma: no cover - only the two engines are run


def _keep_furthest(statement: Any) -> Any:
    """Return the insert made to move an existing mark forward only, never back."""
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={
            "last_read_position": excluded.last_read_position,
            "read_at": excluded.read_at,
        },
        where=ThreadRead.last_read_position < excluded.last_read_position,
    )


def record_read(
    reader: User, thread: Thread, position: int, known: ReadState | None = None
) -> bool:
    """Move the reader's mark in the thread forward to the position they were shown.

    `known` is their state as read earlier in the request: when it already reaches the
    position nothing is written, so reading what one has read takes no write lock. Returns
    whether a write was sent. On SQLite, while another process holds the write lock, the mark
    is left for the next view rather than make the page wait. The reader's notifications
    about the posts shown are marked read with it.
    """
    if known is not None and known.last_read_position >= position:
        return False
    if not try_write_lock():
        return False  # another process writes: the mark moves on the next view instead
    statement = _insert().values(
        user_id=reader.id, thread_id=thread.id, last_read_position=position, read_at=utcnow()
    )
    db.session.execute(_keep_furthest(statement))
    # What one has now read needs no bell: its notifications are read too.
    mark_thread_notifications_read(reader, thread.id, position)
    db.session.flush()
    return True


def _mark_read(reader: User, *conditions: Any) -> None:
    """Mark every thread the reader may see that meets the conditions as read to its last
    post, in one INSERT ... SELECT, and the reader's notifications about them too."""
    now: datetime = utcnow()
    threads = (
        select(
            literal(reader.id, Integer),
            Thread.id,
            Thread.post_count,
            literal(now, DateTime),
        )
        # A real condition always, also for facilitators who see everything: SQLite needs a
        # WHERE in an INSERT ... SELECT ... ON CONFLICT to parse it.
        .where(Thread.post_count > 0)
        .where(visible_threads(reader))
        .where(*conditions)
    )
    statement = _insert().from_select(
        ["user_id", "thread_id", "last_read_position", "read_at"], threads
    )
    db.session.execute(_keep_furthest(statement))
    # What is marked read needs no bell either.
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == reader.id, Notification.read_at.is_(None))
        .where(Notification.thread_id.in_(threads.with_only_columns(Thread.id)))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def mark_theme_read(reader: User, theme: Theme) -> None:
    """Mark every thread of the theme the reader may see as read."""
    _mark_read(reader, Thread.theme_id == theme.id)


def mark_all_read(reader: User) -> None:
    """Mark every thread the reader may see as read."""
    _mark_read(reader)
