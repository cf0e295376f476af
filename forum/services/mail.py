"""Sending email through SMTP, or to the log when no mail server is configured."""

from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from forum.models import User

# Headers are not folded below RFC 5322's 998-character limit: Python's folding of long
# non-ASCII subjects into several encoded words drops the space between them
# ("før netværksmødet" arrived as "førnetværksmødet").
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


def site_url(endpoint: str, **values: object) -> str:
    """Return an absolute link for emails, built on FORUM_BASE_URL.

    Never on the request's Host header: a forged Host would otherwise put an attacker's
    address in password-reset emails. Works outside requests too (CLI, cron).
    """
    base = urlsplit(current_app.config["FORUM_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


def send_email(to: str, subject: str, body: str) -> None:
    """Send a plain-text email. Raises smtplib.SMTPException when the server refuses it."""
    config = current_app.config
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="netvaerksforum")
    message.set_content(body, cte="quoted-printable")

    if not config["MAIL_SERVER"]:
        # Written as it reads, not as it travels (quoted-printable turns "Kære" into
        # "K=C3=A6re"), so a developer can read it and follow its link.
        current_app.logger.info(
            "Email (no FORUM_MAIL_SERVER set):\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
            config["MAIL_SENDER"],
            to,
            subject,
            body,
        )
        return

    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)


def send_templated_email(to: str, template: str, language: str = "da", **context: object) -> None:
    """Render templates/email/<template>.txt in the reader's language and send it.

    The template's first line is the subject. Raises smtplib.SMTPException on refusal.
    """
    with force_locale(language):
        text = render_template(f"email/{template}.txt", **context)
    subject, _, body = text.strip().partition("\n")
    send_email(to, subject.strip(), body.strip() + "\n")


def send_to_user(user: User, template: str, **context: object) -> None:
    """Send a templated email to a person in their own language."""
    send_templated_email(user.email, template, user.language or "da", user=user, **context)
