"""Account verbs: invitations, login and its throttle, password resets, profiles, roles."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from forum.database import write_lock
from forum.extensions import db
from forum.handles import HANDLE_MAX, is_valid_handle
from forum.models import (
    Invitation,
    LoginFailure,
    PasswordResetRequest,
    PasswordResetToken,
    User,
    utcnow,
)
from forum.permissions import ROLES, Role, visible_members
from forum.services import ServiceError
from forum.services.mail import site_url
from forum.services.outbox import drop_unsent, queue_email, queue_to_user

INVITATION_VALID_FOR = timedelta(days=14)
RESET_VALID_FOR = timedelta(hours=1)
MIN_PASSWORD_LENGTH = 10
HASH_METHOD = "scrypt"  # werkzeug's default parameters; the dummy hash below uses the same

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
    """Set a password with a modern KDF (scrypt). Raises ServiceError when it is too short.

    For an existing account this also ends every outstanding reset link and clears the login
    throttle, whichever route changes the password (reset, profile, command line): the links
    were for the old password, and the counted guesses were guesses at it.
    """
    check_password_rules(password)
    user.password_hash = generate_password_hash(password, method=HASH_METHOD)
    if user.id is not None:
        _end_reset_links(user)
        db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))


def replace_password(user: User, password: str) -> None:
    """Give an account a new password and end all its sessions and reset links.

    Raises ServiceError when the password is too short.
    """
    set_password(user, password)
    user.session_version += 1
    db.session.flush()


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

    Raises ServiceError when the address already belongs to an account or the role is
    unknown. The email is queued with the invitation (the worker sends it).
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
    db.session.add(invitation)
    db.session.flush()
    link = site_url("auth.accept_invitation", token=token)
    queue_email(email, "invitation", invitation_id=invitation.id, inviter_id=actor.id, link=link)
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


def list_invitations() -> list[Invitation]:
    """Return every invitation, newest first, with who sent, resent and revoked it."""
    return list(
        db.session.scalars(
            select(Invitation)
            .options(
                selectinload(Invitation.invited_by),
                selectinload(Invitation.resent_by),
                selectinload(Invitation.revoked_by),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def _check_not_used(invitation: Invitation) -> None:
    """Lock the invitation and read it anew (two people may act on it at once); raise
    ServiceError when it was accepted or revoked already."""
    write_lock()
    db.session.refresh(invitation, with_for_update=True)
    if invitation.accepted_at is not None:
        raise ServiceError(_l("The invitation has been accepted already."))
    if invitation.revoked_at is not None:
        raise ServiceError(_l("The invitation has been revoked already."))


def _drop_unsent_emails(invitation: Invitation, reason: str) -> None:
    """Keep the invitation's emails that have not gone out yet from going out: stale links."""
    drop_unsent(invitation.email, "invitation", reason, invitation_id=invitation.id)


def resend_invitation(actor: User, invitation: Invitation) -> Invitation:
    """Send the invitation again with a new link, valid 14 days from now; the old link stops
    working, and an email with it still waiting in the queue is not sent.

    Raises ServiceError when the invitation was accepted or revoked, or its address now
    belongs to an account.
    """
    _check_not_used(invitation)
    if user_by_email(invitation.email) is not None:
        raise ServiceError(_l("Someone with that email address already exists."))
    token, token_hash = _new_token()
    now = utcnow()
    invitation.token_hash = token_hash
    invitation.expires_at = now + INVITATION_VALID_FOR
    invitation.resent_at = now
    invitation.resent_by_id = actor.id
    _drop_unsent_emails(invitation, "invitation sent again")
    db.session.flush()
    link = site_url("auth.accept_invitation", token=token)
    queue_email(
        invitation.email, "invitation", invitation_id=invitation.id, inviter_id=actor.id, link=link
    )
    return invitation


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    """Withdraw an invitation: its link stops working, and a waiting email is not sent.

    Raises ServiceError when the invitation was accepted or revoked already.
    """
    _check_not_used(invitation)
    invitation.revoked_at = utcnow()
    invitation.revoked_by_id = actor.id
    _drop_unsent_emails(invitation, "invitation revoked")
    db.session.flush()


# --- login and its throttle --------------------------------------------------------------
#
# The rule. Every password check (a login, or the current password on /profil/adgangskode)
# is first recorded as a failure of its (account email, client address) pair; when the
# password turns out right, the pair's failures are deleted. Within LOGIN_THROTTLE_MINUTES a
# check is refused, without looking at the password, when
#   1. the pair has LOGIN_MAX_FAILURES_PER_PAIR failures: the usual brake. It stops a guesser
#      at one account from one place and touches no one else, so twenty failures from a
#      municipal network's one address pause only the accounts guessed at, there;
#   2. the account has LOGIN_MAX_FAILURES_PER_ACCOUNT failures from all addresses together:
#      a guesser spreading over many addresses (set above the pair limit, so one address
#      alone never pauses an account everywhere);
#   3. the address has failures against LOGIN_MAX_ACCOUNTS_PER_ADDRESS other accounts:
#      someone trying many accounts (one password sprayed over everyone, or guessed emails).
#      Only then are colleagues behind the same address paused too, for the window.
# Refused checks are not recorded, so hammering a paused account doesn't lengthen its pause.
# Any password change (reset included) clears the account's failures.
#
# Why the record comes first, in a transaction of its own: counting and checking must be one
# step, or sixteen parallel guesses all count zero before any is recorded (they made 10
# checks against a limit of 5). The record is committed before the slow password check, so
# every concurrent request sees it; the counting waits its turn (_take_turns); and because
# it is committed, it also survives the request's own transaction, which rolls back when
# the page answers 422. This commit is the one deliberate exception to one transaction per
# request; it runs before the request has written anything, so it commits nothing else. (A
# second connection of its own would be neater, but on SQLite it would wait for the write
# lock that the request's own open transaction may hold: the request would wait for itself.)


def _take_turns(*keys: str) -> None:
    """Make concurrent transactions that name the same key wait for each other's end.

    On PostgreSQL: transaction advisory locks, taken in sorted order so no two callers
    deadlock. On SQLite, which lets one transaction write at a time: the write lock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        write_lock()
        return
    for key in sorted({key for key in keys if key}):
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


def _count(statement: Select[int]) -> int:
    """Return the number a COUNT query answers."""
    return db.session.scalar(statement) or 0


def _claim_password_check(email: str, address: str) -> bool:
    """Record a password check as a failure before it is made, unless the throttle refuses.

    Returns whether the check may go ahead. Commits (see the rule above).
    """
    config = current_app.config
    since = utcnow() - timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    db.session.commit()  # end the request's reading transaction: the claim is one of its own
    _take_turns(f"login-account:{email}", f"login-address:{address}")
    db.session.add(LoginFailure(email=email, address=address))
    db.session.flush()
    recent = LoginFailure.created_at >= since
    count = func.count(LoginFailure.id)
    pair = _count(
        select(count).where(recent, LoginFailure.email == email, LoginFailure.address == address)
    )
    account = _count(select(count).where(recent, LoginFailure.email == email))
    other_accounts = _count(
        select(func.count(func.distinct(LoginFailure.email))).where(
            recent, LoginFailure.address == address, LoginFailure.email != email
        )
    )
    allowed: bool = (
        pair <= config["LOGIN_MAX_FAILURES_PER_PAIR"]  # the counts include this claim
        and account <= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        and other_accounts < config["LOGIN_MAX_ACCOUNTS_PER_ADDRESS"]
    )
    if allowed:
        db.session.commit()
    else:
        db.session.rollback()
    return allowed


def _forget_failures(email: str, address: str) -> None:
    """Delete the failures of a pair whose password just proved right."""
    db.session.execute(
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address)
    )


def _throttled_error(field: str | None = None) -> ServiceError:
    """Return the error shown while the throttle refuses password checks."""
    return ServiceError(
        _l(
            "Too many failed attempts. Wait %(minutes)d minutes and try again, "
            "or reset your password.",
            minutes=current_app.config["LOGIN_THROTTLE_MINUTES"],
        ),
        field=field,
    )


@functools.cache
def _dummy_hash() -> str:
    """Return a hash of a random password, made once with the real hashes' method and cost."""
    return generate_password_hash(secrets.token_urlsafe(16), method=HASH_METHOD)


def authenticate(email: str, password: str, address: str) -> User:
    """Return the account for valid credentials, counting failures.

    Raises ServiceError when throttled, when the credentials are wrong, or when the account
    is deactivated (the same message as wrong credentials, so nothing is revealed).
    """
    email = normalise_email(email)[:254]
    address = address[:64]
    if not _claim_password_check(email, address):
        raise _throttled_error()
    user = user_by_email(email)
    stored = user.password_hash if user is not None else None
    # An unknown email costs a real scrypt check too, so timing doesn't tell who has an account.
    password_ok = check_password_hash(stored or _dummy_hash(), password or "")
    if user is None or stored is None or not password_ok or not user.is_enabled:
        raise ServiceError(_l("Wrong email or password."))  # the claimed failure stays
    _forget_failures(email, address)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def end_all_sessions(user: User) -> None:
    """Make every existing session and remember-me cookie of the account useless."""
    user.session_version += 1
    db.session.flush()


# --- passwords ---------------------------------------------------------------------------


def _claim_reset_mail(email: str, address: str) -> User | None:
    """Count a reset request and return the account to email, if an email is due.

    None when the email has no active account, when this client address made
    RESET_MAX_PER_ADDRESS requests within RESET_ADDRESS_MINUTES (this one is then not
    counted), or when the account already had RESET_MAX_PER_ACCOUNT emails within a link's
    lifetime. Commits: like the login throttle's record, the count is a short transaction of
    its own, taken in turns so parallel requests can't slip past a limit. It runs before the
    request writes anything.
    """
    config = current_app.config
    now = utcnow()
    address_since = now - timedelta(minutes=config["RESET_ADDRESS_MINUTES"])
    db.session.commit()  # end the request's reading transaction: the count is one of its own
    user = user_by_email(email)
    if user is not None and not user.is_enabled:
        user = None
    _take_turns(f"reset-address:{address}", f"reset-account:{user.id}" if user else "")
    db.session.execute(  # what no limit looks at any more
        delete(PasswordResetRequest).where(
            PasswordResetRequest.address == address,
            PasswordResetRequest.created_at < min(address_since, now - RESET_VALID_FOR),
        )
    )
    from_address = _count(
        select(func.count(PasswordResetRequest.id)).where(
            PasswordResetRequest.address == address,
            PasswordResetRequest.created_at >= address_since,
        )
    )
    if from_address >= config["RESET_MAX_PER_ADDRESS"]:
        db.session.rollback()
        return None
    if user is not None:
        to_account = _count(
            select(func.count(PasswordResetRequest.id)).where(
                PasswordResetRequest.user_id == user.id,
                PasswordResetRequest.created_at >= now - RESET_VALID_FOR,
            )
        )
        if to_account >= config["RESET_MAX_PER_ACCOUNT"]:
            user = None
    db.session.add(
        PasswordResetRequest(address=address, user_id=user.id if user else None, created_at=now)
    )
    db.session.commit()
    return user


def request_password_reset(email: str, address: str) -> None:
    """Email a one-hour reset link when the address belongs to an active account.

    Does nothing otherwise, or when a limit is reached (per client address and per account,
    see _claim_reset_mail), so the caller answers the same in every case.
    """
    user = _claim_reset_mail(email, address[:64])
    if user is None:
        return
    token, token_hash = _new_token()
    db.session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=token_hash, expires_at=utcnow() + RESET_VALID_FOR
        )
    )
    queue_to_user(user, "password_reset", link=site_url("auth.reset_password", token=token))


def _end_reset_links(user: User) -> None:
    """End every outstanding reset link of the account."""
    db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


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
    replace_password(user, password)  # uses up this link and every other one
    return user


def change_password(user: User, current_password: str, new_password: str, address: str) -> None:
    """Change the password and end every earlier session.

    Raises ServiceError when the new one is too short, when guesses at the current password
    are throttled (the login throttle, counted for this account and address), or when the
    current password is wrong.
    """
    check_password_rules(new_password)  # before the claim: a short new one is no failed guess
    email, address = user.email, address[:64]
    if not _claim_password_check(email, address):
        raise _throttled_error(field="current_password")
    if not user.password_hash or not check_password_hash(user.password_hash, current_password):
        raise ServiceError(_l("Your current password is not right."), field="current_password")
    _forget_failures(email, address)
    replace_password(user, new_password)


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


def _handle_taken(handle: str) -> ServiceError:
    """Return the error for a handle someone else has."""
    return ServiceError(
        _l("@%(handle)s is taken by someone else. Choose another.", handle=handle),
        field="handle",
    )


def check_handle(user: User, handle: str) -> str:
    """Return the handle as stored (lower case, without a leading "@").

    Raises ServiceError when it is empty, malformed, or another person's.
    """
    handle = (handle or "").strip().removeprefix("@").lower()
    if not handle:
        raise ServiceError(_l("Choose a handle."), field="handle")
    if not is_valid_handle(handle):
        raise ServiceError(
            _l(
                "A handle has letters a–z and digits, with single dots, dashes or underscores "
                "between them, and at most %(n)d characters.",
                n=HANDLE_MAX,
            ),
            field="handle",
        )
    other = db.session.scalar(select(User.id).where(User.handle == handle, User.id != user.id))
    if other is not None:
        raise _handle_taken(handle)
    return handle


def update_profile(user: User, profile: dict[str, str]) -> None:
    """Save the person's own profile fields and, when given, their @handle.

    Raises ServiceError when the handle is empty, malformed or taken (nothing is saved then).
    """
    handle = check_handle(user, profile["handle"]) if "handle" in profile else user.handle
    _apply_profile(user, profile)
    user.handle = handle
    try:
        # A savepoint: someone taking the same handle a moment earlier is a refusal, not a 500.
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise _handle_taken(handle) from error


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
    _end_reset_links(user)  # for good: reactivation must not bring them back
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
    user.role = Role(role)
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
