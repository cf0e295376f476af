"""Moderation: reports of posts, the moderation log and home-page announcements."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.forum import Post, Thread
from forum.models.vocabulary import ReportResolution, enum_column


class Report(Model):
    """A member's report of a post, waiting for a facilitator to resolve it."""

    __tablename__ = "reports"
    __table_args__ = (Index("ix_reports_open", "resolved_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolution: Mapped[ReportResolution] = mapped_column(
        enum_column(ReportResolution), default=ReportResolution.OPEN
    )

    post: Mapped[Post] = relationship()
    reporter: Mapped[User] = relationship(foreign_keys=[reporter_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    @property
    def is_open(self) -> bool:
        """Return whether no facilitator has handled the report yet."""
        return self.resolved_at is None


class ModerationLogEntry(Model):
    """One moderator action: who did what to which thread or post, when and why."""

    __tablename__ = "moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    actor: Mapped[User] = relationship(foreign_keys=[actor_id])
    thread: Mapped[Thread | None] = relationship()
    post: Mapped[Post | None] = relationship()
    subject_user: Mapped[User | None] = relationship(foreign_keys=[subject_user_id])


class Announcement(Model):
    """A facilitator's announcement, pinned to the home page until removed."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_render_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(index=True)

    author: Mapped[User] = relationship()

    @property
    def html(self) -> Markup:
        """Return the stored, sanitised HTML, ready to print in a template."""
        return Markup(self.body_html)  # noqa: S704 (sanitised by forum.markdown on save)
