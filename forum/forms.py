"""Helpers shared by the blueprints' forms."""

from __future__ import annotations

from flask_wtf import FlaskForm

from forum.services import ServiceError

# A refused form comes back with this status and the person's text kept.
REFUSED = 422


def attach_error(form: FlaskForm, error: ServiceError) -> None:
    """Show a service's refusal on the field it names, or on the form as a whole."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors = [*form.form_errors, error.message]
