"""SQLAlchemy models, one module per domain; imported here so Alembic sees them all."""

from forum.models.accounts import (
    Invitation,
    LoginFailure,
    PasswordResetRequest,
    PasswordResetToken,
    User,
)
from forum.models.actions import Commitment, CommitmentComment, CommitmentGoal, LogEntry
from forum.models.base import utcnow
from forum.models.forum import CircleMember, Post, PostRevision, Theme, Thread
from forum.models.meetings import (
    Meeting,
    ReminderSent,
    Rsvp,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
)
from forum.models.moderation import Announcement, ModerationLogEntry, Report
from forum.models.notifications import (
    DigestSent,
    EmailPreference,
    Notification,
    OutboxEmail,
    ThemeWatch,
    ThreadRead,
    ThreadWatch,
)
from forum.models.vocabulary import (
    CommitmentStatus,
    CommitmentVisibility,
    DigestPeriod,
    EmailDelivery,
    EmailTopic,
    NotificationKind,
    QuestionKind,
    ReminderKind,
    ReportResolution,
    Role,
    RsvpAnswer,
    Visibility,
    WatchLevel,
)

__all__ = [
    "DigestPeriod",
    "DigestSent",
    "EmailDelivery",
    "EmailPreference",
    "EmailTopic",
    "Notification",
    "NotificationKind",
    "OutboxEmail",
    "ThemeWatch",
    "ThreadRead",
    "ThreadWatch",
    "WatchLevel",
    "CommitmentStatus",
    "CommitmentVisibility",
    "QuestionKind",
    "ReminderKind",
    "ReportResolution",
    "Role",
    "RsvpAnswer",
    "Visibility",
    "Commitment",
    "CommitmentComment",
    "CommitmentGoal",
    "LogEntry",
    "Meeting",
    "ReminderSent",
    "Rsvp",
    "Survey",
    "SurveyAnswer",
    "SurveyOption",
    "SurveyQuestion",
    "SurveyResponse",
    "Announcement",
    "CircleMember",
    "ModerationLogEntry",
    "Report",
    "Invitation",
    "LoginFailure",
    "PasswordResetRequest",
    "PasswordResetToken",
    "Post",
    "PostRevision",
    "Theme",
    "Thread",
    "User",
    "utcnow",
]

# Registers the listener that gives every new account its @handle.
import forum.handles  # noqa: E402, F401
