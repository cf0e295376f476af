"""The worker: delivers the queued emails and runs the timed jobs (`flask --app wsgi worker`).

Delivery takes one due email at a time:

1. claim it in a short transaction: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`, so
   two workers never pick the same row, then on both engines an UPDATE that sets
   `claimed_until` only while the row is still unclaimed (compare-and-set), and commit;
2. render it, asking forum.permissions again for a notification, then end the (reading)
   transaction, and hand it to SMTP outside any transaction, so no lock waits on the mail
   server;
3. mark it sent (or schedule the retry, with back-off) and commit.

A worker that dies after claiming leaves the claim to expire (OUTBOX_LEASE_SECONDS); another
worker then takes the email up. When the SMTP server cannot be reached the pass stops, so
a server that is away costs one attempt, not one per waiting email.

Uploaded documents have their text read for search the same way: claimed with a lease and
committed, read from disk and parsed outside any transaction, then the text (or why it could
not be read) saved, which re-indexes the resource in that transaction.

The timed jobs (meeting reminders, closing surveys, daily and weekly digests) run at the
start of a pass, at most once a minute in the loop, and are safe to run any number of
times: each records what it sent in the same transaction as the emails it queued.
"""

from __future__ import annotations

import signal
import smtplib
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import ColumnElement, and_, or_, select, update

from forum.extensions import db
from forum.models import OutboxEmail, ResourceFile, TextState, User
from forum.models.base import utcnow
from forum.models.vocabulary import DigestPeriod
from forum.services import digests as digest_service
from forum.services import library as library_service
from forum.services import reminders as reminder_service
from forum.services import uploads
from forum.services.closing_surveys import notify_closing_surveys
from forum.services.email_content import (
    Drop,
    notification_context,
    plain_context,
    unsubscribe_headers,
)
from forum.services.mail import RenderedEmail, build_message, render_email, send_message
from forum.services.meetings import TIMEZONE
from forum.services.text_extraction import TextExtractionError, extract_text

# Errors that say the server is away, not that this one email is wrong: stop the pass.
# (smtplib's errors are OSErrors too, so these are named one by one; a refused recipient
# or message is that email's failure and the pass goes on.)
SERVER_AWAY = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
    socket.gaierror,
)
LONGEST_RETRY = timedelta(days=1)
TIMED_JOBS_EVERY = timedelta(minutes=1)
# A file's text is read within this lease; a worker that dies leaves it to the next one.
FILE_TEXT_LEASE = timedelta(minutes=10)
# A file that could not be opened (missing on disk, say while a volume is remounted) is
# tried this many times in all, this long apart.
FILE_TEXT_ATTEMPTS = 3
FILE_TEXT_RETRY = timedelta(minutes=5)
# Files read per pass of the worker, so emails go out between them.
FILE_TEXTS_PER_PASS = 5
# The library's bin is emptied of resources past their 30 days this often (idempotent).
PURGE_EVERY = timedelta(days=1)


@dataclass
class PassReport:
    """What one pass of the worker did."""

    sent: int = 0
    failed: int = 0
    dropped: int = 0
    reminders: int = 0
    survey_notices: int = 0
    digests: int = 0
    purged: int = 0
    texts_read: int = 0
    texts_failed: int = 0


def _due(now: datetime) -> ColumnElement[bool]:
    """Return the condition of an email that is waiting, due, and claimed by nobody."""
    return and_(
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.dropped_at.is_(None),
        OutboxEmail.next_attempt_at <= now,
        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
    )


def claim_next(now: datetime) -> OutboxEmail | None:
    """Claim the next due email for this worker and commit; None when nothing is due."""
    lease = timedelta(seconds=current_app.config["OUTBOX_LEASE_SECONDS"])
    while True:
        email_id = db.session.scalar(
            select(OutboxEmail.id)
            .where(_due(now))
            .order_by(OutboxEmail.next_attempt_at, OutboxEmail.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite relies on the UPDATE
        )
        if email_id is None:
            db.session.rollback()
            return None
        claimed = db.session.execute(
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, _due(now))
            .values(claimed_until=now + lease)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return db.session.get(OutboxEmail, email_id)
        # Another worker (SQLite) claimed it between our SELECT and UPDATE: take the next.


def render(email: OutboxEmail) -> RenderedEmail:
    """Render the queued email in its reader's language. Raises Drop when it must not go."""
    headers: dict[str, str] = {}
    if email.template == "notification":
        with force_locale(email.language or "da"):  # its sentences are made in Python
            context, headers = notification_context(email)
    elif email.template == "digest":
        reader = plain_context(email)["user"]
        assert isinstance(reader, User)
        with force_locale(email.language or "da"):
            context = digest_service.digest_context(reader, dict(email.context or {}))
        headers = unsubscribe_headers(str(context["unsubscribe_link"]))
    else:
        context = plain_context(email)
        unsubscribe_link = context.get("unsubscribe_link")
        if isinstance(unsubscribe_link, str):  # digests carry their own
            headers = unsubscribe_headers(unsubscribe_link)
    rendered = render_email(email.template, email.language, **context)
    rendered.headers.update(headers)
    return rendered


def _finish(email_id: int, **values: object) -> None:
    """Record the outcome of an attempt, release the claim and commit.

    A sent or dropped email forgets its context: an invitation's or a reset's link is a
    secret the database otherwise keeps only hashed.
    """
    if values.get("sent_at") is not None or values.get("dropped_at") is not None:
        values["context"] = {}
    db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id)
        .values(claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _failed(email_id: int, attempts: int, error: str, now: datetime) -> bool:
    """Schedule the next attempt with back-off, or drop the email; return whether dropped."""
    config = current_app.config
    if attempts >= config["OUTBOX_MAX_ATTEMPTS"]:
        current_app.logger.error(
            "Email %s dropped after %s attempts: %s", email_id, attempts, error
        )
        _finish(email_id, attempts=attempts, last_error=error[:2000], dropped_at=now)
        return True
    delay = timedelta(seconds=config["OUTBOX_RETRY_SECONDS"] * 2 ** (attempts - 1))
    current_app.logger.warning(
        "Email %s not sent (attempt %s), retrying: %s", email_id, attempts, error
    )
    _finish(
        email_id,
        attempts=attempts,
        last_error=error[:2000],
        next_attempt_at=now + min(delay, LONGEST_RETRY),
    )
    return False


def deliver_due(now: datetime | None = None) -> PassReport:
    """Send every due email once; stop early when the SMTP server cannot be reached."""
    report = PassReport()

    # Each claim, and each outcome, reads the clock anew: a long pass (a backlog after an
    # outage) must not hand out leases that are already over, or a second worker would
    # take the same email. `now` fixes the clock for tests.
    def clock() -> datetime:
        """Return the fixed time of a test, or now."""
        return now if now is not None else utcnow()

    while (email := claim_next(clock())) is not None:
        email_id, attempts = email.id, email.attempts + 1
        to, message_id, in_reply_to = email.to_address, email.message_id, email.in_reply_to
        try:
            rendered = render(email)
        except Drop as reason:
            db.session.rollback()
            current_app.logger.info("Email %s dropped: %s", email_id, reason)
            _finish(email_id, last_error=str(reason), dropped_at=clock())
            report.dropped += 1
            continue
        except Exception as error:  # a broken template must not stop the other emails
            db.session.rollback()
            current_app.logger.exception("Email %s could not be rendered", email_id)
            report.failed += 1
            report.dropped += _failed(email_id, attempts, repr(error), clock())
            continue
        message = build_message(to, rendered, message_id=message_id, in_reply_to=in_reply_to)
        db.session.rollback()  # end the reading transaction: nothing is held during SMTP
        try:
            send_message(message)
        except SERVER_AWAY as error:  # nothing more goes out on this pass
            report.failed += 1
            report.dropped += _failed(email_id, attempts, repr(error), clock())
            break
        except (smtplib.SMTPException, OSError) as error:  # this email was refused
            report.failed += 1
            report.dropped += _failed(email_id, attempts, repr(error), clock())
            continue
        _finish(email_id, attempts=attempts, sent_at=utcnow(), last_error="")
        if attempts > 1:  # the log said it failed before: say that it went in the end
            current_app.logger.info("Email %s sent on attempt %s", email_id, attempts)
        report.sent += 1
    return report


def _text_due(now: datetime) -> ColumnElement[bool]:
    """Return the condition of a file whose text waits to be read, is claimed by nobody, and
    has attempts left."""
    return and_(
        ResourceFile.text_state == TextState.PENDING,
        ResourceFile.text_attempts < FILE_TEXT_ATTEMPTS,
        or_(ResourceFile.text_lease_until.is_(None), ResourceFile.text_lease_until <= now),
    )


def claim_next_file(now: datetime) -> int | None:
    """Claim the next file whose text is to be read, and commit; None when there is none."""
    while True:
        file_id = db.session.scalar(
            select(ResourceFile.id)
            .where(_text_due(now))
            .order_by(ResourceFile.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite relies on the UPDATE
        )
        if file_id is None:
            db.session.rollback()
            return None
        claimed = db.session.execute(
            update(ResourceFile)
            .where(ResourceFile.id == file_id, _text_due(now))
            .values(
                text_lease_until=now + FILE_TEXT_LEASE,
                text_attempts=ResourceFile.text_attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            return file_id


def _save_text(
    file_id: int,
    state: TextState,
    text: str = "",
    error: str = "",
    retry_at: datetime | None = None,
) -> None:
    """Store a file's text (or why it could not be read, or when to try again) and commit;
    saving the text re-indexes its resource in the same transaction."""
    version = db.session.get(ResourceFile, file_id)
    if version is None:  # the resource was purged meanwhile
        db.session.rollback()
        return
    version.text_state = state
    version.text = text
    version.text_error = error[:300]
    version.text_lease_until = retry_at
    db.session.commit()


def _give_up_on_files(now: datetime) -> int:
    """Mark failed, and log, the files still pending after their last attempt's lease ran out
    (a worker died while reading them, or saving their text kept failing); return how many."""
    stuck = and_(
        ResourceFile.text_state == TextState.PENDING,
        ResourceFile.text_attempts >= FILE_TEXT_ATTEMPTS,
        or_(ResourceFile.text_lease_until.is_(None), ResourceFile.text_lease_until <= now),
    )
    ids = list(db.session.scalars(select(ResourceFile.id).where(stuck)))
    for file_id in ids:
        current_app.logger.error(
            "Text of file %s not read after %s attempts", file_id, FILE_TEXT_ATTEMPTS
        )
        _save_text(
            file_id,
            TextState.FAILED,
            error=f"not read after {FILE_TEXT_ATTEMPTS} attempts (see the worker's log)",
        )
    db.session.commit()
    return len(ids)


def read_file_texts(
    now: datetime | None = None, limit: int | None = FILE_TEXTS_PER_PASS
) -> tuple[int, int]:
    """Read the text of the uploaded documents waiting for it, at most `limit` (so a batch of
    uploads never holds up the emails); return (read, failed).

    A file that cannot be parsed is marked failed at once, with the reason, and logged as an
    error (parsing it again would fail again); one missing on disk is tried again on later
    passes, FILE_TEXT_ATTEMPTS times in all.
    """
    read = failed = 0

    def clock() -> datetime:
        """Return the fixed time of a test, or now."""
        return now if now is not None else utcnow()

    failed += _give_up_on_files(clock())
    claimed = 0
    while (limit is None or claimed < limit) and (file_id := claim_next_file(clock())):
        claimed += 1
        version = db.session.get(ResourceFile, file_id)
        if version is None:
            continue
        stored_name, content_type, attempts = (
            version.stored_name,
            version.content_type,
            version.text_attempts,
        )
        db.session.rollback()  # nothing is held while the file is read and parsed
        path = uploads.file_path(stored_name)
        try:
            if path is None:
                raise FileNotFoundError(stored_name)
            text = extract_text(path.read_bytes(), content_type)
        except OSError as error:
            current_app.logger.error(
                "Text of file %s not read (attempt %s): %r", file_id, attempts, error
            )
            if attempts >= FILE_TEXT_ATTEMPTS:
                _save_text(
                    file_id, TextState.FAILED, error=f"the file could not be opened: {error!r}"
                )
                failed += 1
            else:
                _save_text(file_id, TextState.PENDING, retry_at=clock() + FILE_TEXT_RETRY)
            continue
        except TextExtractionError as error:
            current_app.logger.error("Text of file %s could not be read: %s", file_id, error)
            _save_text(file_id, TextState.FAILED, error=str(error))
            failed += 1
            continue
        except Exception as error:  # a parser's own bug must not stop the other files
            current_app.logger.exception("Text of file %s could not be read", file_id)
            _save_text(file_id, TextState.FAILED, error=repr(error))
            failed += 1
            continue
        _save_text(file_id, TextState.DONE, text=text)
        read += 1
    return read, failed


def purge_removed_resources(now: datetime) -> list[library_service.Purged]:
    """Delete the resources past their time in the bin, commit, and log what went."""
    purged = library_service.purge_removed(now)
    db.session.commit()  # the files are deleted once the rows are gone for good
    for item in purged:
        current_app.logger.info(
            "Purged removed resource %s (%r) and its files %s",
            item.resource_id,
            item.title,
            ", ".join(item.files) or "(none)",
        )
    return purged


def _job(name: str, job: Callable[[], int]) -> int:
    """Run one timed job and commit; a failing job is logged and rolled back, and the others
    (and the delivery of email) go on."""
    try:
        done = job()
        db.session.commit()
        return done
    except Exception:
        db.session.rollback()
        current_app.logger.exception("Timed job %s failed", name)
        return 0


def send_digests(now: datetime, periods: tuple[DigestPeriod, ...] = tuple(DigestPeriod)) -> int:
    """Queue each person's due digest, committing person by person; return how many went.

    One person's failing digest is logged and rolled back; the others still get theirs.
    """
    queued = 0
    for user, window, topics in digest_service.due_digests(now, periods):
        try:
            queued += digest_service.queue_digest(user, window, now, topics)
            db.session.commit()
        except Exception:
            db.session.rollback()
            current_app.logger.exception("Digest for user %s failed", user.id)
    return queued


def run_timed_jobs(now: datetime | None = None, purge: bool = True) -> PassReport:
    """Queue what is due now: meeting reminders, closing-survey notices and digests; and,
    with `purge`, empty the library's bin of what is past its time."""
    now = now or utcnow()
    report = PassReport()
    if purge:
        report.purged = _job("purge", lambda: len(purge_removed_resources(now)))
    today = now.replace(tzinfo=UTC).astimezone(TIMEZONE).date()  # reminders count local days
    report.reminders = _job("reminders", lambda: reminder_service.send_reminders(today).total)
    report.survey_notices = _job("closing surveys", lambda: notify_closing_surveys(now))
    report.digests = _job("digests", lambda: send_digests(now))
    return report


def run_once(
    now: datetime | None = None, timed_jobs: bool = True, purge: bool = True
) -> PassReport:
    """Run the timed jobs (unless told not to), read uploaded files' text, then deliver every
    due email."""
    report = run_timed_jobs(now, purge=purge) if timed_jobs else PassReport()
    try:
        report.texts_read, report.texts_failed = read_file_texts(now)
    except Exception:  # emails still go out when reading files fails as a whole
        db.session.rollback()
        current_app.logger.exception("Reading the text of uploaded files failed")
    delivered = deliver_due(now)
    report.sent, report.failed, report.dropped = delivered.sent, delivered.failed, delivered.dropped
    return report


class Worker:
    """The loop behind `flask worker`: a pass, then a nap, until told to stop."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.jobs_ran_at: datetime | None = None
        self.purged_at: datetime | None = None

    def stop(self, _signum: int | None = None, _frame: FrameType | None = None) -> None:
        """Finish the email in hand, then stop (on SIGTERM or SIGINT)."""
        self.stopping.set()

    def run(self) -> None:
        """Run passes until stopped; a failing pass is logged and tried again later."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.stop)
        current_app.logger.info("Worker started, polling every %s seconds", self.poll_seconds)
        while not self.stopping.is_set():
            now = utcnow()
            due = self.jobs_ran_at is None or now - self.jobs_ran_at >= TIMED_JOBS_EVERY
            purge = self.purged_at is None or now - self.purged_at >= PURGE_EVERY
            try:
                run_once(timed_jobs=due, purge=purge)  # each part reads the clock itself
                if due:
                    self.jobs_ran_at = now
                    if purge:
                        self.purged_at = now
            except Exception:  # the database may be restarting: wait, then try again
                db.session.rollback()
                current_app.logger.exception("Worker pass failed")
            finally:
                db.session.remove()
            self.stopping.wait(self.poll_seconds)
        current_app.logger.info("Worker stopped")
