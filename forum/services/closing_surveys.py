"""Telling each person who has not answered that a survey closes within three days.

Run by the worker. Once per person and survey: the notification itself is the record, and
the survey's row is locked (PostgreSQL) or the write lock taken (SQLite) before looking, so
two workers cannot both tell the same person.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select

from forum.database import write_lock
from forum.extensions import db
from forum.models import Notification, Survey, SurveyResponse, User
from forum.models.vocabulary import NotificationKind
from forum.services.notifications import notify

CLOSING_WITHIN = timedelta(days=3)


def notify_closing_surveys(now: datetime) -> int:
    """Notify everyone active who has not answered an open survey closing within 3 days.

    Returns how many were told. Only flushes; the caller commits.
    """
    surveys = list(
        db.session.scalars(
            select(Survey)
            .where(Survey.opened_at.is_not(None), Survey.closed_at.is_(None))
            .where(Survey.closes_at > now, Survey.closes_at <= now + CLOSING_WITHIN)
            .order_by(Survey.id)
        )
    )
    told = 0
    for survey in surveys:
        write_lock()
        db.session.scalar(select(Survey.id).where(Survey.id == survey.id).with_for_update())
        answered = exists().where(
            SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == User.id
        )
        already_told = exists().where(
            Notification.user_id == User.id,
            Notification.survey_id == survey.id,
            Notification.kind == NotificationKind.SURVEY_CLOSING,
        )
        people = list(
            db.session.scalars(
                select(User)
                .where(User.is_enabled.is_(True), ~answered, ~already_told)
                .order_by(User.id)
            )
        )
        for person in people:
            told += (
                notify(
                    person,
                    NotificationKind.SURVEY_CLOSING,
                    survey=survey,
                    meeting=survey.meeting,
                )
                is not None
            )
    return told
