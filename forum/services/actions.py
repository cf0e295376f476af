"""Action commitments: make, change and log them, ask the network for help, comment; and the
read queries behind the commitment pages and the network list.

A commitment is *open* while planned, in progress or paused. The facilitator overview is in
`forum.services.overview`, meeting preparation and its export in `forum.services.preparation`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Select,
    exists,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from forum import markdown
from forum.extensions import db
from forum.models import (
    Commitment,
    CommitmentComment,
    CommitmentGoal,
    CommitmentStatus,
    LogEntry,
    Meeting,
    Theme,
    Thread,
    User,
    utcnow,
)
from forum.permissions import (
    COMMITMENT_VISIBILITIES,
    CommitmentVisibility,
    Visibility,
    visible_commitments,
    visible_threads,
)
from forum.sdgs import SDGS
from forum.services import ServiceError, check_plausible_date, events
from forum.services.library import record_uses
from forum.services.mail import site_url
from forum.services.mentions import handles_in, notify_mentions, unreachable_mentions
from forum.services.threads import BODY_MAX

# A commitment shares a thread's title limit; the actions forms read it from here.
from forum.services.threads import TITLE_MAX as TITLE_MAX
from forum.services.threads import create_thread as start_thread

# Longest text of a log entry field, a reason or a comment.
TEXT_MAX = BODY_MAX
# An open commitment without a log entry for this long is flagged (and counts as stalled).
QUIET_AFTER = timedelta(days=28)
# Shared commitments shown per page of the network list.
NETWORK_PAGE_SIZE = 50


STATUSES = tuple(status.value for status in CommitmentStatus)
OPEN_STATUSES = (
    CommitmentStatus.PLANNED.value,
    CommitmentStatus.IN_PROGRESS.value,
    CommitmentStatus.PAUSED.value,
)
CLOSED_STATUSES = (CommitmentStatus.DONE.value, CommitmentStatus.DROPPED.value)
STATUS_LABELS = {
    CommitmentStatus.PLANNED.value: _l("Planned"),
    CommitmentStatus.IN_PROGRESS.value: _l("In progress"),
    CommitmentStatus.DONE.value: _l("Done"),
    CommitmentStatus.PAUSED.value: _l("Paused"),
    CommitmentStatus.DROPPED.value: _l("Dropped"),
}
VISIBILITY_LABELS = {
    CommitmentVisibility.NETWORK.value: _l("Shared with the network"),
    CommitmentVisibility.FACILITATORS.value: _l("Kept between me and the facilitators"),
}


# --- checks ------------------------------------------------------------------------------


def _check_title(title: str) -> str:
    """Return the trimmed title. Raises ServiceError when it is empty or too long."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_l("Say what you will do."), field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(_l("The title is too long."), field="title")
    return title


def _check_text(text: str, field_name: str) -> str:
    """Return the text (may be empty). Raises ServiceError when it is too long."""
    text = text or ""
    if len(text) > TEXT_MAX:
        raise ServiceError(_l("The text is too long."), field=field_name)
    return text if text.strip() else ""


def _check_theme(theme: Theme | None, current_id: int | None = None) -> Theme:
    """Return the theme. Raises ServiceError when missing or archived (unless unchanged)."""
    if theme is None:
        raise ServiceError(_l("Choose a theme."), field="theme_id")
    if theme.is_archived and theme.id != current_id:
        raise ServiceError(_l("The theme is archived. Choose another one."), field="theme_id")
    return theme


def _check_sdgs(sdgs: list[int] | tuple[int, ...]) -> list[int]:
    """Return the goals sorted, once each. Raises ServiceError for a number that is no goal."""
    chosen = sorted(set(sdgs or ()))
    if any(number not in SDGS for number in chosen):
        raise ServiceError(_l("Choose among the 17 goals."), field="sdgs")
    return chosen


def _check_status(status: str) -> CommitmentStatus:
    """Return the status. Raises ServiceError when it is not one of the known ones."""
    if status not in STATUSES:
        raise ServiceError(_l("Choose a status."), field="status")
    return CommitmentStatus(status)


def _check_visibility(visibility: str) -> CommitmentVisibility:
    """Return the visibility. Raises ServiceError when it is not one of the known ones."""
    if visibility not in COMMITMENT_VISIBILITIES:
        raise ServiceError(_l("Choose who can see the commitment."), field="visibility")
    return CommitmentVisibility(visibility)


# --- meetings, as commitments need them --------------------------------------------------


def meetings_newest_first() -> list[Meeting]:
    """Return every meeting, the latest first (the choices where a commitment was made)."""
    return list(db.session.scalars(select(Meeting).order_by(Meeting.date.desc(), Meeting.id)))


def latest_past_meeting(today: date) -> Meeting | None:
    """Return the latest meeting held on or before today, if any."""
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.date <= today)
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(1)
    )


def next_meeting(today: date) -> Meeting | None:
    """Return the first meeting on or after today, if any."""
    return db.session.scalar(
        select(Meeting).where(Meeting.date >= today).order_by(Meeting.date, Meeting.id).limit(1)
    )


def meeting_after(meeting: Meeting) -> Meeting | None:
    """Return the meeting that follows the given one by date, if any."""
    return db.session.scalar(
        select(Meeting)
        .where(tuple_(Meeting.date, Meeting.id) > tuple_(meeting.date, meeting.id))
        .order_by(Meeting.date, Meeting.id)
        .limit(1)
    )


def meeting_before(meeting: Meeting) -> Meeting | None:
    """Return the meeting that came before the given one by date, if any."""
    return db.session.scalar(
        select(Meeting)
        .where(tuple_(Meeting.date, Meeting.id) < tuple_(meeting.date, meeting.id))
        .order_by(Meeting.date.desc(), Meeting.id.desc())
        .limit(1)
    )


def default_due_date(meeting: Meeting | None) -> date | None:
    """Return the date of the meeting after the one where a commitment was made, if any."""
    if meeting is None:
        return None
    following = meeting_after(meeting)
    return following.date if following else None


# --- commitments -------------------------------------------------------------------------


def _apply(
    commitment: Commitment,
    *,
    title: str,
    why: str,
    theme: Theme | None,
    sdgs: list[int] | tuple[int, ...],
    meeting: Meeting | None,
    due_date: date | None,
    status: str,
    visibility: str,
) -> None:
    """Check every field and set it on the commitment. Raises ServiceError on the first fault."""
    title = _check_title(title)
    why = _check_text(why, "why")
    theme = _check_theme(theme, commitment.theme_id)
    chosen = _check_sdgs(sdgs)
    status = _check_status(status)
    visibility = _check_visibility(visibility)
    due_date = check_plausible_date(due_date, "due_date")
    if due_date is None:
        due_date = default_due_date(meeting)
    commitment.title = title
    if why != commitment.why_md or not commitment.why_html:
        markdown.set_markdown(commitment, "why", why)
    commitment.theme_id = theme.id
    commitment.meeting_id = meeting.id if meeting else None
    commitment.due_date = due_date
    commitment.status = status
    commitment.visibility = visibility
    kept = [goal for goal in commitment.goals if goal.sdg in chosen]
    present = {goal.sdg for goal in kept}
    commitment.goals = kept + [CommitmentGoal(sdg=n) for n in chosen if n not in present]


def create_commitment(
    owner: User,
    *,
    title: str,
    why: str,
    theme: Theme | None,
    sdgs: list[int] | tuple[int, ...],
    meeting: Meeting | None,
    due_date: date | None,
    status: str = CommitmentStatus.PLANNED,
    visibility: str = CommitmentVisibility.NETWORK,
) -> Commitment:
    """Record a commitment; without a due date it is due at the next meeting after `meeting`.

    Raises ServiceError on an empty title, an archived theme, an unknown goal, status or
    visibility, or a too long text.
    """
    now = utcnow()
    commitment = Commitment(owner_id=owner.id, created_at=now, updated_at=now, why_html="")
    commitment.goals = []
    _apply(
        commitment,
        title=title,
        why=why,
        theme=theme,
        sdgs=sdgs,
        meeting=meeting,
        due_date=due_date,
        status=status,
        visibility=visibility,
    )
    db.session.add(commitment)
    db.session.flush()
    record_uses(commitment=commitment)
    return commitment


def update_commitment(
    editor: User,
    commitment: Commitment,
    *,
    title: str,
    why: str,
    theme: Theme | None,
    sdgs: list[int] | tuple[int, ...],
    meeting: Meeting | None,
    due_date: date | None,
    status: str,
    visibility: str,
) -> Commitment:
    """Change a commitment (its owner). Raises ServiceError as create_commitment does."""
    _apply(
        commitment,
        title=title,
        why=why,
        theme=theme,
        sdgs=sdgs,
        meeting=meeting,
        due_date=due_date,
        status=status,
        visibility=visibility,
    )
    commitment.updated_at = utcnow()
    db.session.flush()
    record_uses(commitment=commitment)
    return commitment


def set_status(actor: User, commitment: Commitment, status: str) -> None:
    """Move a commitment to another status. Raises ServiceError for an unknown status."""
    status = _check_status(status)
    if status == commitment.status:
        return
    commitment.status = status
    commitment.updated_at = utcnow()
    db.session.flush()


def _first_line(text: str, limit: int) -> str:
    """Return the first non-empty line of a text, cut to `limit` characters."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _quoted(text: str) -> str:
    """Return Markdown text as a blockquote: every line behind "> "."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.strip().splitlines())


def _help_thread_text(author: User, commitment: Commitment, needs: str) -> tuple[str, str]:
    """Return the title and body of a help thread, in the author's language.

    The body quotes what the member asked. A commitment shared with the network is named and
    linked; of one kept with the facilitators the thread says only that it is a commitment,
    never its title. The title is always made of the words the member wrote for the network,
    never the commitment's title: the commitment may later be kept with the facilitators,
    while the thread stays.
    """
    with force_locale(author.language or "da"):
        subject = _first_line(needs, TITLE_MAX)
        if commitment.visibility == CommitmentVisibility.NETWORK:
            about = gettext(
                "I am asking for help with my commitment “%(title)s”.",
                title=markdown.literal(commitment.title),
            )
            link = site_url("actions.commitment", commitment_id=commitment.id)
            read_more = gettext("Read about the commitment:")
            body = f"{about}\n\n{_quoted(needs)}\n\n{read_more} {link}"
        else:
            about = gettext("I am asking for help with one of my commitments.")
            body = f"{about}\n\n{_quoted(needs)}"
        title = gettext("Help wanted: %(title)s", title=subject)
        overflow = len(title) - TITLE_MAX
        if overflow > 0:
            subject = subject[: max(len(subject) - overflow - 1, 0)].rstrip() + "…"
            title = gettext("Help wanted: %(title)s", title=subject)
    return title, body


def log_progress(
    author: User,
    commitment: Commitment,
    *,
    tried: str = "",
    learned: str = "",
    blocking: str = "",
    needs: str = "",
    ask_for_help: bool = False,
) -> LogEntry:
    """Add a check-in to a commitment's log; asking for help starts a network thread in its theme.

    Raises ServiceError when every field is empty, a text is too long, help is asked for
    without saying what is needed, or the commitment's theme is archived.
    """
    tried = _check_text(tried, "tried")
    learned = _check_text(learned, "learned")
    blocking = _check_text(blocking, "blocking")
    needs = _check_text(needs, "needs")
    if not (tried or learned or blocking or needs):
        raise ServiceError(_l("Write in at least one of the fields."))
    help_title = help_body = ""
    if ask_for_help:
        if not needs:
            raise ServiceError(
                _l("Say what you need from the others to ask the network for help."),
                field="needs",
            )
        if commitment.theme.is_archived:
            raise ServiceError(
                _l("The theme is archived, so no thread can be started there."),
                field="ask_for_help",
            )
        help_title, help_body = _help_thread_text(author, commitment, needs)
        if len(help_body) > BODY_MAX:
            raise ServiceError(
                _l("The text is too long to be quoted in a thread. Shorten what you need."),
                field="needs",
            )
    now = utcnow()
    entry = LogEntry(
        commitment_id=commitment.id,
        author_id=author.id,
        **markdown.rendered("tried", tried),
        **markdown.rendered("learned", learned),
        **markdown.rendered("blocking", blocking),
        **markdown.rendered("needs", needs),
        asks_for_help=ask_for_help,
        created_at=now,
    )
    db.session.add(entry)
    commitment.entry_count = Commitment.entry_count + 1  # in SQL: no lost update
    commitment.last_entry_at = now
    if ask_for_help:
        # The request commits the entry, the counters and the help thread together.
        thread = start_thread(author, commitment.theme, help_title, help_body, Visibility.NETWORK)
        entry.help_thread_id = thread.id
    db.session.flush()
    record_uses(log_entry=entry)
    html, told = _entry_mentions(entry)
    notify_mentions(author, html, before=told, commitment=commitment)
    return entry


def _entry_mentions(entry: LogEntry) -> tuple[str, frozenset[str]]:
    """Return a check-in's rendered texts, and the handles its help thread already told of."""
    html = "".join((entry.tried_html, entry.learned_html, entry.blocking_html, entry.needs_html))
    told = frozenset(handles_in(entry.needs_html)) if entry.help_thread_id else frozenset()
    return html, told


def unreachable_in_entry(author: User, commitment: Commitment, entry: LogEntry) -> list[User]:
    """Return the people the check-in mentions who may not see the commitment (nor were told
    through its help thread)."""
    html, told = _entry_mentions(entry)
    return unreachable_mentions(author, html, before=told, commitment=commitment)


def add_comment(author: User, commitment: Commitment, body: str) -> CommitmentComment:
    """Comment on a commitment. Raises ServiceError on an empty or too long text."""
    body = _check_text(body, "body")
    if not body:
        raise ServiceError(_l("Write something first."), field="body")
    comment = CommitmentComment(
        commitment_id=commitment.id,
        author_id=author.id,
        **markdown.rendered("body", body),
        created_at=utcnow(),
    )
    db.session.add(comment)
    commitment.comment_count = Commitment.comment_count + 1  # in SQL: no lost update
    db.session.flush()
    notify_mentions(author, comment.body_html, commitment=commitment)
    events.commitment_commented(comment, commitment)
    return comment


# --- reading: one commitment -------------------------------------------------------------


def log_of(commitment: Commitment) -> list[LogEntry]:
    """Return a commitment's log, newest first, with help threads preloaded."""
    return list(
        db.session.scalars(
            select(LogEntry)
            .where(LogEntry.commitment_id == commitment.id)
            .options(selectinload(LogEntry.help_thread))
            .order_by(LogEntry.created_at.desc(), LogEntry.id.desc())
        )
    )


def comments_on(commitment: Commitment) -> list[CommitmentComment]:
    """Return a commitment's comments, oldest first, with their authors."""
    return list(
        db.session.scalars(
            select(CommitmentComment)
            .where(CommitmentComment.commitment_id == commitment.id)
            .options(selectinload(CommitmentComment.author))
            .order_by(CommitmentComment.created_at, CommitmentComment.id)
        )
    )


def visible_help_thread_ids(viewer: User, entries: list[LogEntry]) -> set[int]:
    """Return which of the entries' help threads the viewer may open, in one query."""
    ids = {entry.help_thread_id for entry in entries if entry.help_thread_id}
    if not ids:
        return set()
    return set(
        db.session.scalars(select(Thread.id).where(Thread.id.in_(ids), visible_threads(viewer)))
    )


# --- reading: lists ----------------------------------------------------------------------


def with_details(query: Select[Commitment]) -> Select[Commitment]:
    """Return the commitment query with owners, themes, meetings and goals batch-loaded."""
    return query.options(
        selectinload(Commitment.owner),
        selectinload(Commitment.theme),
        selectinload(Commitment.meeting),
        selectinload(Commitment.goals),
    )


def due_order() -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """Return the order of a list by due date, undated last, then oldest first."""
    return (Commitment.due_date.is_(None), Commitment.due_date, Commitment.id)


def my_commitments(owner: User) -> list[tuple[str, list[Commitment]]]:
    """Return the owner's commitments grouped by status (in status order), by due date."""
    query = with_details(select(Commitment).where(Commitment.owner_id == owner.id))
    groups: dict[str, list[Commitment]] = defaultdict(list)
    for commitment in db.session.scalars(query.order_by(*due_order())):
        groups[commitment.status].append(commitment)
    return [(status, groups[status]) for status in STATUSES if groups.get(status)]


@dataclass(frozen=True)
class CommitmentFilter:
    """What the network list is narrowed to; None means any."""

    theme_id: int | None = None
    sdg: int | None = None
    status: str | None = None
    meeting_id: int | None = None

    @property
    def is_active(self) -> bool:
        """Return whether anything narrows the list."""
        return any(value is not None for value in vars(self).values())


def goal_counts(viewer: User) -> dict[int, int]:
    """Return, for each SDG, how many commitments shared with the network the viewer may see
    serve it (goals nobody serves are left out)."""
    rows = db.session.execute(
        select(CommitmentGoal.sdg, func.count(CommitmentGoal.commitment_id))
        .join(Commitment, Commitment.id == CommitmentGoal.commitment_id)
        .where(visible_commitments(viewer))
        .where(Commitment.visibility == CommitmentVisibility.NETWORK)
        .group_by(CommitmentGoal.sdg)
    )
    return {sdg: count for sdg, count in rows}


def network_commitments(
    viewer: User, filters: CommitmentFilter, before_id: int | None = None
) -> tuple[list[Commitment], int | None]:
    """Return a page of commitments shared with the network, newest first, and the id to
    continue before (None on the last page)."""
    query = (
        select(Commitment)
        .where(visible_commitments(viewer))
        .where(Commitment.visibility == CommitmentVisibility.NETWORK)
    )
    if filters.theme_id is not None:
        query = query.where(Commitment.theme_id == filters.theme_id)
    if filters.status is not None:
        query = query.where(Commitment.status == filters.status)
    if filters.meeting_id is not None:
        query = query.where(Commitment.meeting_id == filters.meeting_id)
    if filters.sdg is not None:
        query = query.where(
            exists().where(
                CommitmentGoal.commitment_id == Commitment.id, CommitmentGoal.sdg == filters.sdg
            )
        )
    if before_id is not None:
        query = query.where(Commitment.id < before_id)
    query = with_details(query).order_by(Commitment.id.desc()).limit(NETWORK_PAGE_SIZE + 1)
    items = list(db.session.scalars(query))
    if len(items) > NETWORK_PAGE_SIZE:
        items = items[:NETWORK_PAGE_SIZE]
        return items, items[-1].id
    return items, None
