"""Digests: daily at 07:00 and weekly on Monday (Copenhagen), once per person and period,
with only what the reader may see, and nothing from a confidential thread but a count."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from forum import worker
from forum.extensions import db
from forum.models import DigestSent, Meeting, Notification, OutboxEmail, Survey
from forum.models.base import utcnow
from forum.models.vocabulary import DigestPeriod, EmailDelivery, EmailTopic, NotificationKind
from forum.services import circles, digests
from forum.services import threads as thread_service
from forum.services.closing_surveys import notify_closing_surveys
from forum.services.meetings import TIMEZONE
from forum.services.notifications import set_email_delivery
from tests import factories
from tests.text import da_n

SECRET_TITLE = "Fortrolig sag Delta-9"
SECRET_BODY = "Vi overvejer at lukke filialen Epsilon"


def copenhagen(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a Copenhagen wall-clock time as the naive UTC the app stores."""
    local = datetime.combine(day, time(hour, minute), TIMEZONE)
    return local.astimezone(UTC).replace(tzinfo=None)


def next_digest_time(period: DigestPeriod) -> datetime:
    """Return a moment just after the period that contains now has ended."""
    local_now = datetime.now(UTC).astimezone(TIMEZONE)
    day = local_now.date() + timedelta(days=1 if local_now.time() >= time(7) else 0)
    if period == DigestPeriod.WEEKLY:
        day += timedelta(days=(7 - day.weekday()) % 7)
    return copenhagen(day, 7, 30)


def digest_rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).where(OutboxEmail.template == "digest")))


def run_digests(now: datetime) -> int:
    """Run the daily digests (the weekly ones have tests of their own)."""
    count = worker.send_digests(now, (DigestPeriod.DAILY,))
    db.session.commit()
    return count


@pytest.mark.parametrize(
    ("now", "start"),
    [
        (copenhagen(date(2031, 3, 12), 7, 0), date(2031, 3, 11)),  # Wednesday, at 07:00
        (copenhagen(date(2031, 3, 12), 6, 59), date(2031, 3, 10)),  # not yet today's
        (copenhagen(date(2031, 3, 30), 9, 0), date(2031, 3, 29)),  # the day summer time begins
    ],
)
def test_the_daily_period_ends_at_seven_in_copenhagen(now, start):
    window = digests.latest_window(DigestPeriod.DAILY, now)
    assert window.start_day == start
    assert window.end - window.start <= timedelta(hours=24)
    assert window.end <= now


def test_the_weekly_period_ends_on_monday_at_seven():
    monday = date(2031, 3, 10)
    assert monday.weekday() == 0
    window = digests.latest_window(DigestPeriod.WEEKLY, copenhagen(monday, 7, 5))
    assert window.start_day == monday - timedelta(days=7)
    before = digests.latest_window(DigestPeriod.WEEKLY, copenhagen(monday, 6, 0))
    assert before.start_day == monday - timedelta(days=14)
    sunday = digests.latest_window(DigestPeriod.WEEKLY, copenhagen(monday + timedelta(6), 23))
    assert sunday.start_day == monday - timedelta(days=7)  # the week in progress waits


@pytest.fixture
def daily_reader(member):
    """Mette, who wants new threads and replies in a daily digest."""
    set_email_delivery(member, EmailTopic.NEW_THREADS, EmailDelivery.DAILY)
    set_email_delivery(member, EmailTopic.REPLIES, EmailDelivery.DAILY)
    db.session.commit()
    return member


def test_a_digest_run_twice_sends_once(app, mailbox, daily_reader, other_member, theme):
    factories.thread(other_member, theme, "Solceller på taget", "Hvem har prøvet?")
    now = next_digest_time(DigestPeriod.DAILY)
    assert run_digests(now) == 1
    assert run_digests(now) == 0
    assert run_digests(now + timedelta(hours=3)) == 0  # the job runs every minute
    assert len(digest_rows()) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(DigestSent)
            .where(DigestSent.user_id == daily_reader.id, DigestSent.period == DigestPeriod.DAILY)
        )
        == 1
    )

    (message,) = mailbox.wait_for(1)
    assert message["To"] == daily_reader.email
    assert "daglige" in str(message["Subject"]) or "daily" in str(message["Subject"])
    text = mailbox.part(message, "plain")
    assert "Solceller på taget" in text
    assert "Ole Andersen" in text
    assert message["List-Unsubscribe"].startswith("<http://localhost/afmeld/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Solceller på taget" in mailbox.part(message, "html")
    assert len(mailbox.wait_for(2, timeout=0.3)) == 1


def test_the_worker_pass_sends_the_digest_once(app, mailbox, daily_reader, other_member, theme):
    factories.thread(other_member, theme, "Cykelbibliotek", "Vi låner cykler ud")
    now = next_digest_time(DigestPeriod.DAILY)
    for _ in range(2):
        with app.app_context():
            worker.run_once(now)
            db.session.remove()
    messages = mailbox.wait_for(2, timeout=0.3)
    assert [m["To"] for m in messages] == [daily_reader.email]


def test_an_empty_digest_is_recorded_but_not_sent(mailbox, daily_reader):
    now = next_digest_time(DigestPeriod.DAILY)
    assert run_digests(now) == 0
    assert digest_rows() == []
    assert db.session.scalar(select(func.count()).select_from(DigestSent)) >= 1
    assert mailbox.wait_for(1, timeout=0.3) == []


def test_a_confidential_thread_is_only_counted_in_a_digest(
    mailbox, daily_reader, other_member, theme
):
    outsider = factories.user(name="Signe Udenfor", email="signe@example.org")
    set_email_delivery(outsider, EmailTopic.NEW_THREADS, EmailDelivery.DAILY)
    set_email_delivery(outsider, EmailTopic.REPLIES, EmailDelivery.DAILY)
    # Being named into the circle goes into the digest too, not by email at once.
    set_email_delivery(daily_reader, EmailTopic.CIRCLES, EmailDelivery.DAILY)
    db.session.commit()
    thread = thread_service.create_thread(
        other_member,
        theme,
        SECRET_TITLE,
        SECRET_BODY,
        visibility="circle",
        circle_ids=[daily_reader.id],
    )
    db.session.commit()
    factories.reply(other_member, thread, "Epsilon-planen skal drøftes")
    factories.thread(other_member, theme, "Åben tråd om kompost", "Kompost virker")

    run_digests(next_digest_time(DigestPeriod.DAILY))
    messages = mailbox.wait_for(2)
    (inside,) = [m for m in messages if m["To"] == daily_reader.email]
    (outside,) = [m for m in messages if m["To"] == outsider.email]
    for message in (inside, outside):
        whole = str(message["Subject"]) + mailbox.part(message, "plain")
        whole += mailbox.part(message, "html")
        for word in ("Delta-9", "Fortrolig sag", "Epsilon", "filialen"):
            assert word not in whole
        assert "Åben tråd om kompost" in whole
    count_line = da_n(
        "%(num)d new post in confidential threads you have access to",
        "%(num)d new posts in confidential threads you have access to",
        2,  # the new thread and the reply in it
    )
    assert count_line in mailbox.part(inside, "plain")
    assert count_line not in mailbox.part(outside, "plain")  # not even that it exists


def test_a_digest_lists_unread_notifications_deadlines_and_the_next_meeting(
    mailbox, member, facilitator
):
    for topic in (EmailTopic.MEETINGS, EmailTopic.SURVEYS, EmailTopic.COMMITMENTS):
        set_email_delivery(member, topic, EmailDelivery.DAILY)
    now = next_digest_time(DigestPeriod.DAILY)
    local_today = now.replace(tzinfo=UTC).astimezone(TIMEZONE).date()
    meeting = Meeting(
        title="Sommermødet i Aarhus",
        date=local_today + timedelta(days=20),
        starts_at=time(10),
        ends_at=time(15),
        town="Aarhus",
    )
    db.session.add(meeting)
    db.session.flush()
    survey = Survey(
        meeting_id=meeting.id,
        title="Hvad skal vi tale om?",
        opened_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=2),
    )
    db.session.add(survey)
    db.session.commit()
    db.session.add(
        Notification(
            user_id=member.id,
            kind=NotificationKind.MEETING_PUBLISHED,
            meeting_id=meeting.id,
            created_at=now - timedelta(hours=3),
        )
    )
    db.session.commit()

    assert run_digests(now) == 1
    (message,) = mailbox.wait_for(1)
    text = mailbox.part(message, "plain")
    assert "Sommermødet i Aarhus" in text
    assert "Hvad skal vi tale om?" in text
    assert f"http://localhost/moeder/{meeting.id}" in text
    assert f"http://localhost/moeder/{meeting.id}/undersoegelse/svar" in text


def test_a_closing_survey_is_announced_once_per_person(mailbox, member, other_member):
    meeting = Meeting(
        title="Efterårsmødet",
        date=date.today() + timedelta(days=30),
        starts_at=time(10),
        ends_at=time(15),
    )
    db.session.add(meeting)
    db.session.flush()
    survey = Survey(
        meeting_id=meeting.id,
        title="Ønsker til mødet",
        opened_at=utcnow(),
        closes_at=utcnow() + timedelta(days=2),
    )
    db.session.add(survey)
    db.session.commit()
    set_email_delivery(member, EmailTopic.SURVEYS, EmailDelivery.IMMEDIATELY)
    db.session.commit()

    assert notify_closing_surveys(utcnow()) == 2
    db.session.commit()
    assert notify_closing_surveys(utcnow()) == 0
    db.session.commit()
    notes = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.SURVEY_CLOSING)
    ).all()
    assert sorted(n.user_id for n in notes) == sorted([member.id, other_member.id])
    (message,) = mailbox.wait_for(1)  # Ole keeps the default: in his weekly digest
    assert message["To"] == member.email
    assert "Ønsker til mødet" in str(message["Subject"])


def test_a_digest_is_written_when_sent_so_a_thread_made_confidential_meanwhile_stays_secret(
    mailbox, daily_reader, other_member, theme
):
    thread = thread_service.create_thread(other_member, theme, SECRET_TITLE, SECRET_BODY)
    factories.thread(other_member, theme, "Åben tråd om kompost", "Kompost virker")
    db.session.commit()
    assert run_digests(next_digest_time(DigestPeriod.DAILY)) == 1  # queued, not yet sent
    circles.change_visibility(other_member, thread, "circle", [])
    db.session.commit()

    (message,) = mailbox.wait_for(1)
    whole = str(message["Subject"]) + mailbox.part(message, "plain") + mailbox.part(message, "html")
    assert "Åben tråd om kompost" in whole
    assert "Delta-9" not in whole and "Epsilon" not in whole
