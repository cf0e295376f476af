"""Views of the admin blueprint: invitations, accounts and themes."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from forum import permissions
from forum.admin import bp
from forum.admin.forms import (
    ROLE_LABELS,
    ConfirmForm,
    InviteForm,
    MoveThemeForm,
    RoleForm,
    ThemeForm,
    invitable_role_choices,
)
from forum.extensions import db
from forum.forms import REFUSED, attach_error
from forum.models import Invitation, InvitationStatus, Theme, User, utcnow
from forum.services import ServiceError
from forum.services import accounts as account_service
from forum.services import themes as theme_service

Page = str | tuple[str, int] | Response
MOVES = {"up": -1, "down": 1}
# An invitation as listed: where it stands, and whether the reader may resend or revoke it.
InvitationRow = tuple[Invitation, InvitationStatus, bool]
# Invitations still waiting to be used; they can be sent again or revoked.
WAITING = frozenset({InvitationStatus.OPEN, InvitationStatus.EXPIRED})


def _status(form: FlaskForm) -> int:
    """Return 422 for a submitted form shown again with errors, else 200."""
    return REFUSED if form.is_submitted() and form.errors else 200


def _managed_account(user_id: int) -> User:
    """Load an account the current admin may change. Raises NotFound (404) or Forbidden (403)."""
    return permissions.access_changeable_account(current_user, user_id)


def _managed_theme(theme_id: int) -> Theme:
    """Load a theme the current admin may manage. Raises Forbidden (403) or NotFound (404)."""
    permissions.require(permissions.can_manage_themes(current_user))
    return db.get_or_404(Theme, theme_id)


# --- invitations -------------------------------------------------------------------------


@bp.route("/invitationer", methods=["GET", "POST"])
def invitations() -> Page:
    """Invite a person by email, and list the invitations: open ones with their controls,
    then those used or revoked.

    Raises Forbidden (403) for people who may not invite, or not with the chosen role.
    """
    permissions.require(permissions.can_invite(current_user))
    form = InviteForm()
    form.role.choices = invitable_role_choices(current_user)
    if form.validate_on_submit():
        permissions.require(permissions.can_invite_role(current_user, form.role.data))
        try:
            invitation = account_service.invite(
                current_user, form.email.data or "", form.name.data or "", form.role.data or ""
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for("admin.invitations"))
    now = utcnow()
    waiting: list[InvitationRow] = []
    closed: list[InvitationRow] = []
    for invitation in account_service.list_invitations():
        status = invitation.status(now)
        row = (invitation, status, permissions.can_manage_invitation(current_user, invitation))
        (waiting if status in WAITING else closed).append(row)
    page = render_template(
        "admin/invitations.html",
        form=form,
        waiting=waiting,
        closed=closed,
        role_labels=ROLE_LABELS,
    )
    return page, _status(form)


@bp.post("/invitationer/<id:invitation_id>/send-igen")
def resend_invitation(invitation_id: int) -> Response:
    """Send an invitation again with a new link; the old link stops working.

    Raises Forbidden (403) for people who may not invite with its role, NotFound (404).
    """
    invitation = permissions.access_invitation(current_user, invitation_id)
    if ConfirmForm().validate_on_submit():
        try:
            account_service.resend_invitation(current_user, invitation)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "A new invitation is sent to %(email)s. The link in the earlier one no "
                    "longer works.",
                    email=invitation.email,
                ),
                "success",
            )
    return redirect(url_for("admin.invitations"))


@bp.route("/invitationer/<id:invitation_id>/tilbagekald", methods=["GET", "POST"])
def revoke_invitation(invitation_id: int) -> Page:
    """Ask to confirm revoking an invitation (GET), then revoke it (POST).

    Raises Forbidden (403) for people who may not invite with its role, NotFound (404).
    """
    invitation = permissions.access_invitation(current_user, invitation_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            account_service.revoke_invitation(current_user, invitation)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(
                _(
                    "The invitation to %(email)s is revoked. Its link no longer works.",
                    email=invitation.email,
                ),
                "success",
            )
        return redirect(url_for("admin.invitations"))
    return render_template(
        "admin/revoke_invitation.html",
        invitation=invitation,
        status=invitation.status(utcnow()),
        role_labels=ROLE_LABELS,
        form=form,
    )


# --- accounts ----------------------------------------------------------------------------


@bp.get("/admin/brugere")
def accounts() -> str:
    """List every account with its role, status and last login. Raises Forbidden (403)."""
    permissions.require(permissions.can_manage_accounts(current_user))
    return render_template(
        "admin/accounts.html", accounts=account_service.list_accounts(), role_labels=ROLE_LABELS
    )


@bp.get("/admin/brugere/<id:user_id>")
def account(user_id: int) -> str:
    """Show one account with its role and status controls.

    Raises Forbidden (403) for non-admins and NotFound (404) for a missing account.
    """
    target = permissions.access_account(current_user, user_id)
    return render_template(
        "admin/account.html",
        account=target,
        role_form=RoleForm(formdata=None, data={"role": target.role}),
        role_labels=ROLE_LABELS,
        can_change=permissions.can_change_account(current_user, target),
    )


@bp.post("/admin/brugere/<id:user_id>/rolle")
def change_role(user_id: int) -> Response:
    """Give an account another role, then show the account again with the outcome.

    Raises Forbidden (403) for non-admins and for one's own account, NotFound (404) when missing.
    """
    target = _managed_account(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        # A select offers nothing typed to keep, so the outcome is told on the account page.
        flash(_("Choose one of the roles."), "error")
    else:
        try:
            account_service.change_role(current_user, target, form.role.data)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            role = ROLE_LABELS[target.role]
            flash(_("%(name)s is now %(role)s.", name=target.name, role=role), "success")
    return redirect(url_for("admin.account", user_id=target.id))


@bp.route("/admin/brugere/<id:user_id>/deaktiver", methods=["GET", "POST"])
def deactivate(user_id: int) -> Page:
    """Ask to confirm deactivating an account (GET), then deactivate it (POST).

    Raises Forbidden (403) for non-admins and for one's own account, NotFound (404) when missing.
    """
    target = _managed_account(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            account_service.deactivate(current_user, target)
        except ServiceError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s is deactivated.", name=target.name), "success")
        return redirect(url_for("admin.account", user_id=target.id))
    return render_template("admin/deactivate.html", account=target, form=form)


@bp.post("/admin/brugere/<id:user_id>/genaktiver")
def reactivate(user_id: int) -> Response:
    """Let a deactivated account log in again. Raises Forbidden (403) or NotFound (404)."""
    target = _managed_account(user_id)
    if ConfirmForm().validate_on_submit():
        account_service.reactivate(current_user, target)
        flash(_("%(name)s can log in again.", name=target.name), "success")
    return redirect(url_for("admin.account", user_id=target.id))


# --- themes ------------------------------------------------------------------------------


@bp.route("/admin/temaer", methods=["GET", "POST"])
def themes() -> Page:
    """List every theme in order with its controls, and add new ones. Raises Forbidden (403)."""
    permissions.require(permissions.can_manage_themes(current_user))
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            theme = theme_service.create_theme(form.name.data or "", form.description.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The theme “%(name)s” is added.", name=theme.name), "success")
            return redirect(url_for("admin.themes"))
    page = render_template(
        "admin/themes.html", form=form, themes=theme_service.listed_themes(current_user)
    )
    return page, _status(form)


@bp.route("/admin/temaer/<id:theme_id>", methods=["GET", "POST"])
def edit_theme(theme_id: int) -> Page:
    """Rename and describe a theme. Raises Forbidden (403) or NotFound (404)."""
    theme = _managed_theme(theme_id)
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        try:
            theme_service.update_theme(theme, form.name.data or "", form.description.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The theme “%(name)s” is saved.", name=theme.name), "success")
            return redirect(url_for("admin.themes"))
    return render_template("admin/edit_theme.html", theme=theme, form=form), _status(form)


@bp.post("/admin/temaer/<id:theme_id>/flyt")
def move_theme(theme_id: int) -> Response:
    """Move a theme one place up or down. Raises Forbidden (403) or NotFound (404)."""
    theme = _managed_theme(theme_id)
    form = MoveThemeForm()
    if not form.validate_on_submit():
        flash(_("Choose whether to move the theme up or down."), "error")
        return redirect(url_for("admin.themes"))
    theme_service.move_theme(theme, MOVES[form.direction.data or ""])
    flash(_("The theme “%(name)s” is moved.", name=theme.name), "success")
    return redirect(url_for("admin.themes", _anchor=f"theme-{theme.id}"))


@bp.route("/admin/temaer/<id:theme_id>/arkiver", methods=["GET", "POST"])
def archive_theme(theme_id: int) -> Page:
    """Ask to confirm archiving a theme (GET), then archive it (POST).

    Raises Forbidden (403) or NotFound (404).
    """
    theme = _managed_theme(theme_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        theme_service.set_archived(theme, True)
        flash(_("The theme “%(name)s” is archived.", name=theme.name), "success")
        return redirect(url_for("admin.themes"))
    return render_template("admin/archive_theme.html", theme=theme, form=form)


@bp.post("/admin/temaer/<id:theme_id>/genopret")
def restore_theme(theme_id: int) -> Response:
    """Bring an archived theme back. Raises Forbidden (403) or NotFound (404)."""
    theme = _managed_theme(theme_id)
    if ConfirmForm().validate_on_submit():
        theme_service.set_archived(theme, False)
        flash(_("The theme “%(name)s” is back in the list.", name=theme.name), "success")
    return redirect(url_for("admin.themes"))
