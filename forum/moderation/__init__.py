"""Moderation: the report queue, the moderation log, one's own reports and announcements."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)

from forum.moderation import views  # noqa: E402,F401
