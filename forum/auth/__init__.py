"""Login, invitations, password resets and one's own profile."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from forum.auth import views  # noqa: E402,F401
