"""Account verbs: invitations, login and its throttle, password resets, profiles, roles."""

from __future__ import annotations

import hashlib
import secrets
import smtplib
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from forum.extensions import db
from forum.models import Invitation, LoginFailure, PasswordResetToken, User, utcnow
from forum.permissions import ROLES, Role, visible_members
from forum.services import ServiceError
from forum.services.mail import send_templated_email, send_to_user, site_url

INVITATION_VALID_FOR = timedelta(days=14)
RESET_VALID_FOR = timedelta(hours=1)
MIN_PASSWORD_LENGTH = 10

REGIONS: dict[str, str] = {
    "hovedstaden": "Region Hovedstaden",
    "sjaelland": "Region Sjælland",
    "syddanmark": "Region Syddanmark",
    "midtjylland": "Region Midtjylland",
    "nordjylland": "Region Nordjylland",
}
LANGUAGES = ("da", "en")


def normalise_email(email: str) -> str:
    """Return the email address trimmed and lower-cased, as it is stored."""
    return (email or "").strip().lower()


def _hash_token(token: str) -> str:
    """Return the SHA-256 of a token; only hashes are stored, so a leaked table opens nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """Return a fresh random token and its hash."""
    token = secrets.token_urlsafe(32)
    return token, _hash_token(token)


def user_by_email(email: str) -> User | None:
    """Return the person with this email address, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_password_rules(password: str) -> None:
    """Check a new password. Raises ServiceError when it is too short."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            _l("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            field="password",
        )


def set_password(user: User, password: str) -> None:
    """Set a password with a modern KDF (scrypt). Raises ServiceError when it is too short."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password, method="scrypt")


def create_user(
    email: str, name: str, role: str = Role.MEMBER, password: str | None = None
) -> User:
    """Create an account directly (CLI, seeding). Raises ServiceError on a taken email or role."""
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    if user_by_email(email) is not None:
        raise ServiceError(_l("Someone with that email address already exists."), field="email")
    user = User(email=email, name=name.strip(), role=role)
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


# --- invitations -------------------------------------------------------------------------


def invite(actor: User, email: str, name: str, role: str) -> Invitation:
    """Invite a person by email with a one-time link valid 14 days.

    Raises ServiceError when the address already belongs to an account, the role is unknown,
    or the email cannot be sent (the invitation is then revoked, so no dead link lingers).
    """
    email = normalise_email(email)
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    if user_by_email(email) is not None:
        raise ServiceError(_l("Someone with that email address already exists."), field="email")
    token, token_hash = _new_token()
    invitation = Invitation(
        email=email,
        name=name.strip(),
        role=role,
        token_hash=token_hash,
        invited_by_id=actor.id,
        expires_at=utcnow() + INVITATION_VALID_FOR,
    )
    link = site_url("auth.accept_invitation", token=token)
    # The email goes out before the row is added, so that no write lock is held while SMTP
    # answers; a failed send leaves nothing behind. (Issue 9 moves emails to the worker.)
    try:
        send_templated_email(
            email, "invitation", "da", invitation=invitation, inviter=actor, link=link
        )
    except (smtplib.SMTPException, OSError) as error:
        current_app.logger.exception("Could not send the invitation to %s", email)
        raise ServiceError(
            _l("The invitation email could not be sent. Try again in a moment.")
        ) from error
    db.session.add(invitation)
    db.session.flush()
    return invitation


def pending_invitation(token: str) -> Invitation | None:
    """Return the invitation for a token if it is unused, unrevoked and not expired."""
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == _hash_token(token or ""))
    )
    if invitation is None:
        return None
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return None
    if invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(token: str, password: str, profile: dict[str, str]) -> User:
    """Create the invited account with its password and profile.

    Raises ServiceError when the link is no longer valid, the email is taken or the
    password too short.
    """
    invitation = pending_invitation(token)
    if invitation is None:
        raise ServiceError(_l("This invitation link is no longer valid."))
    if user_by_email(invitation.email) is not None:
        raise ServiceError(_l("Someone with that email address already exists."))
    user = User(email=invitation.email, name=invitation.name, role=invitation.role)
    set_password(user, password)
    _apply_profile(user, profile)
    invitation.accepted_at = utcnow()
    db.session.add(user)
    db.session.flush()
    return user


def list_open_invitations() -> list[Invitation]:
    """Return invitations not yet accepted or revoked, newest first."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
            .options(selectinload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc())
        )
    )


# --- login and its throttle --------------------------------------------------------------


def _recent_failures(column: object, value: str, since: datetime) -> int:
    """Count failed logins for an email or address since a moment."""
    return db.session.scalar(
        select(func.count(LoginFailure.id)).where(column == value, LoginFailure.created_at >= since)
    )


def is_throttled(email: str, address: str) -> bool:
    """Return whether logins for this account or from this address are paused."""
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    email = normalise_email(email)
    if (
        _recent_failures(LoginFailure.email, email, since)
        >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    ):
        return True
    return (
        _recent_failures(LoginFailure.address, address, since)
        >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )


def authenticate(email: str, password: str, address: str) -> User:
    """Return the account for valid credentials, counting failures.

    Raises ServiceError when throttled, when the credentials are wrong, or when the account
    is deactivated (the same message as wrong credentials, so nothing is revealed).
    """
    email = normalise_email(email)
    minutes = current_app.config["LOGIN_THROTTLE_MINUTES"]
    if is_throttled(email, address):
        raise ServiceError(
            _l(
                "Too many failed attempts. Wait %(minutes)d minutes and try again, "
                "or reset your password.",
                minutes=minutes,
            )
        )
    user = user_by_email(email)
    password_ok = (
        user is not None
        and user.password_hash is not None
        and check_password_hash(user.password_hash, password or "")
    )
    if not password_ok or not user.is_enabled:
        db.session.add(LoginFailure(email=email[:254], address=address[:64]))
        # The refusal answers 422, on which the request rolls back; the failure must count.
        db.session.commit()
        raise ServiceError(_l("Wrong email or password."))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Make every existing session and remember-me cookie of the account useless."""
    user.session_version += 1
    db.session.flush()


# --- passwords ---------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a one-hour reset link when the address belongs to an active account.

    Does nothing otherwise, so the caller answers the same whether or not the email is known.
    """
    user = user_by_email(email)
    if user is None or not user.is_enabled:
        return
    token, token_hash = _new_token()
    link = site_url("auth.reset_password", token=token)
    # Sent before the row is added, so that no write lock is held while SMTP answers.
    try:
        send_to_user(user, "password_reset", link=link)
    except (smtplib.SMTPException, OSError):
        # Answer as for an unknown address: a failure must not reveal that the account exists.
        current_app.logger.exception("Could not send a password reset email")
        return
    db.session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=token_hash, expires_at=utcnow() + RESET_VALID_FOR
        )
    )
    db.session.flush()


def valid_reset_token(token: str) -> PasswordResetToken | None:
    """Return the reset token if unused, unexpired and for an active account."""
    reset = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _hash_token(token or ""))
    )
    if reset is None or reset.used_at is not None or reset.expires_at < utcnow():
        return None
    if not reset.user.is_enabled:
        return None
    return reset


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link and end every other session.

    Raises ServiceError when the link is not valid or the password too short.
    """
    reset = valid_reset_token(token)
    if reset is None:
        raise ServiceError(_l("This reset link is no longer valid. Ask for a new one."))
    user = reset.user
    set_password(user, password)
    reset.used_at = utcnow()
    user.session_version += 1
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end every earlier session.

    Raises ServiceError when the current password is wrong or the new one too short.
    """
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise ServiceError(_l("Your current password is not right."), field="current_password")
    set_password(user, new_password)
    user.session_version += 1
    db.session.flush()


# --- profile and administration ----------------------------------------------------------


def _apply_profile(user: User, profile: dict[str, str]) -> None:
    """Copy the known profile fields onto the user, ignoring unknown regions and languages."""
    for field in ("name", "job_title", "library", "municipality", "bio"):
        if field in profile and profile[field] is not None:
            setattr(user, field, profile[field].strip())
    if profile.get("region") in ("", *REGIONS):
        user.region = profile["region"]
    if profile.get("language") in LANGUAGES:
        user.language = profile["language"]


def update_profile(user: User, profile: dict[str, str]) -> None:
    """Save the person's own profile fields."""
    _apply_profile(user, profile)
    db.session.flush()


def set_language(user: User, language: str) -> None:
    """Save the person's interface language. Raises ServiceError for an unknown language."""
    if language not in LANGUAGES:
        raise ServiceError(_l("Unknown language."))
    user.language = language
    db.session.flush()


def deactivate(actor: User, user: User) -> None:
    """Deactivate an account: it can no longer log in and its live sessions end.

    Raises ServiceError when admins try to deactivate themselves.
    """
    if actor.id == user.id:
        raise ServiceError(_l("You cannot deactivate your own account."))
    user.is_enabled = False
    user.deactivated_at = utcnow()
    user.session_version += 1
    db.session.flush()


def reactivate(actor: User, user: User) -> None:
    """Let a deactivated account log in again."""
    user.is_enabled = True
    user.deactivated_at = None
    db.session.flush()


def change_role(actor: User, user: User, role: str) -> None:
    """Give the account another role. Raises ServiceError for an unknown role or oneself."""
    if role not in ROLES:
        raise ServiceError(_l("Unknown role."), field="role")
    if actor.id == user.id:
        raise ServiceError(_l("You cannot change your own role."))
    user.role = role
    db.session.flush()


def list_accounts() -> list[User]:
    """Return every account, by name."""
    return list(db.session.scalars(select(User).order_by(func.lower(User.name))))


def member_directory(viewer: User) -> list[User]:
    """Return the profiles the viewer may see, by name, in one query."""
    return list(
        db.session.scalars(
            select(User).where(visible_members(viewer)).order_by(func.lower(User.name), User.id)
        )
    )
