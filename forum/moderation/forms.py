"""Forms of the moderation blueprint: they validate input, the services save it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.forms import Form
from forum.services.moderation import REASON_MAX
from forum.services.threads import BODY_MAX, TITLE_MAX


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class AnnouncementForm(Form):
    """An announcement for the home page: a title and a text in Markdown."""

    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the announcement a title.")),
            Length(max=TITLE_MAX, message=_l("The title is too long.")),
        ],
    )
    body = TextAreaField(
        _l("Text"),
        validators=[
            DataRequired(message=_l("Write something first.")),
            Length(max=BODY_MAX, message=_l("The text is too long.")),
        ],
        render_kw={"rows": 8},
    )


class DismissForm(Form):
    """Close a report without hiding the post, with an optional note for the log."""

    reason = StringField(
        _l("Note for the log (optional)"),
        filters=[_strip],
        validators=[Length(max=REASON_MAX, message=_l("The reason is too long."))],
    )
