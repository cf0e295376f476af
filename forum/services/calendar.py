"""Calendar files: each person's private feed, and one meeting as a download.

The feed lives at a secret address so calendar programs can read it without a login cookie.
It holds every meeting and the person's own open commitments' due dates, nothing else. The
address works only while the account is active: a deactivated account's feed answers 404,
just like an unknown one, and a reset makes the old address stop working at once.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select
from werkzeug.routing import BuildError

from forum.extensions import db
from forum.models import Commitment, Meeting, User
from forum.permissions import visible_commitments
from forum.services.actions import CLOSED_STATUSES
from forum.services.mail import site_url
from forum.services.meetings import local_end, local_start

# Commitments that still lie ahead of their owner.
# Longest token accepted in a feed address (token_urlsafe(32) gives 43 characters).
TOKEN_MAX = 64


# --- the secret address --------------------------------------------------------------------


def _new_token() -> str:
    """Return a fresh, unguessable feed token."""
    return secrets.token_urlsafe(32)


def ensure_token(user: User) -> str:
    """Return the person's feed token, creating it the first time it is needed."""
    if not user.calendar_token:
        user.calendar_token = _new_token()
        db.session.flush()
    return user.calendar_token


def reset_token(user: User) -> str:
    """Give the person a new feed token; the old address stops working at once."""
    user.calendar_token = _new_token()
    db.session.flush()
    return user.calendar_token


def feed_url(user: User) -> str | None:
    """Return the absolute address of the person's feed, or None before it exists."""
    if not user.calendar_token:
        return None
    return site_url("meetings.calendar_feed", token=user.calendar_token)


def owner_of_token(token: str) -> User | None:
    """Return the active account whose feed the token opens, or None (unknown or deactivated)."""
    if not token or len(token) > TOKEN_MAX:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.is_enabled:
        return None
    return user


# --- the calendar ---------------------------------------------------------------------------


def _domain() -> str:
    """Return the site's host name, which makes the events' UIDs unique world-wide."""
    return urlsplit(current_app.config["FORUM_BASE_URL"]).hostname or "netvaerksforum"


def _stamp(value: datetime | None) -> datetime:
    """Return a stored naive UTC time as an aware one (now when missing)."""
    if value is None:
        return datetime.now(UTC)
    return value.replace(tzinfo=UTC)


def _calendar(name: str) -> Calendar:
    """Return an empty calendar with the fields every program expects."""
    calendar = Calendar()
    calendar.add("prodid", "-//Netvaerksforum//Meetings//DA")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Copenhagen")
    return calendar


def _meeting_event(meeting: Meeting) -> Event:
    """Return the meeting as an event in Copenhagen time, with a link back."""
    link = site_url("meetings.meeting", meeting_id=meeting.id)
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{_domain()}")
    event.add("dtstamp", _stamp(meeting.updated_at))
    event.add("last-modified", _stamp(meeting.updated_at))
    event.add("dtstart", local_start(meeting))
    event.add("dtend", local_end(meeting))
    event.add("summary", meeting.title)
    place = ", ".join(part for part in (meeting.venue, meeting.address, meeting.town) if part)
    if place:
        event.add("location", place)
    lines = []
    if meeting.host_library:
        lines.append(_("Host: %(library)s", library=meeting.host_library))
    if meeting.agenda_md:
        lines.extend(["", meeting.agenda_md.strip()])
    lines.extend(["", link])
    event.add("description", "\n".join(lines).strip())
    event.add("url", link)
    return event


def _commitment_link(commitment: Commitment) -> str | None:
    """Return the commitment's page, when the commitments part offers one."""
    try:
        return site_url("actions.commitment", commitment_id=commitment.id)
    except BuildError:
        return None


def _commitment_event(commitment: Commitment) -> Event:
    """Return a commitment's due date as an all-day event."""
    due = commitment.due_date
    assert due is not None  # own_open_commitments() lists dated commitments only
    event = Event()
    event.add("uid", f"commitment-{commitment.id}@{_domain()}")
    event.add("dtstamp", _stamp(commitment.updated_at))
    event.add("last-modified", _stamp(commitment.updated_at))
    event.add("dtstart", due)
    event.add("dtend", due + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    event.add("summary", _("Commitment due: %(title)s", title=commitment.title))
    link = _commitment_link(commitment)
    if link:
        event.add("description", link)
        event.add("url", link)
    return event


def own_open_commitments(user: User) -> list[Commitment]:
    """Return the person's own commitments that are not done or dropped and have a due date."""
    return list(
        db.session.scalars(
            select(Commitment)
            .where(visible_commitments(user))
            .where(Commitment.owner_id == user.id)
            .where(Commitment.status.not_in(CLOSED_STATUSES))
            .where(Commitment.due_date.is_not(None))
            .order_by(Commitment.due_date, Commitment.id)
        )
    )


def feed(user: User) -> bytes:
    """Return the person's private calendar: every meeting and their own open due dates."""
    with force_locale(user.language or "da"):
        calendar = _calendar(_("Network meetings"))
        for meeting in db.session.scalars(select(Meeting).order_by(Meeting.date, Meeting.id)):
            calendar.add_component(_meeting_event(meeting))
        for commitment in own_open_commitments(user):
            calendar.add_component(_commitment_event(commitment))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def meeting_file(meeting: Meeting) -> bytes:
    """Return one meeting as a calendar file to download."""
    calendar = _calendar(meeting.title)
    calendar.add_component(_meeting_event(meeting))
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
