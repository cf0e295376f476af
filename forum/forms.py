"""Helpers shared by the blueprints' forms."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField

from forum.services import ServiceError

# A refused form comes back with this status and the person's text kept.
REFUSED = 422

# WTForms' own messages, marked here so that `make messages` puts them in our catalogues:
# WTForms ships no Danish, so `Form` looks them up in the forum's catalogue instead.
# (Its CSRF messages are left out: CSRFProtect refuses a bad token before any form sees it.)
WTFORMS_MESSAGES = (
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)


class CatalogueTranslations:
    """WTForms' gettext interface answered from the forum's catalogue in the reader's language.

    No %-formatting happens here (unlike flask_babel.ngettext): WTForms fills in its own
    placeholders such as %(min)d afterwards.
    """

    def gettext(self, string: str) -> str:
        """Return the translation of a WTForms message, or the message itself."""
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """Return the translation of a WTForms message with a count, or the English form."""
        return str(get_translations().ungettext(singular, plural, n))


TRANSLATIONS = CatalogueTranslations()


class Form(FlaskForm):
    """The base of every form of the forum: WTForms' messages come in the reader's language."""

    class Meta:
        def get_translations(self, form: Any) -> CatalogueTranslations:
            """Give WTForms the forum's catalogue (Flask-WTF's own knows no Danish)."""
            return TRANSLATIONS


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or on the form as a whole."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors = [*form.form_errors, error.message]


# Largest id a 64-bit database integer holds; larger numbers would overflow the driver.
ID_MAX = 2**63 - 1
_ID_RE = re.compile(r"[1-9][0-9]{0,18}")


def parse_id(value: object) -> int | None:
    """Return the value as a database id, or None when it is not one (never raises)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= ID_MAX else None
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        return None
    number = int(value)
    return number if number <= ID_MAX else None


def _optional_resource(value: object) -> int | None:
    """Return the resource id chosen, None for none, or 0 (no resource) for anything else."""
    if value in ("", None):
        return None
    return parse_id(value) or 0


def resource_field() -> SelectField:
    """Return the "Insert a resource" select of a writing form; the view offers the choices
    (forum.library.picker)."""
    return SelectField(_l("Insert a resource"), coerce=_optional_resource, validate_choice=False)


class IdListField(Field):
    """The ids ticked in a group of checkboxes; anything that is not an id is left out.

    The template renders the checkboxes itself (with a fieldset and a label each).
    """

    def process_data(self, value: Iterable[object] | None) -> None:
        """Start from the given ids, or none."""
        self.data = [number for number in (parse_id(v) for v in value or []) if number]

    def process_formdata(self, valuelist: list[str]) -> None:
        """Keep the well-formed ids posted, once each, in the order ticked."""
        ids = (parse_id(value) for value in valuelist)
        self.data = list(dict.fromkeys(number for number in ids if number))
