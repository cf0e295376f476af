"""The member directory and member profiles."""

from flask import Blueprint

bp = Blueprint("members", __name__)

from forum.members import views  # noqa: E402,F401
