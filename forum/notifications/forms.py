"""Forms of the notifications blueprint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import InputRequired

from forum.forms import Form
from forum.models.vocabulary import WatchLevel

THREAD_LEVELS = [
    (WatchLevel.WATCHING.value, _l("Follow: every reply")),
    (WatchLevel.NORMAL.value, _l("Normal: only when someone mentions you")),
    (WatchLevel.MUTED.value, _l("Mute: nothing from this thread")),
]
THEME_LEVELS = [
    (WatchLevel.WATCHING.value, _l("Follow: every new thread")),
    (WatchLevel.NORMAL.value, _l("Normal: threads you take part in")),
    (WatchLevel.MUTED.value, _l("Mute: nothing from this theme")),
]


class ThreadWatchForm(Form):
    """How closely to follow a thread."""

    level = SelectField(_l("Notifications"), choices=THREAD_LEVELS, validators=[InputRequired()])


class ThemeWatchForm(Form):
    """How closely to follow a theme."""

    level = SelectField(_l("Notifications"), choices=THEME_LEVELS, validators=[InputRequired()])


class MarkReadForm(Form):
    """A button that marks notifications as read (CSRF only)."""
