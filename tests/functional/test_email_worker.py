"""Email from the outbox: the worker's delivery, retries and claiming, what notification
emails say (and never say), unsubscribing by the link alone, and the preferences page."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import delete, func, select

from forum import worker
from forum.extensions import db
from forum.models import EmailPreference, Notification, OutboxEmail
from forum.models.base import utcnow
from forum.models.vocabulary import EmailDelivery, EmailTopic, NotificationKind
from forum.services import circles
from forum.services.notifications import email_delivery, notify
from forum.services.outbox import queue_to_user, thread_message_id
from tests import factories
from tests.conftest import Mailbox, _free_port
from tests.text import da, text

SECRET_TITLE = "Hemmelig plan Zeta-7"
SECRET_BODY = "Budgettet for Omega-3 er fortroligt"
SECRET_REPLY = "Jeg foreslår Kappa-5 som næste skridt"


def path_of(link: str) -> str:
    return urlsplit(link).path


def later(minutes: int = 120):
    return utcnow() + timedelta(minutes=minutes)


def deliver(app: Flask, now=None) -> worker.PassReport:
    """Run one delivery pass as a worker process would: in an app context of its own."""
    with app.app_context():
        try:
            return worker.deliver_due(now)
        finally:
            db.session.remove()


def outbox_rows() -> list[OutboxEmail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))


@pytest.fixture
def network_reply(member, other_member, theme):
    """Mette's network thread, Ole's reply in it, and Mette's notification of it."""
    thread = factories.thread(member, theme, "Genbrugsbøger i Viborg", "Hvordan gør I?")
    post = factories.reply(
        other_member, thread, "Vi har en **bytte-reol** ved indgangen, og den bliver brugt."
    )
    db.session.commit()
    return thread, post, notification_of(member, post)


def notification_of(person, post) -> Notification:
    """Return the notification the reply made for the person (the reply service makes it)."""
    return db.session.scalar(
        select(Notification).where(
            Notification.user_id == person.id, Notification.post_id == post.id
        )
    )


@pytest.fixture
def circle_reply(member, other_member, facilitator, theme):
    """Mette's circle thread with Ole in it, Ole's reply, and Mette's notification of it."""
    from forum.services import threads as thread_service

    thread = thread_service.create_thread(
        member, theme, SECRET_TITLE, SECRET_BODY, visibility="circle", circle_ids=[other_member.id]
    )
    # Ole's "you were added to a circle" email is another test's subject: only the reply here.
    db.session.execute(delete(OutboxEmail))
    db.session.commit()
    post = factories.reply(other_member, thread, SECRET_REPLY)
    db.session.commit()
    return thread, post, notification_of(member, post)


# --- what a notification email says --------------------------------------------------------


def test_a_notification_email_has_text_and_html_threading_headers_and_a_working_link(
    client, login_as, mailbox, member, network_reply
):
    thread, post, _note = network_reply
    (message,) = mailbox.wait_for(1)
    (row,) = outbox_rows()
    assert row.sent_at is not None and row.attempts == 1

    assert message["To"] == member.email
    assert "Ole Andersen" in str(message["Subject"])
    assert "Genbrugsbøger i Viborg" in str(message["Subject"])
    assert message["Message-ID"] == row.message_id
    assert message["In-Reply-To"] == thread_message_id(thread.id)
    assert message["References"] == thread_message_id(thread.id)
    assert message["List-Unsubscribe"].startswith("<http://localhost/afmeld/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"

    text = mailbox.part(message, "plain")
    html = mailbox.part(message, "html")
    assert "Kære Mette Medlem" in text
    assert "bytte-reol ved indgangen" in text  # a plain excerpt, no Markdown or tags
    assert "**" not in text and "<strong>" not in text
    link = f"http://localhost/indlaeg/{post.id}"
    assert link in text
    assert f'href="{link}"' in html
    assert "bytte-reol" in html

    login_as(member)
    page = client.get(path_of(link), follow_redirects=True)
    assert page.status_code == 200
    assert "bytte-reol" in page.get_data(as_text=True)


def test_the_email_is_in_the_readers_language(mailbox, theme, other_member):
    english = factories.user(name="Emma English", language="en")
    thread = factories.thread(english, theme, "Solar panels", "Who has some?")
    factories.reply(other_member, thread, "We do.")  # the reply notifies the thread's starter
    db.session.commit()
    (message,) = mailbox.wait_for(1)
    assert str(message["Subject"]) == "Ole Andersen replied in “Solar panels”"
    assert "Dear Emma English," in mailbox.body(message)


def test_a_circle_email_says_nothing_of_the_circle_but_gives_the_link(
    client, login_as, mailbox, member, circle_reply
):
    thread, post, _note = circle_reply
    (message,) = mailbox.wait_for(1)
    whole = "\n".join(
        [str(message["Subject"]), mailbox.part(message, "plain"), mailbox.part(message, "html")]
    )
    for word in [*SECRET_TITLE.split(), *SECRET_BODY.split(), *SECRET_REPLY.split()]:
        if len(word) > 3:
            assert word not in whole, word
    for name in ("Ole", "Andersen", "Frida"):  # who replied, who else is in the circle
        assert name not in whole, name
    link = f"http://localhost/indlaeg/{post.id}"
    assert link in mailbox.part(message, "plain")
    login_as(member)
    page = client.get(path_of(link), follow_redirects=True)
    assert SECRET_REPLY in page.get_data(as_text=True)


def test_an_email_is_dropped_when_the_reader_lost_access_before_it_went(
    mailbox, member, other_member, circle_reply
):
    thread, post, _ = circle_reply
    note = notify(other_member, NotificationKind.REPLY, actor=member, thread=thread, post=post)
    assert note is not None
    db.session.commit()
    circles.remove_circle_member(member, thread, other_member)
    db.session.commit()

    messages = mailbox.wait_for(3, timeout=0.5)
    # Mette hears of the reply; Ole, now outside, only that he left a circle, and nothing of it.
    assert sorted(m["To"] for m in messages) == sorted([member.email, other_member.email])
    (to_ole,) = mailbox.to(other_member.email)
    for secret in (SECRET_TITLE, SECRET_BODY, SECRET_REPLY, member.name):
        assert secret not in mailbox.body(to_ole) and secret not in str(to_ole["Subject"])
    dropped = [row for row in outbox_rows() if row.notification_id == note.id]
    assert dropped[0].dropped_at is not None and dropped[0].sent_at is None


def test_a_moderators_reason_reaches_the_author(mailbox, member, facilitator, theme):
    thread = factories.thread(member, theme, "Affaldssortering", "Første indlæg")
    notify(
        member,
        NotificationKind.POST_HIDDEN,
        actor=facilitator,
        thread=thread,
        post=thread_first_post(thread),
        reason="Personlige oplysninger om en låner",
    )
    db.session.commit()
    (message,) = mailbox.wait_for(1)
    assert "Personlige oplysninger om en låner" in mailbox.body(message)
    assert "Affaldssortering" in str(message["Subject"])


def thread_first_post(thread):
    from forum.models import Post

    return db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.position == 1))


# --- unsubscribing by the link alone ------------------------------------------------------


def test_unsubscribe_from_the_link_alone_page_and_one_click(app, mailbox, member, network_reply):
    (message,) = mailbox.wait_for(1)
    link = message["List-Unsubscribe"].strip("<>")
    assert link in mailbox.body(message)  # also readable in the email itself

    stranger = app.test_client()  # no cookies, no login, a browser set to English
    page = stranger.get(path_of(link), headers={"Accept-Language": "en-US"})
    assert page.status_code == 200
    assert "<button" in page.get_data(as_text=True)
    assert '<html lang="da">' in page.get_data(as_text=True)  # the member's language
    assert email_delivery(member, EmailTopic.REPLIES) == EmailDelivery.IMMEDIATELY  # GET: no change

    # What a mail program sends (RFC 8058): no cookie, no CSRF token, just this body.
    response = app.test_client().post(
        path_of(link),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert email_delivery(member, EmailTopic.REPLIES) == EmailDelivery.NEVER
    assert email_delivery(member, EmailTopic.MENTIONS) == EmailDelivery.IMMEDIATELY


@pytest.mark.parametrize("token", ["garbage", "WzEsInJlcGxpZXMiXQ.forged", "x" * 300])
def test_a_bad_unsubscribe_link_gets_a_clear_page(app, db_session, token):
    for method in ("get", "post"):
        response = getattr(app.test_client(), method)(f"/afmeld/{token}")
        assert response.status_code == 404
        assert da("This unsubscribe link does not work") in text(response)


def test_a_token_for_one_person_cannot_be_changed_to_another(app, member, other_member):
    from forum.services.unsubscribe import make_token, read_token

    with app.test_request_context():
        token = make_token(member.id, "replies")
        found = read_token(token)
        assert found is not None and found.user.id == member.id
        signature = token.split(".")[1]
        forged = make_token(other_member.id, "replies").split(".")[0] + "." + signature
        assert read_token(forged) is None


# --- the preferences page -----------------------------------------------------------------


def test_email_preferences_are_chosen_per_topic_and_saved_at_once(client, login_as, member):
    login_as(member)
    page = client.get("/profil/email").get_data(as_text=True)
    assert page.count("<fieldset") == len(EmailTopic)
    assert page.count("<legend>") == len(EmailTopic)
    assert 'name="replies" type="radio" value="immediately" checked' in page or (
        'value="immediately"' in page
    )
    choices = {topic.value: "weekly" for topic in EmailTopic}
    choices["mentions"] = "daily"
    choices["replies"] = "never"
    response = client.submit("/profil/email", choices)
    assert response.status_code == 302
    db.session.expire_all()
    assert email_delivery(member, EmailTopic.MENTIONS) == EmailDelivery.DAILY
    assert email_delivery(member, EmailTopic.REPLIES) == EmailDelivery.NEVER
    assert email_delivery(member, EmailTopic.CIRCLES) == EmailDelivery.WEEKLY
    assert db.session.scalar(select(func.count()).select_from(EmailPreference)) == len(EmailTopic)


def test_a_forged_preference_is_refused_and_nothing_saved(client, login_as, member):
    login_as(member)
    choices = {topic.value: "weekly" for topic in EmailTopic}
    choices["replies"] = "hourly"
    response = client.submit("/profil/email", choices)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(EmailPreference)) == 0


def test_the_preferences_page_needs_a_login(client, db_session):
    response = client.get("/profil/email")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- delivery: retries, a server that goes away, two workers ------------------------------


def queue_many(person, count: int) -> None:
    for n in range(count):
        queue_to_user(person, "password_reset", link=f"http://localhost/nulstil/{n}")
    db.session.commit()


@pytest.fixture
def own_smtp(app, monkeypatch):
    """An SMTP server of this test's own, which the test may stop and start again."""
    box = Mailbox()
    port = _free_port()
    state = {"controller": Controller(box, hostname="127.0.0.1", port=port)}
    state["controller"].start()
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 2)

    def restart() -> None:
        state["controller"] = Controller(box, hostname="127.0.0.1", port=port)
        state["controller"].start()

    yield box, state, restart
    with contextlib.suppress(AssertionError):  # already stopped
        state["controller"].stop()


def test_smtp_stopped_during_a_run_loses_nothing_and_duplicates_nothing(
    app, db_session, member, own_smtp, monkeypatch
):
    box, state, restart = own_smtp
    queue_many(member, 6)
    real_send = worker.send_message
    sent = []

    def send_then_stop_the_server(message) -> None:
        real_send(message)
        sent.append(message["Message-ID"])
        if len(sent) == 2:
            state["controller"].stop()  # the mail server goes away in the middle of the run

    monkeypatch.setattr(worker, "send_message", send_then_stop_the_server)
    first = deliver(app)
    assert (first.sent, first.failed) == (2, 1)  # the pass stops at the first refusal
    assert len(box.messages) == 2

    rows = outbox_rows()
    waiting = [row for row in rows if row.sent_at is None]
    assert len(waiting) == 4 and all(row.dropped_at is None for row in waiting)
    (failed,) = [row for row in waiting if row.attempts]
    assert failed.last_error and failed.next_attempt_at > utcnow()
    assert all(row.claimed_until is None for row in rows)

    restart()
    assert deliver(app).sent == 3  # the one that failed waits for its retry time
    assert deliver(app, later()).sent == 1
    assert deliver(app, later()).sent == 0
    assert len(box.messages) == 6
    assert set(box.by_message_id().values()) == {1}
    assert set(box.by_message_id()) == {row.message_id for row in outbox_rows()}


def test_an_email_that_keeps_failing_is_dropped_after_the_last_attempt(
    app, db_session, member, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    monkeypatch.setitem(app.config, "OUTBOX_MAX_ATTEMPTS", 3)
    monkeypatch.setattr(app.logger, "disabled", False)  # see test_first_run
    queue_many(member, 1)
    when = utcnow()
    for attempt in (1, 2, 3):
        report = deliver(app, when)
        assert report.failed == 1
        (row,) = outbox_rows()
        assert row.attempts == attempt
        when = row.next_attempt_at if row.dropped_at is None else when
    assert row.dropped_at is not None
    assert "dropped after 3 attempts" in caplog.text
    assert deliver(app, later(60 * 24 * 3)).failed == 0  # never tried again


def test_retries_back_off(app, db_session, member, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)
    monkeypatch.setitem(app.config, "OUTBOX_RETRY_SECONDS", 60)
    queue_many(member, 1)
    now = utcnow()
    delays = []
    for _ in range(3):
        deliver(app, now)
        (row,) = outbox_rows()
        delays.append(round((row.next_attempt_at - now).total_seconds()))
        now = row.next_attempt_at
    assert delays == [60, 120, 240]


def test_two_workers_send_each_email_once(app, db_session, member, own_smtp, monkeypatch):
    box, _state, _restart = own_smtp
    queue_many(member, 24)
    real_send = worker.send_message

    def slow_send(message) -> None:
        time.sleep(0.01)  # so the two workers overlap
        real_send(message)

    monkeypatch.setattr(worker, "send_message", slow_send)
    reports: list[worker.PassReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(deliver(app))
        except BaseException as error:  # pragma: no cover - shown by the assert below
            errors.append(error)

    workers = [threading.Thread(target=run) for _ in range(2)]
    for each in workers:
        each.start()
    for each in workers:
        each.join(timeout=60)
    assert errors == []
    assert sum(report.sent for report in reports) == 24
    assert all(report.sent > 0 for report in reports), "both workers took part"
    assert len(box.messages) == 24
    assert set(box.by_message_id().values()) == {1}


def test_a_claimed_email_is_left_to_its_worker_until_the_claim_runs_out(
    app, db_session, member, mailbox
):
    queue_many(member, 1)
    with app.app_context():
        claimed = worker.claim_next(utcnow())
        assert claimed is not None
        db.session.remove()
    assert deliver(app).sent == 0  # another worker holds it
    lease = app.config["OUTBOX_LEASE_SECONDS"]
    assert deliver(app, later(lease // 60 + 1)).sent == 1  # that worker died: taken up again
    assert len(mailbox.wait_for(1)) == 1


def test_without_a_mail_server_the_worker_logs_the_email_and_marks_it_sent(
    app, db_session, member, monkeypatch, caplog
):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setattr(app.logger, "disabled", False)
    queue_many(member, 1)
    with caplog.at_level("INFO", logger=app.logger.name):
        assert deliver(app).sent == 1
    assert "Kære Mette Medlem" in caplog.text
    assert "http://localhost/nulstil/0" in caplog.text


def test_the_worker_command_runs_one_pass(app, mailbox, member):
    queue_many(member, 2)
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 emails" in result.output
    assert len(mailbox.wait_for(2)) == 2


def test_a_sent_invitation_forgets_its_link(mailbox, facilitator):
    from forum.services import accounts

    accounts.invite(facilitator, "ny@example.org", "Ny Person", "member")
    db.session.commit()
    (message,) = mailbox.wait_for(1)
    assert "/invitation/" in mailbox.body(message)
    (row,) = outbox_rows()
    assert row.sent_at is not None
    assert row.context == {}  # the link is a secret: only its hash is kept


def test_a_post_withdrawn_before_the_email_went_is_not_quoted(mailbox, member, network_reply):
    from forum.services import threads as thread_service

    _thread, post, _note = network_reply
    thread_service.withdraw_post(post.author, post)
    db.session.commit()
    (message,) = mailbox.wait_for(1)
    whole = str(message["Subject"]) + mailbox.body(message)
    assert "bytte-reol" not in whole
