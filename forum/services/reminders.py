"""Reminders before a meeting, sent by the daily `flask send-reminders`.

- 21 days before a meeting (and until the day before), every active person who has not
  answered the invitation gets an RSVP reminder.
- 14 days before the next meeting (and until the day before), every active person with
  open commitments (planned, in progress or paused) gets a reminder to log on them.

Each reminder goes at most once per person, meeting and kind, however often the command
or the worker runs, also when two runs overlap: the ReminderSent row and the queued email
(forum.services.outbox) are written together, and a run that finds the key taken skips the
person. The worker delivers the email, with retries, after the caller commits once.
Reminders carry a count and a link, never the text of a commitment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Exists, exists, func, select
from sqlalchemy.exc import IntegrityError

from forum.extensions import db
from forum.models import Commitment, Meeting, ReminderKind, ReminderSent, Rsvp, User
from forum.services.actions import OPEN_STATUSES
from forum.services.mail import site_url
from forum.services.outbox import queue_to_user

RSVP_DAYS_BEFORE = 21
COMMITMENTS_DAYS_BEFORE = 14
RSVP = ReminderKind.RSVP
COMMITMENTS = ReminderKind.COMMITMENTS


@dataclass
class ReminderReport:
    """How many reminders a run queued, per kind."""

    rsvp: int = 0
    commitments: int = 0

    @property
    def total(self) -> int:
        """Return how many reminders were queued in all."""
        return self.rsvp + self.commitments


def _already_sent(meeting: Meeting, kind: ReminderKind) -> Exists:
    """Return the SQL condition that the person already got this reminder for the meeting."""
    return exists().where(
        ReminderSent.user_id == User.id,
        ReminderSent.meeting_id == meeting.id,
        ReminderSent.kind == kind,
    )


def _send_once(
    person: User, meeting: Meeting, kind: ReminderKind, template: str, **context: Any
) -> bool:
    """Take the (person, meeting, kind) key and queue the email; return whether it was queued.

    Returns False when another run already took the key. Only flushes.
    """
    try:
        # A savepoint, so a key another run took meanwhile costs only this person's reminder.
        with db.session.begin_nested():
            db.session.add(ReminderSent(user_id=person.id, meeting_id=meeting.id, kind=kind))
    except IntegrityError:
        return False
    queue_to_user(person, template, meeting_id=meeting.id, **context)
    return True


def _upcoming(today: date, days: int) -> list[Meeting]:
    """Return meetings after today and at most `days` days away, soonest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.date > today, Meeting.date <= today + timedelta(days=days))
            .order_by(Meeting.date, Meeting.id)
        )
    )


def _send_rsvp_reminders(meeting: Meeting) -> int:
    """Remind everyone active who has not answered the meeting's invitation; return how many."""
    answered = exists().where(Rsvp.meeting_id == meeting.id, Rsvp.user_id == User.id)
    people = list(
        db.session.scalars(
            select(User)
            .where(User.is_enabled.is_(True))
            .where(~answered)
            .where(~_already_sent(meeting, RSVP))
            .order_by(User.id)
        )
    )
    link = site_url("meetings.meeting", meeting_id=meeting.id)  # where members answer
    return sum(_send_once(p, meeting, RSVP, "reminder_rsvp", link=link) for p in people)


def _send_commitment_reminders(meeting: Meeting) -> int:
    """Remind everyone active with open commitments to log on them; return how many."""
    counts = db.session.execute(
        select(User, func.count(Commitment.id))
        .join(Commitment, Commitment.owner_id == User.id)
        .where(User.is_enabled.is_(True))
        .where(Commitment.status.in_(OPEN_STATUSES))
        .where(~_already_sent(meeting, COMMITMENTS))
        .group_by(User.id)
        .order_by(User.id)
    ).all()
    link = site_url("actions.mine")
    sent = 0
    for person, count in counts:
        sent += _send_once(
            person, meeting, COMMITMENTS, "reminder_commitments", link=link, count=count
        )
    return sent


def send_reminders(today: date) -> ReminderReport:
    """Queue the RSVP and commitment reminders due today; return how many of each.

    Only flushes: the command or the worker commits once.
    """
    report = ReminderReport()
    for meeting in _upcoming(today, RSVP_DAYS_BEFORE):
        report.rsvp += _send_rsvp_reminders(meeting)
    soon = _upcoming(today, COMMITMENTS_DAYS_BEFORE)
    if soon:
        report.commitments += _send_commitment_reminders(soon[0])
    return report
