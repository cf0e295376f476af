"""The resource library: files and links by theme, their versions, and where they are used."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.accounts import User
from forum.models.actions import Commitment, LogEntry
from forum.models.base import utcnow
from forum.models.forum import Post, Theme
from forum.models.meetings import Meeting
from forum.models.vocabulary import ResourceKind, ResourceVisibility, TextState, enum_column


class Resource(Model):
    """A file or a link members can use, with where it came from."""

    __tablename__ = "resources"
    __table_args__ = (
        # Lists are newest first, or by title; removed ones are left out of both.
        Index("ix_resources_listed_created", "removed_at", "created_at", "id"),
        Index("ix_resources_listed_title", "removed_at", "title", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind))
    title: Mapped[str] = mapped_column(String(200))
    description_md: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    description_render_version: Mapped[int] = mapped_column(default=0)
    url: Mapped[str] = mapped_column(String(2000), default="")  # a link's address
    library: Mapped[str] = mapped_column(String(160), default="", index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    visibility: Mapped[ResourceVisibility] = mapped_column(
        enum_column(ResourceVisibility), default=ResourceVisibility.NETWORK, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # In the facilitators' bin since then; purged 30 days later.
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    added_by: Mapped[User] = relationship(foreign_keys=[added_by_id])
    removed_by: Mapped[User | None] = relationship(foreign_keys=[removed_by_id])
    meeting: Mapped[Meeting | None] = relationship()
    themes: Mapped[list[ResourceTheme]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceTheme.theme_id"
    )
    goals: Mapped[list[ResourceGoal]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceGoal.sdg"
    )
    versions: Mapped[list[ResourceFile]] = relationship(
        cascade="all, delete-orphan", order_by="ResourceFile.id.desc()"
    )

    @property
    def description(self) -> Markup:
        """Return the stored, sanitised HTML of the description."""
        return Markup(self.description_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def is_removed(self) -> bool:
        """Return whether the resource is in the bin."""
        return self.removed_at is not None

    @property
    def is_file(self) -> bool:
        """Return whether the resource is an uploaded file."""
        return self.kind == ResourceKind.FILE


class ResourceTheme(Model):
    """A theme a resource belongs to (one or more)."""

    __tablename__ = "resource_themes"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    theme: Mapped[Theme] = relationship()


class ResourceGoal(Model):
    """A UN Sustainable Development Goal (verdensmål, 1–17) a resource relates to."""

    __tablename__ = "resource_goals"

    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True
    )
    sdg: Mapped[int] = mapped_column(primary_key=True, index=True)


class ResourceFile(Model):
    """One uploaded version of a file resource; the newest is the current one.

    The bytes live in the upload folder under `stored_name`, a generated name; the name the
    file had on the uploader's computer is kept, cleaned, only to name the download.
    """

    __tablename__ = "resource_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int | None]  # PDF pages, where known
    width: Mapped[int | None]  # images
    height: Mapped[int | None]
    preview_name: Mapped[str | None] = mapped_column(String(80))  # a small image, for images
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The file's text for search, read by the worker (never in a request: parsing is slow and
    # can fail). `text_lease_until` keeps two workers from reading the same file at once.
    text_state: Mapped[TextState] = mapped_column(
        enum_column(TextState), default=TextState.PENDING, index=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    text_error: Mapped[str] = mapped_column(String(300), default="")
    text_attempts: Mapped[int] = mapped_column(default=0)
    text_lease_until: Mapped[datetime | None]

    uploaded_by: Mapped[User] = relationship()


class ResourceUse(Model):
    """That a post, a log entry or a commitment links to a resource ("brugt i").

    Recorded when the text is saved, from the links in it, and removed when it no longer
    links the resource. Exactly one of post, log entry and commitment is set (the service
    that records uses sees to it: a portable CHECK over three nullable columns is not).
    """

    __tablename__ = "resource_uses"
    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    log_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("log_entries.id", ondelete="CASCADE"), index=True
    )
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[Post | None] = relationship()
    log_entry: Mapped[LogEntry | None] = relationship()
    commitment: Mapped[Commitment | None] = relationship()
