"""Every stored Markdown field, and re-rendering the ones made under older rules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from forum import markdown
from forum.extensions import db
from forum.models import (
    Announcement,
    Commitment,
    CommitmentComment,
    LogEntry,
    Meeting,
    Post,
    PostRevision,
    Resource,
)
from forum.services.actions import TEXT_MAX as ACTION_TEXT_MAX
from forum.services.library import DESCRIPTION_MAX as RESOURCE_TEXT_MAX
from forum.services.meetings import TEXT_MAX as MEETING_TEXT_MAX
from forum.services.threads import BODY_MAX

# Rows re-rendered between two commits of `flask rerender`.
BATCH_SIZE = 200


@dataclass(frozen=True)
class MarkdownField:
    """A Markdown field: columns `<name>_md`, `<name>_html`, `<name>_render_version`."""

    model: type[Any]
    name: str
    # The longest text its service accepts; rendering any text up to it takes under a second.
    limit: int

    @property
    def label(self) -> str:
        """Return the field as `table.name`, for progress and messages."""
        return f"{self.model.__tablename__}.{self.name}"

    def version_column(self) -> Any:
        """Return the column holding the render version."""
        return getattr(self.model, f"{self.name}_render_version")


# Every model column that stores rendered Markdown is listed here (a test checks it).
MARKDOWN_FIELDS: tuple[MarkdownField, ...] = (
    MarkdownField(Post, "body", BODY_MAX),
    MarkdownField(PostRevision, "body", BODY_MAX),
    MarkdownField(Announcement, "body", BODY_MAX),
    MarkdownField(Commitment, "why", ACTION_TEXT_MAX),
    MarkdownField(LogEntry, "tried", ACTION_TEXT_MAX),
    MarkdownField(LogEntry, "learned", ACTION_TEXT_MAX),
    MarkdownField(LogEntry, "blocking", ACTION_TEXT_MAX),
    MarkdownField(LogEntry, "needs", ACTION_TEXT_MAX),
    MarkdownField(CommitmentComment, "body", ACTION_TEXT_MAX),
    MarkdownField(Meeting, "agenda", MEETING_TEXT_MAX),
    MarkdownField(Meeting, "practical", MEETING_TEXT_MAX),
    MarkdownField(Resource, "description", RESOURCE_TEXT_MAX),
)


def outdated_count(field: MarkdownField) -> int:
    """Return how many rows hold HTML of the field made under older rules."""
    query = select(func.count()).where(field.version_column() < markdown.RENDER_VERSION)
    return db.session.scalar(query.select_from(field.model)) or 0


def rerender_field(
    field: MarkdownField, batch_size: int = BATCH_SIZE, commit: bool = True
) -> Iterator[int]:
    """Re-render the field's outdated rows in batches of ids; yield each batch's size.

    With `commit`, each batch is committed before the next is read (see `flask rerender`).
    """
    last_id = 0
    model = field.model
    while True:
        rows = list(
            db.session.scalars(
                select(model)
                .where(field.version_column() < markdown.RENDER_VERSION, model.id > last_id)
                .order_by(model.id)
                .limit(batch_size)
            )
        )
        if not rows:
            return
        for row in rows:
            markdown.set_markdown(row, field.name, getattr(row, f"{field.name}_md") or "")
        last_id = rows[-1].id
        if commit:
            db.session.commit()
        else:
            db.session.flush()
        yield len(rows)


def rerender_all(
    on_batch: Callable[[MarkdownField, int], None] | None = None, batch_size: int = BATCH_SIZE
) -> int:
    """Re-render every outdated row of every Markdown field; return how many were."""
    total = 0
    for field in MARKDOWN_FIELDS:
        for done in rerender_field(field, batch_size):
            total += done
            if on_batch is not None:
                on_batch(field, done)
    return total
