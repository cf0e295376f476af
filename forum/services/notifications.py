"""Notifications: who hears about what, how closely they follow, and when email goes.

`notify()` is the one way a notification is made. It asks forum.permissions whether the
recipient may see what it is about and drops it silently when they may not, so nothing
about a circle reaches anyone outside it. It writes the notification, and the email when the
person wants that topic at once, in the caller's transaction (services only flush).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.extensions import db
from forum.models import (
    Commitment,
    EmailPreference,
    Meeting,
    Notification,
    Post,
    Report,
    Resource,
    Survey,
    Theme,
    ThemeWatch,
    Thread,
    ThreadWatch,
    User,
    utcnow,
)
from forum.models.vocabulary import (
    DEFAULT_DELIVERY,
    TOPIC_OF_KIND,
    EmailDelivery,
    EmailTopic,
    NotificationKind,
    WatchLevel,
)
from forum.services.outbox import queue_to_user, thread_message_id

# Kinds a muted thread or theme silences; what a moderator does to one's post still comes.
MUTABLE_KINDS = frozenset(
    {
        NotificationKind.NEW_RESOURCE,
        NotificationKind.REPLY,
        NotificationKind.NEW_THREAD,
        NotificationKind.HELP_REPLY,
        NotificationKind.MENTION,
    }
)


def thread_watch_level(user: User, thread_id: int) -> WatchLevel:
    """Return how closely the person follows the thread (normal without a choice)."""
    watch = db.session.get(ThreadWatch, (user.id, thread_id))
    return watch.level if watch is not None else WatchLevel.NORMAL


def effective_thread_level(user: User, thread: Thread) -> WatchLevel:
    """Return how the person hears of replies: their choice, else following if they took
    part in the thread (started it or posted), else normal."""
    watch = db.session.get(ThreadWatch, (user.id, thread.id))
    if watch is not None:
        return watch.level
    took_part = thread.author_id == user.id or db.session.scalar(
        select(exists().where(Post.thread_id == thread.id, Post.author_id == user.id))
    )
    return WatchLevel.WATCHING if took_part else WatchLevel.NORMAL


def theme_watch_level(user: User, theme_id: int) -> WatchLevel:
    """Return how closely the person follows the theme (normal without a choice)."""
    watch = db.session.get(ThemeWatch, (user.id, theme_id))
    return watch.level if watch is not None else WatchLevel.NORMAL


def set_thread_watch(user: User, thread: Thread, level: WatchLevel) -> None:
    """Set how closely the person follows the thread."""
    watch = db.session.get(ThreadWatch, (user.id, thread.id))
    if watch is None:
        db.session.add(ThreadWatch(user_id=user.id, thread_id=thread.id, level=level))
    else:
        watch.level = level
    db.session.flush()


def set_theme_watch(user: User, theme: Theme, level: WatchLevel) -> None:
    """Set how closely the person follows the theme."""
    watch = db.session.get(ThemeWatch, (user.id, theme.id))
    if watch is None:
        db.session.add(ThemeWatch(user_id=user.id, theme_id=theme.id, level=level))
    else:
        watch.level = level
    db.session.flush()


def watch_thread_unless_muted(user: User, thread: Thread) -> None:
    """Follow a thread one starts or replies in, unless one muted it on purpose."""
    watch = db.session.get(ThreadWatch, (user.id, thread.id))
    if watch is None:
        db.session.add(ThreadWatch(user_id=user.id, thread_id=thread.id, level=WatchLevel.WATCHING))
        db.session.flush()


def email_delivery(user: User, topic: EmailTopic) -> EmailDelivery:
    """Return when the person wants email about the topic (the topic's default if unset)."""
    preference = db.session.get(EmailPreference, (user.id, topic))
    return preference.delivery if preference is not None else DEFAULT_DELIVERY[topic]


def email_deliveries(user: User) -> dict[EmailTopic, EmailDelivery]:
    """Return when the person wants email about each topic, in one query."""
    chosen = {
        preference.topic: preference.delivery
        for preference in db.session.scalars(
            select(EmailPreference).where(EmailPreference.user_id == user.id)
        )
    }
    return {topic: chosen.get(topic, DEFAULT_DELIVERY[topic]) for topic in EmailTopic}


def set_email_delivery(user: User, topic: EmailTopic, delivery: EmailDelivery) -> None:
    """Set when the person gets email about the topic."""
    preference = db.session.get(EmailPreference, (user.id, topic))
    if preference is None:
        db.session.add(EmailPreference(user_id=user.id, topic=topic, delivery=delivery))
    else:
        preference.delivery = delivery
    db.session.flush()


def _may_see(
    recipient: User,
    thread: Thread | None,
    post: Post | None,
    commitment: Commitment | None,
    report: Report | None,
    resource: Resource | None = None,
) -> bool:
    """Return whether the recipient may see everything the notification points at, now."""
    if resource is not None and not permissions.can_see_resource(recipient, resource.id):
        return False
    if post is not None and not permissions.can_see_post(recipient, post.id):
        return False
    if thread is not None and not permissions.can_see_thread(recipient, thread.id):
        return False
    if commitment is not None and not permissions.can_see_commitment(recipient, commitment.id):
        return False
    return report is None or report.reporter_id == recipient.id


def _is_muted(
    recipient: User, kind: NotificationKind, thread: Thread | None, theme_id: int | None
) -> bool:
    """Return whether the recipient silenced this kind for the thread or its theme."""
    if kind not in MUTABLE_KINDS:
        return False
    if thread is not None:
        level = thread_watch_level(recipient, thread.id)
        if level == WatchLevel.MUTED:
            return True
        if level == WatchLevel.WATCHING:
            return False
    return theme_id is not None and theme_watch_level(recipient, theme_id) == WatchLevel.MUTED


def notify(
    recipient: User,
    kind: NotificationKind,
    *,
    actor: User | None = None,
    thread: Thread | None = None,
    post: Post | None = None,
    theme: Theme | None = None,
    commitment: Commitment | None = None,
    meeting: Meeting | None = None,
    survey: Survey | None = None,
    report: Report | None = None,
    resource: Resource | None = None,
    reason: str = "",
) -> Notification | None:
    """Tell one person that something happened; return the notification, or None if not told.

    Nobody is told about their own action, an inactive account is never told, and a person
    who may not see the thread, post, commitment or report hears nothing of it at all.
    """
    if actor is not None and actor.id == recipient.id:
        return None
    if not recipient.is_enabled:
        return None
    if not _may_see(recipient, thread, post, commitment, report, resource):
        return None
    theme_id = theme.id if theme is not None else (thread.theme_id if thread is not None else None)
    if _is_muted(recipient, kind, thread, theme_id):
        return None
    notification = Notification(
        user_id=recipient.id,
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        theme_id=theme_id,
        thread_id=thread.id if thread is not None else None,
        post_id=post.id if post is not None else None,
        commitment_id=commitment.id if commitment is not None else None,
        meeting_id=meeting.id if meeting is not None else None,
        survey_id=survey.id if survey is not None else None,
        report_id=report.id if report is not None else None,
        resource_id=resource.id if resource is not None else None,
        reason=reason,
    )
    db.session.add(notification)
    db.session.flush()
    if email_delivery(recipient, TOPIC_OF_KIND[kind]) == EmailDelivery.IMMEDIATELY:
        queue_to_user(
            recipient,
            "notification",
            notification=notification,
            in_reply_to=thread_message_id(thread.id) if thread is not None else "",
        )
    return notification


def notify_many(recipients: list[User], kind: NotificationKind, **about: Any) -> int:
    """Notify each person once (see notify); return how many were told."""
    seen: set[int] = set()
    told = 0
    for person in recipients:
        if person.id in seen:
            continue
        seen.add(person.id)
        told += notify(person, kind, **about) is not None
    return told


def thread_followers(thread: Thread) -> list[User]:
    """Return who hears of a reply: who follows the thread, and its starter and posters
    unless they chose a level for it (normal: only mentions; muted: nothing)."""
    posted = select(Post.author_id).where(Post.thread_id == thread.id)
    chose = select(ThreadWatch.user_id).where(ThreadWatch.thread_id == thread.id)
    watching = chose.where(ThreadWatch.level == WatchLevel.WATCHING)
    took_part = (User.id == thread.author_id) | User.id.in_(posted)
    return list(
        db.session.scalars(
            select(User)
            .where(User.id.in_(watching) | (took_part & User.id.not_in(chose)))
            .order_by(User.id)
        )
    )


def theme_followers(theme: Theme) -> list[User]:
    """Return who follows the theme (hears of every new thread in it)."""
    return list(
        db.session.scalars(
            select(User)
            .join(ThemeWatch, ThemeWatch.user_id == User.id)
            .where(ThemeWatch.theme_id == theme.id, ThemeWatch.level == WatchLevel.WATCHING)
            .order_by(User.id)
        )
    )


# --- reading -------------------------------------------------------------------------------

PAGE_SIZE = 50


def unread_count(reader: User, reading: tuple[int, int] | None = None) -> int:
    """Return how many of the reader's notifications are unread (one query).

    `reading` is (thread id, last position shown) of the thread page being rendered: its
    notifications up to there are about to be marked read, so they are not counted.
    """
    query = (
        select(func.count(Notification.id))
        .where(permissions.visible_notifications(reader))
        .where(Notification.read_at.is_(None))
    )
    if reading is not None:
        thread_id, position = reading
        shown = select(Post.id).where(Post.thread_id == thread_id, Post.position <= position)
        query = query.where(
            ~and_(
                # COALESCE: a notification about no thread (a meeting) must stay counted, and
                # "NULL = id" would be NULL, which NOT keeps NULL, which WHERE drops.
                func.coalesce(Notification.thread_id, 0) == thread_id,
                or_(Notification.post_id.is_(None), Notification.post_id.in_(shown)),
            )
        )
    return db.session.scalar(query) or 0


@dataclass
class NotificationGroup:
    """The notifications about one thread (or one single notification), newest first."""

    items: list[Notification]

    @property
    def newest(self) -> Notification:
        """Return the group's newest notification."""
        return self.items[0]

    @property
    def unread(self) -> int:
        """Return how many of the group are unread."""
        return sum(not item.is_read for item in self.items)


def recent_notifications(
    reader: User, before_id: int | None = None
) -> tuple[list[NotificationGroup], int | None]:
    """Return a page of the reader's notifications grouped by thread, and the next page's key.

    Groups are ordered by their newest notification; a thread's notifications on the page
    form one group. Loads the page, its people, threads, themes, meetings and commitments in a
    fixed number of queries.
    """
    query = (
        select(Notification)
        .where(permissions.visible_notifications(reader))
        .options(
            selectinload(Notification.actor),
            selectinload(Notification.thread),
            selectinload(Notification.meeting),
            selectinload(Notification.commitment),
            selectinload(Notification.survey),
            selectinload(Notification.resource),
        )
        .order_by(Notification.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    rows = list(db.session.scalars(query))
    next_key = rows[PAGE_SIZE - 1].id if len(rows) > PAGE_SIZE else None
    groups: list[NotificationGroup] = []
    by_thread: dict[int, NotificationGroup] = {}
    for item in rows[:PAGE_SIZE]:
        if item.thread_id is None:
            groups.append(NotificationGroup([item]))
        elif item.thread_id in by_thread:
            by_thread[item.thread_id].items.append(item)
        else:
            by_thread[item.thread_id] = NotificationGroup([item])
            groups.append(by_thread[item.thread_id])
    return groups, next_key


def own_notification(reader: User, notification_id: int) -> Notification | None:
    """Return one of the reader's notifications they may still see, or None."""
    return db.session.scalar(
        select(Notification)
        .where(Notification.id == notification_id)
        .where(permissions.visible_notifications(reader))
    )


def mark_read(reader: User, notification: Notification) -> None:
    """Mark one of the reader's notifications as read (a second time changes nothing)."""
    if notification.user_id == reader.id and notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(reader: User) -> int:
    """Mark every unread notification of the reader as read; return how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == reader.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mark_thread_notifications_read(reader: User, thread_id: int, up_to_position: int) -> None:
    """Mark the reader's notifications about posts they have now seen in a thread as read."""
    seen_posts = select(Post.id).where(Post.thread_id == thread_id, Post.position <= up_to_position)
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == reader.id, Notification.read_at.is_(None))
        .where(Notification.thread_id == thread_id)
        .where(or_(Notification.post_id.is_(None), Notification.post_id.in_(seen_posts)))
        .values(read_at=utcnow())
    )
