"""What the forum's actions cause: who is notified when a thread, reply, circle change,
moderator action, meeting, survey or report happens.

Each function is called by the service verb that did the thing, in the same transaction,
so a post and the notifications (and emails) it causes are committed together or not at all.
forum.services.notifications.notify() drops anyone who may not see what it is about.
"""

from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    Commitment,
    CommitmentComment,
    LogEntry,
    Meeting,
    Notification,
    Post,
    Report,
    Survey,
    Thread,
    User,
)
from forum.models.vocabulary import NotificationKind
from forum.permissions import network_audience
from forum.services.notifications import (
    notify,
    notify_many,
    theme_followers,
    thread_followers,
    watch_thread_unless_muted,
)


def _mentioned_in(post: Post) -> set[int]:
    """Return who was already told of the post as a mention (they need no second notice)."""
    return set(
        db.session.scalars(
            select(Notification.user_id).where(
                Notification.post_id == post.id, Notification.kind == NotificationKind.MENTION
            )
        )
    )


def _everyone() -> list[User]:
    """Return every active person of the network (the audience of meetings and surveys)."""
    return list(db.session.scalars(select(User).where(network_audience()).order_by(User.id)))


def thread_started(author: User, thread: Thread, post: Post, circle: list[User]) -> None:
    """Follow the new thread for its author; tell the circle and the theme's followers."""
    watch_thread_unless_muted(author, thread)
    told = {author.id} | _mentioned_in(post)
    for person in circle:
        notify(person, NotificationKind.CIRCLE_ADDED, actor=author, thread=thread)
        told.add(person.id)
    followers = [person for person in theme_followers(thread.theme) if person.id not in told]
    notify_many(followers, NotificationKind.NEW_THREAD, actor=author, thread=thread, post=post)


def _help_request_owner(thread: Thread) -> User | None:
    """Return who asked for help in the thread, when it was started by a help request."""
    return db.session.scalar(
        select(User)
        .join(Commitment, Commitment.owner_id == User.id)
        .join(LogEntry, LogEntry.commitment_id == Commitment.id)
        .where(LogEntry.help_thread_id == thread.id)
        .limit(1)
    )


def replied(author: User, post: Post) -> None:
    """Follow the thread for the replier; tell its followers (a help request's owner as such)."""
    thread = post.thread
    watch_thread_unless_muted(author, thread)
    asker = _help_request_owner(thread)
    if asker is not None:
        notify(asker, NotificationKind.HELP_REPLY, actor=author, thread=thread, post=post)
    told = _mentioned_in(post) | ({asker.id} if asker is not None else set())
    followers = [person for person in thread_followers(thread) if person.id not in told]
    notify_many(followers, NotificationKind.REPLY, actor=author, thread=thread, post=post)


def circle_joined(actor: User, thread: Thread, people: list[User]) -> None:
    """Tell people they were named into a confidential circle."""
    notify_many(people, NotificationKind.CIRCLE_ADDED, actor=actor, thread=thread)


def circle_left(actor: User, person: User) -> None:
    """Tell a person they were taken out of a circle: no title, as they may no longer see it."""
    notify(person, NotificationKind.CIRCLE_REMOVED, actor=actor)


def post_hidden(actor: User, post: Post, reason: str) -> None:
    """Tell a post's author that a moderator hid it, and why."""
    notify(
        post.author,
        NotificationKind.POST_HIDDEN,
        actor=actor,
        thread=post.thread,
        post=post,
        reason=reason,
    )


def post_restored(actor: User, post: Post) -> None:
    """Tell a post's author that a moderator showed it again."""
    notify(post.author, NotificationKind.POST_RESTORED, actor=actor, thread=post.thread, post=post)


def post_edited_by_moderator(actor: User, post: Post) -> None:
    """Tell a post's author that a moderator changed their text."""
    notify(post.author, NotificationKind.POST_EDITED, actor=actor, thread=post.thread, post=post)


def reports_answered(actor: User, reports: list[Report], reason: str = "") -> None:
    """Tell each reporter that a facilitator handled their report."""
    for report in reports:
        notify(report.reporter, NotificationKind.REPORT_ANSWERED, actor=actor, report=report)


def commitment_commented(comment: CommitmentComment, commitment: Commitment) -> None:
    """Tell a commitment's owner that someone commented on it."""
    notify(
        commitment.owner,
        NotificationKind.COMMITMENT_COMMENT,
        actor=comment.author,
        commitment=commitment,
    )


def meeting_published(actor: User, meeting: Meeting) -> None:
    """Tell everyone that a meeting was planned."""
    notify_many(_everyone(), NotificationKind.MEETING_PUBLISHED, actor=actor, meeting=meeting)


def meeting_changed(actor: User, meeting: Meeting) -> None:
    """Tell everyone that a meeting's date, time or place changed."""
    notify_many(_everyone(), NotificationKind.MEETING_CHANGED, actor=actor, meeting=meeting)


def survey_opened(actor: User, survey: Survey) -> None:
    """Tell everyone that a meeting's survey is open for answers."""
    notify_many(
        _everyone(),
        NotificationKind.SURVEY_OPENED,
        actor=actor,
        survey=survey,
        meeting=survey.meeting,
    )
