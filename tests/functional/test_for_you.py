"""The home page's "Til dig" panel lists what waits for the reader, and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

from forum.extensions import db
from forum.services import actions as action_service
from forum.services import meetings as meeting_service
from forum.services import surveys as survey_service
from forum.services import threads as thread_service
from forum.services.meetings import MeetingDetails
from tests import factories


def panel(client) -> str:
    """Return the text of the home page's "Til dig" section."""
    page = client.get("/").get_data(as_text=True)
    start = page.index('id="for-you-heading"')
    return page[start : page.index("</section>", start)]


def test_an_empty_panel_says_so_kindly(client, login_as, member):
    login_as(member)
    assert "Intet venter på dig lige nu" in panel(client)


def test_the_invitation_the_open_survey_and_the_commitments_due_are_listed_until_done(
    client, login_as, member, facilitator, theme
):
    meeting = meeting_service.create_meeting(
        facilitator, MeetingDetails(title="Forårsmøde", date=date.today() + timedelta(days=20))
    )
    survey = survey_service.save_survey(facilitator, meeting, "Hvad vil du høre om?")
    survey_service.add_question(facilitator, survey, "text", "Emne?")
    survey_service.open_survey(facilitator, survey)
    due = action_service.create_commitment(
        member,
        title="Skift til LED i magasinet",
        why="",
        theme=theme,
        sdgs=[7],
        meeting=None,
        due_date=date.today() + timedelta(days=10),
    )
    action_service.create_commitment(
        member,
        title="Senere handling",
        why="",
        theme=theme,
        sdgs=[7],
        meeting=None,
        due_date=date.today() + timedelta(days=90),
    )
    db.session.commit()
    login_as(member)
    text = panel(client)
    assert "Svar på invitationen til mødet den" in text
    assert "Forårsmøde" in text
    assert "Hvad vil du høre om?" in text
    assert "Skift til LED i magasinet" in text
    assert "Senere handling" not in text

    meeting_service.answer_invitation(member, meeting, attending=True, dietary_needs="")
    action_service.set_status(member, due, "done")
    db.session.commit()
    text = panel(client)
    assert "Forårsmøde" not in text
    assert "Skift til LED" not in text


def test_help_requests_from_my_region_are_listed_but_not_confidential_threads(
    client, login_as, theme
):
    asker = factories.user(name="Spørger", region="syddanmark")
    neighbour = factories.user(name="Nabo", region="syddanmark")
    far = factories.user(name="Langt væk", region="hovedstaden")
    commitment = action_service.create_commitment(
        asker, title="Bimålere", why="", theme=theme, sdgs=[7], meeting=None, due_date=None
    )
    action_service.log_progress(
        asker, commitment, needs="Hvem har fået bimålere sat op?", ask_for_help=True
    )
    thread_service.create_thread(asker, theme, "Hemmeligt", "Fortroligt", "circle", [])
    db.session.commit()
    login_as(neighbour)
    text = panel(client)
    assert "Hjælp søges: Hvem har fået bimålere sat op?, fra Spørger" in text
    assert "Hemmeligt" not in text
    client.submit("/logout")
    login_as(far)
    assert "Hjælp søges" not in panel(client)


def test_new_since_the_last_visit_comes_before_what_was_read(client, login_as, member, theme):
    writer = factories.user(name="Skribent")
    read = thread_service.create_thread(writer, theme, "Læst tråd", "Tekst")
    thread_service.create_thread(writer, theme, "Ulæst tråd", "Tekst")
    db.session.commit()
    login_as(member)
    client.get(f"/traad/{read.id}")
    page = client.get("/").get_data(as_text=True)
    fresh = page.index("Nyt siden dit sidste besøg")
    rest = page.index("Anden aktivitet for nylig")
    assert fresh < page.index("Ulæst tråd") < rest < page.index("Læst tråd", rest)

    client.submit("/marker-alt-laest")
    page = client.get("/").get_data(as_text=True)
    assert "Nyt siden dit sidste besøg" not in page
    assert "Ulæst tråd" in page
