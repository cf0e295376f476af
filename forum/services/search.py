"""Search: one interface over SQLite FTS5 and PostgreSQL full-text search.

A search is three queries whatever the data size: a page of results, the number of results of
each kind, and the colleagues who have worked with the subject. Every one of them is filtered
by permissions.visible_search_documents (or visible_colleague_documents), so results, counts
and snippets only reflect what the searcher may see at the moment of the search. Snippets are
cut from the stored text here, with the matching words marked, the same way on both engines.

Ranking: a match in the title comes first, then the engine's relevance (bm25 on SQLite,
ts_rank on PostgreSQL, the title weighted above the body), then the newest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    column,
    desc,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import aliased

from forum.extensions import db
from forum.models import (
    Commitment,
    ResourceTheme,
    SearchDocument,
    SearchKind,
    Theme,
    Thread,
    User,
    Visibility,
)
from forum.permissions import (
    visible_colleague_documents,
    visible_members,
    visible_search_documents,
)
from forum.services import search_text
from forum.services.search_text import Query

PAGE_SIZE = 20
# Pages beyond this are not offered: nobody reads the 500th result, and deep offsets cost.
PAGE_MAX = 25
COLLEAGUES_MAX = 5
# Rows read to find COLLEAGUES_MAX distinct people (several rows may name the same person).
COLLEAGUE_ROWS = 60
SIMILAR_MAX = 5
SNIPPET_WORDS = 32
# A snippet is cut from this many first characters: a match further into an 80-page file
# is found, and its snippet shows the file's beginning.
SNIPPET_SCAN = 20_000
TIMEZONE = ZoneInfo("Europe/Copenhagen")

# The kinds a results page groups, by the name used in its address.
GROUPS: dict[str, tuple[SearchKind, ...]] = {
    "traade": (SearchKind.THREAD, SearchKind.POST),
    "handlinger": (SearchKind.COMMITMENT, SearchKind.LOG_ENTRY, SearchKind.COMMENT),
    "ressourcer": (SearchKind.RESOURCE,),
    "moeder": (SearchKind.MEETING,),
}
RESULT_KINDS = tuple(kind for kinds in GROUPS.values() for kind in kinds)
GROUP_OF = {kind: group for group, kinds in GROUPS.items() for kind in kinds}

_fts = table("search_fts", column("rowid"))


@dataclass
class Filters:
    """What the results are narrowed to; None narrows nothing."""

    group: str | None = None
    theme_id: int | None = None
    author_id: int | None = None
    library: str | None = None
    sdg: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass
class Hit:
    """One result: what it is, where it belongs, and its words with the matches marked."""

    kind: SearchKind
    key: int
    title: Markup
    snippet: Markup
    created_at: datetime
    author_id: int | None
    author_name: str
    theme_name: str
    context_title: str  # a reply's thread, an update's or comment's commitment
    confidential: bool  # in a circle or facilitators-only thread
    thread_id: int | None
    commitment_id: int | None
    resource_id: int | None
    meeting_id: int | None


@dataclass
class Colleague:
    """A member who has worked with what was searched for, and the commitment that shows it."""

    user: User
    commitment_id: int | None = None
    commitment_title: str = ""
    commitment_done: bool = False


@dataclass
class Results:
    """A page of results, the count of each group, and the colleagues to ask."""

    hits: list[Hit] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    page: int = 1
    colleagues: list[Colleague] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Return the number of results in every group."""
        return sum(self.counts.values())

    def shown_total(self, group: str | None) -> int:
        """Return the number of results in the group shown (or in all)."""
        return self.counts.get(group, 0) if group else self.total

    def has_next(self, group: str | None) -> bool:
        """Return whether a next page exists (within PAGE_MAX)."""
        return self.page < PAGE_MAX and self.page * PAGE_SIZE < self.shown_total(group)


# --- the engines -----------------------------------------------------------------------------


def _is_sqlite() -> bool:
    """Return whether the session's database is SQLite."""
    return db.session.get_bind().dialect.name == "sqlite"


@dataclass(frozen=True)
class _Match:
    """How the engine is asked: the WHERE condition, the relevance (higher is better), and
    whether the title matched."""

    condition: ColumnElement[bool]
    relevance: ColumnElement[Any]
    in_title: ColumnElement[Any]
    join_fts: bool


def _match(query: Query, title_only: bool = False) -> _Match:
    """Return the engine's condition for a searchable query."""
    if _is_sqlite():
        expression = search_text.fts5_match(query, title_only=title_only)
        condition = literal_column("search_fts").op("MATCH")(bindparam("fts_query", expression))
        in_title = SearchDocument.id.in_(
            select(literal_column("rowid"))
            .select_from(_fts)
            .where(
                literal_column("search_fts").op("MATCH")(
                    bindparam("fts_title", search_text.fts5_match(query, title_only=True))
                )
            )
        )
        # bm25 is lower for better matches; the title counts ten times the body.
        relevance = -func.bm25(literal_column("search_fts"), 10.0, 1.0)
        return _Match(condition, relevance, in_title, join_fts=True)
    vector: ColumnElement[Any] = literal_column("search_documents.vector")
    tsquery = func.to_tsquery(
        literal_column("'danish'::regconfig"),
        bindparam("ts_query", search_text.tsquery(query, title_only=title_only)),
    )
    title_tsquery = func.to_tsquery(
        literal_column("'danish'::regconfig"),
        bindparam("ts_title", search_text.tsquery(query, title_only=True)),
    )
    return _Match(
        vector.op("@@")(tsquery),
        func.ts_rank(vector, tsquery),
        vector.op("@@")(title_tsquery),
        join_fts=False,
    )


def _matching(match: _Match, *columns: Any) -> Select[Any]:
    """Return a SELECT of the columns over the index rows that match."""
    query = select(*columns).select_from(SearchDocument)
    if match.join_fts:
        query = query.join(_fts, _fts.c.rowid == SearchDocument.id)
    return query.where(match.condition)


# --- filters ---------------------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    """Return the start of a Copenhagen day as naive UTC (how times are stored)."""
    return datetime.combine(day, time(0), TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def _filter_conditions(filters: Filters) -> list[ColumnElement[bool]]:
    """Return the conditions of the filters other than the group."""
    conditions: list[ColumnElement[bool]] = []
    if filters.theme_id is not None:
        conditions.append(
            or_(
                SearchDocument.theme_id == filters.theme_id,
                and_(
                    SearchDocument.kind == SearchKind.RESOURCE,
                    exists().where(
                        ResourceTheme.resource_id == SearchDocument.resource_id,
                        ResourceTheme.theme_id == filters.theme_id,
                    ),
                ),
            )
        )
    if filters.author_id is not None:
        conditions.append(SearchDocument.author_id == filters.author_id)
    if filters.library:
        conditions.append(
            exists().where(User.id == SearchDocument.author_id, User.library == filters.library)
        )
    if filters.sdg is not None:
        conditions.append(SearchDocument.sdgs.like(f"%,{int(filters.sdg)},%"))
    if filters.date_from is not None:
        conditions.append(SearchDocument.created_at >= _local_midnight(filters.date_from))
    if filters.date_to is not None:
        end = _local_midnight(filters.date_to + timedelta(days=1))
        conditions.append(SearchDocument.created_at < end)
    return conditions


# --- snippets --------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+")


def _is_match(word: str, stems: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    """Return whether a word as written matches one of the query's stems or beginnings."""
    folded = search_text.fold(word)
    if any(folded.startswith(prefix) for prefix in prefixes):
        return True
    return search_text.stem(folded) in stems


def highlight(text: str, query: Query) -> Markup:
    """Return the text escaped, with the words that match the query marked."""
    stems, prefixes = query.highlight_words()
    out: list[str | Markup] = []
    last = 0
    for token in _TOKEN.finditer(text):
        if _is_match(token.group(), stems, prefixes):
            out.append(escape(text[last : token.start()]))
            out.append(Markup("<mark>%s</mark>") % token.group())
            last = token.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, query: Query, words: int = SNIPPET_WORDS) -> Markup:
    """Return a short passage of the text around its first match, the matches marked (the
    beginning of the text when the match was elsewhere, e.g. only in the title)."""
    stems, prefixes = query.highlight_words()
    tokens = list(_TOKEN.finditer(text))
    first = next(
        (i for i, token in enumerate(tokens) if _is_match(token.group(), stems, prefixes)), 0
    )
    start_token = max(0, first - words // 4)
    end_token = min(len(tokens), start_token + words)
    if not tokens:
        return Markup("")
    start = tokens[start_token].start() if start_token else 0
    end = tokens[end_token - 1].end() if end_token < len(tokens) else len(text)
    passage = " ".join(text[start:end].split())
    marked = highlight(passage, query)
    before = Markup("… ") if start > 0 else Markup("")
    after = Markup(" …") if end < len(text) else Markup("")
    return before + marked + after


# --- searching -------------------------------------------------------------------------------


def search(viewer: User, query: Query, filters: Filters, page: int = 1) -> Results:
    """Return a page of the results the viewer may see, the count of each group, and the
    colleagues to ask. The query must be searchable (query.is_searchable)."""
    page = max(1, min(page, PAGE_MAX))
    match = _match(query)
    conditions = [
        SearchDocument.kind.in_(RESULT_KINDS),
        visible_search_documents(viewer),
        *_filter_conditions(filters),
    ]
    results = Results(page=page)

    counted = _matching(match, SearchDocument.kind, func.count()).where(*conditions)
    per_kind = db.session.execute(counted.group_by(SearchDocument.kind)).all()
    for kind, count in per_kind:
        group = GROUP_OF[SearchKind(kind)]
        results.counts[group] = results.counts.get(group, 0) + count

    if filters.group in GROUPS:
        conditions.append(SearchDocument.kind.in_(GROUPS[filters.group]))
    results.hits = _page_of_hits(match, conditions, query, page)
    results.colleagues = colleagues(viewer, query)
    return results


def _page_of_hits(
    match: _Match, conditions: Sequence[ColumnElement[bool]], query: Query, page: int
) -> list[Hit]:
    """Return one page of hits, best first, with what each needs to be shown.

    Two queries: the ranking sorts every match, so it carries only ids; the page's twenty
    rows are then loaded with their text and what they belong to.
    """
    ranked = db.session.scalars(
        _matching(match, SearchDocument.id)
        .where(*conditions)
        .order_by(
            desc(case((match.in_title, 1), else_=0)),
            desc(match.relevance),
            SearchDocument.created_at.desc(),
            SearchDocument.id.desc(),
        )
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    if not ranked:
        return []
    author = aliased(User)
    shown_thread = aliased(Thread)
    shown_commitment = aliased(Commitment)
    context_title = case(
        (SearchDocument.kind == SearchKind.POST, shown_thread.title),
        else_=shown_commitment.title,
    )
    confidential = and_(
        SearchDocument.kind.in_((SearchKind.THREAD, SearchKind.POST)),
        shown_thread.visibility != Visibility.NETWORK,
    )
    rows = db.session.execute(
        select(
            SearchDocument.id,
            SearchDocument.kind,
            SearchDocument.key,
            SearchDocument.title,
            func.substr(SearchDocument.body, 1, SNIPPET_SCAN).label("body"),
            SearchDocument.created_at,
            SearchDocument.author_id,
            SearchDocument.thread_id,
            SearchDocument.commitment_id,
            SearchDocument.resource_id,
            SearchDocument.meeting_id,
            author.name.label("author_name"),
            Theme.name.label("theme_name"),
            context_title.label("context_title"),
            confidential.label("confidential"),
        )
        .outerjoin(author, author.id == SearchDocument.author_id)
        .outerjoin(Theme, Theme.id == SearchDocument.theme_id)
        .outerjoin(shown_thread, shown_thread.id == SearchDocument.thread_id)
        .outerjoin(shown_commitment, shown_commitment.id == SearchDocument.commitment_id)
        # The gate again: a row rewritten between the two queries must not show (and one
        # gone meanwhile is left out).
        .where(SearchDocument.id.in_(ranked), *conditions)
    )
    by_id = {row.id: row for row in rows}
    hits = []
    for document_id in ranked:
        row = by_id.get(document_id)
        if row is None:
            continue
        hits.append(
            Hit(
                kind=SearchKind(row.kind),
                key=row.key,
                title=highlight(row.title, query),
                snippet=snippet(row.body, query),
                created_at=row.created_at,
                author_id=row.author_id,
                author_name=row.author_name or "",
                theme_name=row.theme_name or "",
                context_title=row.context_title or "",
                confidential=bool(row.confidential),
                thread_id=row.thread_id,
                commitment_id=row.commitment_id,
                resource_id=row.resource_id,
                meeting_id=row.meeting_id,
            )
        )
    return hits


def colleagues(viewer: User, query: Query) -> list[Colleague]:
    """Return up to COLLEAGUES_MAX other members whose profile, or whose commitment shared
    with the network and under way or done, matches the query; best match first."""
    match = _match(query)
    shown_commitment = aliased(Commitment)
    rows = db.session.execute(
        _matching(
            match,
            SearchDocument.author_id,
            SearchDocument.commitment_id,
            shown_commitment.title,
            shown_commitment.status,
        )
        .outerjoin(shown_commitment, shown_commitment.id == SearchDocument.commitment_id)
        .where(
            SearchDocument.kind.in_(
                (SearchKind.MEMBER, SearchKind.COMMITMENT, SearchKind.LOG_ENTRY)
            ),
            SearchDocument.author_id != viewer.id,
            visible_colleague_documents(viewer),
        )
        .order_by(desc(match.relevance), SearchDocument.id.desc())
        .limit(COLLEAGUE_ROWS)
    ).all()
    found: dict[int, Colleague] = {}
    for author_id, commitment_id, title, status in rows:
        if author_id is None:
            continue
        colleague = found.get(author_id)
        if colleague is None:
            if len(found) == COLLEAGUES_MAX:
                continue
            colleague = found[author_id] = Colleague(user=None)  # type: ignore[arg-type]
        if commitment_id is not None and colleague.commitment_id is None:
            colleague.commitment_id = commitment_id
            colleague.commitment_title = title
            colleague.commitment_done = status == "done"
    if not found:
        return []
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(found)))}
    chosen = []
    for author_id, colleague in found.items():
        colleague.user = users[author_id]
        chosen.append(colleague)
    return chosen


@dataclass(frozen=True)
class SimilarThread:
    """A thread whose title resembles a new thread's."""

    thread_id: int
    title: Markup
    post_count: int
    last_post_at: datetime


def similar_threads(viewer: User, title: str) -> list[SimilarThread]:
    """Return up to SIMILAR_MAX threads the viewer may see whose titles share words with this
    title, best first (shown before a new thread is posted)."""
    query = search_text.similar_title_query(title)
    if not query.is_searchable:
        return []
    match = _match(query, title_only=True)
    # An alias: the gate's own EXISTS over Thread must not be correlated with this join.
    shown = aliased(Thread)
    rows = db.session.execute(
        _matching(match, shown.id, shown.title, shown.post_count, shown.last_post_at)
        .join(shown, shown.id == SearchDocument.thread_id)
        .where(SearchDocument.kind == SearchKind.THREAD, visible_search_documents(viewer))
        .order_by(desc(match.relevance), shown.last_post_at.desc())
        .limit(SIMILAR_MAX)
    ).all()
    return [
        SimilarThread(row.id, highlight(row.title, query), row.post_count, row.last_post_at)
        for row in rows
    ]


def people_and_libraries(viewer: User) -> tuple[list[tuple[int, str]], list[str]]:
    """Return the people and libraries the filters offer: the profiles the viewer may see,
    whatever the results (so a filter never hints at what is hidden)."""
    people = [
        (row.id, row.name)
        for row in db.session.execute(
            select(User.id, User.name).where(visible_members(viewer)).order_by(User.name)
        )
    ]
    libraries = list(
        db.session.scalars(
            select(User.library)
            .where(visible_members(viewer), User.library != "")
            .distinct()
            .order_by(User.library)
        )
    )
    return people, libraries
