"""Forms of the actions blueprint: they validate input, the services save it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

# WTForms 3.3 added SelectChoice; types-WTForms (3.2) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forum.forms import Form, IdListField, parse_id, resource_field
from forum.models import CommitmentStatus
from forum.permissions import CommitmentVisibility
from forum.sdgs import SDGS, sdg_label
from forum.services.actions import STATUS_LABELS, TEXT_MAX, TITLE_MAX, VISIBILITY_LABELS

_text_validators = [Length(max=TEXT_MAX, message=_l("The text is too long."))]

VISIBILITY_HINTS = {
    CommitmentVisibility.NETWORK.value: _l(
        "Every member can read it, follow your log and comment."
    ),
    CommitmentVisibility.FACILITATORS.value: _l(
        "Only you and the facilitators can read it and your log."
    ),
}


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


def offered(field: Field) -> set[object]:
    """Return the values a select field offers."""
    assert isinstance(field, SelectField)  # these validators guard select and radio fields
    # WTForms 3.3 choices are SelectChoice objects; types-WTForms 3.2 still says tuples.
    choices: list[SelectChoice] = list(field.choices or [])
    return {choice.value for choice in choices}


def optional_id(value: object) -> int | None:
    """Return the id chosen, None for "any", or 0 (offered nowhere) when it is not an id."""
    if value in ("", None):
        return None
    return parse_id(value) or 0


def required_option(message: str) -> Callable[[Form, Field], None]:
    """Return a validator refusing, with the message, anything the field does not offer."""

    def _validate(form: Form, field: Field) -> None:
        if field.data is None or field.data not in offered(field):
            raise ValidationError(message)

    return _validate


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Return (value, label) pairs as select options."""
    return [SelectChoice(value, label) for value, label in pairs]


class CommitmentForm(Form):
    """Make or change a commitment; the view sets the themes and meetings offered."""

    title = StringField(
        _l("What will you do?"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Say what you will do.")),
            Length(max=TITLE_MAX, message=_l("The title is too long.")),
        ],
    )
    why = TextAreaField(
        _l("Why? What do you hope it changes?"),
        validators=_text_validators,
        render_kw={"rows": 6},
    )
    theme_id = SelectField(_l("Theme"), coerce=parse_id, validate_choice=False)
    sdgs = IdListField(_l("The UN Sustainable Development Goals it serves"))
    meeting_id = SelectField(
        _l("Made at the network meeting"), coerce=parse_id, validate_choice=False
    )
    due_date = DateField(
        _l("Due"),
        validators=[Optional()],
        render_kw={"autocomplete": "off"},
    )
    status = SelectField(
        _l("Status"),
        choices=choices(STATUS_LABELS.items()),
        default=CommitmentStatus.PLANNED.value,
        validate_choice=False,
        validators=[required_option(_l("Choose a status."))],
    )
    visibility = RadioField(
        _l("Who can see it?"),
        choices=choices(VISIBILITY_LABELS.items()),
        default=CommitmentVisibility.NETWORK.value,
        validate_choice=False,
        validators=[required_option(_l("Choose who can see the commitment."))],
    )

    def validate_theme_id(self, field: Field) -> None:
        """Refuse a theme that is not among those offered."""
        if field.data is None or field.data not in offered(field):
            raise ValidationError(_l("Choose a theme."))

    def validate_meeting_id(self, field: Field) -> None:
        """Refuse a meeting that is not among those offered (none is fine)."""
        if field.data is not None and field.data not in offered(field):
            raise ValidationError(_l("Choose one of the meetings."))

    def validate_sdgs(self, field: Field) -> None:
        """Refuse a number that is not one of the 17 goals."""
        if any(number not in SDGS for number in field.data or []):
            raise ValidationError(_l("Choose among the 17 goals."))


class LogForm(Form):
    """A check-in on a commitment: four Markdown texts, at least one written."""

    tried = TextAreaField(
        _l("What I tried"),
        validators=_text_validators,
        render_kw={"rows": 5, "data-mentions": True},
    )
    learned = TextAreaField(
        _l("What happened, and what I learned"),
        validators=_text_validators,
        render_kw={"rows": 5, "data-mentions": True},
    )
    blocking = TextAreaField(
        _l("What is blocking me"),
        validators=_text_validators,
        render_kw={"rows": 4, "data-mentions": True},
    )
    needs = TextAreaField(
        _l("What I need from the others"),
        validators=_text_validators,
        render_kw={"rows": 4, "data-mentions": True},
    )
    ask_for_help = BooleanField(_l("Ask the network for help"))
    resource_id = resource_field()


class StatusForm(Form):
    """Move a commitment to another status."""

    status = SelectField(
        _l("Status"),
        choices=choices(STATUS_LABELS.items()),
        validate_choice=False,
        validators=[required_option(_l("Choose a status."))],
    )


class CommentForm(Form):
    """Encouragement or advice on a commitment, in Markdown."""

    body = TextAreaField(
        _l("Your comment"),
        validators=[DataRequired(message=_l("Write something first.")), *_text_validators],
        render_kw={"rows": 5, "data-mentions": True},
    )


def one_of_the_options(form: Form, field: Field) -> None:
    """Refuse a value the select does not offer (an empty one means "any")."""
    if field.data not in (None, "") and field.data not in offered(field):
        raise ValidationError(_l("Choose one of the options."))


class FilterForm(Form):
    """Narrow the network list (read from the query string; the view sets the choices)."""

    class Meta:
        csrf = False

    tema = SelectField(
        _l("Theme"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    maal = SelectField(
        _l("Goal"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    status = SelectField(
        _l("Status"), default="", validate_choice=False, validators=[one_of_the_options]
    )
    moede = SelectField(
        _l("Meeting"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )

    def set_choices(self, themes: list[tuple[int, str]], meetings: list[tuple[int, str]]) -> None:
        """Offer "all" and then the given themes, the goals, the statuses and the meetings."""
        self.tema.choices = choices([("", _l("All themes")), *themes])
        self.maal.choices = choices([("", _l("All goals")), *((n, sdg_label(n)) for n in SDGS)])
        self.status.choices = choices([("", _l("All statuses")), *STATUS_LABELS.items()])
        self.moede.choices = choices([("", _l("All meetings")), *meetings])
