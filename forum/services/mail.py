"""Building and sending email through SMTP, or to the log when no mail server is configured.

Only the worker (forum.worker) sends: requests and commands queue rows with
forum.services.outbox, and nothing here is called while a transaction is open.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

# Headers are not folded below RFC 5322's 998-character limit: Python's folding of long
# non-ASCII subjects into several encoded words drops the space between them
# ("før netværksmødet" arrived as "førnetværksmødet").
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
BODY_POLICY = policy.SMTP.clone(max_line_length=76)


def site_url(endpoint: str, **values: object) -> str:
    """Return an absolute link for emails, built on FORUM_BASE_URL.

    Never on the request's Host header: a forged Host would otherwise put an attacker's
    address in password-reset emails. Works outside requests too (CLI, worker).
    """
    base = urlsplit(current_app.config["FORUM_BASE_URL"])
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    return adapter.build(endpoint, values, force_external=True)


@dataclass
class RenderedEmail:
    """An email's subject, plain text and optional HTML, in the reader's language."""

    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


def render_email(template: str, language: str, **context: object) -> RenderedEmail:
    """Render templates/email/<template>.txt (first line: subject) and its optional .html.

    Raises jinja2.TemplateNotFound when the .txt template does not exist.
    """
    with force_locale(language or "da"):
        context.setdefault("language", language or "da")
        text = render_template(f"email/{template}.txt", **context)
        try:
            html = render_template(f"email/{template}.html", **context)
        except TemplateNotFound:
            html = ""
    subject, _, body = text.strip().partition("\n")
    return RenderedEmail(subject=" ".join(subject.split()), text=body.strip() + "\n", html=html)


def build_message(
    to: str, email: RenderedEmail, *, message_id: str, in_reply_to: str = ""
) -> EmailMessage:
    """Return the MIME message: plain text, with an HTML alternative when there is one."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = email.subject
    message["Message-ID"] = message_id
    if in_reply_to:
        # Both headers name the thread's stable id, so mail programs group the emails.
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    for name, value in email.headers.items():
        message[name] = value
    message["Date"] = format_datetime(datetime.now(UTC))
    # The bodies are encoded under SMTP's own policy, so quoted-printable lines stay within
    # RFC 2045's 76 characters; the headers keep MAIL_POLICY (see there why).
    message.policy = BODY_POLICY
    message.set_content(email.text, cte="quoted-printable")
    if email.html:
        message.add_alternative(email.html, subtype="html", cte="quoted-printable")
    message.policy = MAIL_POLICY
    return message


def send_message(message: EmailMessage) -> None:
    """Hand the message to the SMTP server, or write it to the log without one.

    Raises smtplib.SMTPException or OSError when the server is away or refuses it.
    """
    config = current_app.config
    if not config["MAIL_SERVER"]:
        # Written as it reads, not as it travels (quoted-printable turns "Kære" into
        # "K=C3=A6re"), so a developer can read it and follow its link.
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body is not None else ""
        current_app.logger.info(
            "Email (no FORUM_MAIL_SERVER set):\nFrom: %s\nTo: %s\nSubject: %s\n\n%s",
            message["From"],
            message["To"],
            message["Subject"],
            text,
        )
        return
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)
