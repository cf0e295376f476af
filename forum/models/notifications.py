"""Read marks, following, notifications, email preferences and the outgoing email queue."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.accounts import User
from forum.models.actions import Commitment
from forum.models.base import utcnow
from forum.models.forum import Thread
from forum.models.library import Resource
from forum.models.meetings import Meeting, Survey
from forum.models.vocabulary import (
    DigestPeriod,
    EmailDelivery,
    EmailTopic,
    NotificationKind,
    WatchLevel,
    enum_column,
)


class ThreadRead(Model):
    """How far a person has read a thread: the highest post position they have seen."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    last_read_position: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class ThreadWatch(Model):
    """A person's chosen level of following for one thread (no row: normal)."""

    __tablename__ = "thread_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[WatchLevel] = mapped_column(enum_column(WatchLevel))


class ThemeWatch(Model):
    """A person's chosen level of following for one theme (no row: normal)."""

    __tablename__ = "theme_watches"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    level: Mapped[WatchLevel] = mapped_column(enum_column(WatchLevel))


class Notification(Model):
    """Something that happened that one person should know about.

    It points at what it is about; pages and emails ask forum.permissions at the moment they
    are shown or sent whether the reader may still see it, and never copy its text here.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at"),
        Index("ix_notifications_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, 30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE")
    )
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id", ondelete="CASCADE"))
    # A moderator's reason, shown only to the post's author (whose post it was).
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
    survey: Mapped[Survey | None] = relationship()
    resource: Mapped[Resource | None] = relationship()

    @property
    def is_read(self) -> bool:
        """Return whether the reader has seen it."""
        return self.read_at is not None


class EmailPreference(Model):
    """When one person gets email about one topic (no row: the topic's default)."""

    __tablename__ = "email_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[EmailTopic] = mapped_column(enum_column(EmailTopic), primary_key=True)
    delivery: Mapped[EmailDelivery] = mapped_column(enum_column(EmailDelivery))


class OutboxEmail(Model):
    """An email waiting to be sent by the worker, written in the transaction that caused it.

    The worker renders `template` with `context` in `language` when it sends, so nothing
    slow happens in the request; for a notification it first asks forum.permissions whether
    the recipient may still see what it is about.
    """

    __tablename__ = "outbox_emails"
    __table_args__ = (Index("ix_outbox_emails_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    to_address: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(5), default="da")
    template: Mapped[str] = mapped_column(String(60))
    context: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    notification_id: Mapped[int | None] = mapped_column(
        ForeignKey("notifications.id", ondelete="SET NULL")
    )
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    in_reply_to: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A worker that claimed the email owns it until then (it may have died; then it is free).
    claimed_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    # Not sent and not to be tried again: the reader may no longer see it, or retries ran out.
    dropped_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")


class DigestSent(Model):
    """That a person's digest for one period went out; its key makes it once per period."""

    __tablename__ = "digests_sent"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    period: Mapped[DigestPeriod] = mapped_column(enum_column(DigestPeriod), primary_key=True)
    period_start: Mapped[date] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
