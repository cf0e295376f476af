"""Dates and times read one way everywhere: "29. nov. 2026 kl. 14.05", "i dag kl. 9.12",
in Copenhagen time, never with seconds, the full date and time on hover."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

import pytest
from flask import Flask
from flask_babel import force_locale

from forum import create_app, dates


@pytest.fixture(scope="module")
def app() -> Flask:
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"})


@pytest.fixture
def danish(app: Flask) -> Iterator[Flask]:
    with app.test_request_context(), force_locale("da"):
        yield app


@pytest.fixture
def english(app: Flask) -> Iterator[Flask]:
    with app.test_request_context(), force_locale("en"):
        yield app


def utc(*parts: int) -> datetime:
    """A stored moment: naive UTC, as utcnow() stores them."""
    return datetime(*parts)


# Sunday 29 November 2026, 16:00 in Copenhagen (winter time, UTC+1).
NOW = utc(2026, 11, 29, 15, 0)


def test_an_older_moment_shows_its_date_and_time_without_seconds(danish: Flask) -> None:
    assert dates.moment(utc(2026, 11, 2, 13, 5, 59), NOW) == "2. nov. 2026 kl. 14.05"
    assert dates.moment(utc(2025, 5, 9, 7, 0), NOW) == "9. maj 2025 kl. 9.00"


def test_today_yesterday_and_tomorrow_are_said_in_words(danish: Flask) -> None:
    assert dates.moment(utc(2026, 11, 29, 8, 12), NOW) == "i dag kl. 9.12"
    assert dates.moment(utc(2026, 11, 28, 15, 40), NOW) == "i går kl. 16.40"
    assert dates.moment(utc(2026, 11, 30, 7, 0), NOW) == "i morgen kl. 8.00"
    assert dates.moment(utc(2026, 11, 27, 15, 40), NOW) == "27. nov. 2026 kl. 16.40"


def test_the_day_is_copenhagens_not_utcs(danish: Flask) -> None:
    # 23:30 UTC on the 29th is already 00:30 on the 30th in Copenhagen.
    after_midnight = utc(2026, 11, 29, 23, 30)
    assert dates.moment(utc(2026, 11, 29, 22, 50), after_midnight) == "i går kl. 23.50"
    assert dates.moment(utc(2026, 11, 29, 23, 5), after_midnight) == "i dag kl. 0.05"


def test_summer_time_and_its_end_are_followed(danish: Flask) -> None:
    # Summer time (UTC+2) until 03:00 on Sunday 25 October 2026, then UTC+1.
    sunday = utc(2026, 10, 25, 12, 0)
    assert dates.moment(utc(2026, 10, 24, 21, 59), sunday) == "i går kl. 23.59"
    assert dates.moment(utc(2026, 10, 24, 22, 0), sunday) == "i dag kl. 0.00"
    assert dates.moment(utc(2026, 10, 25, 0, 30), sunday) == "i dag kl. 2.30"  # still summer
    assert dates.moment(utc(2026, 10, 25, 1, 30), sunday) == "i dag kl. 2.30"  # winter again
    assert dates.moment(utc(2026, 7, 1, 7, 12), NOW) == "1. jul. 2026 kl. 9.12"
    # Summer time begins at 02:00 on 29 March 2026: 01:30 UTC is 03:30 local.
    assert dates.moment(utc(2026, 3, 29, 0, 30), NOW) == "29. mar. 2026 kl. 1.30"
    assert dates.moment(utc(2026, 3, 29, 1, 30), NOW) == "29. mar. 2026 kl. 3.30"


def test_english_reads_the_english_way(english: Flask) -> None:
    assert dates.moment(utc(2026, 11, 2, 13, 5), NOW) == "2 Nov 2026 at 14:05"
    assert dates.moment(utc(2026, 11, 29, 8, 12), NOW) == "today at 9:12"
    assert dates.moment(utc(2026, 11, 28, 15, 40), NOW) == "yesterday at 16:40"
    assert dates.day(date(2026, 11, 29), weekday=True) == "Sunday 29 Nov 2026"
    assert dates.clock(time(9, 5)) == "9:05"


def test_the_page_gets_a_time_element_with_the_full_moment_on_hover(danish: Flask) -> None:
    html = danish.jinja_env.from_string("{{ value|datetime }}").render(
        value=utc(2026, 11, 2, 13, 5, 42)
    )
    assert html == (
        '<time datetime="2026-11-02T13:05:42Z" title="mandag den 2. november 2026 kl. 14.05">'
        "2. nov. 2026 kl. 14.05</time>"
    )
    aware = datetime(2026, 11, 2, 13, 5, tzinfo=UTC)
    assert 'datetime="2026-11-02T13:05:00Z"' in dates.moment_tag(aware)
    assert danish.jinja_env.from_string("{{ none|datetime }}").render(none=None) == ""


def test_calendar_dates_and_clock_times(danish: Flask) -> None:
    render = danish.jinja_env.from_string(
        "{{ day|date }} | {{ day|date(weekday=True) }} | {{ start|time }} | {{ day|date_text }}"
    ).render
    assert render(day=date(2026, 11, 29), start=time(9, 30)) == (
        '<time datetime="2026-11-29" title="søndag den 29. november 2026">29. nov. 2026</time>'
        ' | <time datetime="2026-11-29" title="søndag den 29. november 2026">'
        "søndag den 29. nov. 2026</time> | 9.30 | 29. nov. 2026"
    )


def test_emails_get_plain_text_that_is_never_relative(danish: Flask) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    text = danish.jinja_env.from_string("{{ value|datetime_text }}").render(value=now)
    assert "i dag" not in text and "<time" not in text
    assert text == dates.day(dates.local(now).date()) + " kl. " + dates.clock(dates.local(now))
