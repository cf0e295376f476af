"""The facilitator overview: each member's open commitments and each meeting's follow-through.

An open commitment is *quiet* when it has had no log entry for 28 days, counted from its last
entry, or from when it was made if it has none; the overview flags quiet commitments.

Follow-through of a meeting's commitments puts each commitment in exactly one group:

- done: status done;
- dropped: status dropped;
- stalled: status paused, or planned / in progress and quiet (no entry for 28 days);
- in progress: planned or in progress and not quiet (an entry, or made, within 28 days).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from forum.extensions import db
from forum.models import (
    Commitment,
    CommitmentStatus,
    Meeting,
    Rsvp,
    User,
    utcnow,
)
from forum.permissions import (
    Role,
    visible_commitments,
)
from forum.services.actions import OPEN_STATUSES, QUIET_AFTER, due_order, next_meeting

# A commitment shares a thread's title limit; the actions forms read it from here.
from forum.services.threads import TITLE_MAX as TITLE_MAX


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
        .order_by(*due_order())
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
