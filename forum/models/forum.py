"""Themes, threads, posts and post revisions."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.vocabulary import Visibility, enum_column


class Theme(Model):
    """A theme of the network (Målsætning, Engagement, Partnerskaber ...)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0, index=True)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_archived(self) -> bool:
        """Return whether the theme is archived (read-only, out of the theme list)."""
        return self.archived_at is not None


class Thread(Model):
    """A conversation in a theme; counters are kept on the row for fast lists."""

    __tablename__ = "threads"
    __table_args__ = (Index("ix_threads_theme_activity", "theme_id", "last_post_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Highest position given out so far; positions never change, so it also counts hidden posts.
    post_count: Mapped[int] = mapped_column(default=0)
    hidden_post_count: Mapped[int] = mapped_column(default=0)
    last_post_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Who may see the thread (forum.permissions decides).
    visibility: Mapped[Visibility] = mapped_column(
        enum_column(Visibility), default=Visibility.NETWORK, index=True
    )
    pinned: Mapped[bool] = mapped_column(default=False)
    locked_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    theme: Mapped[Theme] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    last_poster: Mapped[User | None] = relationship(foreign_keys=[last_poster_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
    circle: Mapped[list[CircleMember]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="CircleMember.added_at"
    )

    @property
    def visible_post_count(self) -> int:
        """Return the number of posts members see (withdrawn ones count: they show as such)."""
        return max(self.post_count - self.hidden_post_count, 0)

    @property
    def reply_count(self) -> int:
        """Return the number of replies members see (after the opening post, hidden ones out)."""
        return max(self.visible_post_count - 1, 0)

    @property
    def is_confidential(self) -> bool:
        """Return whether the thread is narrower than the whole network."""
        return self.visibility != Visibility.NETWORK

    @property
    def is_locked(self) -> bool:
        """Return whether the thread takes no more replies."""
        return self.locked_at is not None

    @property
    def is_hidden(self) -> bool:
        """Return whether a facilitator has hidden the thread."""
        return self.hidden_at is not None


class CircleMember(Model):
    """A member the author (or a facilitator) named into a confidential circle thread."""

    __tablename__ = "circle_members"

    thread_id: Mapped[int] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    # Indexed on its own for the visibility filter's "is the viewer in this circle" lookup.
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    thread: Mapped[Thread] = relationship(back_populates="circle")
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Post(Model):
    """One post in a thread; Markdown is rendered to safe HTML once, on save."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("thread_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # 1-based number in the thread; pages are key ranges of it, so permalinks are cheap.
    position: Mapped[int]
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_render_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    edited_at: Mapped[datetime | None]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    thread: Mapped[Thread] = relationship()
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    edited_by: Mapped[User | None] = relationship(foreign_keys=[edited_by_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])

    @property
    def is_hidden(self) -> bool:
        """Return whether a facilitator has hidden the post."""
        return self.hidden_at is not None

    @property
    def edited_by_moderator(self) -> bool:
        """Return whether the last edit was made by someone other than the author."""
        return self.edited_by_id is not None and self.edited_by_id != self.author_id

    @property
    def html(self) -> Markup:
        """Return the stored, sanitised HTML, ready to print in a template."""
        return Markup(self.body_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def is_withdrawn(self) -> bool:
        """Return whether the author has withdrawn the post."""
        return self.withdrawn_at is not None


class PostRevision(Model):
    """An earlier version of a post, kept when the post is edited."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body_md: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    body_render_version: Mapped[int] = mapped_column(default=0)
    written_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime]
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)

    written_by: Mapped[User] = relationship()

    @property
    def html(self) -> Markup:
        """Return the stored, sanitised HTML, ready to print in a template."""
        return Markup(self.body_html)  # noqa: S704 (sanitised by forum.markdown on save)
