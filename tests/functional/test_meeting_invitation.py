"""The meeting page as an invitation (answer first, map link), the catering summary, and the
facilitators' reminder to those who have not answered."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, format_date
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Notification, NotificationKind, OutboxEmail, RsvpReminder, User
from forum.models.vocabulary import EmailDelivery, EmailTopic
from forum.services import ServiceError
from forum.services import meetings as meeting_service
from forum.services.notifications import set_email_delivery
from tests import factories
from tests.functional.test_meetings import plan
from tests.text import da, da_n, text

MAP_LINK = "https://www.openstreetmap.org/search?query=%C3%98stre%20Stationsvej%2015%2C%20Odense"


def main_of(page: str) -> str:
    """Return the page's main content (not the header's or footer's links)."""
    return page[page.index("<main") : page.index("</main>")]


# --- the invitation -----------------------------------------------------------------------------


def test_meeting_page_reads_as_an_invitation_with_a_plain_map_link(
    client, login_as, member, facilitator
):
    meeting = plan(facilitator)
    login_as(member)

    page = text(client.get(f"/moeder/{meeting.id}"))

    with force_locale("da"):
        day = format_date(meeting.date, "full")
    assert f"<dd>{day}</dd>" in page
    assert "<dd>10.00–15.00</dd>" in page
    assert "<dd>Borgernes Hus</dd>" in page
    assert "Østre Stationsvej 15, Odense" in page
    assert f'<a href="{MAP_LINK}" rel="noopener noreferrer">{da("Show on a map")}' in page
    assert "<dd>Odense Bibliotekerne</dd>" in page
    assert f">{da('Agenda')}</h2>" in page
    assert "<strong>Affald</strong>" in page
    # An ordinary link: no embedded map, no script from anywhere but the site itself.
    assert "<iframe" not in page
    assert re.findall(r'<script[^>]*src="(?!/static/)', page) == []


def test_no_map_link_without_address_or_town(client, login_as, member, facilitator):
    meeting = plan(facilitator, address="", town="")
    login_as(member)

    page = text(client.get(f"/moeder/{meeting.id}"))

    assert "<dd>Borgernes Hus</dd>" in page
    assert "openstreetmap" not in page
    assert da("Show on a map") not in page


def test_map_link_searches_the_town_alone_when_there_is_no_address(facilitator, db_session):
    meeting = plan(facilitator, address="", town="Tønder")
    assert meeting_service.map_url(meeting) == (
        "https://www.openstreetmap.org/search?query=T%C3%B8nder"
    )


def test_the_answer_form_comes_before_the_invitation_until_answered(
    client, login_as, member, facilitator
):
    meeting = plan(facilitator)
    login_as(member)

    page = main_of(text(client.get(f"/moeder/{meeting.id}")))

    form = page.index(f'action="/moeder/{meeting.id}/tilmelding"')
    assert page.index(da("Answer the invitation")) < form
    assert form < page.index(da("Host library")) < page.index(f">{da('Agenda')}</h2>")
    assert "<details" not in page  # the form is open, not folded away


def test_after_answering_a_short_line_shows_and_the_form_folds_away(
    client, login_as, member, facilitator
):
    meeting = plan(facilitator)
    login_as(member)
    client.submit(
        f"/moeder/{meeting.id}/tilmelding", {"attending": "yes", "dietary_needs": "Vegetar"}
    )

    page = main_of(text(client.get(f"/moeder/{meeting.id}")))

    line = page.index(da("You are coming"))
    assert line < page.index(f">{da('Agenda')}</h2>")
    assert f"{da('Dietary needs')}: Vegetar" in page[line : line + 300]
    assert da("Answer the invitation") not in page
    details = page.index('<details class="rsvp-change">')  # closed: no "open"
    assert page.index(f"<summary>{da('Change your answer')}</summary>") > details
    assert page.index(f'action="/moeder/{meeting.id}/tilmelding"') > details
    assert re.search(r'<input checked id="attending-0" [^>]*value="yes">', page)

    client.submit(f"/moeder/{meeting.id}/tilmelding", {"attending": "no"})

    page = main_of(text(client.get(f"/moeder/{meeting.id}")))
    assert da("You cannot come") in page
    assert da("You are coming") not in page


def test_a_refused_change_shows_the_folded_form_open_with_the_text_kept(
    client, login_as, member, facilitator
):
    meeting = plan(facilitator)
    meeting_service.answer_invitation(member, meeting, True)
    login_as(member)

    response = client.submit(
        f"/moeder/{meeting.id}/tilmelding", {"attending": "", "dietary_needs": "Laktosefri"}
    )

    assert response.status_code == 422
    page = text(response)
    assert '<details class="rsvp-change" open>' in page
    assert da("Say whether you will come.") in page
    assert 'value="Laktosefri"' in page


def test_a_held_meeting_shows_the_answer_closed_and_no_form(client, login_as, member, facilitator):
    meeting = plan(facilitator, days_ahead=-2)
    login_as(member)

    page = text(client.get(f"/moeder/{meeting.id}"))

    assert da("The meeting has been held; the answers are closed.") in page
    assert f'action="/moeder/{meeting.id}/tilmelding"' not in page


def test_the_row_of_links_has_no_bullets_to_overlap_them(client, facilitator, login_as):
    meeting = plan(facilitator)
    login_as(facilitator)
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert '<ul class="actions">' in page
    css = text(client.get("/static/css/forum.css"))
    assert re.search(r"ul\.actions\s*\{[^}]*list-style:\s*none", css)


# --- the catering summary -----------------------------------------------------------------------


def answer(meeting, needs: str, attending: bool = True) -> User:
    person = factories.user()
    meeting_service.answer_invitation(person, meeting, attending, needs)
    return person


def test_catering_counts_identical_needs_together_and_leaves_out_no_needs(
    client, login_as, facilitator
):
    meeting = plan(facilitator)
    for needs in ("Vegetar", " vegetar ", "VEGETAR", "Glutenfri", "glutenfri", "Ingen nødder"):
        answer(meeting, needs)
    for needs in ("", "Ingen særlige behov", "ingen særlige behov.", "Nej"):
        answer(meeting, needs)
    answer(meeting, "Vegansk", attending=False)  # not coming: not catered for
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/deltagere"))

    summary = re.search(r'<p class="catering-summary">(.*?)</p>', page, re.S).group(1)
    summary = re.sub(r"<[^>]+>", "", summary)
    coming = da_n("%(num)d is coming", "%(num)d are coming", 10)
    assert summary == f"{coming}: 3 Vegetar, 2 Glutenfri, 1 Ingen nødder"
    assert "Vegansk" not in summary
    assert da("Not counted as needs:") in page
    assert "“Ingen særlige behov” (2), “Nej” (1)" in page


def test_catering_summary_groups_by_the_most_common_spelling(facilitator, db_session):
    meeting = plan(facilitator)
    for needs in ("glutenfri", "Glutenfri", "Glutenfri", "vegetar"):
        answer(meeting, needs)

    summary = meeting_service.catering(meeting_service.attendance(meeting))

    assert summary.coming == 4
    assert summary.needs == [("Glutenfri", 3), ("vegetar", 1)]
    assert summary.not_counted == []


def test_catering_summary_without_needs_says_so(client, login_as, facilitator):
    meeting = plan(facilitator)
    answer(meeting, "")
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/deltagere"))

    assert da("no dietary needs given") in page
    assert da("Not counted as needs:") not in page


# --- reminding those who have not answered ------------------------------------------------------


@pytest.fixture
def invited(member, other_member, facilitator, db_session):
    """A meeting Mette answered; Ole, Tove and the facilitator have not; Dorte is deactivated."""
    meeting = plan(facilitator)
    meeting_service.answer_invitation(member, meeting, True)
    factories.user(name="Tavse Tove", email="tove@example.org")
    factories.user(name="Deaktiveret Dorte", is_enabled=False)
    db.session.commit()
    return meeting


def reminders_to(meeting) -> set[str]:
    return set(
        db.session.scalars(
            select(User.name)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.meeting_id == meeting.id)
            .where(Notification.kind == NotificationKind.RSVP_REMINDER)
        )
    )


def test_facilitator_reminds_those_who_have_not_answered_once_a_day(
    client, login_as, invited, other_member, facilitator, mailbox
):
    set_email_delivery(other_member, EmailTopic.MEETINGS, EmailDelivery.IMMEDIATELY)
    db.session.commit()
    login_as(facilitator)
    page = text(client.get(f"/moeder/{invited.id}/deltagere"))
    button = da("Remind those who have not answered")
    assert f">{button}</button>" in page

    response = client.submit(f"/moeder/{invited.id}/deltagere/paamind")

    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert (
        da_n(
            "The reminder went to %(num)d person who has not answered.",
            "The reminder went to %(num)d people who have not answered.",
            2,
        )
        in page
    )
    # Not the one who answered, not the deactivated, not the facilitator who sent it.
    assert reminders_to(invited) == {"Ole Andersen", "Tavse Tove"}
    # By email for who chose meetings at once; Tove gets hers with the weekly digest.
    (message,) = mailbox.wait_for(1)
    assert message["To"] == other_member.email
    assert "Netværksmøde i Odense" in str(message["Subject"])
    assert f"http://localhost/moeder/{invited.id}" in mailbox.part(message, "plain")
    # The page says when it went, and that the next can go tomorrow.
    assert da("A reminder can be sent once a day, so the next one can go tomorrow.") in page
    assert f">{button}</button>" not in page
    assert "Frida Facilitator" in page[page.index('id="reminder-heading"') :]

    again = client.submit(f"/moeder/{invited.id}/deltagere/paamind")

    page = text(client.get(again.headers["Location"]))
    assert da("A reminder about this meeting already went today. You can send one tomorrow.") in (
        page
    )
    assert db.session.scalar(select(func.count()).select_from(RsvpReminder)) == 1
    assert (
        db.session.scalar(
            select(func.count()).where(Notification.kind == NotificationKind.RSVP_REMINDER)
        )
        == 2
    )


def test_the_next_day_the_reminder_can_go_again(invited, facilitator, monkeypatch):
    assert meeting_service.remind_unanswered(facilitator, invited) == 2
    with pytest.raises(ServiceError):
        meeting_service.remind_unanswered(facilitator, invited)

    tomorrow = meeting_service.today() + timedelta(days=1)
    monkeypatch.setattr(meeting_service, "today", lambda: tomorrow)

    assert meeting_service.remind_unanswered(facilitator, invited) == 2
    last = meeting_service.last_rsvp_reminder(invited)
    assert last.sent_on == tomorrow
    assert last.recipients == 2


def test_no_reminder_when_everyone_has_answered_or_the_meeting_is_held(
    client, login_as, member, facilitator
):
    meeting = plan(facilitator)
    meeting_service.answer_invitation(member, meeting, True)
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/deltagere"))
    # The facilitator sending it has not answered either: there is nobody else to remind.
    assert da("Nobody is left to remind: everyone else has answered.") in page
    client.submit(f"/moeder/{meeting.id}/deltagere/paamind")
    assert db.session.scalar(select(func.count()).select_from(RsvpReminder)) == 0

    held = plan(facilitator, days_ahead=-1)
    with pytest.raises(ServiceError):
        meeting_service.remind_unanswered(facilitator, held)
    page = text(client.get(f"/moeder/{held.id}/deltagere"))
    assert da("Remind those who have not answered") + "</button>" not in page


def test_reminding_is_for_facilitators_by_post_with_a_token(
    client, login_as, invited, member, facilitator
):
    login_as(member)
    assert client.submit(f"/moeder/{invited.id}/deltagere/paamind").status_code == 403
    assert client.get(f"/moeder/{invited.id}/deltagere/paamind").status_code == 405
    login_as(facilitator)
    assert client.post(f"/moeder/{invited.id}/deltagere/paamind").status_code == 400  # no token
    assert reminders_to(invited) == set()
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 0


def test_the_reminder_shows_in_the_notifications_and_leads_to_the_meeting(
    client, login_as, invited, other_member, facilitator
):
    meeting_service.remind_unanswered(facilitator, invited)
    db.session.commit()
    login_as(other_member)

    page = text(client.get("/varsler"))

    assert "Frida Facilitator" in page
    assert "Netværksmøde i Odense" in page
    note = db.session.scalar(
        select(Notification).where(
            Notification.user_id == other_member.id,
            Notification.kind == NotificationKind.RSVP_REMINDER,
        )
    )
    response = client.get(f"/varsler/{note.id}")
    assert response.headers["Location"].endswith(f"/moeder/{invited.id}")


# --- titles ending with their own full stop -----------------------------------------------------


def test_emails_do_not_double_a_titles_full_stop(mailbox, member, other_member, facilitator, theme):
    set_email_delivery(member, EmailTopic.MEETINGS, EmailDelivery.IMMEDIATELY)
    thread = factories.thread(member, theme, "Behov til mødet i Vejle.", "Hvad mangler vi?")
    factories.reply(other_member, thread, "Kaffe.")
    meeting = plan(facilitator, title="Mødet i Vejle.")
    meeting_service.remind_unanswered(facilitator, meeting)
    db.session.commit()

    messages = mailbox.wait_for(3)

    bodies = {str(message["Subject"]): mailbox.part(message, "plain") for message in messages}
    reply = next(body for subject, body in bodies.items() if "Ole Andersen" in subject)
    assert "“Behov til mødet i Vejle.”" in reply
    assert "Vejle.”." not in reply
    reminder = next(body for subject, body in bodies.items() if "invitation" in subject.lower())
    assert "Mødet i Vejle er den" in reminder
    assert "Vejle.." not in reminder and "Vejle. er" not in reminder
