"""Views of the auth blueprint: login, logout, invitations, password resets, own profile."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from forum import kept as kept_text
from forum.auth import bp
from forum.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    InvitationForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from forum.forms import REFUSED, attach_error
from forum.models import User
from forum.permissions import me
from forum.services import ServiceError, accounts

Page = str | tuple[str, int] | Response
# Where a visitor who is not logged in keeps their choice of language (forum.web reads it).
SESSION_LANGUAGE = "language"


def safe_next(target: str | None) -> str | None:
    """Return the target if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return me()


def _start_session(user: User, remember: bool = False) -> None:
    """Log the person in on a brand-new session, so no earlier session data carries over."""
    session.clear()
    login_user(user, remember=remember)


def _failed(template: str, **context: object) -> tuple[str, int]:
    """Re-render a form that was refused, keeping what the person typed."""
    return render_template(template, **context), REFUSED


# --- login and logout --------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    """Log in with email and password. Refuses wrong credentials and throttled attempts."""
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("core.home"))
    form = LoginForm()
    # A text sent after the session ended, carried on by the login page (forum.kept).
    kept = kept_text.from_login_form() if form.is_submitted() else None
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/login.html", form=form, next=next_url, kept=kept)
        return render_template("auth/login.html", form=form, next=next_url)
    try:
        user = accounts.authenticate(
            form.email.data or "", form.password.data or "", address=request.remote_addr or ""
        )
    except ServiceError as error:
        attach_error(form, error)
        return _failed("auth/login.html", form=form, next=next_url, kept=kept)
    _start_session(user, remember=bool(form.remember.data))
    if kept is not None and kept_text.is_writer(kept):
        return kept_text.offer_again(kept)
    return redirect(next_url or url_for("core.home"))


@bp.post("/logout")
def logout() -> Response:
    """Log out, ending every session and remember-me cookie of the account on every device."""
    accounts.end_all_sessions(_me())
    session.clear()
    logout_user()  # after clear(): it marks the remember-me cookie for deletion
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"))


# --- invitations -------------------------------------------------------------------------


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Page:
    """Create one's account from an invitation link. Answers 404 for a used or expired link."""
    invitation = accounts.pending_invitation(token)
    if invitation is None:
        return render_template("auth/invitation_invalid.html"), 404
    form = InvitationForm()
    if request.method == "GET":
        form.name.data = invitation.name
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/accept_invitation.html", form=form, invitation=invitation)
        return render_template("auth/accept_invitation.html", form=form, invitation=invitation)
    try:
        user = accounts.accept_invitation(token, form.password.data or "", form.profile())
    except ServiceError as error:
        attach_error(form, error)
        return _failed("auth/accept_invitation.html", form=form, invitation=invitation)
    _start_session(user)
    flash(_("Welcome to the network forum, %(name)s!", name=user.name), "success")
    return redirect(url_for("core.home"))


# --- passwords ---------------------------------------------------------------------------


@bp.route("/glemt-adgangskode", methods=["GET", "POST"])
def forgot_password() -> Page:
    """Ask for a reset link; the answer is the same whether the address is known or not,
    and whether or not a limit held the email back."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/forgot_password.html", form=form)
        return render_template("auth/forgot_password.html", form=form)
    accounts.request_password_reset(form.email.data or "", address=request.remote_addr or "")
    flash(
        _(
            "If the address belongs to an account, we have sent a link to set a new password. "
            "The link works for one hour."
        ),
        "info",
    )
    return redirect(url_for("auth.login"))


@bp.route("/nulstil-adgangskode/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Page:
    """Set a new password through a reset link. Answers 404 for a used or expired link."""
    if accounts.valid_reset_token(token) is None:
        return render_template("auth/reset_invalid.html"), 404
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/reset_password.html", form=form)
        return render_template("auth/reset_password.html", form=form)
    try:
        accounts.reset_password(token, form.password.data or "")
    except ServiceError as error:
        attach_error(form, error)
        return _failed("auth/reset_password.html", form=form)
    session.clear()
    flash(_("Your password is changed. Log in with the new password."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/profil/adgangskode", methods=["GET", "POST"])
def change_password() -> Page:
    """Change one's password; every other session ends, this one stays logged in."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        if form.is_submitted():
            return _failed("auth/change_password.html", form=form)
        return render_template("auth/change_password.html", form=form)
    user = _me()
    try:
        accounts.change_password(
            user,
            form.current_password.data or "",
            form.password.data or "",
            address=request.remote_addr or "",
        )
    except ServiceError as error:
        attach_error(form, error)
        return _failed("auth/change_password.html", form=form)
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    _start_session(user, remember=remember_cookie in request.cookies)
    flash(_("Your password is changed. You were logged out everywhere else."), "success")
    return redirect(url_for("auth.profile"))


# --- own profile and language ------------------------------------------------------------


@bp.route("/profil", methods=["GET", "POST"])
def profile() -> Page:
    """Show and edit one's own profile."""
    user = _me()
    form = ProfileForm(obj=user)
    language_form = LanguageForm(language=user.language)
    if form.validate_on_submit():
        try:
            accounts.update_profile(user, form.profile())
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("auth.profile"))
    page = render_template("auth/profile.html", form=form, language_form=language_form, user=user)
    return (page, REFUSED) if form.is_submitted() else page


@bp.post("/sprog")
def set_language() -> Response:
    """Save the interface language and go back to where the person was.

    A logged-in person's choice is saved on the account; a visitor who is not logged in (the
    login page) keeps it for the visit, in the session.
    """
    form = LanguageForm()
    next_url = safe_next(request.form.get("next") or request.args.get("next"))
    if not current_user.is_authenticated:
        if form.validate_on_submit():
            session[SESSION_LANGUAGE] = form.language.data
        else:
            flash(_("Unknown language."), "error")
        return redirect(next_url or url_for("auth.login"))
    if form.validate_on_submit():
        try:
            accounts.set_language(_me(), form.language.data)
        except ServiceError as error:
            flash(str(error.message), "error")
    else:
        flash(_("Unknown language."), "error")
    return redirect(next_url or url_for("auth.profile"))
