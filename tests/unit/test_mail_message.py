"""The MIME message the worker hands to SMTP: dated, with short body lines, long headers
kept whole."""

from __future__ import annotations

from email import message_from_bytes, policy

from forum.services.mail import RenderedEmail, build_message


def test_bodies_keep_rfc_2045_line_lengths_and_the_subject_keeps_its_spaces(app):
    text = "Kære Mette, " + "der er nyt i tråden om bæredygtige indkøb på biblioteket. " * 12
    subject = "Nyt svar i “Bæredygtige indkøb – en fælles tjekliste for netværket?” " * 3
    with app.app_context():
        message = build_message(
            "mette@example.org",
            RenderedEmail(subject=subject.strip(), text=text, html=f"<p>{text}</p>"),
            message_id="<1@netvaerksforum>",
        )
    raw = message.as_bytes()
    head, _, body = raw.partition(b"\r\n\r\n")
    assert max(len(line) for line in body.split(b"\r\n")) <= 76
    assert b"\r\nDate: " in b"\r\n" + head
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == subject.strip()
    assert parsed.get_body(("plain",)).get_content().strip() == text.strip()
