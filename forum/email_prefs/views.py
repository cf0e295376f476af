"""The email preferences page and the unsubscribe link (which works without logging in)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user
from werkzeug.wrappers import Response

from forum import permissions
from forum.email_prefs import bp
from forum.email_prefs.forms import TOPIC_LABELS, PreferencesForm
from forum.extensions import csrf
from forum.forms import REFUSED
from forum.models import User
from forum.models.vocabulary import EmailDelivery, EmailTopic
from forum.services import unsubscribe as unsubscribe_service
from forum.services.notifications import email_deliveries, set_email_delivery

Page = str | Response | tuple[str, int]


def _me() -> User:
    """Return the logged-in member."""
    user = current_user._get_current_object()
    permissions.require(permissions.is_member(user))
    return user  # type: ignore[no-any-return]


@bp.route("/profil/email", methods=["GET", "POST"])
def preferences() -> Page:
    """Choose, per topic, email at once, in a daily or weekly digest, or not at all."""
    user = _me()
    deliveries = email_deliveries(user)
    form = PreferencesForm(data={topic.value: deliveries[topic].value for topic in EmailTopic})
    if not form.validate_on_submit():
        page = render_template("email_prefs/preferences.html", form=form)
        return (page, REFUSED) if form.is_submitted() else page
    for topic, field in form.topic_fields():
        set_email_delivery(user, topic, EmailDelivery(field.data))
    flash(_("Your email choices are saved."), "success")
    return redirect(url_for("email.preferences"))


def _topic_name(topic: str) -> str:
    """Return the words for what a token unsubscribes from."""
    if topic == unsubscribe_service.DIGEST:
        return _("Daily and weekly digests")
    return str(TOPIC_LABELS[EmailTopic(topic)])


@bp.route("/afmeld/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail programs post the one-click body without a cookie or token
def unsubscribe(token: str) -> Page:
    """Show the unsubscribe button (GET), or unsubscribe at once (POST, also one-click)."""
    found = unsubscribe_service.read_token(token)
    if found is None:
        return render_template("email_prefs/unsubscribe_invalid.html"), 404
    g.link_owner_language = found.user.language
    refresh()  # the language was chosen for this request before the token was read
    topic_name = _topic_name(found.topic)
    if request.method == "GET":
        return render_template("email_prefs/unsubscribe.html", token=token, topic=topic_name)
    unsubscribe_service.unsubscribe(found.user, found.topic)
    return render_template("email_prefs/unsubscribed.html", topic=topic_name)
