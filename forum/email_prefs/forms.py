"""The email preferences form: one choice of delivery per topic."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField

from forum.forms import Form
from forum.models.vocabulary import EmailDelivery, EmailTopic

TOPIC_LABELS = {
    EmailTopic.REPLIES: _l("Replies in threads I started, posted in or follow"),
    EmailTopic.MENTIONS: _l("When someone mentions me"),
    EmailTopic.CIRCLES: _l("Being added to or taken out of a confidential circle"),
    EmailTopic.MODERATION: _l("A moderator hiding, editing or restoring my post"),
    EmailTopic.NEW_THREADS: _l("New threads"),
    EmailTopic.COMMITMENTS: _l("Commitments: comments on mine, new ones shared, deadlines"),
    EmailTopic.MEETINGS: _l("Network meetings published or changed"),
    EmailTopic.SURVEYS: _l("Surveys opened or closing soon"),
    EmailTopic.REPORTS: _l("Answers to my reports"),
}

DELIVERY_LABELS = {
    EmailDelivery.IMMEDIATELY: _l("At once"),
    EmailDelivery.DAILY: _l("Daily digest"),
    EmailDelivery.WEEKLY: _l("Weekly digest"),
    EmailDelivery.NEVER: _l("Not by email"),
}


class PreferencesForm(Form):
    """When each topic goes out by email (fields added below, one per topic)."""

    def topic_fields(self) -> list[tuple[EmailTopic, Field]]:
        """Return each topic with its choice field, in the vocabulary's order."""
        return [(topic, self[topic.value]) for topic in EmailTopic]


for _topic in EmailTopic:
    setattr(
        PreferencesForm,
        _topic.value,
        RadioField(
            TOPIC_LABELS[_topic],
            choices=[(delivery.value, label) for delivery, label in DELIVERY_LABELS.items()],
        ),
    )
