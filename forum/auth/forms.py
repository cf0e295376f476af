"""Forms of the auth blueprint: login, invitations, passwords, profile and language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)

# WTForms 3.3 added SelectChoice; types-WTForms (3.2) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Email, EqualTo, Length

from forum.forms import Form
from forum.services.accounts import REGIONS

# Each language named in itself, and marked so screen readers pronounce it right.
LANGUAGE_CHOICES = [
    SelectChoice("da", "Dansk", render_kw={"lang": "da"}),
    SelectChoice("en", "English", render_kw={"lang": "en"}),
]
BIO_MAX = 2000


def region_choices() -> list[SelectChoice]:
    """Return the region choices with an empty first choice."""
    return [
        SelectChoice("", _l("Choose a region")),
        *(SelectChoice(key, name) for key, name in REGIONS.items()),
    ]


class LoginForm(Form):
    """Email and password, and whether to stay logged in on this device."""

    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Remember me"))


class ProfileFields(Form):
    """The profile fields a person fills in about themselves."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
    )
    job_title = StringField(_l("Job title"), validators=[Length(max=120)])
    library = StringField(_l("Library"), validators=[Length(max=160)])
    municipality = StringField(_l("Municipality"), validators=[Length(max=120)])
    region = SelectField(_l("Region"), choices=region_choices, default="")
    bio = TextAreaField(_l("About you"), validators=[Length(max=BIO_MAX)])
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="da")

    def profile(self) -> dict[str, str]:
        """Return the profile fields as the dictionary the account services take."""
        return {
            "name": self.name.data or "",
            "job_title": self.job_title.data or "",
            "library": self.library.data or "",
            "municipality": self.municipality.data or "",
            "region": self.region.data or "",
            "bio": self.bio.data or "",
            "language": self.language.data or "da",
        }


class InvitationForm(ProfileFields):
    """Accepting an invitation: a password and the profile."""

    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Choose a password."))])
    password_repeat = PasswordField(
        _l("Repeat the password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class ProfileForm(ProfileFields):
    """Editing one's own profile, and the @handle others mention one by."""

    # Checked by the account service (form and uniqueness), which says what is wrong.
    handle = StringField(_l("Handle for @mentions"))

    def profile(self) -> dict[str, str]:
        """Return the profile fields and the handle, as the account services take them."""
        return {**super().profile(), "handle": self.handle.data or ""}


class ForgotPasswordForm(Form):
    """The email address to send a reset link to."""

    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter your email address.")),
            Email(_l("Enter a valid email address."), check_deliverability=False),
        ],
    )


class ResetPasswordForm(Form):
    """A new password, twice."""

    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Choose a password."))]
    )
    password_repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class ChangePasswordForm(Form):
    """The current password and a new one, twice."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(_l("Choose a password."))]
    )
    password_repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )


class LanguageForm(Form):
    """The interface language."""

    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="da")
