"""Daily and weekly digest emails: what happened in the period, for each person, once.

A daily digest covers the 24 hours up to 07:00 Copenhagen time and is due from then; a
weekly one covers the week up to Monday 07:00. The worker, whenever it runs after that time,
sends each person's digest for the latest period once: the DigestSent row (its key is
person, period, start) is written in the same transaction as the queued email, so a second
run, or a second worker, finds the key taken. A worker that was stopped for several periods
sends only the latest one. A person whose digest would be empty gets no email, but the
period is still recorded, so it is not worked out again every minute.

Each part of a digest belongs to an email topic, and appears in the digest the person chose
for that topic (forum/email_prefs): new threads (new_threads), replies in threads they
follow (replies), new commitments shared with the network and their own deadlines
(commitments), the open survey (surveys), the next meeting's invitation (meetings), and
their unread notifications of every topic they chose for this digest.

Everything is read through the permission gates at the time the digest is made. Nothing
from a circle or facilitators-only thread, a hidden post or a private commitment is named:
such posts and notifications only add to one line, "N new posts in confidential threads you
have access to", with a link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from forum import dates, permissions
from forum.extensions import db
from forum.models import (
    Commitment,
    DigestSent,
    EmailPreference,
    Meeting,
    Notification,
    Post,
    Rsvp,
    Survey,
    SurveyResponse,
    Thread,
    ThreadWatch,
    User,
)
from forum.models.vocabulary import (
    DEFAULT_DELIVERY,
    TOPIC_OF_KIND,
    CommitmentVisibility,
    DigestPeriod,
    EmailDelivery,
    EmailTopic,
    NotificationKind,
    Visibility,
    WatchLevel,
)
from forum.services.actions import OPEN_STATUSES
from forum.services.email_content import Drop, notification_text
from forum.services.mail import site_url
from forum.services.meetings import TIMEZONE
from forum.services.outbox import queue_to_user
from forum.services.unsubscribe import DIGEST, make_token

SEND_AT = time(7)  # Copenhagen time
DEADLINE_DAYS = 14
MAX_LINES = 20  # per section; the rest is "and N more"
DELIVERY_OF_PERIOD = {
    DigestPeriod.DAILY: EmailDelivery.DAILY,
    DigestPeriod.WEEKLY: EmailDelivery.WEEKLY,
}
# Kinds the digest's own sections already cover (replies in followed threads, new threads).
COVERED_KINDS = frozenset(
    {NotificationKind.REPLY, NotificationKind.HELP_REPLY, NotificationKind.NEW_THREAD}
)


@dataclass(frozen=True)
class Window:
    """A digest period: its key date and its start and end as naive UTC times."""

    period: DigestPeriod
    start_day: date
    start: datetime
    end: datetime


@dataclass
class Digest:
    """One person's digest: titled sections of lines, and the confidential count."""

    sections: list[dict[str, object]] = field(default_factory=list)
    confidential: set[tuple[str, int]] = field(default_factory=set)

    def add(self, title: str, lines: list[dict[str, str]], more: int = 0) -> None:
        """Add a section when it has lines."""
        if lines:
            self.sections.append({"title": title, "lines": lines, "more": more})

    @property
    def is_empty(self) -> bool:
        """Return whether there is nothing to tell."""
        return not self.sections and not self.confidential


def _utc(day: date, at: time) -> datetime:
    """Return a Copenhagen day and time as naive UTC."""
    return datetime.combine(day, at, TIMEZONE).astimezone(UTC).replace(tzinfo=None)


def latest_window(period: DigestPeriod, now: datetime) -> Window:
    """Return the latest period that has ended by `now` (naive UTC)."""
    local = now.replace(tzinfo=UTC).astimezone(TIMEZONE)
    end_day = local.date() if local.time() >= SEND_AT else local.date() - timedelta(days=1)
    if period == DigestPeriod.WEEKLY:
        end_day -= timedelta(days=end_day.weekday())  # back to Monday
        start_day = end_day - timedelta(days=7)
    else:
        start_day = end_day - timedelta(days=1)
    return Window(period, start_day, _utc(start_day, SEND_AT), _utc(end_day, SEND_AT))


def _line(text: str, link: str) -> dict[str, str]:
    """Return one digest line."""
    return {"text": text, "link": link}


def _not_quotable(thread: Thread, post: Post | None) -> bool:
    """Return whether the thing may only be counted, never named."""
    return not permissions.is_quotable_in_email(thread, post)


def _notifications(user: User, window: Window, topics: set[EmailTopic], digest: Digest) -> None:
    """Add the period's unread notifications of the digest's topics the reader may still see."""
    kinds = [k for k, t in TOPIC_OF_KIND.items() if t in topics and k not in COVERED_KINDS]
    if not kinds:
        return
    notes = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .where(Notification.kind.in_(kinds))
        .where(Notification.created_at >= window.start, Notification.created_at < window.end)
        .options(selectinload(Notification.actor))
        .order_by(Notification.created_at)
    ).all()
    lines = []
    for note in notes:
        try:
            text = notification_text(user, note)
        except Drop:
            continue
        thread = db.session.get(Thread, note.thread_id) if note.thread_id is not None else None
        post = db.session.get(Post, note.post_id) if note.post_id is not None else None
        if thread is not None and _not_quotable(thread, post):
            digest.confidential.add(("post", post.id) if post else ("thread", thread.id))
            continue
        lines.append(_line(text.subject, text.link))
    digest.add(_("For you"), lines[:MAX_LINES], max(0, len(lines) - MAX_LINES))


def _new_threads(user: User, window: Window, digest: Digest) -> None:
    """Add the period's new threads the reader may see (confidential ones only counted)."""
    threads = db.session.scalars(
        select(Thread)
        .where(permissions.visible_threads(user))
        .where(Thread.created_at >= window.start, Thread.created_at < window.end)
        .where(Thread.author_id != user.id)
        .options(selectinload(Thread.author), selectinload(Thread.theme))
        .order_by(Thread.created_at)
    ).all()
    lines = []
    for thread in threads:
        if _not_quotable(thread, None):
            digest.confidential.add(("thread", thread.id))
            continue
        text = _(
            "“%(title)s” by %(author)s in %(theme)s",
            title=thread.title,
            author=thread.author.name,
            theme=thread.theme.name,
        )
        lines.append(_line(text, site_url("threads.thread", thread_id=thread.id)))
    digest.add(_("New threads"), lines[:MAX_LINES], max(0, len(lines) - MAX_LINES))


def _followed(user: User) -> ColumnElement[bool]:
    """Return the SQL condition that the reader follows a post's thread (and did not mute)."""
    own = aliased(Post)  # not the outer query's post
    posted = exists().where(own.thread_id == Thread.id, own.author_id == user.id)
    watching = exists().where(
        ThreadWatch.thread_id == Thread.id,
        ThreadWatch.user_id == user.id,
        ThreadWatch.level == WatchLevel.WATCHING,
    )
    muted = exists().where(
        ThreadWatch.thread_id == Thread.id,
        ThreadWatch.user_id == user.id,
        ThreadWatch.level == WatchLevel.MUTED,
    )
    return and_(or_(Thread.author_id == user.id, posted, watching), ~muted)


def _new_posts(
    user: User, window: Window, followed_only: bool
) -> Select[int, int, Visibility, datetime | None, datetime | None]:
    """Return the query of others' posts in the period that the reader may see."""
    query = (
        select(Post.id, Post.thread_id, Thread.visibility, Thread.hidden_at, Post.hidden_at)
        .join(Thread, Thread.id == Post.thread_id)
        .where(permissions.visible_threads(user), permissions.visible_posts(user))
        .where(Post.created_at >= window.start, Post.created_at < window.end)
        .where(Post.author_id != user.id, Post.position > 1)
    )
    return query.where(_followed(user)) if followed_only else query


def _replies(user: User, window: Window, digest: Digest) -> None:
    """Add, per followed thread, how many new replies it got (confidential ones counted)."""
    rows = db.session.execute(_new_posts(user, window, followed_only=True)).all()
    counts: dict[int, int] = {}
    for post_id, thread_id, visibility, thread_hidden, post_hidden in rows:
        if visibility != Visibility.NETWORK or thread_hidden or post_hidden:
            digest.confidential.add(("post", post_id))
        else:
            counts[thread_id] = counts.get(thread_id, 0) + 1
    threads = db.session.scalars(
        select(Thread).where(Thread.id.in_(counts)).order_by(Thread.last_post_at.desc())
    ).all()
    lines = [
        _line(
            ngettext(
                "%(num)d new reply in “%(title)s”",
                "%(num)d new replies in “%(title)s”",
                counts[thread.id],
                title=thread.title,
            ),
            site_url("threads.thread", thread_id=thread.id),
        )
        for thread in threads
    ]
    digest.add(
        _("Replies in threads you follow"), lines[:MAX_LINES], max(0, len(lines) - MAX_LINES)
    )


def _confidential_posts(user: User, window: Window, digest: Digest) -> None:
    """Count every new post the reader may see in a confidential thread, or a hidden one."""
    rows = db.session.execute(_new_posts(user, window, followed_only=False)).all()
    for post_id, _thread_id, visibility, thread_hidden, post_hidden in rows:
        if visibility != Visibility.NETWORK or thread_hidden or post_hidden:
            digest.confidential.add(("post", post_id))


def _commitments(user: User, window: Window, digest: Digest) -> None:
    """Add the period's commitments shared with the network by others."""
    shared = db.session.scalars(
        select(Commitment)
        .where(Commitment.visibility == CommitmentVisibility.NETWORK)
        .where(permissions.visible_commitments(user))
        .where(Commitment.created_at >= window.start, Commitment.created_at < window.end)
        .where(Commitment.owner_id != user.id)
        .options(selectinload(Commitment.owner))
        .order_by(Commitment.created_at)
    ).all()
    lines = [
        _line(
            _("“%(title)s” by %(owner)s", title=item.title, owner=item.owner.name),
            site_url("actions.commitment", commitment_id=item.id),
        )
        for item in shared
    ]
    digest.add(
        _("New commitments shared with the network"),
        lines[:MAX_LINES],
        max(0, len(lines) - MAX_LINES),
    )


def _deadlines(user: User, now: datetime, topics: set[EmailTopic]) -> list[dict[str, str]]:
    """Return the reader's coming deadlines of the digest's topics."""
    today = now.replace(tzinfo=UTC).astimezone(TIMEZONE).date()
    lines = []
    if EmailTopic.COMMITMENTS in topics:
        due = db.session.scalars(
            select(Commitment)
            .where(Commitment.owner_id == user.id, Commitment.status.in_(OPEN_STATUSES))
            .where(Commitment.due_date >= today)
            .where(Commitment.due_date <= today + timedelta(days=DEADLINE_DAYS))
            .order_by(Commitment.due_date, Commitment.id)
        ).all()
        for item in due:
            when = dates.day_text(item.due_date)
            if item.visibility == CommitmentVisibility.NETWORK:
                text = _(
                    "Your commitment “%(title)s” is due on %(date)s", title=item.title, date=when
                )
            else:  # kept between the member and the facilitators: not in an email
                text = _("One of your commitments is due on %(date)s", date=when)
            lines.append(_line(text, site_url("actions.commitment", commitment_id=item.id)))
    if EmailTopic.SURVEYS in topics:
        answered = exists().where(
            SurveyResponse.survey_id == Survey.id, SurveyResponse.user_id == user.id
        )
        # Only surveys of meetings still to come, as on the home page's "Til dig".
        surveys = db.session.scalars(
            select(Survey)
            .join(Meeting, Meeting.id == Survey.meeting_id)
            .where(Meeting.date >= today)
            .where(Survey.opened_at.is_not(None), Survey.closed_at.is_(None))
            .where(or_(Survey.closes_at.is_(None), Survey.closes_at > now))
            .where(~answered)
            .order_by(Survey.id)
        ).all()
        for survey in surveys:
            if survey.closes_at is not None:
                text = _(
                    "Answer the survey “%(title)s” before %(date)s",
                    title=survey.title,
                    date=dates.day_text(survey.closes_at),
                )
            else:
                text = _("Answer the survey “%(title)s”", title=survey.title)
            lines.append(_line(text, site_url("meetings.survey", meeting_id=survey.meeting_id)))
    if EmailTopic.MEETINGS in topics:
        meeting = db.session.scalar(
            select(Meeting).where(Meeting.date > today).order_by(Meeting.date, Meeting.id).limit(1)
        )
        if meeting is not None and db.session.get(Rsvp, (meeting.id, user.id)) is None:
            text = _(
                "Will you come to %(title)s on %(date)s? Please answer the invitation",
                title=meeting.title,
                date=dates.day_text(meeting.date),
            )
            lines.append(_line(text, site_url("meetings.meeting", meeting_id=meeting.id)))
    return lines


def build_digest(user: User, window: Window, now: datetime, topics: set[EmailTopic]) -> Digest:
    """Return what the reader's digest for the period says, in the current language."""
    digest = Digest()
    _notifications(user, window, topics, digest)
    if EmailTopic.NEW_THREADS in topics:
        _new_threads(user, window, digest)
    if EmailTopic.REPLIES in topics:
        _replies(user, window, digest)
    if EmailTopic.NEW_THREADS in topics:
        _confidential_posts(user, window, digest)
    if EmailTopic.COMMITMENTS in topics:
        _commitments(user, window, digest)
    digest.add(_("Coming up"), _deadlines(user, now, topics))
    return digest


def _topics_by_user(users: list[User], delivery: EmailDelivery) -> dict[int, set[EmailTopic]]:
    """Return, per person, the topics they get in this kind of digest."""
    chosen: dict[int, dict[EmailTopic, EmailDelivery]] = {user.id: {} for user in users}
    for pref in db.session.scalars(
        select(EmailPreference).where(EmailPreference.user_id.in_(list(chosen)))
    ):
        chosen[pref.user_id][pref.topic] = pref.delivery
    return {
        user_id: {t for t in EmailTopic if choices.get(t, DEFAULT_DELIVERY[t]) == delivery}
        for user_id, choices in chosen.items()
    }


def _queue(user: User, window: Window, now: datetime, topics: set[EmailTopic]) -> None:
    """Queue the reader's digest: only which period and topics; the worker writes it."""
    queue_to_user(
        user,
        "digest",
        period=window.period.value,
        start=window.start_day.isoformat(),
        now=now.isoformat(),
        topics=sorted(topic.value for topic in topics),
        unsubscribe_link=site_url("email.unsubscribe", token=make_token(user.id, DIGEST)),
    )


def _window_from(period: DigestPeriod, start_day: date) -> Window:
    """Return the period that starts on the day."""
    days = 7 if period == DigestPeriod.WEEKLY else 1
    end_day = start_day + timedelta(days=days)
    return Window(period, start_day, _utc(start_day, SEND_AT), _utc(end_day, SEND_AT))


def digest_context(user: User, stored: dict[str, object]) -> dict[str, object]:
    """Return the digest email's context, written now, when the worker sends it.

    What the reader may see is asked at this moment, not when the digest was queued, so a
    thread made confidential or hidden while the email waited for the mail server goes out
    only as a count. Raises Drop when nothing is left to tell.
    """
    period = DigestPeriod(str(stored["period"]))
    window = _window_from(period, date.fromisoformat(str(stored["start"])))
    now = datetime.fromisoformat(str(stored["now"]))
    chosen = stored.get("topics")
    topics = {EmailTopic(str(topic)) for topic in chosen} if isinstance(chosen, list) else set()
    digest = build_digest(user, window, now, topics)
    if digest.is_empty:
        raise Drop("nothing left to tell in the digest")
    count = len(digest.confidential)
    confidential = (
        ngettext(
            "%(num)d new post in confidential threads you have access to",
            "%(num)d new posts in confidential threads you have access to",
            count,
        )
        if count
        else ""
    )
    return {
        **stored,
        "user": user,
        "sections": digest.sections,
        "confidential": confidential,
        "home_link": site_url("core.home"),
        "preferences_link": site_url("email.preferences"),
    }


def queue_digest(user: User, window: Window, now: datetime, topics: set[EmailTopic]) -> bool:
    """Record the reader's digest for the period and queue it unless empty (flushes).

    Returns whether an email was queued; False also when another run recorded it first
    (the DigestSent key is taken in a savepoint, so the caller's transaction goes on).
    """
    with force_locale(user.language or "da"):
        digest = build_digest(user, window, now, topics)
        try:
            with db.session.begin_nested():
                db.session.add(
                    DigestSent(user_id=user.id, period=window.period, period_start=window.start_day)
                )
        except IntegrityError:
            return False
        if not digest.is_empty:
            _queue(user, window, now, topics)
    db.session.flush()
    return not digest.is_empty


def due_digests(
    now: datetime, periods: tuple[DigestPeriod, ...] = tuple(DigestPeriod)
) -> list[tuple[User, Window, set[EmailTopic]]]:
    """Return who is due a digest for the latest daily and weekly period, with its topics."""
    due = []
    for period in periods:
        delivery = DELIVERY_OF_PERIOD[period]
        window = latest_window(period, now)
        already = exists().where(
            DigestSent.user_id == User.id,
            DigestSent.period == period,
            DigestSent.period_start == window.start_day,
        )
        users = list(
            db.session.scalars(
                select(User).where(User.is_enabled.is_(True), ~already).order_by(User.id)
            )
        )
        topics = _topics_by_user(users, delivery)
        due += [(user, window, topics[user.id]) for user in users if topics[user.id]]
    return due
