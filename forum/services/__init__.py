"""Domain verbs. Services never touch request, session or g: callers pass the actor."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l

# Dates outside these years are typing mistakes; beyond 9998 they also overflow date maths.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class ServiceError(Exception):
    """A rule of the domain refused the action; the message is shown to the person."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def check_plausible_date(value: date | None, field: str) -> date | None:
    """Return the date. Raises ServiceError when it lies outside the years 2000–2100."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ServiceError(
            _l("Choose a date between %(first)d and %(last)d.", first=FIRST_YEAR, last=LAST_YEAR),
            field=field,
        )
    return value
