"""Forms of the admin blueprint: invitations, roles and themes. They validate, never save."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField

# WTForms 3.3 added SelectChoice; types-WTForms (3.2) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import AnyOf, DataRequired, Email, Length

from forum import permissions
from forum.models import User
from forum.permissions import ROLES, Role

# Role names as people read them; the stored values stay English identifiers.
ROLE_LABELS = {
    Role.MEMBER.value: _l("Member"),
    Role.FACILITATOR.value: _l("Facilitator"),
    Role.ADMIN.value: _l("Administrator"),
}


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


def role_choices() -> list[SelectChoice]:
    """Return every role with its translated label."""
    return [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]


def invitable_role_choices(actor: User) -> list[SelectChoice]:
    """Return the roles the actor may invite someone with, with their translated labels."""
    return [
        SelectChoice(role, ROLE_LABELS[role])
        for role in ROLES
        if permissions.can_invite_role(actor, role)
    ]


class InviteForm(FlaskForm):
    """Invite a person by name, email and role; the view sets the role choices."""

    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Write the name of the person.")), Length(max=120)],
    )
    email = EmailField(
        _l("Email address"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Write the email address of the person.")),
            Email(message=_l("Write a valid email address, like name@library.dk.")),
            Length(max=254),
        ],
    )
    role = SelectField(_l("Role"), default=Role.MEMBER.value)


class RoleForm(FlaskForm):
    """Choose another role for an account."""

    role = SelectField(_l("Role"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        """Build the form with every role offered."""
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ThemeForm(FlaskForm):
    """Add or edit a theme."""

    name = StringField(
        _l("Name"),
        filters=[_strip],
        validators=[DataRequired(message=_l("Give the theme a name.")), Length(max=80)],
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])


class MoveThemeForm(FlaskForm):
    """Move a theme one place up or down."""

    direction = StringField(validators=[AnyOf(("up", "down"))])


class ConfirmForm(FlaskForm):
    """An empty form: a button that confirms an action, protected by CSRF."""
