"""SQLAlchemy models, one module per domain; imported here so Alembic sees them all."""

from forum.models.accounts import Invitation, LoginFailure, PasswordResetToken, User
from forum.models.base import utcnow
from forum.models.forum import Post, PostRevision, Theme, Thread

__all__ = [
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
