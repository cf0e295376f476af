"""Unsubscribing from email by a link alone: signed tokens bound to a person and a topic.

A token is the person's id and a topic (an EmailTopic, or "digest") signed with the app's
SECRET_KEY under a salt of its own, so no other signed value of the app can pass for one. It
never expires: an old email's link keeps working. It only ever turns email off, so a leaked
link can do no more than that.

Unsubscribing from a digest turns off every topic the person gets in a daily or weekly
digest (their choice per topic stays the one place where delivery is decided; there is no
separate digest switch to keep in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from forum.extensions import db
from forum.models import User
from forum.models.vocabulary import EmailDelivery, EmailTopic
from forum.services.notifications import email_delivery, set_email_delivery

SALT = "forum.unsubscribe"
DIGEST = "digest"
DIGEST_DELIVERIES = (EmailDelivery.DAILY, EmailDelivery.WEEKLY)


@dataclass(frozen=True)
class Unsubscription:
    """Whom a valid token is for, and what it turns off."""

    user: User
    topic: str  # an EmailTopic value, or DIGEST


def _serializer() -> URLSafeSerializer:
    """Return the signer of unsubscribe tokens."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user_id: int, topic: str) -> str:
    """Return the token that unsubscribes the person from the topic (or "digest")."""
    return str(_serializer().dumps([user_id, str(topic)]))


def read_token(token: str) -> Unsubscription | None:
    """Return whom and what the token is for; None when it is forged, garbled or stale."""
    try:
        value = _serializer().loads(token)
    except BadData:
        return None
    if not (isinstance(value, list) and len(value) == 2):
        return None
    user_id, topic = value
    if not isinstance(user_id, int) or not isinstance(topic, str):
        return None
    if topic != DIGEST and topic not in {each.value for each in EmailTopic}:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_enabled:
        return None
    return Unsubscription(user=user, topic=topic)


def unsubscribe(user: User, topic: str) -> None:
    """Stop email about the topic; for "digest", about every topic sent in a digest."""
    if topic != DIGEST:
        set_email_delivery(user, EmailTopic(topic), EmailDelivery.NEVER)
        return
    for each in EmailTopic:
        if email_delivery(user, each) in DIGEST_DELIVERIES:
            set_email_delivery(user, each, EmailDelivery.NEVER)
