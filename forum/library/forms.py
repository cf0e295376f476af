"""Forms of the library blueprint: they validate input, the services save it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from forum.actions.forms import choices, offered, one_of_the_options, optional_id, required_option
from forum.forms import Form, IdListField, parse_id
from forum.models import ResourceKind, ResourceVisibility
from forum.sdgs import SDGS, sdg_label
from forum.services.library import (
    DESCRIPTION_MAX,
    KIND_LABELS,
    LIBRARY_MAX,
    TITLE_MAX,
    URL_MAX,
    VISIBILITY_LABELS,
)

VISIBILITY_HINTS = {
    ResourceVisibility.NETWORK.value: _l("Every member can find and open it."),
    ResourceVisibility.FACILITATORS.value: _l(
        "Only the facilitators, for example while it is prepared for a meeting."
    ),
}
KIND_CHOICES = {
    ResourceKind.FILE.value: _l("A file from your computer"),
    ResourceKind.LINK.value: _l("A link to a web page"),
}
SORT_LABELS = {"nyeste": _l("Newest first"), "titel": _l("By title")}


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class ResourceForm(Form):
    """A resource's details; the view sets the themes and meetings offered."""

    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the resource a title.")),
            Length(max=TITLE_MAX, message=_l("The title is too long.")),
        ],
    )
    url = StringField(
        _l("Web address"),
        filters=[_strip],
        validators=[Length(max=URL_MAX, message=_l("The address is too long."))],
        render_kw={"inputmode": "url", "autocomplete": "url"},
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Length(max=DESCRIPTION_MAX, message=_l("The text is too long."))],
        render_kw={"rows": 6},
    )
    themes = IdListField(_l("Themes"))
    sdgs = IdListField(_l("The UN Sustainable Development Goals it relates to"))
    meeting_id = SelectField(_l("From the network meeting"), coerce=parse_id, validate_choice=False)
    library = StringField(
        _l("The library it comes from"),
        filters=[_strip],
        validators=[Length(max=LIBRARY_MAX, message=_l("The name of the library is too long."))],
    )
    visibility = RadioField(
        _l("Who can see it?"),
        choices=choices(VISIBILITY_LABELS.items()),
        default=ResourceVisibility.NETWORK.value,
        validate_choice=False,
        validators=[required_option(_l("Choose who can see the resource."))],
    )

    # The theme ids offered; the view sets them.
    offered_themes: frozenset[int] = frozenset()

    def validate_themes(self, field: Field) -> None:
        """Ask for at least one of the themes offered."""
        if not field.data:
            raise ValidationError(_l("Choose at least one theme."))
        if any(theme_id not in self.offered_themes for theme_id in field.data):
            raise ValidationError(_l("Choose among the themes shown."))

    def validate_sdgs(self, field: Field) -> None:
        """Refuse a number that is not one of the 17 goals."""
        if any(number not in SDGS for number in field.data or []):
            raise ValidationError(_l("Choose among the 17 goals."))

    def validate_meeting_id(self, field: Field) -> None:
        """Refuse a meeting that is not among those offered (none is fine)."""
        if field.data is not None and field.data not in offered(field):
            raise ValidationError(_l("Choose one of the meetings."))


class NewResourceForm(ResourceForm):
    """Add a resource: a file or a link, and its details."""

    kind = RadioField(
        _l("What are you adding?"),
        choices=choices(KIND_CHOICES.items()),
        default=ResourceKind.FILE.value,
        validate_choice=False,
        validators=[required_option(_l("Choose a file or a link."))],
    )
    file = FileField(_l("File"))

    def validate_file(self, field: Field) -> None:
        """Ask for the file when a file is added (with the other errors, not after them)."""
        if self.kind.data == ResourceKind.FILE and not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Choose the file to add."))

    def validate_url(self, field: Field) -> None:
        """Ask for the address when a link is added."""
        if self.kind.data == ResourceKind.LINK and not field.data:
            raise ValidationError(_l("Give the address of the link."))


class ReplaceForm(Form):
    """Upload a new version of a resource's file."""

    file = FileField(_l("New version of the file"))


class ConfirmForm(Form):
    """Confirm an action that has its own page (removal), or press a button (restore)."""


class FilterForm(Form):
    """Narrow and order the library (read from the query string; the view sets the choices)."""

    class Meta:
        csrf = False

    tema = SelectField(
        _l("Theme"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    maal = SelectField(
        _l("Goal"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    type = SelectField(
        _l("Kind"), default="", validate_choice=False, validators=[one_of_the_options]
    )
    moede = SelectField(
        _l("Meeting"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    bibliotek = SelectField(
        _l("Library"), default="", validate_choice=False, validators=[one_of_the_options]
    )
    tilfoejet_af = SelectField(
        _l("Added by"),
        coerce=optional_id,
        validate_choice=False,
        validators=[one_of_the_options],
    )
    orden = SelectField(
        _l("Order"), default="nyeste", validate_choice=False, validators=[one_of_the_options]
    )

    def set_choices(
        self,
        themes: list[tuple[int, str]],
        meetings: list[tuple[int, str]],
        libraries: list[str],
        people: list[tuple[int, str]],
    ) -> None:
        """Offer "all" and then the given themes, goals, kinds, meetings, libraries, people."""
        self.tema.choices = choices([("", _l("All themes")), *themes])
        self.maal.choices = choices([("", _l("All goals")), *((n, sdg_label(n)) for n in SDGS)])
        self.type.choices = choices([("", _l("Files and links")), *KIND_LABELS.items()])
        self.moede.choices = choices([("", _l("All meetings")), *meetings])
        self.bibliotek.choices = choices([("", _l("All libraries")), *((n, n) for n in libraries)])
        self.tilfoejet_af.choices = choices([("", _l("Everyone")), *people])
        self.orden.choices = choices(SORT_LABELS.items())
