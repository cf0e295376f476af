"""Helpers shared by the blueprints' forms."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import Field

from forum.services import ServiceError

# A refused form comes back with this status and the person's text kept.
REFUSED = 422


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
