"""Forms of the threads blueprint: they validate input, the services save it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.services.threads import BODY_MAX, TITLE_MAX

_body_validators = [
    DataRequired(message=_l("Write something first.")),
    Length(max=BODY_MAX, message=_l("The text is too long.")),
]


class ThreadForm(FlaskForm):
    """Start a thread: a title and the opening post in Markdown."""

    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the thread a title.")),
            Length(max=TITLE_MAX, message=_l("The title is too long.")),
        ],
    )
    body = TextAreaField(_l("Text"), validators=_body_validators, render_kw={"rows": 12})


class ReplyForm(FlaskForm):
    """Reply to a thread in Markdown."""

    body = TextAreaField(_l("Your reply"), validators=_body_validators, render_kw={"rows": 8})


class EditPostForm(FlaskForm):
    """Change the text of one's own post."""

    body = TextAreaField(_l("Text"), validators=_body_validators, render_kw={"rows": 12})
