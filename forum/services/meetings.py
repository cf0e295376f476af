"""Meeting verbs and reads: plan and edit meetings, answer invitations, list who comes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from forum import markdown
from forum.extensions import db
from forum.models import Meeting, Rsvp, RsvpReminder, User, utcnow
from forum.models.vocabulary import NotificationKind
from forum.services import ServiceError, check_plausible_date, events
from forum.services.notifications import notify
from forum.spreadsheets import csv_bytes

# Meetings are planned, held and shown in Danish local time.
TIMEZONE = ZoneInfo("Europe/Copenhagen")
# The network meets from ten to three unless the invitation says otherwise.
DEFAULT_START = time(10, 0)
DEFAULT_END = time(15, 0)
TITLE_MAX = 200
PLACE_MAX = 200
TOWN_MAX = 120
TEXT_MAX = 20_000
DIETARY_MAX = 500
NOTE_MAX = 1000
# Where the invitation's "show on map" link searches (an ordinary link: nothing is embedded).
MAP_SEARCH = "https://www.openstreetmap.org/search?query="


def today() -> date:
    """Return today's date in Copenhagen (a meeting is upcoming until its day has passed)."""
    return datetime.now(UTC).astimezone(TIMEZONE).date()


def local_start(meeting: Meeting) -> datetime:
    """Return when the meeting starts, as an aware Copenhagen time."""
    return datetime.combine(meeting.date, meeting.starts_at, tzinfo=TIMEZONE)


def local_end(meeting: Meeting) -> datetime:
    """Return when the meeting ends, as an aware Copenhagen time."""
    return datetime.combine(meeting.date, meeting.ends_at, tzinfo=TIMEZONE)


def is_past(meeting: Meeting) -> bool:
    """Return whether the meeting's day has passed in Copenhagen."""
    return meeting.date < today()


# --- planning ------------------------------------------------------------------------------


@dataclass
class MeetingDetails:
    """What the facilitator writes about a meeting; the form fills it in."""

    title: str
    date: date | None  # None when the form had none: the service refuses it
    starts_at: time | None = DEFAULT_START
    ends_at: time | None = DEFAULT_END
    venue: str = ""
    address: str = ""
    town: str = ""
    host_library: str = ""
    agenda: str = ""
    practical: str = ""


def _short(value: str | None, limit: int, field_name: str) -> str:
    """Return the trimmed text. Raises ServiceError when it is longer than the limit."""
    value = (value or "").strip()
    if len(value) > limit:
        raise ServiceError(_l("The text is too long."), field=field_name)
    return value


def _checked(details: MeetingDetails) -> MeetingDetails:
    """Return the details trimmed. Raises ServiceError on a missing title or date, texts too
    long, or an end that is not after the start."""
    title = (details.title or "").strip()
    if not title:
        raise ServiceError(_l("Give the meeting a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(_l("The title is too long."), field="title")
    if details.date is None:
        raise ServiceError(_l("Choose the date of the meeting."), field="date")
    check_plausible_date(details.date, "date")
    if details.starts_at is None:
        raise ServiceError(_l("Give the time the meeting starts."), field="starts_at")
    if details.ends_at is None:
        raise ServiceError(_l("Give the time the meeting ends."), field="ends_at")
    if details.ends_at <= details.starts_at:
        raise ServiceError(_l("The meeting must end after it starts."), field="ends_at")
    agenda = details.agenda or ""
    practical = details.practical or ""
    if len(agenda) > TEXT_MAX:
        raise ServiceError(_l("The text is too long."), field="agenda")
    if len(practical) > TEXT_MAX:
        raise ServiceError(_l("The text is too long."), field="practical")
    return MeetingDetails(
        title=title,
        date=details.date,
        starts_at=details.starts_at.replace(second=0, microsecond=0),
        ends_at=details.ends_at.replace(second=0, microsecond=0),
        venue=_short(details.venue, PLACE_MAX, "venue"),
        address=_short(details.address, PLACE_MAX, "address"),
        town=_short(details.town, TOWN_MAX, "town"),
        host_library=_short(details.host_library, PLACE_MAX, "host_library"),
        agenda=agenda,
        practical=practical,
    )


def _apply(meeting: Meeting, details: MeetingDetails) -> None:
    """Copy checked details onto the meeting, rendering its Markdown once, now."""
    # _checked() refused details without a date or times.
    assert details.date is not None
    assert details.starts_at is not None
    assert details.ends_at is not None
    meeting.title = details.title
    meeting.date = details.date
    meeting.starts_at = details.starts_at
    meeting.ends_at = details.ends_at
    meeting.venue = details.venue
    meeting.address = details.address
    meeting.town = details.town
    meeting.host_library = details.host_library
    if meeting.agenda_md != details.agenda or not meeting.agenda_html:
        markdown.set_markdown(meeting, "agenda", details.agenda)
    if meeting.practical_md != details.practical or not meeting.practical_html:
        markdown.set_markdown(meeting, "practical", details.practical)
    meeting.updated_at = utcnow()


def create_meeting(actor: User, details: MeetingDetails) -> Meeting:
    """Plan a meeting. Raises ServiceError on a missing title or date, or bad times."""
    details = _checked(details)
    meeting = Meeting(created_by_id=actor.id, agenda_md="", practical_md="")
    _apply(meeting, details)
    meeting.created_at = meeting.updated_at
    db.session.add(meeting)
    db.session.flush()
    events.meeting_published(actor, meeting)
    return meeting


def update_meeting(actor: User, meeting: Meeting, details: MeetingDetails) -> Meeting:
    """Change a meeting's details. Raises ServiceError on a missing title or date, or bad
    times."""
    details = _checked(details)
    before = _when_and_where(meeting)
    _apply(meeting, details)
    db.session.flush()
    if _when_and_where(meeting) != before:
        events.meeting_changed(actor, meeting)
    return meeting


def _when_and_where(meeting: Meeting) -> tuple[object, ...]:
    """Return what members plan around: the date, the times and the place."""
    return (
        meeting.date,
        meeting.starts_at,
        meeting.ends_at,
        meeting.venue,
        meeting.address,
        meeting.town,
    )


def details_of(meeting: Meeting) -> MeetingDetails:
    """Return a meeting's details as the edit form shows them."""
    return MeetingDetails(
        title=meeting.title,
        date=meeting.date,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        venue=meeting.venue,
        address=meeting.address,
        town=meeting.town,
        host_library=meeting.host_library,
        agenda=meeting.agenda_md,
        practical=meeting.practical_md,
    )


def map_url(meeting: Meeting) -> str | None:
    """Return an OpenStreetMap search for the meeting's address and town, or None without
    either."""
    query = ", ".join(part for part in (meeting.address, meeting.town) if part)
    return MAP_SEARCH + quote(query, safe="") if query else None


# --- reading -------------------------------------------------------------------------------


def get_meeting(meeting_id: int) -> Meeting | None:
    """Return the meeting, or None. Every member may see every meeting."""
    return db.session.get(Meeting, meeting_id)


def upcoming_meetings() -> list[Meeting]:
    """Return meetings from today on (Copenhagen), soonest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.date >= today())
            .order_by(Meeting.date, Meeting.starts_at, Meeting.id)
        )
    )


def past_meetings() -> list[Meeting]:
    """Return meetings before today (Copenhagen), latest first."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.date < today())
            .order_by(Meeting.date.desc(), Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )


def own_rsvps(user: User, meetings: list[Meeting]) -> dict[int, Rsvp]:
    """Return the person's answers to the given meetings, by meeting id (one query)."""
    ids = [meeting.id for meeting in meetings]
    if not ids:
        return {}
    rows = db.session.scalars(select(Rsvp).where(Rsvp.user_id == user.id, Rsvp.meeting_id.in_(ids)))
    return {rsvp.meeting_id: rsvp for rsvp in rows}


def own_rsvp(user: User, meeting: Meeting) -> Rsvp | None:
    """Return the person's answer to the meeting, or None."""
    return db.session.get(Rsvp, (meeting.id, user.id))


# --- answering -----------------------------------------------------------------------------


def answer_invitation(
    user: User, meeting: Meeting, attending: bool, dietary_needs: str = "", note: str = ""
) -> Rsvp:
    """Say whether one comes, with needs for the catering; a later answer replaces it.

    Raises ServiceError when the meeting has been held or a text is too long.
    """
    if is_past(meeting):
        raise ServiceError(_l("The meeting has been held; the answers are closed."))
    dietary_needs = _short(dietary_needs, DIETARY_MAX, "dietary_needs")
    note = _short(note, NOTE_MAX, "note")
    values = {
        "meeting_id": meeting.id,
        "user_id": user.id,
        "attending": bool(attending),
        "dietary_needs": dietary_needs,
        "note": note,
        "updated_at": utcnow(),
    }
    # One statement whichever answer came first, so two quick clicks never collide.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Rsvp).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=[Rsvp.meeting_id, Rsvp.user_id],
        set_={
            "attending": statement.excluded.attending,
            "dietary_needs": statement.excluded.dietary_needs,
            "note": statement.excluded.note,
            "updated_at": statement.excluded.updated_at,
        },
    )
    db.session.execute(statement)
    db.session.flush()
    rsvp = db.session.get(Rsvp, (meeting.id, user.id), populate_existing=True)
    assert rsvp is not None
    return rsvp


# --- attendance ----------------------------------------------------------------------------


@dataclass
class Attendance:
    """Who comes, who declined and who has not answered a meeting (active accounts)."""

    attending: list[tuple[User, Rsvp]] = field(default_factory=list)
    declined: list[tuple[User, Rsvp]] = field(default_factory=list)
    unanswered: list[User] = field(default_factory=list)

    @property
    def dietary(self) -> list[tuple[User, Rsvp]]:
        """Return the people coming who gave dietary needs."""
        return [(person, rsvp) for person, rsvp in self.attending if rsvp.dietary_needs]


def attendance(meeting: Meeting) -> Attendance:
    """Return the meeting's attendance by name, in one query."""
    rows = db.session.execute(
        select(User, Rsvp)
        .outerjoin(Rsvp, and_(Rsvp.user_id == User.id, Rsvp.meeting_id == meeting.id))
        .where(User.is_enabled.is_(True))
        .order_by(User.name, User.id)
    )
    result = Attendance()
    for person, rsvp in rows:
        if rsvp is None:
            result.unanswered.append(person)
        elif rsvp.attending:
            result.attending.append((person, rsvp))
        else:
            result.declined.append((person, rsvp))
    return result


# Answers to "dietary needs" that say there are none: not needs the catering counts.
NO_NEEDS = frozenset(
    {
        "ingen",
        "ingen særlige",
        "ingen særlige behov",
        "ingen særlige kostbehov",
        "ingen behov",
        "ingen kostbehov",
        "intet",
        "nej",
        "nej tak",
        "none",
        "no",
        "n/a",
        "-",
        "–",
    }
)


def _need_key(text: str) -> str:
    """Return the form answers are grouped by: trimmed (also of a final full stop), spaces
    collapsed, case-insensitive."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".").strip().casefold()


@dataclass
class Catering:
    """What the host needs to know for the food: how many come and their dietary needs."""

    coming: int
    # (what was written, how many wrote it), most common first.
    needs: list[tuple[str, int]] = field(default_factory=list)
    # Answers saying there are no special needs, with how many; not counted as needs.
    not_counted: list[tuple[str, int]] = field(default_factory=list)


def _grouped(texts: list[str]) -> list[tuple[str, int]]:
    """Return identical texts (ignoring case and spacing) counted, most common first, each
    shown as most people wrote it."""
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for text in texts:
        key = _need_key(text)
        counts[key] += 1
        spellings.setdefault(key, Counter())[re.sub(r"\s+", " ", text).strip()] += 1
    # Counter.most_common keeps first-seen order among equals.
    shown = {key: spellings[key].most_common(1)[0][0] for key in counts}
    return sorted(
        ((shown[key], count) for key, count in counts.items()),
        key=lambda item: (-item[1], item[0].casefold()),
    )


def catering(lists: Attendance) -> Catering:
    """Return the catering summary of an attendance: people coming and their needs counted,
    identical answers grouped; answers like "ingen særlige behov" are listed apart."""
    needs: list[str] = []
    none_needed: list[str] = []
    for _person, rsvp in lists.attending:
        if not rsvp.dietary_needs.strip():
            continue
        key = _need_key(rsvp.dietary_needs)
        (none_needed if key in NO_NEEDS else needs).append(rsvp.dietary_needs)
    return Catering(
        coming=len(lists.attending), needs=_grouped(needs), not_counted=_grouped(none_needed)
    )


def attendance_csv(meeting: Meeting) -> bytes:
    """Return the attendance as CSV for a spreadsheet."""
    lists = attendance(meeting)
    header = [_("Name"), _("Email"), _("Library"), _("Answer"), _("Dietary needs"), _("Note")]
    rows: list[tuple[User, Rsvp | None, str]] = [
        *((person, rsvp, _("Attending")) for person, rsvp in lists.attending),
        *((person, rsvp, _("Not attending")) for person, rsvp in lists.declined),
        *((person, None, _("No answer")) for person in lists.unanswered),
    ]
    return csv_bytes(
        header,
        (
            [
                person.name,
                person.email,
                person.library,
                answer,
                rsvp.dietary_needs if rsvp else "",
                rsvp.note if rsvp else "",
            ]
            for person, rsvp, answer in rows
        ),
    )


# --- reminding those who have not answered -------------------------------------------------


def last_rsvp_reminder(meeting: Meeting) -> RsvpReminder | None:
    """Return the latest reminder a facilitator sent about the meeting, or None."""
    return db.session.scalar(
        select(RsvpReminder)
        .where(RsvpReminder.meeting_id == meeting.id)
        .order_by(RsvpReminder.sent_at.desc(), RsvpReminder.id.desc())
        .limit(1)
    )


def may_remind_today(meeting: Meeting, last: RsvpReminder | None) -> bool:
    """Return whether a reminder may go today: the meeting is ahead and none went today."""
    return not is_past(meeting) and (last is None or last.sent_on < today())


def remind_unanswered(actor: User, meeting: Meeting) -> int:
    """Notify every active person who has not answered the invitation (by email as each
    chose for meetings); return how many were told. At most once per meeting and day.

    Raises ServiceError when the meeting has been held, everyone has answered, or a reminder
    about the meeting already went today. Only flushes.
    """
    if is_past(meeting):
        raise ServiceError(_l("The meeting has been held; the answers are closed."))
    people = [person for person in attendance(meeting).unanswered if person.id != actor.id]
    if not people:
        raise ServiceError(_l("Nobody is left to remind: everyone else has answered."))
    record = RsvpReminder(meeting_id=meeting.id, sent_on=today(), sent_by_id=actor.id)
    try:
        # The unique (meeting, day) key decides, also when two facilitators click at once.
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        raise ServiceError(
            _l("A reminder about this meeting already went today. You can send one tomorrow.")
        ) from None
    told = sum(
        notify(person, NotificationKind.RSVP_REMINDER, actor=actor, meeting=meeting) is not None
        for person in people
    )
    record.recipients = told
    db.session.flush()
    return told
