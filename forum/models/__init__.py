"""SQLAlchemy models, one module per domain; imported here so Alembic sees them all."""

from forum.models.accounts import Invitation, LoginFailure, PasswordResetToken, User
from forum.models.base import utcnow
from forum.models.forum import CircleMember, Post, PostRevision, Theme, Thread
from forum.models.moderation import Announcement, ModerationLogEntry, Report

__all__ = [
    "Announcement",
    "CircleMember",
    "ModerationLogEntry",
    "Report",
    "Invitation",
    "LoginFailure",
    "PasswordResetToken",
    "Post",
    "PostRevision",
    "Theme",
    "Thread",
    "User",
    "utcnow",
]
