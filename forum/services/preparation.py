"""Preparing a meeting: who comes, their commitments with the latest entries, open help
requests and the survey totals; and the preparation's CSV export."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.models import (
    Commitment,
    LogEntry,
    Meeting,
    Resource,
    Rsvp,
    User,
)
from forum.permissions import (
    visible_commitments,
)
from forum.services import surveys as survey_service
from forum.services.actions import (
    CLOSED_STATUSES,
    STATUS_LABELS,
    VISIBILITY_LABELS,
    due_order,
    meeting_before,
    with_details,
)
from forum.services.library import meeting_resources
from forum.services.surveys import SurveyResults

# A commitment shares a thread's title limit; the actions forms read it from here.
from forum.services.threads import TITLE_MAX as TITLE_MAX
from forum.spreadsheets import csv_bytes

# Latest log entries shown per commitment when preparing a meeting.
PREPARATION_ENTRIES = 2
# Characters of a log entry kept in the CSV export's summary column.
SUMMARY_MAX = 500


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
    # The material from and for the meeting in the library (a speaker's slides).
    resources: list[Resource] = field(default_factory=list)


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
            with_details(
                select(Commitment)
                .where(Commitment.meeting_id == previous.id)
                .where(Commitment.owner_id.in_(list(by_member)))
                .where(visible_commitments(viewer))
            ).order_by(*due_order())
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
        resources=meeting_resources(viewer, meeting),
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
