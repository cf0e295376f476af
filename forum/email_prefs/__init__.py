"""Email choices: the preferences page, and unsubscribing by a link without logging in."""

from flask import Blueprint

bp = Blueprint("email", __name__)

from forum.email_prefs import views  # noqa: E402,F401
