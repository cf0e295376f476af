"""The search index: one row per searchable thing, kept in step by forum.services.search_index.

A row holds the words as shown (for results and snippets) and the words as the engine reads
them (`*_terms`). The engine's own index sits beside the table and is not part of the models:
on SQLite an FTS5 table over the `*_terms` columns, kept by triggers; on PostgreSQL a
generated `tsvector` column (`danish` configuration) with a GIN index. Both are made by the
migration. Who may see a row is never stored here: the search joins each row to what it
stands for and asks forum.permissions at the moment of the search.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from forum.extensions import Model
from forum.models.vocabulary import SearchKind, enum_column

# The engines' own index structures, made by the migration and unknown to the models: the
# FTS5 table (and its shadow tables), the tsvector column and its GIN index.
ENGINE_TABLE_PREFIX = "search_fts"
ENGINE_COLUMN = "vector"
ENGINE_INDEX = "ix_search_documents_vector"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Tell Alembic's comparison to leave the engines' own search structures alone."""
    if type_ == "table" and name and name.startswith(ENGINE_TABLE_PREFIX):
        return False
    if type_ == "column" and name == ENGINE_COLUMN:
        return getattr(getattr(obj, "table", None), "name", None) != "search_documents"
    return not (type_ == "index" and name == ENGINE_INDEX)


class SearchDocument(Model):
    """One searchable thing: its kind, what it belongs to, and its words."""

    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("kind", "key"),
        Index("ix_search_documents_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(enum_column(SearchKind))
    key: Mapped[int]  # the id of the thread, post, commitment, ... it stands for
    # What it belongs to: the gates join on these; deleting the thing deletes its row.
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), index=True
    )
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int | None] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    # The filters: theme, author (and through them library), goals, date.
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    sdgs: Mapped[str] = mapped_column(String(80), default="")  # ",3,11," (LIKE '%,3,%')
    created_at: Mapped[datetime] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(400), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
