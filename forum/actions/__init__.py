"""Action commitments, their logs, the facilitator overview and meeting preparation."""

from flask import Blueprint

bp = Blueprint("actions", __name__)

from forum.actions import views  # noqa: E402,F401
