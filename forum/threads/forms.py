"""Forms of the threads blueprint: they validate input, the services save it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, HiddenField, RadioField, SelectField, StringField, TextAreaField

# WTForms 3.3 added SelectChoice; types-WTForms (3.2) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, ValidationError

from forum.forms import Form, IdListField, parse_id, resource_field
from forum.permissions import Visibility
from forum.services.moderation import REASON_MAX
from forum.services.threads import BODY_MAX, TITLE_MAX

_body_validators = [
    DataRequired(message=_l("Write something first.")),
    Length(max=BODY_MAX, message=_l("The text is too long.")),
]
_title_validators = [
    DataRequired(message=_l("Give the thread a title.")),
    Length(max=TITLE_MAX, message=_l("The title is too long.")),
]
_reason_validators = [
    DataRequired(message=_l("Give a reason.")),
    Length(max=REASON_MAX, message=_l("The reason is too long.")),
]

# Who sees a thread, as people read it, and a line on what each choice means.
VISIBILITY_LABELS = {
    Visibility.NETWORK.value: _l("The network"),
    Visibility.CIRCLE.value: _l("Confidential circle"),
    Visibility.FACILITATORS.value: _l("Facilitators only"),
}
VISIBILITY_HINTS = {
    Visibility.NETWORK.value: _l("Every active member of the network can read and reply."),
    Visibility.CIRCLE.value: _l(
        "Only you, the members you name below and the facilitators can read and reply."
    ),
    Visibility.FACILITATORS.value: _l(
        "Only you and the facilitators: for something you want to raise with them alone."
    ),
}


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class AudienceForm(Form):
    """Who sees a thread, and the people to name into its circle (ignored unless a circle)."""

    visibility = RadioField(
        _l("Who can see the thread?"),
        choices=[SelectChoice(value, label) for value, label in VISIBILITY_LABELS.items()],
        default=Visibility.NETWORK.value,
    )
    circle = IdListField(_l("People in the circle"))

    # People already in the circle; the view sets it when the thread has a circle.
    circle_size = 0

    def validate_circle(self, field: Field) -> None:
        """Ask for at least one person when the thread becomes a circle of nobody."""
        if self.visibility.data != Visibility.CIRCLE:
            return
        if field.data or self.circle_size:
            return
        raise ValidationError(_l("Name at least one person for the circle."))


class ThreadForm(AudienceForm):
    """Start a thread: a title, the opening post in Markdown, and who can see it."""

    title = StringField(
        _l("Title"),
        validators=_title_validators,
        render_kw={"data-similar": True, "aria-describedby": "similar-threads"},
    )
    body = TextAreaField(
        _l("Text"), validators=_body_validators, render_kw={"rows": 12, "data-mentions": True}
    )
    resource_id = resource_field()
    # "1" once the similar threads have been shown (on the form, or while typing with scripts),
    # so the next submit posts.
    seen_similar = HiddenField(default="")


class VisibilityForm(AudienceForm):
    """Change who sees a thread, and name more people into its circle."""

    circle = IdListField(_l("Add people to the circle"))


class ReplyForm(Form):
    """Reply to a thread in Markdown."""

    body = TextAreaField(
        _l("Your reply"), validators=_body_validators, render_kw={"rows": 8, "data-mentions": True}
    )
    resource_id = resource_field()


class EditPostForm(Form):
    """Change the text of a post (one's own, or anyone's for a facilitator)."""

    body = TextAreaField(
        _l("Text"), validators=_body_validators, render_kw={"rows": 12, "data-mentions": True}
    )
    resource_id = resource_field()


class ReasonForm(Form):
    """A reason, required: for reporting a post, or hiding a post or a thread."""

    reason = TextAreaField(_l("Reason"), validators=_reason_validators, render_kw={"rows": 4})


class RenameForm(Form):
    """Give a thread a new title."""

    title = StringField(_l("New title"), filters=[_strip], validators=_title_validators)


class MoveForm(Form):
    """Move a thread to another theme; the view sets the themes offered."""

    theme_id = SelectField(
        _l("Move to theme"),
        coerce=parse_id,
        validate_choice=False,  # the view looks the theme up and says what is wrong
    )

    def validate_theme_id(self, field: SelectField) -> None:
        """Refuse a theme that is not among those offered."""
        # WTForms 3.3 choices are SelectChoice objects; types-WTForms 3.2 still says tuples.
        choices: list[SelectChoice] = list(field.choices or [])
        offered = {parse_id(choice.value) for choice in choices}
        if field.data not in offered:
            raise ValidationError(_l("Choose one of the themes."))
