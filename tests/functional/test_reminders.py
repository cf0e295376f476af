"""Reminders before a meeting: RSVP 21 days before, open commitments 14 days before, each at
most once per person, meeting and kind, however often the daily command runs."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale, ngettext
from sqlalchemy import func, select

from forum import dates, worker
from forum.extensions import db
from forum.models import Meeting, ReminderSent, Rsvp
from forum.models.base import utcnow
from forum.services import actions as action_service
from forum.services import reminders as reminder_service
from tests import factories
from tests.text import plain

MEETING_DAY = date(2031, 3, 20)
SECRET_TITLE = "Fortrolig plan Sigma-88"
SHARED_TITLE = "Delt plan Tau-12"


@pytest.fixture
def upcoming(db_session) -> Meeting:
    item = Meeting(
        title="Forårsmødet i Vejle", date=MEETING_DAY, starts_at=time(10), ends_at=time(15)
    )
    db.session.add(item)
    db.session.commit()
    return item


def open_commitment(owner, theme, title: str, status: str = "planned", visibility="network"):
    return action_service.create_commitment(
        owner,
        title=title,
        why="",
        theme=theme,
        sdgs=[13],
        meeting=None,
        due_date=None,
        status=status,
        visibility=visibility,
    )


def send_reminders(day: date) -> reminder_service.ReminderReport:
    """Queue the reminders due on the day and commit, as the worker and the command do."""
    report = reminder_service.send_reminders(day)
    db.session.commit()
    return report


def days_before(days: int) -> date:
    return MEETING_DAY - timedelta(days=days)


def settle(mailbox, expected: int) -> list:
    """Wait for the expected emails, and a moment more to catch any extra ones."""
    mailbox.wait_for(expected)
    return mailbox.wait_for(expected + 1, timeout=0.3)


def subjects(messages) -> list[str]:
    return sorted(str(message["Subject"]) for message in messages)


def answer(person, meeting: Meeting, attending: bool = True) -> None:
    db.session.add(Rsvp(meeting_id=meeting.id, user_id=person.id, attending=attending))
    db.session.commit()


RSVP_SUBJECT = "Will you come to the network meeting?"
COMMITMENTS_SUBJECT = "Time to log on your commitments before the network meeting"


# --- RSVP reminders ----------------------------------------------------------------------


def test_rsvp_reminder_goes_21_days_before_to_those_who_have_not_answered(
    mailbox, upcoming, member, other_member, facilitator
):
    answer(other_member, upcoming, attending=False)
    gone = factories.user(name="Tidligere Medlem", is_enabled=False)

    assert send_reminders(days_before(22)).total == 0
    assert settle(mailbox, 0) == []

    report = send_reminders(days_before(21))
    assert (report.rsvp, report.commitments) == (2, 0)
    messages = settle(mailbox, 2)
    assert sorted(m["To"] for m in messages) == sorted([member.email, facilitator.email])
    assert other_member.email not in [m["To"] for m in messages]  # answered already
    assert gone.email not in [m["To"] for m in messages]  # deactivated
    assert subjects(messages) == [plain(RSVP_SUBJECT)] * 2
    body = mailbox.body(mailbox.to(member.email)[0])
    assert upcoming.title in body
    assert f"http://localhost/moeder/{upcoming.id}" in body


def test_rsvp_reminder_goes_once_however_often_the_command_runs(
    mailbox, upcoming, member, other_member
):
    for days in (21, 21, 20, 15, 2, 1):
        send_reminders(days_before(days))
    messages = settle(mailbox, 2)
    assert sorted(m["To"] for m in messages) == sorted([member.email, other_member.email])
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 2


def test_nobody_is_reminded_to_answer_after_answering(mailbox, upcoming, member):
    answer(member, upcoming)
    send_reminders(days_before(21))
    send_reminders(days_before(10))
    assert settle(mailbox, 0) == []


def test_a_member_who_answers_after_the_first_reminder_gets_no_more(mailbox, upcoming, member):
    send_reminders(days_before(21))
    assert len(settle(mailbox, 1)) == 1
    answer(member, upcoming, attending=False)
    mailbox.clear()
    send_reminders(days_before(5))
    assert settle(mailbox, 0) == []


def test_no_reminders_on_or_after_the_meeting_day(mailbox, upcoming, member, theme):
    open_commitment(member, theme, SHARED_TITLE)
    for day in (MEETING_DAY, MEETING_DAY + timedelta(days=1)):
        assert send_reminders(day).total == 0
    assert settle(mailbox, 0) == []


# --- commitment reminders ----------------------------------------------------------------


def test_commitment_reminder_goes_14_days_before_to_those_with_open_commitments(
    mailbox, upcoming, member, other_member, facilitator, theme
):
    for person in (member, other_member, facilitator):
        answer(person, upcoming)  # no RSVP reminders in the way
    open_commitment(member, theme, SHARED_TITLE)
    open_commitment(member, theme, SECRET_TITLE, status="paused", visibility="facilitators")
    open_commitment(other_member, theme, "Færdig plan", status="done")
    open_commitment(other_member, theme, "Opgivet plan", status="dropped")

    assert send_reminders(days_before(15)).total == 0
    report = send_reminders(days_before(14))
    assert (report.rsvp, report.commitments) == (0, 1)
    messages = settle(mailbox, 1)
    assert [m["To"] for m in messages] == [member.email]
    assert subjects(messages) == [plain(COMMITMENTS_SUBJECT)]
    body = mailbox.body(messages[0])
    with force_locale("da"):
        sentence = ngettext(
            "The network meeting %(title)s is on %(date)s, and you have %(num)d open commitment.",
            "The network meeting %(title)s is on %(date)s, and you have %(num)d open commitments.",
            2,
            title=upcoming.title,
            date=dates.day_text(upcoming.date),
        )
    assert sentence in body  # how many are open, and nothing of what they are
    assert "http://localhost/handlinger" in body
    for word in (SECRET_TITLE, SHARED_TITLE, "Sigma-88", "Tau-12"):
        assert word not in body
        assert word not in str(messages[0]["Subject"])

    send_reminders(days_before(14))
    send_reminders(days_before(3))
    assert len(settle(mailbox, 1)) == 1


def test_both_reminders_reach_a_member_once_each(mailbox, upcoming, member, theme):
    open_commitment(member, theme, SHARED_TITLE)
    for days in (30, 21, 20, 14, 14, 13, 1):
        send_reminders(days_before(days))
    messages = settle(mailbox, 2)
    assert subjects(messages) == sorted([plain(RSVP_SUBJECT), plain(COMMITMENTS_SUBJECT)])


def test_reminders_are_written_in_the_members_language(mailbox, upcoming, theme):
    english = factories.user(name="Emma English", language="en")
    open_commitment(english, theme, SHARED_TITLE)
    send_reminders(days_before(14))
    messages = settle(mailbox, 2)
    assert subjects(messages) == sorted(
        [plain(RSVP_SUBJECT, "en"), plain(COMMITMENTS_SUBJECT, "en")]
    )
    assert "Dear Emma English," in mailbox.body(messages[0])


def test_a_reminder_another_run_claimed_is_not_sent_again(mailbox, upcoming, member):
    db.session.add(ReminderSent(user_id=member.id, meeting_id=upcoming.id, kind="rsvp"))
    db.session.commit()
    assert send_reminders(days_before(21)).total == 0
    # Even when this run read the list before the other run claimed the person:
    assert not reminder_service._send_once(
        member, upcoming, reminder_service.RSVP, "reminder_rsvp", link="http://localhost/"
    )
    assert settle(mailbox, 0) == []
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 1


def test_a_failed_email_is_tried_again_by_the_worker(app, mailbox, upcoming, member):
    assert send_reminders(days_before(21)).total == 1
    app.config["MAIL_PORT"], port = 1, app.config["MAIL_PORT"]  # nothing listens there
    try:
        assert settle(mailbox, 0) == []
    finally:
        app.config["MAIL_PORT"] = port
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 1
    assert send_reminders(days_before(20)).total == 0  # still queued, not queued twice
    with app.app_context():
        later = utcnow() + timedelta(hours=1)
        assert worker.deliver_due(later).sent == 1
        db.session.remove()
    assert len(settle(mailbox, 1)) == 1


# --- the command -------------------------------------------------------------------------


def test_send_reminders_command_prints_how_many_went(app, mailbox, upcoming, member, theme):
    open_commitment(member, theme, SHARED_TITLE)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["send-reminders", "--today", days_before(14).isoformat()])
    assert result.exit_code == 0, result.output
    assert "Queued 2 reminders" in result.output
    assert len(settle(mailbox, 2)) == 2
    result = runner.invoke(args=["send-reminders", "--today", days_before(14).isoformat()])
    assert "Queued 0 reminders" in result.output
    assert len(settle(mailbox, 2)) == 2


def test_send_reminders_command_runs_for_today_by_default(app, mailbox, member):
    result = app.test_cli_runner().invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "Queued 0 reminders" in result.output
