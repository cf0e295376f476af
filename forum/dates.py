"""One way to show dates and times everywhere: "29. nov. 2026 kl. 14.05", "i dag kl. 9.12".

Times are stored in UTC without a zone (`utcnow()`) and shown in Europe/Copenhagen. A moment
reads as "today at", "yesterday at" or "tomorrow at" when it falls on those days in
Copenhagen, else as the date; never with seconds. In a page each moment is a <time> element
whose title gives the full date and time, shown on hover.

The patterns are messages of the catalogue, so each language words them its own way; the
month and weekday names come from the locale's CLDR data. Both are looked up once per
language and kept, as a page with many dates would otherwise pay for them on every date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

TIMEZONE = ZoneInfo("Europe/Copenhagen")


@dataclass(frozen=True)
class Words:
    """The patterns and names one language writes dates and times with."""

    clock: str  # "%(hour)d.%(minute)02d"
    day: str  # "%(day)d. %(month)s %(year)d"
    weekday_day: str  # "%(weekday)s den %(date)s"
    at: str  # "%(date)s kl. %(time)s"
    today: str
    yesterday: str
    tomorrow: str
    months: tuple[str, ...]  # abbreviated, January first
    full_months: tuple[str, ...]
    weekdays: tuple[str, ...]  # Monday first


_WORDS: dict[str, Words] = {}


def _load_words(locale: Locale) -> Words:
    """Return the current language's words from the catalogue and the locale's CLDR data."""
    months = locale.months["format"]
    return Words(
        clock=_("%(hour)d:%(minute)02d"),
        day=_("%(day)d %(month)s %(year)d"),
        weekday_day=_("%(weekday)s %(date)s"),
        at=_("%(date)s at %(time)s"),
        today=_("today at %(time)s"),
        yesterday=_("yesterday at %(time)s"),
        tomorrow=_("tomorrow at %(time)s"),
        months=tuple(months["abbreviated"][number] for number in range(1, 13)),
        full_months=tuple(months["wide"][number] for number in range(1, 13)),
        weekdays=tuple(locale.days["format"]["wide"][number] for number in range(7)),
    )


def words() -> Words:
    """Return the reader's language's words, looked up once per language."""
    locale = get_locale() or Locale("da")
    key = str(locale)
    found = _WORDS.get(key)
    if found is None:
        found = _WORDS[key] = _load_words(locale)
    return found


def local(value: datetime) -> datetime:
    """Return a stored moment (naive UTC, or aware) in Copenhagen time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TIMEZONE)


def clock(value: time | datetime, w: Words | None = None) -> str:
    """Return a time of day without seconds: "9.05" in Danish, "9:05" in English."""
    w = w or words()
    return w.clock % {"hour": value.hour, "minute": value.minute}


def day(value: date, weekday: bool = False, full: bool = False, w: Words | None = None) -> str:
    """Return a calendar date: "29. nov. 2026"; with its weekday, "søndag den 29. nov. 2026".

    full spells the month out ("29. november 2026"), for titles.
    """
    w = w or words()
    months = w.full_months if full else w.months
    text = w.day % {"day": value.day, "month": months[value.month - 1], "year": value.year}
    if weekday:
        text = w.weekday_day % {"weekday": w.weekdays[value.weekday()], "date": text}
    return text


def moment(value: datetime, now: datetime | None = None) -> str:
    """Return a stored moment as the reader sees it: "i dag kl. 9.12", "29. nov. 2026 kl. 14.05"."""
    w = words()
    shown = local(value)
    today = local(now or datetime.now(UTC)).date()
    at = clock(shown, w)
    when = shown.date()
    if when == today:
        return w.today % {"time": at}
    if when == today - timedelta(days=1):
        return w.yesterday % {"time": at}
    if when == today + timedelta(days=1):
        return w.tomorrow % {"time": at}
    return w.at % {"date": day(when, w=w), "time": at}


def moment_text(value: datetime | None, fmt: object = None) -> str:
    """Return a stored moment as plain text, never relative (for emails, read days later).

    fmt is ignored as in moment_tag.
    """
    if value is None:
        return ""
    w = words()
    shown = local(value)
    return w.at % {"date": day(shown.date(), w=w), "time": clock(shown, w)}


def day_text(value: date | None, fmt: object = None, weekday: bool = False) -> str:
    """Return a calendar date as plain text (for emails and labels); fmt is ignored."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value).date()
    return day(value, weekday=weekday)


def full_moment(value: datetime) -> str:
    """Return a stored moment in full: "søndag den 29. november 2026 kl. 14.05"."""
    w = words()
    shown = local(value)
    return w.at % {"date": day(shown.date(), weekday=True, full=True, w=w), "time": clock(shown, w)}


def iso_utc(value: datetime) -> str:
    """Return a stored moment as an ISO 8601 UTC time to the second, for machines."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def moment_tag(value: datetime | None, fmt: object = None, now: datetime | None = None) -> Markup:
    """Return a <time> element for a stored moment, its full date and time as its title.

    fmt is ignored: there is one format (it is accepted so that older templates still work).
    """
    if value is None:
        return Markup("")
    return Markup('<time datetime="{iso}" title="{full}">{text}</time>').format(
        iso=iso_utc(value), full=full_moment(value), text=moment(value, now)
    )


def day_tag(value: date | None, fmt: object = None, weekday: bool = False) -> Markup:
    """Return a <time> element for a calendar date, its weekday and full month as its title.

    fmt is ignored as in moment_tag.
    """
    if value is None:
        return Markup("")
    if isinstance(value, datetime):  # a stored moment passed as a date: show its local day
        value = local(value).date()
    w = words()
    return Markup('<time datetime="{iso}" title="{full}">{text}</time>').format(
        iso=value.isoformat(),
        full=day(value, weekday=True, full=True, w=w),
        text=day(value, weekday=weekday, w=w),
    )


def clock_text(value: time | None, fmt: object = None) -> str:
    """Return a time of day for a template ("10.00"); empty for none. fmt is ignored."""
    return "" if value is None else clock(value)
