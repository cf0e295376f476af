"""Forms of the search blueprint: they validate input, the services search."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, Field, SelectField, StringField
from wtforms.validators import Optional, ValidationError

from forum.actions.forms import choices, one_of_the_options, optional_id
from forum.forms import Form
from forum.sdgs import SDGS, sdg_label
from forum.services import ServiceError, check_plausible_date
from forum.services.search_text import QUERY_MAX

GROUP_LABELS = {
    "traade": _l("Threads and posts"),
    "handlinger": _l("Commitments and their logs"),
    "ressourcer": _l("Resources"),
    "moeder": _l("Meetings"),
}


def plausible_date(form: Form, field: Field) -> None:
    """Refuse a date outside the years 2000–2100 (a typing mistake, and beyond year 9998
    the date arithmetic overflows)."""
    try:
        check_plausible_date(field.data, field.name)
    except ServiceError as error:
        raise ValidationError(error.message) from error


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class SearchForm(Form):
    """What to look for and where (read from the query string; the view sets the choices).

    The query itself is never refused: whatever was typed is searched for as well as it can
    be, and the page says when nothing could be.
    """

    class Meta:
        csrf = False

    q = StringField(
        _l("Search for"),
        filters=[_strip],
        render_kw={"maxlength": QUERY_MAX, "type": "search", "spellcheck": "false"},
    )
    type = SelectField(
        _l("Kind"), default="", validate_choice=False, validators=[one_of_the_options]
    )
    tema = SelectField(
        _l("Theme"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    forfatter = SelectField(
        _l("Written by"),
        coerce=optional_id,
        validate_choice=False,
        validators=[one_of_the_options],
    )
    bibliotek = SelectField(
        _l("Library"), default="", validate_choice=False, validators=[one_of_the_options]
    )
    maal = SelectField(
        _l("Goal"), coerce=optional_id, validate_choice=False, validators=[one_of_the_options]
    )
    fra = DateField(_l("From"), validators=[Optional(), plausible_date])
    til = DateField(_l("To"), validators=[Optional(), plausible_date])

    def set_choices(
        self, themes: list[tuple[int, str]], people: list[tuple[int, str]], libraries: list[str]
    ) -> None:
        """Offer "all" and then the kinds, themes, people, libraries and goals."""
        self.type.choices = choices([("", _l("Everything")), *GROUP_LABELS.items()])
        self.tema.choices = choices([("", _l("All themes")), *themes])
        self.forfatter.choices = choices([("", _l("Anyone")), *people])
        self.bibliotek.choices = choices(
            [("", _l("All libraries")), *((name, name) for name in libraries)]
        )
        self.maal.choices = choices([("", _l("All goals")), *((n, sdg_label(n)) for n in SDGS)])
