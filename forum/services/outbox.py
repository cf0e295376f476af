"""The queue of outgoing email: rows written in the transaction that causes them.

A request or command only adds OutboxEmail rows (flushed with everything else it did), so an
email exists exactly when what caused it was committed, and no request waits for SMTP.
`flask --app wsgi worker` renders and sends them (forum.worker).
"""

from __future__ import annotations

from email.utils import make_msgid

from sqlalchemy import and_, or_, select, update

from forum.extensions import db
from forum.models import Notification, OutboxEmail, User, utcnow

MESSAGE_ID_DOMAIN = "netvaerksforum"


def new_message_id() -> str:
    """Return a new, globally unique Message-ID (with its angle brackets)."""
    return make_msgid(domain=MESSAGE_ID_DOMAIN)


def thread_message_id(thread_id: int) -> str:
    """Return the stable Message-ID that every email about a thread refers to.

    Emails about one thread carry it in In-Reply-To and References, so a mail program shows
    them as one conversation.
    """
    return f"<thread-{thread_id}@{MESSAGE_ID_DOMAIN}>"


def queue_email(
    to_address: str,
    template: str,
    *,
    language: str = "da",
    user: User | None = None,
    notification: Notification | None = None,
    in_reply_to: str = "",
    **context: object,
) -> OutboxEmail:
    """Queue templates/email/<template>.txt (and .html) for the worker to render and send.

    `context` must be JSON values (ids, strings, numbers): it is stored with the row.
    """
    email = OutboxEmail(
        to_address=to_address,
        template=template,
        language=language or "da",
        user_id=user.id if user is not None else None,
        notification_id=notification.id if notification is not None else None,
        message_id=new_message_id(),
        in_reply_to=in_reply_to,
        context=dict(context),
    )
    db.session.add(email)
    db.session.flush()
    return email


def queue_to_user(
    user: User,
    template: str,
    *,
    notification: Notification | None = None,
    in_reply_to: str = "",
    **context: object,
) -> OutboxEmail:
    """Queue a templated email to a person, in their language."""
    return queue_email(
        user.email,
        template,
        language=user.language or "da",
        user=user,
        notification=notification,
        in_reply_to=in_reply_to,
        **context,
    )


def drop_unsent(to_address: str, template: str, reason: str, **match: object) -> int:
    """Drop the queued emails of a template to an address whose context holds `match`;
    return how many.

    For an email made stale before it went out (an invitation resent or revoked): it is not
    sent, and it forgets its context (a link's secret). An email a worker has claimed, and so
    may be sending right now, is left alone.
    """
    now = utcnow()
    waiting = and_(
        OutboxEmail.to_address == to_address,
        OutboxEmail.template == template,
        OutboxEmail.sent_at.is_(None),
        OutboxEmail.dropped_at.is_(None),
        or_(OutboxEmail.claimed_until.is_(None), OutboxEmail.claimed_until < now),
    )
    ids = [
        email_id
        for email_id, context in db.session.execute(
            select(OutboxEmail.id, OutboxEmail.context).where(waiting)
        )
        if all((context or {}).get(key) == value for key, value in match.items())
    ]
    if not ids:
        return 0
    # The condition again in the UPDATE: a worker may have claimed one meanwhile.
    result = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id.in_(ids), waiting)
        .values(dropped_at=now, context={}, last_error=reason)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
