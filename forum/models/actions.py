"""Action commitments made at meetings, their log entries and comments."""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.forum import Theme, Thread
from forum.models.meetings import Meeting
from forum.models.vocabulary import CommitmentStatus, CommitmentVisibility, enum_column


class Commitment(Model):
    """A member's commitment to act in their own library (handling / forpligtelse)."""

    __tablename__ = "commitments"
    __table_args__ = (
        Index("ix_commitments_owner_status_due", "owner_id", "status", "due_date"),
        Index("ix_commitments_visibility_status", "visibility", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))  # what I will do
    why_md: Mapped[str] = mapped_column(Text, default="")
    why_html: Mapped[str] = mapped_column(Text, default="")
    why_render_version: Mapped[int] = mapped_column(default=0)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    due_date: Mapped[date | None] = mapped_column(index=True)
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus), default=CommitmentStatus.PLANNED
    )
    visibility: Mapped[CommitmentVisibility] = mapped_column(
        enum_column(CommitmentVisibility), default=CommitmentVisibility.NETWORK
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_entry_at: Mapped[datetime | None] = mapped_column(index=True)
    entry_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)

    owner: Mapped[User] = relationship()
    theme: Mapped[Theme] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    goals: Mapped[list[CommitmentGoal]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan", order_by="CommitmentGoal.sdg"
    )

    @property
    def why(self) -> Markup:
        """Return the stored, sanitised HTML of why the member commits."""
        return Markup(self.why_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def sdgs(self) -> list[int]:
        """Return the numbers (1–17) of the UN Sustainable Development Goals it serves."""
        return [goal.sdg for goal in self.goals]


class CommitmentGoal(Model):
    """A UN Sustainable Development Goal (verdensmål, 1–17) a commitment serves."""

    __tablename__ = "commitment_goals"

    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), primary_key=True
    )
    sdg: Mapped[int] = mapped_column(primary_key=True, index=True)

    commitment: Mapped[Commitment] = relationship(back_populates="goals")


class LogEntry(Model):
    """A check-in on a commitment: tried, learned, blocking, needed from the others."""

    __tablename__ = "log_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    tried_md: Mapped[str] = mapped_column(Text, default="")
    tried_html: Mapped[str] = mapped_column(Text, default="")
    tried_render_version: Mapped[int] = mapped_column(default=0)
    learned_md: Mapped[str] = mapped_column(Text, default="")
    learned_html: Mapped[str] = mapped_column(Text, default="")
    learned_render_version: Mapped[int] = mapped_column(default=0)
    blocking_md: Mapped[str] = mapped_column(Text, default="")
    blocking_html: Mapped[str] = mapped_column(Text, default="")
    blocking_render_version: Mapped[int] = mapped_column(default=0)
    needs_md: Mapped[str] = mapped_column(Text, default="")
    needs_html: Mapped[str] = mapped_column(Text, default="")
    needs_render_version: Mapped[int] = mapped_column(default=0)
    asks_for_help: Mapped[bool] = mapped_column(default=False, index=True)
    help_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    commitment: Mapped[Commitment] = relationship()
    author: Mapped[User] = relationship()
    help_thread: Mapped[Thread | None] = relationship()

    @property
    def tried(self) -> Markup:
        """Return the stored HTML of what was tried."""
        return Markup(self.tried_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def learned(self) -> Markup:
        """Return the stored HTML of what happened and was learned."""
        return Markup(self.learned_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def blocking(self) -> Markup:
        """Return the stored HTML of what is blocking."""
        return Markup(self.blocking_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def needs(self) -> Markup:
        """Return the stored HTML of what is needed from the others."""
        return Markup(self.needs_html)  # noqa: S704 (sanitised by forum.markdown on save)


class CommitmentComment(Model):
    """Encouragement or advice from another member on a shared commitment."""

    __tablename__ = "commitment_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_render_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User] = relationship()

    @property
    def html(self) -> Markup:
        """Return the stored, sanitised HTML."""
        return Markup(self.body_html)  # noqa: S704 (sanitised by forum.markdown on save)
