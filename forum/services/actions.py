"""Action commitments: make, change and log them, ask the network for help, comment; and the
read queries behind the commitment pages, the facilitator overview and meeting preparation.

A commitment is *open* while planned, in progress or paused. An open commitment is *quiet*
when it has had no log entry for 28 days, counted from its last entry, or from when it was
made if it has none; the overview flags quiet commitments.

Follow-through of a meeting's commitments puts each commitment in exactly one group:

- done: status done;
- dropped: status dropped;
- stalled: status paused, or planned / in progress and quiet (no entry for 28 days);
- in progress: planned or in progress and not quiet (an entry, or made, within 28 days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    exists,
    func,
    or_,
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
    Rsvp,
    Theme,
    Thread,
    User,
    utcnow,
)
from forum.permissions import (
    COMMITMENT_VISIBILITIES,
    CommitmentVisibility,
    Role,
    Visibility,
    visible_commitments,
    visible_threads,
)
from forum.sdgs import SDGS
from forum.services import ServiceError, check_plausible_date
from forum.services import surveys as survey_service
from forum.services.mail import site_url
from forum.services.surveys import SurveyResults
from forum.services.threads import BODY_MAX

# A commitment shares a thread's title limit; the actions forms read it from here.
from forum.services.threads import TITLE_MAX as TITLE_MAX
from forum.services.threads import create_thread as start_thread
from forum.spreadsheets import csv_bytes

# Longest text of a log entry field, a reason or a comment.
TEXT_MAX = BODY_MAX
# An open commitment without a log entry for this long is flagged (and counts as stalled).
QUIET_AFTER = timedelta(days=28)
# Shared commitments shown per page of the network list.
NETWORK_PAGE_SIZE = 50
# Latest log entries shown per commitment when preparing a meeting.
PREPARATION_ENTRIES = 2
# Characters of a log entry kept in the CSV export's summary column.
SUMMARY_MAX = 500


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


class Progress(StrEnum):
    """The follow-through groups of the facilitator chart (see the module docstring)."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    STALLED = "stalled"
    DROPPED = "dropped"


PROGRESS_LABELS = {
    Progress.DONE.value: _l("Done"),
    Progress.IN_PROGRESS.value: _l("In progress"),
    Progress.STALLED.value: _l("Stalled"),
    Progress.DROPPED.value: _l("Dropped"),
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


def _help_thread_text(author: User, commitment: Commitment, needs: str) -> tuple[str, str]:
    """Return the title and body of a help thread, in the author's language.

    The title is always made of the words the member wrote for the network, never the
    commitment's title: the commitment may later be kept with the facilitators, while the
    thread stays. A shared commitment's thread also links to it.
    """
    with force_locale(author.language or "da"):
        subject = _first_line(needs, TITLE_MAX)
        body = needs
        if commitment.visibility == CommitmentVisibility.NETWORK:
            link = site_url("actions.commitment", commitment_id=commitment.id)
            read_more = gettext("Read about the commitment:")
            body = f"{needs.strip()}\n\n{read_more} {link}"
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
    return entry


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


def _with_details(query: Select[Commitment]) -> Select[Commitment]:
    """Return the commitment query with owners, themes, meetings and goals batch-loaded."""
    return query.options(
        selectinload(Commitment.owner),
        selectinload(Commitment.theme),
        selectinload(Commitment.meeting),
        selectinload(Commitment.goals),
    )


def _due_order() -> tuple[ColumnElement[Any] | InstrumentedAttribute[Any], ...]:
    """Return the order of a list by due date, undated last, then oldest first."""
    return (Commitment.due_date.is_(None), Commitment.due_date, Commitment.id)


def my_commitments(owner: User) -> list[tuple[str, list[Commitment]]]:
    """Return the owner's commitments grouped by status (in status order), by due date."""
    query = _with_details(select(Commitment).where(Commitment.owner_id == owner.id))
    groups: dict[str, list[Commitment]] = defaultdict(list)
    for commitment in db.session.scalars(query.order_by(*_due_order())):
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
    query = _with_details(query).order_by(Commitment.id.desc()).limit(NETWORK_PAGE_SIZE + 1)
    items = list(db.session.scalars(query))
    if len(items) > NETWORK_PAGE_SIZE:
        items = items[:NETWORK_PAGE_SIZE]
        return items, items[-1].id
    return items, None


# --- reading: the facilitator overview ---------------------------------------------------


def is_quiet(commitment: Commitment, now: datetime) -> bool:
    """Return whether an open commitment has had no log entry for 28 days (since it was made,
    when it has none)."""
    if commitment.status not in OPEN_STATUSES:
        return False
    last = commitment.last_entry_at or commitment.created_at
    return last < now - QUIET_AFTER


@dataclass
class MemberRow:
    """One member in the facilitator overview."""

    member: User
    open_commitments: list[Commitment] = field(default_factory=list)
    last_entry_at: datetime | None = None
    rsvp: Rsvp | None = None
    quiet_ids: set[int] = field(default_factory=set)


@dataclass
class FollowThrough:
    """How a meeting's commitments have gone: a count per follow-through group."""

    meeting: Meeting | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        """Return how many commitments were made at the meeting."""
        return sum(self.counts.values())

    def percent(self, group: str) -> int:
        """Return the group's share of the total in whole percent."""
        return round(100 * self.counts.get(group, 0) / self.total) if self.total else 0

    def width(self, group: str) -> int:
        """Return the group's share rounded to a 5 % step, for the bar's CSS class."""
        return 5 * round(self.percent(group) / 5)


@dataclass
class Overview:
    """The facilitator overview: members, the next meeting, and follow-through per meeting."""

    rows: list[MemberRow]
    next_meeting: Meeting | None
    follow_through: list[FollowThrough]


def _progress_group(cutoff: datetime) -> ColumnElement[str]:
    """Return the SQL expression putting a commitment in its follow-through group."""
    last = func.coalesce(Commitment.last_entry_at, Commitment.created_at)
    return case(
        (Commitment.status == CommitmentStatus.DONE, Progress.DONE.value),
        (Commitment.status == CommitmentStatus.DROPPED, Progress.DROPPED.value),
        (Commitment.status == CommitmentStatus.PAUSED, Progress.STALLED.value),
        (last < cutoff, Progress.STALLED.value),
        else_=Progress.IN_PROGRESS.value,
    )


def follow_through(viewer: User, now: datetime) -> list[FollowThrough]:
    """Return each meeting's commitments the viewer may see, counted per follow-through group,
    latest meeting first (commitments made outside a meeting last)."""
    grouped = (
        select(
            Commitment.meeting_id.label("meeting_id"),
            _progress_group(now - QUIET_AFTER).label("grp"),
        )
        .where(visible_commitments(viewer))
        .subquery()
    )
    rows = db.session.execute(
        select(grouped.c.meeting_id, grouped.c.grp, func.count()).group_by(
            grouped.c.meeting_id, grouped.c.grp
        )
    )
    counts: dict[int | None, dict[str, int]] = defaultdict(dict)
    for meeting_id, group, number in rows:
        counts[meeting_id][group] = number
    ids = [meeting_id for meeting_id in counts if meeting_id is not None]
    meetings = (
        list(
            db.session.scalars(
                select(Meeting)
                .where(Meeting.id.in_(ids))
                .order_by(Meeting.date.desc(), Meeting.id.desc())
            )
        )
        if ids
        else []
    )
    result = [FollowThrough(meeting, counts[meeting.id]) for meeting in meetings]
    if None in counts:
        result.append(FollowThrough(None, counts[None]))
    return result


def overview(viewer: User, today: date, now: datetime | None = None) -> Overview:
    """Return, per active member, their open commitments (quiet ones flagged), the date of
    their last log entry and their answer for the next meeting; and the follow-through chart.

    Active members are enabled accounts with the member role, and anyone else who has
    made a commitment.
    """
    now = now or utcnow()
    owns_any = exists().where(Commitment.owner_id == User.id)
    members = list(
        db.session.scalars(
            select(User)
            .where(User.is_enabled.is_(True))
            .where(or_(User.role == Role.MEMBER, owns_any))
            .order_by(User.name, User.id)
        )
    )
    rows = {member.id: MemberRow(member) for member in members}
    open_items = db.session.scalars(
        select(Commitment)
        .join(Commitment.owner)
        .where(User.is_enabled.is_(True), Commitment.status.in_(OPEN_STATUSES))
        .where(visible_commitments(viewer))
        .options(selectinload(Commitment.theme))
        .order_by(*_due_order())
    )
    for commitment in open_items:
        row = rows.get(commitment.owner_id)
        if row is None:
            continue
        row.open_commitments.append(commitment)
        if is_quiet(commitment, now):
            row.quiet_ids.add(commitment.id)
    last_entries = db.session.execute(
        select(Commitment.owner_id, func.max(Commitment.last_entry_at))
        .where(Commitment.last_entry_at.is_not(None))
        .where(visible_commitments(viewer))
        .group_by(Commitment.owner_id)
    )
    for owner_id, last in last_entries:
        if owner_id in rows:
            rows[owner_id].last_entry_at = last
    upcoming = next_meeting(today)
    if upcoming is not None:
        for rsvp in db.session.scalars(select(Rsvp).where(Rsvp.meeting_id == upcoming.id)):
            if rsvp.user_id in rows:
                rows[rsvp.user_id].rsvp = rsvp
    return Overview(list(rows.values()), upcoming, follow_through(viewer, now))


# --- reading: meeting preparation --------------------------------------------------------


@dataclass
class Attendee:
    """Someone who comes to the meeting, with the commitments they made at the one before."""

    member: User
    commitments: list[Commitment] = field(default_factory=list)


@dataclass
class Preparation:
    """What a facilitator needs to prepare a meeting."""

    meeting: Meeting
    previous: Meeting | None
    attendees: list[Attendee]
    latest_entries: dict[int, list[LogEntry]]
    help_requests: list[LogEntry]
    survey: SurveyResults | None


def latest_entries(commitment_ids: list[int], per: int) -> dict[int, list[LogEntry]]:
    """Return the `per` newest log entries of each commitment, in one query."""
    if not commitment_ids:
        return {}
    rank = (
        func.row_number()
        .over(
            partition_by=LogEntry.commitment_id,
            order_by=(LogEntry.created_at.desc(), LogEntry.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(LogEntry.id.label("id"), rank)
        .where(LogEntry.commitment_id.in_(commitment_ids))
        .subquery()
    )
    entries = db.session.scalars(
        select(LogEntry)
        .join(ranked, ranked.c.id == LogEntry.id)
        .where(ranked.c.rank <= per)
        .options(selectinload(LogEntry.help_thread))
        .order_by(LogEntry.created_at.desc(), LogEntry.id.desc())
    )
    result: dict[int, list[LogEntry]] = defaultdict(list)
    for entry in entries:
        result[entry.commitment_id].append(entry)
    return dict(result)


def open_help_requests(viewer: User) -> list[LogEntry]:
    """Return log entries asking for help on commitments not yet done or dropped, newest first."""
    return list(
        db.session.scalars(
            select(LogEntry)
            .join(LogEntry.commitment)
            .where(LogEntry.asks_for_help.is_(True))
            .where(Commitment.status.not_in(CLOSED_STATUSES))
            .where(visible_commitments(viewer))
            .options(
                selectinload(LogEntry.commitment).selectinload(Commitment.owner),
                selectinload(LogEntry.help_thread),
            )
            .order_by(LogEntry.created_at.desc(), LogEntry.id.desc())
        )
    )


def _survey_results(meeting: Meeting) -> SurveyResults | None:
    """Return the totals of the meeting's survey, free texts included, or None without one."""
    survey = survey_service.survey_of(meeting)
    if survey is None:
        return None
    return survey_service.results(survey, with_texts=True)


def meeting_preparation(viewer: User, meeting: Meeting) -> Preparation:
    """Return who comes, their commitments from the meeting before with the latest entries,
    the open help requests, and the survey totals."""
    attendees = [
        Attendee(rsvp.user)
        for rsvp in db.session.scalars(
            select(Rsvp)
            .join(Rsvp.user)
            .where(Rsvp.meeting_id == meeting.id, Rsvp.attending.is_(True))
            .where(User.is_enabled.is_(True))
            .options(selectinload(Rsvp.user))
            .order_by(User.name, User.id)
        )
    ]
    previous = meeting_before(meeting)
    by_member = {attendee.member.id: attendee for attendee in attendees}
    if previous is not None and by_member:
        commitments = db.session.scalars(
            _with_details(
                select(Commitment)
                .where(Commitment.meeting_id == previous.id)
                .where(Commitment.owner_id.in_(list(by_member)))
                .where(visible_commitments(viewer))
            ).order_by(*_due_order())
        )
        for commitment in commitments:
            by_member[commitment.owner_id].commitments.append(commitment)
    ids = [c.id for attendee in attendees for c in attendee.commitments]
    return Preparation(
        meeting=meeting,
        previous=previous,
        attendees=attendees,
        latest_entries=latest_entries(ids, PREPARATION_ENTRIES),
        help_requests=open_help_requests(viewer),
        survey=_survey_results(meeting),
    )


def _summary(entry: LogEntry | None) -> str:
    """Return a short plain summary of a log entry's four fields."""
    if entry is None:
        return ""
    parts = [
        (gettext("Tried"), entry.tried_md),
        (gettext("Learned"), entry.learned_md),
        (gettext("Blocking"), entry.blocking_md),
        (gettext("Needs"), entry.needs_md),
    ]
    text = " · ".join(f"{label}: {' '.join(value.split())}" for label, value in parts if value)
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def preparation_csv(preparation: Preparation) -> bytes:
    """Return the preparation as CSV: one row per attendee commitment, and one for an
    attendee without any."""
    header = [
        gettext("Member"),
        gettext("Library"),
        gettext("Commitment"),
        gettext("Theme"),
        gettext("Status"),
        gettext("Due"),
        gettext("Goals"),
        gettext("Visibility"),
        gettext("Log entries"),
        gettext("Last entry"),
        gettext("Asked for help"),
        gettext("Latest entry"),
    ]
    rows: list[list[object]] = []
    for attendee in preparation.attendees:
        person: list[object] = [attendee.member.name, attendee.member.library]
        if not attendee.commitments:
            rows.append(person + [""] * 10)
            continue
        for commitment in attendee.commitments:
            entries = preparation.latest_entries.get(commitment.id, [])
            latest = entries[0] if entries else None
            rows.append(
                [
                    *person,
                    commitment.title,
                    commitment.theme.name,
                    STATUS_LABELS.get(commitment.status, commitment.status),
                    commitment.due_date.isoformat() if commitment.due_date else "",
                    ", ".join(str(n) for n in commitment.sdgs),
                    VISIBILITY_LABELS.get(commitment.visibility, commitment.visibility),
                    commitment.entry_count,
                    latest.created_at.date().isoformat() if latest else "",
                    gettext("Yes") if any(e.asks_for_help for e in entries) else "",
                    _summary(latest),
                ]
            )
    return csv_bytes(header, rows)
