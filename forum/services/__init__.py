"""Domain verbs. Services never touch request, session or g: callers pass the actor."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule of the domain refused the action; the message is shown to the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
