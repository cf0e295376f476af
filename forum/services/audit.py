"""The moderation log: one entry per moderator action, written in the action's transaction."""

from __future__ import annotations

from forum.extensions import db
from forum.models import ModerationLogEntry, Post, Thread, User


def log_action(
    actor: User,
    action: str,
    *,
    thread: Thread | None = None,
    post: Post | None = None,
    subject: User | None = None,
    reason: str = "",
    detail: str = "",
) -> None:
    """Add a moderation log entry to the session (committed with the action itself)."""
    db.session.add(
        ModerationLogEntry(
            actor_id=actor.id,
            action=action,
            thread_id=thread.id if thread else (post.thread_id if post else None),
            post_id=post.id if post else None,
            subject_user_id=subject.id if subject else None,
            reason=reason,
            detail=detail,
        )
    )
