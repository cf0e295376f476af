"""The queue of outgoing email: rows written in the transaction that causes them.

A request or command only adds OutboxEmail rows (flushed with everything else it did), so an
email exists exactly when what caused it was committed, and no request waits for SMTP.
`flask --app wsgi worker` renders and sends them (forum.worker).
"""

from __future__ import annotations

from email.utils import make_msgid

from forum.extensions import db
from forum.models import Notification, OutboxEmail, User

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
