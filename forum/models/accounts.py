"""Accounts: people, invitations, password resets, reset requests and failed login attempts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.base import utcnow
from forum.models.vocabulary import InvitationStatus, Role, enum_column


class User(UserMixin, Model):
    """A person in the network: member, facilitator or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # Unique ASCII name for @mentions, made from the name (forum.services.handles).
    handle: Mapped[str] = mapped_column(String(60), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    # Bumped on logout, password change and deactivation: every older session cookie dies.
    session_version: Mapped[int] = mapped_column(default=1)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    library: Mapped[str] = mapped_column(String(160), default="")
    municipality: Mapped[str] = mapped_column(String(120), default="")
    region: Mapped[str] = mapped_column(String(20), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="da")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]
    # Secret in the private calendar feed URL (works without a login cookie); resettable.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive accounts
        """Return whether the account may log in and use its sessions."""
        return self.is_enabled

    def get_id(self) -> str:
        """Return the session identity: id plus session version, so old cookies can be revoked."""
        return f"{self.id}:{self.session_version}"


class Invitation(Model):
    """A one-time invitation to join the network, sent by email.

    Resending gives it a new token and a new expiry (the old link stops working) and records
    who resent it last and when; revoking ends the link and records who did it and when.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.MEMBER)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    resent_at: Mapped[datetime | None]
    resent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])
    resent_by: Mapped[User | None] = relationship(foreign_keys=[resent_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    def status(self, now: datetime) -> InvitationStatus:
        """Return where the invitation stands at `now`: open, expired, accepted or revoked."""
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at < now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.OPEN


class PasswordResetToken(Model):
    """A one-time password reset link, valid for one hour.

    `used_at` is also set when the link is ended unused: by any password change and by
    deactivation.
    """

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class PasswordResetRequest(Model):
    """One counted request for a reset link, kept in the database so the limits per client
    address and per account hold across workers and hosts. `user_id` is set when the request
    was granted an email to that account."""

    __tablename__ = "password_reset_requests"
    __table_args__ = (
        Index("ix_password_reset_requests_address_created", "address", "created_at"),
        Index("ix_password_reset_requests_user_created", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LoginFailure(Model):
    """One password check that has not succeeded, kept in the database so the throttle holds
    across workers and hosts. It is written before the password is checked and deleted when
    the check succeeds (see forum/services/accounts.py)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_created", "email", "created_at"),
        Index("ix_login_failures_address_created", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
