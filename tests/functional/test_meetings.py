"""Network meetings as facilitators plan them and members answer: pages, RSVPs, attendance."""

from __future__ import annotations

import csv
import io
import re
from datetime import time, timedelta

import pytest

from forum.extensions import db
from forum.models import Meeting, Rsvp, User
from forum.services import ServiceError
from forum.services import meetings as meeting_service
from tests import factories
from tests.text import da, text


def plan(facilitator: User, days_ahead: int = 30, **fields: object) -> Meeting:
    """Plan a meeting through the service, `days_ahead` days from today (Copenhagen)."""
    values = {
        "title": "Netværksmøde i Odense",
        "date": meeting_service.today() + timedelta(days=days_ahead),
        "venue": "Borgernes Hus",
        "address": "Østre Stationsvej 15",
        "town": "Odense",
        "host_library": "Odense Bibliotekerne",
        "agenda": "## Program\n\n- Velkomst\n- **Affald**",
        "practical": "Frokost serveres kl. 12.",
    }
    values.update(fields)
    return meeting_service.create_meeting(facilitator, meeting_service.MeetingDetails(**values))


def meeting_form(**fields: str) -> dict[str, str]:
    data = {
        "title": "Møde i Aarhus",
        "date": (meeting_service.today() + timedelta(days=40)).isoformat(),
        "starts_at": "10:00",
        "ends_at": "15:00",
        "venue": "Dokk1",
        "address": "Hack Kampmanns Plads 2",
        "town": "Aarhus",
        "host_library": "Aarhus Bibliotekerne",
        "agenda": "Vi taler om **cykler**",
        "practical": "Tag toget",
    }
    data.update(fields)
    return data


# --- planning ---------------------------------------------------------------------------------


def test_facilitator_plans_a_meeting_through_the_form(client, login_as, facilitator):
    login_as(facilitator)
    form = text(client.get("/moeder/ny"))
    assert '<label for="title">' in form
    assert 'type="date"' in form
    assert 'value="10:00"' in form  # the network meets from ten
    assert 'value="15:00"' in form

    response = client.submit("/moeder/ny", meeting_form())

    meeting = db.session.scalar(db.select(Meeting).where(Meeting.title == "Møde i Aarhus"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/moeder/{meeting.id}"
    assert meeting.starts_at == time(10, 0)
    assert meeting.ends_at == time(15, 0)
    assert meeting.created_by_id == facilitator.id
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert "<h1>Møde i Aarhus</h1>" in page
    assert "<dd>Dokk1</dd>" in page
    assert "Hack Kampmanns Plads 2, Aarhus" in page
    assert "Aarhus Bibliotekerne" in page
    assert "<strong>cykler</strong>" in page
    assert "10.00–15.00" in page  # Danish time format


def test_meeting_that_ends_before_it_starts_is_refused_with_the_text_kept(
    client, login_as, facilitator
):
    login_as(facilitator)

    response = client.submit(
        "/moeder/ny", meeting_form(starts_at="14:00", ends_at="11:00", agenda="Mit *udkast*")
    )

    assert response.status_code == 422
    page = text(response)
    assert da("The meeting must end after it starts.") in page
    assert "Mit *udkast*" in page
    assert 'value="Dokk1"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_unreadable_date_and_time_are_refused_not_a_crash(client, login_as, facilitator):
    login_as(facilitator)

    response = client.submit("/moeder/ny", meeting_form(date="i morgen", starts_at="25:99"))

    assert response.status_code == 422
    page = text(response)
    assert da("Write the date as 31-12-2025.") in page
    assert da("Write the time as 10:00.") in page
    assert 'value="Møde i Aarhus"' in page


def test_meeting_without_title_or_date_is_refused(client, login_as, facilitator):
    login_as(facilitator)

    response = client.submit("/moeder/ny", meeting_form(title="  ", date=""))

    assert response.status_code == 422
    assert da("Give the meeting a title.") in text(response)
    assert da("Choose the date of the meeting.") in text(response)


def test_danish_typed_date_and_time_are_understood(client, login_as, facilitator):
    login_as(facilitator)
    day = meeting_service.today() + timedelta(days=10)

    client.submit(
        "/moeder/ny", meeting_form(date=day.strftime("%d-%m-%Y"), starts_at="9.30", ends_at="16")
    )
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0

    client.submit("/moeder/ny", meeting_form(date=day.strftime("%d.%m.%Y"), starts_at="9.30"))
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.date == day
    assert meeting.starts_at == time(9, 30)


def test_facilitator_edits_a_meeting(client, login_as, facilitator):
    meeting = plan(facilitator)
    login_as(facilitator)
    form = text(client.get(f"/moeder/{meeting.id}/rediger"))
    assert 'value="Netværksmøde i Odense"' in form
    assert "## Program" in form

    response = client.submit(
        f"/moeder/{meeting.id}/rediger",
        meeting_form(title="Flyttet møde", town="Vejle", agenda="Nyt *program*"),
    )

    assert response.status_code == 302
    db.session.refresh(meeting)
    assert meeting.title == "Flyttet møde"
    assert meeting.town == "Vejle"
    assert meeting.agenda_html == "<p>Nyt <em>program</em></p>"


def test_edit_with_bad_times_keeps_the_stored_meeting(client, login_as, facilitator):
    meeting = plan(facilitator)
    login_as(facilitator)

    response = client.submit(
        f"/moeder/{meeting.id}/rediger",
        meeting_form(title="Nyt navn", starts_at="15:00", ends_at="15:00"),
    )

    assert response.status_code == 422
    assert 'value="Nyt navn"' in text(response)
    db.session.refresh(meeting)
    assert meeting.title == "Netværksmøde i Odense"


def test_agenda_markdown_is_sanitised(facilitator, db_session):
    meeting = plan(facilitator, agenda="<script>alert(1)</script>[x](javascript:alert(1))")
    assert "<script" not in meeting.agenda_html
    assert "javascript:" not in meeting.agenda_html


def test_member_cannot_plan_or_edit(client, login_as, member, facilitator):
    meeting = plan(facilitator)
    login_as(member)

    assert client.get("/moeder/ny").status_code == 403
    assert client.submit("/moeder/ny", meeting_form()).status_code == 403
    assert client.get(f"/moeder/{meeting.id}/rediger").status_code == 403
    assert client.submit(f"/moeder/{meeting.id}/rediger", meeting_form()).status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert f'href="/moeder/{meeting.id}/rediger"' not in page
    assert f'href="/moeder/{meeting.id}/deltagere"' not in page


def test_unknown_meeting_answers_404(client, login_as, member):
    login_as(member)
    assert client.get("/moeder/999999").status_code == 404
    assert client.get(f"/moeder/{2**63}").status_code == 404


# --- lists ------------------------------------------------------------------------------------


def test_index_lists_upcoming_and_past_meetings(client, login_as, member, facilitator):
    later = plan(facilitator, days_ahead=60, title="Senere møde")
    sooner = plan(facilitator, days_ahead=5, title="Snart møde")
    today = plan(facilitator, days_ahead=0, title="Møde i dag")
    plan(facilitator, days_ahead=-100, title="Gammelt møde")
    plan(facilitator, days_ahead=-1, title="Mødet i går")
    meeting_service.answer_invitation(member, sooner, True)
    login_as(member)

    page = text(client.get("/moeder"))

    upcoming, past = page.split(da("Past meetings"))
    assert (
        upcoming.index("Møde i dag") < upcoming.index("Snart møde") < upcoming.index("Senere møde")
    )
    assert past.index("Mødet i går") < past.index("Gammelt møde")
    assert "Gammelt møde" not in upcoming
    assert da("You are coming") in upcoming
    assert f'href="/moeder/{later.id}"' in upcoming
    assert f'href="/moeder/{today.id}"' in upcoming
    assert 'href="/moeder/ny"' not in page


def test_nav_links_to_meetings(client, login_as, member):
    login_as(member)
    assert 'href="/moeder"' in text(client.get("/"))


# --- RSVP -------------------------------------------------------------------------------------


def test_member_answers_and_changes_the_answer(client, login_as, member, facilitator):
    meeting = plan(facilitator)
    login_as(member)
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert "<fieldset" in page
    assert da("Answer the invitation") in page

    response = client.submit(
        f"/moeder/{meeting.id}/tilmelding",
        {"attending": "yes", "dietary_needs": "Vegetar", "note": "Kommer med toget"},
    )

    assert response.status_code == 302
    rsvp = db.session.get(Rsvp, (meeting.id, member.id))
    assert rsvp.attending is True
    assert rsvp.dietary_needs == "Vegetar"
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert da("You are coming") in page
    assert 'value="Vegetar"' in page
    assert re.search(r'<input checked id="attending-0" [^>]*value="yes">', page)

    client.submit(f"/moeder/{meeting.id}/tilmelding", {"attending": "no", "note": "Syg"})

    db.session.expire_all()
    rsvp = db.session.get(Rsvp, (meeting.id, member.id))
    assert rsvp.attending is False
    assert rsvp.note == "Syg"
    assert rsvp.dietary_needs == ""
    assert db.session.scalar(db.select(db.func.count()).select_from(Rsvp)) == 1


def test_rsvp_without_an_answer_is_refused_with_text_kept(client, login_as, member, facilitator):
    meeting = plan(facilitator)
    login_as(member)

    response = client.submit(
        f"/moeder/{meeting.id}/tilmelding", {"dietary_needs": "Glutenfri", "attending": "maybe"}
    )

    assert response.status_code == 422
    assert da("Say whether you will come.") in text(response)
    assert 'value="Glutenfri"' in text(response)
    assert db.session.get(Rsvp, (meeting.id, member.id)) is None


def test_rsvp_to_a_held_meeting_is_refused(client, login_as, member, facilitator):
    meeting = plan(facilitator, days_ahead=-3)
    login_as(member)
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert f'action="/moeder/{meeting.id}/tilmelding"' not in page

    response = client.submit(f"/moeder/{meeting.id}/tilmelding", {"attending": "yes"})

    assert response.status_code == 422
    assert da("The meeting has been held; the answers are closed.") in text(response)
    assert db.session.get(Rsvp, (meeting.id, member.id)) is None


def test_answer_texts_have_limits(member, facilitator, db_session):
    meeting = plan(facilitator)
    with pytest.raises(ServiceError):
        meeting_service.answer_invitation(member, meeting, True, "x" * 501)


# --- attendance -------------------------------------------------------------------------------


@pytest.fixture
def answered(member, other_member, facilitator, db_session):
    """A meeting that the member comes to, the other member declined, and others ignored."""
    member.library = "Roskilde Bibliotek"
    db.session.commit()
    meeting = plan(facilitator)
    meeting_service.answer_invitation(member, meeting, True, "Vegansk", "Kommer lidt senere")
    meeting_service.answer_invitation(other_member, meeting, False, "", "Ferie")
    factories.user(name="Deaktiveret Dorte", is_enabled=False)
    factories.user(name="Tavse Tove")
    return meeting


def section(page: str, heading: str) -> str:
    """Return the part of a page from a heading to the next section."""
    start = page.index(f">{heading}</h2>")
    end = page.find("<section", start)
    return page[start : end if end > 0 else len(page)]


def test_attendance_shows_who_comes_declined_and_not_answered(client, login_as, answered, admin):
    login_as(admin)

    page = text(client.get(f"/moeder/{answered.id}/deltagere"))

    coming = section(page, da("Coming"))
    declined = section(page, da("Declined"))
    silent = section(page, da("Not answered"))
    assert "Mette Medlem" in coming
    assert "Vegansk" in coming
    assert "Kommer lidt senere" in coming
    assert "Roskilde Bibliotek" in coming
    assert "Ole Andersen" in declined
    assert "Ferie" in declined
    assert "Tavse Tove" in silent
    assert "Frida Facilitator" in silent
    assert "Anders Admin" in silent
    assert "Deaktiveret Dorte" not in page
    assert '<th scope="col">' in page
    assert "<caption>" in page


def test_attendance_is_for_facilitators(client, login_as, answered, member):
    login_as(member)
    assert client.get(f"/moeder/{answered.id}/deltagere").status_code == 403
    assert client.get(f"/moeder/{answered.id}/deltagere.csv").status_code == 403


def test_attendance_csv_opens_in_the_csv_module(client, login_as, answered, facilitator):
    meeting_service.answer_invitation(
        db.session.scalar(db.select(User).where(User.name == "Tavse Tove")),
        answered,
        True,
        '=HYPERLINK("http://evil")',
    )
    login_as(facilitator)

    response = client.get(f"/moeder/{answered.id}/deltagere.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")  # byte order mark for Excel
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        da("Name"),
        da("Email"),
        da("Library"),
        da("Answer"),
        da("Dietary needs"),
        da("Note"),
    ]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Mette Medlem"] == [
        "Mette Medlem",
        "mette@example.org",
        "Roskilde Bibliotek",
        da("Attending"),
        "Vegansk",
        "Kommer lidt senere",
    ]
    assert by_name["Ole Andersen"][3] == da("Not attending")
    assert by_name["Ole Andersen"][5] == "Ferie"
    assert by_name["Frida Facilitator"][3] == da("No answer")
    assert by_name["Tavse Tove"][4] == '\'=HYPERLINK("http://evil")'  # no formula in Excel
    assert "Deaktiveret Dorte" not in by_name
    assert len(rows) == 1 + 4  # member, other member, facilitator, Tove; not the deactivated


def test_attendance_runs_a_fixed_number_of_queries(
    client, login_as, facilitator, count_queries, db_session
):
    meeting = plan(facilitator)
    login_as(facilitator)
    url = f"/moeder/{meeting.id}/deltagere"

    def fetch(path: str) -> None:
        db.session.rollback()  # each request starts a fresh transaction on a cold session
        assert client.get(path).status_code == 200

    few = count_queries(lambda: fetch(url))
    csv_few = count_queries(lambda: fetch(url + ".csv"))
    for n in range(12):
        person = factories.user(name=f"Person {n}")
        if n % 3:
            meeting_service.answer_invitation(person, meeting, n % 2 == 0, "Vegetar")
    many = count_queries(lambda: fetch(url))
    csv_many = count_queries(lambda: fetch(url + ".csv"))
    assert many == few
    assert csv_many == csv_few


def test_meeting_pages_refuse_anonymous_visitors(client, facilitator):
    meeting = plan(facilitator)
    for path in (
        "/moeder",
        "/moeder/ny",
        f"/moeder/{meeting.id}",
        f"/moeder/{meeting.id}/rediger",
        f"/moeder/{meeting.id}/deltagere",
        f"/moeder/{meeting.id}/deltagere.csv",
        f"/moeder/{meeting.id}.ics",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path
    response = client.submit(f"/moeder/{meeting.id}/tilmelding", {"attending": "yes"})
    assert "/login" in response.headers["Location"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Rsvp)) == 0
