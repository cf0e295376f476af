"""Calendars: each member's private feed at a secret address, and one meeting as a file."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from forum.extensions import db
from forum.models import Commitment, User
from forum.services import accounts as account_service
from forum.services import calendar as calendar_service
from forum.services import meetings as meeting_service
from tests import factories
from tests.text import da, text

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
FEED_RE = re.compile(r'value="http://localhost(/kalender/[A-Za-z0-9_-]+\.ics)"')


def plan(facilitator: User, day: date, title: str = "Sommermøde i Vejle") -> object:
    return meeting_service.create_meeting(
        facilitator,
        meeting_service.MeetingDetails(
            title=title,
            date=day,
            starts_at=time(10, 0),
            ends_at=time(15, 0),
            venue="Spinderihallerne",
            town="Vejle",
            host_library="Vejle Bibliotekerne",
            agenda="Velkomst og **frokost**",
        ),
    )


def commitment(owner: User, theme, title: str, **fields: object) -> Commitment:
    values = {"due_date": date(2030, 5, 1), "status": "planned", "visibility": "network"}
    values.update(fields)
    item = Commitment(owner_id=owner.id, title=title, theme_id=theme.id, **values)
    db.session.add(item)
    db.session.commit()
    return item


def events(body: bytes) -> dict[str, object]:
    """Return the calendar's events by summary."""
    calendar = Calendar.from_ical(body)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def feed_path(client, login_as, member) -> str:
    """Log the member in, get their calendar address from the profile, and log out."""
    login_as(member)
    profile = text(client.get("/profil"))
    assert da("Get my calendar address") in profile
    client.submit("/kalender/nulstil")
    profile = text(client.get("/profil"))
    match = FEED_RE.search(profile)
    assert match, "the profile shows the private calendar address"
    client.submit("/logout")
    return match.group(1)


def test_feed_holds_meetings_and_own_due_dates_without_login(
    client, feed_path, member, other_member, facilitator, theme
):
    summer = plan(facilitator, date(2030, 6, 12))  # summer time: UTC+2
    winter = plan(facilitator, date(2030, 1, 15), title="Vintermøde")  # winter time: UTC+1
    led = commitment(member, theme, "Skifte til LED-lys", due_date=date(2030, 9, 1))
    commitment(
        member, theme, "Min fortrolige plan", visibility="facilitators", due_date=date(2030, 8, 1)
    )
    commitment(member, theme, "Færdig plan", status="done")
    commitment(member, theme, "Droppet plan", status="dropped")
    commitment(member, theme, "Plan uden dato", due_date=None)
    commitment(other_member, theme, "Oles delte plan")
    commitment(other_member, theme, "Oles fortrolige plan", visibility="facilitators")

    response = client.get(feed_path)  # no login cookie: calendar programs have none

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    found = events(response.data)
    start = found["Sommermøde i Vejle"].decoded("DTSTART")
    assert start == datetime(2030, 6, 12, 10, 0, tzinfo=COPENHAGEN)
    assert start.utcoffset() == timedelta(hours=2)
    assert str(start.tzinfo) == "Europe/Copenhagen"
    assert found["Sommermøde i Vejle"].decoded("DTEND") == datetime(
        2030, 6, 12, 15, 0, tzinfo=COPENHAGEN
    )
    assert found["Vintermøde"].decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert str(found["Sommermøde i Vejle"]["UID"]) == f"meeting-{summer.id}@localhost"
    assert str(found["Sommermøde i Vejle"]["URL"]) == f"http://localhost/moeder/{summer.id}"
    assert "Spinderihallerne" in str(found["Sommermøde i Vejle"]["LOCATION"])
    assert str(found["Vintermøde"]["UID"]) == f"meeting-{winter.id}@localhost"
    calendar = Calendar.from_ical(response.data)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Copenhagen"]

    due = da("Commitment due: %(title)s", title="Skifte til LED-lys")
    assert found[due].decoded("DTSTART") == date(2030, 9, 1)  # an all-day event
    assert str(found[due]["UID"]) == f"commitment-{led.id}@localhost"
    assert str(found[due]["URL"]) == f"http://localhost/handlinger/{led.id}"
    assert found[da("Commitment due: %(title)s", title="Min fortrolige plan")]
    summaries = " ".join(found)
    assert "Færdig plan" not in summaries
    assert "Droppet plan" not in summaries
    assert "Plan uden dato" not in summaries
    assert "Oles delte plan" not in summaries
    assert "Oles fortrolige plan" not in summaries
    assert b"Oles" not in response.data


def test_feed_uids_are_stable(client, feed_path, facilitator):
    plan(facilitator, date(2030, 6, 12))
    first = client.get(feed_path).data
    second = client.get(feed_path).data
    uids = [str(e["UID"]) for e in Calendar.from_ical(first).walk("VEVENT")]
    assert uids == [str(e["UID"]) for e in Calendar.from_ical(second).walk("VEVENT")]


def test_facilitator_feed_has_only_their_own_commitments(
    client, login_as, facilitator, member, theme
):
    commitment(member, theme, "Mettes fortrolige plan", visibility="facilitators")
    commitment(facilitator, theme, "Fridas plan")
    token = calendar_service.ensure_token(facilitator)

    found = events(client.get(f"/kalender/{token}.ics").data)

    assert da("Commitment due: %(title)s", title="Fridas plan") in found
    assert not any("Mettes" in summary for summary in found)


def test_reset_makes_the_old_address_stop_working(client, login_as, feed_path, member):
    assert client.get(feed_path).status_code == 200
    login_as(member)
    profile = text(client.get("/profil"))
    assert da("Make a new address (the old one stops working)") in profile
    confirm = client.get("/kalender/nulstil")
    assert confirm.status_code == 200
    assert 'method="post"' in text(confirm)
    assert client.get(feed_path).status_code == 200  # asking changes nothing

    response = client.submit("/kalender/nulstil")

    assert response.status_code == 302
    assert client.get(feed_path).status_code == 404
    new_path = FEED_RE.search(text(client.get("/profil"))).group(1)
    assert new_path != feed_path
    assert client.get(new_path).status_code == 200


def test_unknown_or_malformed_token_answers_404(client, db_session):
    assert client.get("/kalender/gaet-et-token.ics").status_code == 404
    assert client.get("/kalender/" + "a" * 500 + ".ics").status_code == 404


def test_deactivated_account_feed_answers_404(client, feed_path, member, admin):
    account_service.deactivate(admin, member)
    assert client.get(feed_path).status_code == 404


def test_token_is_made_once_and_kept(member, db_session):
    assert calendar_service.feed_url(member) is None
    token = calendar_service.ensure_token(member)
    assert len(token) >= 43
    assert calendar_service.ensure_token(member) == token
    assert calendar_service.feed_url(member) == f"http://localhost/kalender/{token}.ics"


def test_reset_needs_a_login(client, db_session):
    response = client.submit("/kalender/nulstil")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_single_meeting_download_parses(client, login_as, member, facilitator):
    meeting = plan(facilitator, date(2030, 6, 12))
    login_as(member)
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert f'href="/moeder/{meeting.id}.ics"' in page

    response = client.get(f"/moeder/{meeting.id}.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    found = events(response.data)
    assert list(found) == ["Sommermøde i Vejle"]
    event = found["Sommermøde i Vejle"]
    assert event.decoded("DTSTART") == datetime(2030, 6, 12, 10, 0, tzinfo=COPENHAGEN)
    assert str(event["UID"]) == f"meeting-{meeting.id}@localhost"
    assert "Vejle Bibliotekerne" in str(event["DESCRIPTION"])


def test_single_meeting_download_needs_a_login(client, facilitator):
    meeting = plan(facilitator, date(2030, 6, 12))
    response = client.get(f"/moeder/{meeting.id}.ics")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_feed_speaks_the_members_language(client, theme, db_session):
    english = factories.user(language="en")
    commitment(english, theme, "Solar panels")
    token = calendar_service.ensure_token(english)

    found = events(client.get(f"/kalender/{token}.ics").data)

    assert "Commitment due: Solar panels" in found
