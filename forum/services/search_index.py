"""Keeping the search index in step with what it indexes, in the same transaction.

A listener on the session's flush notes every searchable thing written (new, edited, moved,
withdrawn, hidden, removed, deleted) and rewrites its index rows at once on the same
connection, so the index commits or rolls back with the change that caused it. Only the
columns that carry words or filters count: a reply bumping its thread's counters does not
re-index the thread. Who may see a row is not indexed at all; the search asks the gates.

`rebuild()` writes the whole index again (`flask --app wsgi reindex`).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask
from sqlalchemy import Connection, and_, delete, event, func, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, UOWTransaction

from forum.extensions import db
from forum.models import (
    Commitment,
    CommitmentComment,
    CommitmentGoal,
    LogEntry,
    Meeting,
    Post,
    Resource,
    ResourceFile,
    ResourceGoal,
    ResourceTheme,
    SearchDocument,
    SearchKind,
    TextState,
    Thread,
    User,
)
from forum.services import search_text

# The most characters of one thing that are searchable (about 80 pages).
TEXT_MAX = 200_000
# The most bytes of words one row gives the engine: PostgreSQL refuses a tsvector over 1 MB,
# and folding (NFKC) can make some characters several times longer than they were.
TERMS_MAX_BYTES = 300_000
# Rows written per statement when rebuilding.
BATCH = 500
PENDING = "search_index_pending"

_BLOCK_END = re.compile(r"</(?:p|li|h\d|blockquote|pre|tr|div)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v]+")


def plain_text(stored_html: str) -> str:
    """Return the readable text of stored (already sanitised) HTML, a line per block."""
    text = _TAG.sub("", _BLOCK_END.sub("\n", stored_html))
    lines = (_SPACES.sub(" ", line).strip() for line in html.unescape(text).splitlines())
    return "\n".join(line for line in lines if line)


def _joined(*parts: str) -> str:
    """Return the non-empty parts, a paragraph each."""
    return "\n".join(part for part in parts if part)


def _goals(numbers: Iterable[int]) -> str:
    """Return goal numbers as the `sdgs` column holds them: ",3,11," (or "")."""
    ordered = sorted(set(numbers))
    return "," + ",".join(str(n) for n in ordered) + "," if ordered else ""


def _at_most_bytes(terms: str) -> str:
    """Return the words cut to TERMS_MAX_BYTES of UTF-8, at a word's end."""
    encoded = terms.encode()
    if len(encoded) <= TERMS_MAX_BYTES:
        return terms
    return encoded[:TERMS_MAX_BYTES].decode(errors="ignore").rsplit(" ", 1)[0]


@dataclass
class Document:
    """An index row before it is written."""

    kind: SearchKind
    key: int
    created_at: datetime
    title: str = ""
    body: str = ""
    thread_id: int | None = None
    post_id: int | None = None
    commitment_id: int | None = None
    resource_id: int | None = None
    meeting_id: int | None = None
    theme_id: int | None = None
    author_id: int | None = None
    sdgs: str = ""

    def row(self, terms: Callable[[str], str]) -> dict[str, Any]:
        """Return the row to insert, its words read by the engine's `terms` function."""
        title, body = self.title[:400], self.body[:TEXT_MAX]
        return {
            "kind": self.kind,
            "key": self.key,
            "created_at": self.created_at,
            "title": title,
            "body": body,
            "title_terms": _at_most_bytes(terms(title)),
            "body_terms": _at_most_bytes(terms(body)),
            "thread_id": self.thread_id,
            "post_id": self.post_id,
            "commitment_id": self.commitment_id,
            "resource_id": self.resource_id,
            "meeting_id": self.meeting_id,
            "theme_id": self.theme_id,
            "author_id": self.author_id,
            "sdgs": self.sdgs,
        }


def _where_in(column: Any, ids: Sequence[int] | None) -> Any:
    """Return `column IN ids`, or no restriction when ids is None (everything)."""
    return column.in_(ids) if ids is not None else and_(True)


# --- what each kind of thing says ------------------------------------------------------------


def _threads(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield thread rows: the title, and the opening post unless withdrawn or hidden."""
    opening = (
        select(Post.thread_id, Post.body_html, Post.withdrawn_at, Post.hidden_at)
        .where(Post.position == 1)
        .subquery()
    )
    rows = connection.execute(
        select(
            Thread.id,
            Thread.title,
            Thread.theme_id,
            Thread.author_id,
            Thread.created_at,
            opening.c.body_html,
            opening.c.withdrawn_at,
            opening.c.hidden_at,
        )
        .outerjoin(opening, opening.c.thread_id == Thread.id)
        .where(_where_in(Thread.id, ids))
        .order_by(Thread.id)
    )
    for row in rows:
        shown = row.body_html and row.withdrawn_at is None and row.hidden_at is None
        yield Document(
            SearchKind.THREAD,
            row.id,
            row.created_at,
            title=row.title,
            body=plain_text(row.body_html) if shown else "",
            thread_id=row.id,
            theme_id=row.theme_id,
            author_id=row.author_id,
        )


def _posts(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield reply rows (the opening post is part of its thread's row); withdrawn ones go."""
    rows = connection.execute(
        select(
            Post.id,
            Post.thread_id,
            Post.author_id,
            Post.created_at,
            Post.body_html,
            Thread.theme_id,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .where(_where_in(Post.id, ids), Post.position > 1, Post.withdrawn_at.is_(None))
        .order_by(Post.id)
    )
    for row in rows:
        yield Document(
            SearchKind.POST,
            row.id,
            row.created_at,
            body=plain_text(row.body_html),
            thread_id=row.thread_id,
            post_id=row.id,
            theme_id=row.theme_id,
            author_id=row.author_id,
        )


def _commitment_goals(connection: Connection, ids: Sequence[int] | None) -> dict[int, str]:
    """Return each commitment's goals as the `sdgs` column holds them."""
    goals: dict[int, list[int]] = defaultdict(list)
    rows = connection.execute(
        select(CommitmentGoal.commitment_id, CommitmentGoal.sdg).where(
            _where_in(CommitmentGoal.commitment_id, ids)
        )
    )
    for commitment_id, sdg in rows:
        goals[commitment_id].append(sdg)
    return {commitment_id: _goals(numbers) for commitment_id, numbers in goals.items()}


def _commitments(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield commitment rows: what the member will do, and why."""
    goals = _commitment_goals(connection, ids)
    rows = connection.execute(
        select(
            Commitment.id,
            Commitment.title,
            Commitment.why_html,
            Commitment.theme_id,
            Commitment.owner_id,
            Commitment.created_at,
        )
        .where(_where_in(Commitment.id, ids))
        .order_by(Commitment.id)
    )
    for row in rows:
        yield Document(
            SearchKind.COMMITMENT,
            row.id,
            row.created_at,
            title=row.title,
            body=plain_text(row.why_html),
            commitment_id=row.id,
            theme_id=row.theme_id,
            author_id=row.owner_id,
            sdgs=goals.get(row.id, ""),
        )


def _log_entries(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield rows for updates on commitments: what was tried, learned, blocking, needed."""
    rows = connection.execute(
        select(
            LogEntry.id,
            LogEntry.commitment_id,
            LogEntry.author_id,
            LogEntry.created_at,
            LogEntry.tried_html,
            LogEntry.learned_html,
            LogEntry.blocking_html,
            LogEntry.needs_html,
            Commitment.theme_id,
        )
        .join(Commitment, Commitment.id == LogEntry.commitment_id)
        .where(_where_in(LogEntry.id, ids))
        .order_by(LogEntry.id)
    ).all()
    goals = _commitment_goals(connection, sorted({row.commitment_id for row in rows}))
    for row in rows:
        yield Document(
            SearchKind.LOG_ENTRY,
            row.id,
            row.created_at,
            body=_joined(
                *(
                    plain_text(part)
                    for part in (
                        row.tried_html,
                        row.learned_html,
                        row.blocking_html,
                        row.needs_html,
                    )
                )
            ),
            commitment_id=row.commitment_id,
            theme_id=row.theme_id,
            author_id=row.author_id,
            sdgs=goals.get(row.commitment_id, ""),
        )


def _comments(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield rows for comments on commitments."""
    rows = connection.execute(
        select(
            CommitmentComment.id,
            CommitmentComment.commitment_id,
            CommitmentComment.author_id,
            CommitmentComment.created_at,
            CommitmentComment.body_html,
            Commitment.theme_id,
        )
        .join(Commitment, Commitment.id == CommitmentComment.commitment_id)
        .where(_where_in(CommitmentComment.id, ids))
        .order_by(CommitmentComment.id)
    ).all()
    goals = _commitment_goals(connection, sorted({row.commitment_id for row in rows}))
    for row in rows:
        yield Document(
            SearchKind.COMMENT,
            row.id,
            row.created_at,
            body=plain_text(row.body_html),
            commitment_id=row.commitment_id,
            theme_id=row.theme_id,
            author_id=row.author_id,
            sdgs=goals.get(row.commitment_id, ""),
        )


def _resources(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield resource rows: title, description and the current file's text; removed ones go.

    A resource can have several themes; its row carries the first, and the theme filter also
    looks in resource_themes (see forum.services.search).
    """
    newest = (
        select(ResourceFile.resource_id, func.max(ResourceFile.id).label("file_id"))
        .group_by(ResourceFile.resource_id)
        .subquery()
    )
    rows = connection.execute(
        select(
            Resource.id,
            Resource.title,
            Resource.description_html,
            Resource.library,
            Resource.added_by_id,
            Resource.created_at,
            ResourceFile.text,
        )
        .outerjoin(newest, newest.c.resource_id == Resource.id)
        .outerjoin(ResourceFile, ResourceFile.id == newest.c.file_id)
        .where(_where_in(Resource.id, ids), Resource.removed_at.is_(None))
        .order_by(Resource.id)
    ).all()
    found = [row.id for row in rows]
    themes: dict[int, int] = {}
    goals: dict[int, list[int]] = defaultdict(list)
    if found:
        for resource_id, theme_id in connection.execute(
            select(ResourceTheme.resource_id, func.min(ResourceTheme.theme_id))
            .where(ResourceTheme.resource_id.in_(found))
            .group_by(ResourceTheme.resource_id)
        ):
            themes[resource_id] = theme_id
        for resource_id, sdg in connection.execute(
            select(ResourceGoal.resource_id, ResourceGoal.sdg).where(
                ResourceGoal.resource_id.in_(found)
            )
        ):
            goals[resource_id].append(sdg)
    for row in rows:
        yield Document(
            SearchKind.RESOURCE,
            row.id,
            row.created_at,
            title=row.title,
            body=_joined(plain_text(row.description_html), row.text or "", row.library),
            resource_id=row.id,
            theme_id=themes.get(row.id),
            author_id=row.added_by_id,
            sdgs=_goals(goals.get(row.id, [])),
        )


def _meetings(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield meeting rows: title and town, then place, host, agenda and practical notes."""
    rows = connection.execute(
        select(
            Meeting.id,
            Meeting.title,
            Meeting.town,
            Meeting.venue,
            Meeting.address,
            Meeting.host_library,
            Meeting.agenda_html,
            Meeting.practical_html,
            Meeting.created_at,
        )
        .where(_where_in(Meeting.id, ids))
        .order_by(Meeting.id)
    )
    for row in rows:
        yield Document(
            SearchKind.MEETING,
            row.id,
            row.created_at,
            title=" – ".join(part for part in (row.title, row.town) if part),
            body=_joined(
                row.venue,
                row.address,
                row.host_library,
                plain_text(row.agenda_html),
                plain_text(row.practical_html),
            ),
            meeting_id=row.id,
        )


def _members(connection: Connection, ids: Sequence[int] | None) -> Iterator[Document]:
    """Yield profile rows for active people: name, job, library, municipality, bio."""
    rows = connection.execute(
        select(
            User.id,
            User.name,
            User.job_title,
            User.library,
            User.municipality,
            User.region,
            User.bio,
            User.created_at,
        )
        .where(_where_in(User.id, ids), User.is_enabled.is_(True))
        .order_by(User.id)
    )
    for row in rows:
        yield Document(
            SearchKind.MEMBER,
            row.id,
            row.created_at,
            title=row.name,
            body=_joined(row.job_title, row.library, row.municipality, row.region, row.bio),
            author_id=row.id,
        )


BUILDERS: dict[SearchKind, Callable[[Connection, Sequence[int] | None], Iterator[Document]]] = {
    SearchKind.THREAD: _threads,
    SearchKind.POST: _posts,
    SearchKind.COMMITMENT: _commitments,
    SearchKind.LOG_ENTRY: _log_entries,
    SearchKind.COMMENT: _comments,
    SearchKind.RESOURCE: _resources,
    SearchKind.MEETING: _meetings,
    SearchKind.MEMBER: _members,
}


# --- writing ---------------------------------------------------------------------------------


def terms_function(connection: Connection) -> Callable[[str], str]:
    """Return how the engine behind the connection is given words: stemmed here for SQLite,
    folded for PostgreSQL (which stems them with its `danish` configuration)."""
    if connection.dialect.name == "sqlite":
        return search_text.stemmed
    return search_text.folded


def _insert(connection: Connection, documents: Iterable[Document]) -> int:
    """Insert the documents in batches; return how many."""
    terms = terms_function(connection)
    batch: list[dict[str, Any]] = []
    written = 0
    for document in documents:
        batch.append(document.row(terms))
        if len(batch) >= BATCH:
            connection.execute(insert(SearchDocument), batch)
            written += len(batch)
            batch = []
    if batch:
        connection.execute(insert(SearchDocument), batch)
        written += len(batch)
    return written


def _upsert(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert rows, or update those whose (kind, key) exists: two transactions re-indexing the
    same thing at once then wait for each other instead of colliding (PostgreSQL), and a row
    keeps its id."""
    dialect_insert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    statement = dialect_insert(SearchDocument)
    changed = {name: statement.excluded[name] for name in rows[0] if name not in ("kind", "key")}
    connection.execute(
        statement.on_conflict_do_update(index_elements=["kind", "key"], set_=changed), rows
    )


def reindex(connection: Connection, kind: SearchKind, ids: Sequence[int]) -> None:
    """Rewrite the index rows of these things from what is stored now, and delete the rows of
    things gone, withdrawn or removed."""
    if not ids:
        return
    ids = sorted(set(ids))
    terms = terms_function(connection)
    rows = [document.row(terms) for document in BUILDERS[kind](connection, ids)]
    if rows:
        _upsert(connection, rows)
    gone = set(ids) - {row["key"] for row in rows}
    if gone:
        connection.execute(
            delete(SearchDocument).where(
                SearchDocument.kind == kind, SearchDocument.key.in_(sorted(gone))
            )
        )


def rebuild(connection: Connection, progress: Callable[[int], None] | None = None) -> int:
    """Empty the index and write it again from everything stored; return the rows written.

    `progress` is called with the number of rows written by each step.
    """
    connection.execute(delete(SearchDocument))
    total = 0
    for builder in BUILDERS.values():
        batch: list[Document] = []
        for document in builder(connection, None):
            batch.append(document)
            if len(batch) >= BATCH:
                total += _insert(connection, batch)
                if progress:
                    progress(len(batch))
                batch = []
        total += _insert(connection, batch)
        if progress and batch:
            progress(len(batch))
    if connection.dialect.name == "sqlite":
        # The triggers kept the FTS table in step row by row; rebuilding it from the content
        # table once more also drops anything an earlier fault may have left in it.
        connection.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    return total


def reread_files() -> int:
    """Mark every uploaded document's text to be read again by the worker; return how many."""
    result = db.session.execute(
        update(ResourceFile)
        .where(ResourceFile.text_state != TextState.NONE)
        .values(text_state=TextState.PENDING, text_attempts=0, text_lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def source_count(connection: Connection) -> int:
    """Return an upper bound of the rows a rebuild writes (for a progress bar)."""
    tables = (Thread, Post, Commitment, LogEntry, CommitmentComment, Resource, Meeting, User)
    return sum(
        connection.execute(select(func.count()).select_from(model)).scalar_one() for model in tables
    )


# --- following the session ------------------------------------------------------------------

Target = tuple[SearchKind, int]


def _post_targets(post: Post) -> list[Target]:
    """Return the row a post lives in: its thread's for the opening post, else its own."""
    if post.position == 1:
        return [(SearchKind.THREAD, post.thread_id)]
    return [(SearchKind.POST, post.id)]


# For each model: the attributes whose change alters the index (none: any change does), and
# the rows to rewrite. Visibility, circles and hiding threads are not here: the gates decide
# those at the moment of each search.
WATCHED: dict[type, tuple[tuple[str, ...], Callable[[Any], list[Target]]]] = {
    Thread: (
        ("title", "theme_id", "author_id", "created_at"),
        lambda t: [(SearchKind.THREAD, t.id)],
    ),
    Post: (("body_html", "withdrawn_at", "hidden_at", "position", "created_at"), _post_targets),
    Commitment: (
        ("title", "why_html", "theme_id", "owner_id", "created_at", "goals"),
        lambda c: [(SearchKind.COMMITMENT, c.id)],
    ),
    CommitmentGoal: ((), lambda g: [(SearchKind.COMMITMENT, g.commitment_id)]),
    LogEntry: (
        ("tried_html", "learned_html", "blocking_html", "needs_html", "created_at"),
        lambda e: [(SearchKind.LOG_ENTRY, e.id)],
    ),
    CommitmentComment: (("body_html", "created_at"), lambda c: [(SearchKind.COMMENT, c.id)]),
    Resource: (
        (
            "title",
            "description_html",
            "library",
            "removed_at",
            "added_by_id",
            "created_at",
            # A theme or goal only taken away leaves no row of its own in the flush.
            "themes",
            "goals",
        ),
        lambda r: [(SearchKind.RESOURCE, r.id)],
    ),
    ResourceTheme: ((), lambda t: [(SearchKind.RESOURCE, t.resource_id)]),
    ResourceGoal: ((), lambda g: [(SearchKind.RESOURCE, g.resource_id)]),
    ResourceFile: (("text",), lambda f: [(SearchKind.RESOURCE, f.resource_id)]),
    Meeting: (
        ("title", "town", "venue", "address", "host_library", "agenda_html", "practical_html"),
        lambda m: [(SearchKind.MEETING, m.id)],
    ),
    User: (
        ("name", "job_title", "library", "municipality", "region", "bio", "is_enabled"),
        lambda u: [(SearchKind.MEMBER, u.id)],
    ),
}


def _changed(obj: Any, attributes: tuple[str, ...]) -> bool:
    """Return whether any of the attributes of a loaded object has a pending change."""
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _note_changes(session: Session, _flush_context: UOWTransaction, _instances: Any) -> None:
    """Before a flush, note the searchable things it writes (ids come after the flush)."""
    noted: list[tuple[Any, Callable[[Any], list[Target]]]] = session.info.setdefault(PENDING, [])
    dirty = session.dirty
    for obj in [*session.new, *dirty, *session.deleted]:
        watched = WATCHED.get(type(obj))
        if watched is None:
            continue
        attributes, targets = watched
        if obj in dirty and attributes and not _changed(obj, attributes):
            continue
        noted.append((obj, targets))


def _write_changes(session: Session, _flush_context: UOWTransaction) -> None:
    """After a flush, rewrite the index rows of what it changed, on the same connection."""
    noted = session.info.pop(PENDING, [])
    if not noted:
        return
    wanted: dict[SearchKind, set[int]] = defaultdict(set)
    for obj, targets in noted:
        for kind, key in targets(obj):
            if key is not None:
                wanted[kind].add(key)
    connection = session.connection()
    for kind, keys in wanted.items():
        reindex(connection, kind, sorted(keys))
        if kind == SearchKind.THREAD:
            _follow_thread(connection, keys)
        elif kind == SearchKind.COMMITMENT:
            _follow_commitment(connection, keys)


def _follow_thread(connection: Connection, thread_ids: set[int]) -> None:
    """Carry a thread's theme to its replies' rows (it may have been moved)."""
    for thread_id in thread_ids:
        theme_id = select(Thread.theme_id).where(Thread.id == thread_id).scalar_subquery()
        connection.execute(
            update(SearchDocument)
            .where(
                SearchDocument.thread_id == thread_id,
                SearchDocument.kind == SearchKind.POST,
                SearchDocument.theme_id.is_distinct_from(theme_id),  # only after a move
            )
            .values(theme_id=theme_id)
        )


def _follow_commitment(connection: Connection, commitment_ids: set[int]) -> None:
    """Carry a commitment's theme and goals to its updates' and comments' rows."""
    goals = _commitment_goals(connection, sorted(commitment_ids))
    for commitment_id in commitment_ids:
        theme_id = (
            select(Commitment.theme_id).where(Commitment.id == commitment_id).scalar_subquery()
        )
        sdgs = goals.get(commitment_id, "")
        connection.execute(
            update(SearchDocument)
            .where(
                SearchDocument.commitment_id == commitment_id,
                SearchDocument.kind.in_((SearchKind.LOG_ENTRY, SearchKind.COMMENT)),
                # Only rows that differ: a one-word edit must not rewrite the whole log.
                (SearchDocument.theme_id.is_distinct_from(theme_id))
                | (SearchDocument.sdgs != sdgs),
            )
            .values(theme_id=theme_id, sdgs=sdgs)
        )


def init_app(app: Flask) -> None:
    """Follow the session's flushes, once however many apps are made (the session class is
    shared by every app in the process)."""
    del app
    for name, listener in (("before_flush", _note_changes), ("after_flush", _write_changes)):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
