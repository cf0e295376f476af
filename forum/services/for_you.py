"""The home page's "Til dig" panel: what waits for one person, each line a link."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from forum import permissions
from forum.extensions import db
from forum.models import (
    Commitment,
    LogEntry,
    Meeting,
    Notification,
    NotificationKind,
    Rsvp,
    Survey,
    SurveyResponse,
    ThemeWatch,
    Thread,
    User,
    WatchLevel,
    utcnow,
)
from forum.services.actions import OPEN_STATUSES
from forum.services.surveys import is_open, last_day

# Requests for help older than this no longer wait for an answer on the home page.
HELP_WINDOW = timedelta(days=30)
HELP_SHOWN = 5
# Without a next meeting, commitments due within this many days are shown.
DUE_WINDOW_DAYS = 30

DIRECTED_KINDS = (NotificationKind.MENTION, NotificationKind.REPLY, NotificationKind.HELP_REPLY)


@dataclass
class ForYou:
    """What waits for the person; empty when nothing does."""

    unanswered_meeting: Meeting | None = None
    open_survey: Survey | None = None
    survey_last_day: date | None = None
    due_commitments: list[Commitment] = field(default_factory=list)
    due_by: date | None = None
    unread_mentions: int = 0
    unread_replies: int = 0
    help_requests: list[LogEntry] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Return whether nothing waits."""
        return not (
            self.unanswered_meeting
            or self.open_survey
            or self.due_commitments
            or self.unread_mentions
            or self.unread_replies
            or self.help_requests
        )


def _next_meeting(today: date) -> Meeting | None:
    """Return the next meeting from today on, with its survey loaded, or None."""
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.date >= today)
        .order_by(Meeting.date, Meeting.starts_at, Meeting.id)
        .limit(1)
    )


def _open_unanswered_survey(person: User, today: date) -> Survey | None:
    """Return the soonest open survey of an upcoming meeting the person has not answered."""
    answered = exists().where(
        SurveyResponse.survey_id == Survey.id, SurveyResponse.user_id == person.id
    )
    surveys = db.session.scalars(
        select(Survey)
        .join(Meeting, Meeting.id == Survey.meeting_id)
        .where(Meeting.date >= today, Survey.opened_at.is_not(None), Survey.closed_at.is_(None))
        .where(~answered)
        .options(selectinload(Survey.meeting))
        .order_by(Meeting.date, Survey.id)
        .limit(3)
    )
    return next((survey for survey in surveys if is_open(survey)), None)


def _directed_unread(person: User) -> dict[NotificationKind, int]:
    """Return the person's unread mentions and replies they may still see, by kind."""
    rows = db.session.execute(
        select(Notification.kind, func.count(Notification.id))
        .where(permissions.visible_notifications(person))
        .where(Notification.read_at.is_(None))
        .where(Notification.kind.in_(DIRECTED_KINDS))
        .group_by(Notification.kind)
    ).all()
    return {kind: count for kind, count in rows}


def _help_requests(person: User) -> list[LogEntry]:
    """Return recent requests for help from others, in themes the person follows or from
    their region, whose thread the person may see."""
    followed = select(ThemeWatch.theme_id).where(
        ThemeWatch.user_id == person.id, ThemeWatch.level == WatchLevel.WATCHING
    )
    mine_region = User.region == person.region if person.region else false()
    return list(
        db.session.scalars(
            select(LogEntry)
            .join(Commitment, Commitment.id == LogEntry.commitment_id)
            .join(User, User.id == Commitment.owner_id)
            .join(Thread, Thread.id == LogEntry.help_thread_id)
            .where(LogEntry.asks_for_help.is_(True))
            .where(LogEntry.created_at >= utcnow() - HELP_WINDOW)
            .where(Commitment.owner_id != person.id)
            .where(or_(Thread.theme_id.in_(followed), mine_region))
            .where(permissions.visible_threads(person))
            .options(selectinload(LogEntry.help_thread), selectinload(LogEntry.author))
            .order_by(LogEntry.created_at.desc())
            .limit(HELP_SHOWN)
        )
    )


def waiting_for(person: User, today: date) -> ForYou:
    """Return what waits for the person today (a fixed number of queries)."""
    result = ForYou()
    meeting = _next_meeting(today)
    if meeting is not None:
        answered = db.session.scalar(
            select(exists().where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == person.id))
        )
        if not answered:
            result.unanswered_meeting = meeting
    result.open_survey = _open_unanswered_survey(person, today)
    if result.open_survey is not None:
        result.survey_last_day = last_day(result.open_survey)
    result.due_by = meeting.date if meeting is not None else today + timedelta(DUE_WINDOW_DAYS)
    result.due_commitments = list(
        db.session.scalars(
            select(Commitment)
            .where(Commitment.owner_id == person.id)
            .where(Commitment.status.in_(OPEN_STATUSES))
            .where(Commitment.due_date.is_not(None), Commitment.due_date <= result.due_by)
            .order_by(Commitment.due_date, Commitment.id)
        )
    )
    directed = _directed_unread(person)
    result.unread_mentions = directed.get(NotificationKind.MENTION, 0)
    result.unread_replies = directed.get(NotificationKind.REPLY, 0) + directed.get(
        NotificationKind.HELP_REPLY, 0
    )
    result.help_requests = _help_requests(person)
    return result
