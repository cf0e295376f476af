"""The needs survey: facilitators build it, members answer once and change it until it closes,
facilitators read the results (without names when anonymous), members see totals after."""

from __future__ import annotations

import csv
import io
import re
from datetime import time, timedelta

import pytest

from forum.extensions import db
from forum.models import (
    Notification,
    NotificationKind,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from forum.services import ServiceError
from forum.services import meetings as meeting_service
from forum.services import surveys as survey_service
from tests import factories
from tests.text import da, da_n, text


def plan(facilitator: User):
    return meeting_service.create_meeting(
        facilitator,
        meeting_service.MeetingDetails(
            title="Efterårsmøde",
            date=meeting_service.today() + timedelta(days=30),
            starts_at=time(10, 0),
            ends_at=time(15, 0),
        ),
    )


@pytest.fixture
def meeting(facilitator):
    return plan(facilitator)


def build_survey(facilitator, meeting, anonymous: bool = False) -> Survey:
    """A survey with one question of each kind."""
    survey = survey_service.save_survey(
        facilitator, meeting, "Hvad har I brug for?", "Svar inden mødet", anonymous
    )
    survey_service.add_question(
        facilitator, survey, "single", "Hvilket tema først?", "Affald\nEnergi\nTransport", True
    )
    survey_service.add_question(
        facilitator, survey, "multiple", "Hvad vil du lære?", "Formidling\nIndkøb\nData"
    )
    survey_service.add_question(facilitator, survey, "scale", "Hvor travlt har du?")
    survey_service.add_question(facilitator, survey, "text", "Andet?")
    survey_service.open_survey(facilitator, survey)
    db.session.expire_all()
    return survey_service.survey_of(meeting)


@pytest.fixture
def survey(facilitator, meeting) -> Survey:
    return build_survey(facilitator, meeting)


def questions(survey: Survey) -> dict[str, SurveyQuestion]:
    return {question.kind: question for question in survey.questions}


def option(survey: Survey, kind: str, label: str) -> str:
    """Return the form value of a question's choice."""
    found = next(o for o in questions(survey)[kind].options if o.label == label)
    return str(found.id)


def answers(survey: Survey, single: str, multiple: list[str], scale: str, free: str) -> dict:
    """Return the answer form as a browser sends it, with the anonymity it was shown."""
    q = questions(survey)
    return {
        "anonymous": "1" if survey.anonymous else "0",
        f"q{q['single'].id}": option(survey, "single", single),
        f"q{q['multiple'].id}": [option(survey, "multiple", label) for label in multiple],
        f"q{q['scale'].id}": scale,
        f"q{q['text'].id}": free,
    }


def by_id(sent: dict) -> dict[int, list[str]]:
    """Return a sent answer form as the service takes it: value lists by question id."""
    return {int(k[1:]): v if isinstance(v, list) else [v] for k, v in sent.items() if k[0] == "q"}


# --- building -----------------------------------------------------------------------------------


def test_facilitator_builds_a_survey_through_the_forms(client, login_as, facilitator, meeting):
    login_as(facilitator)
    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))
    assert da("Save the settings first; then you can add questions.") in page

    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse",
        {"title": "Behov", "intro": "Kort", "anonymous": "y", "last_day": ""},
    )
    assert response.status_code == 302
    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal",
        {"kind": "single", "prompt": "Tema?", "options": "Affald\n\nEnergi\nAffald\n"},
    )
    assert response.status_code == 302
    client.submit(
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal", {"kind": "scale", "prompt": "Travlt?"}
    )

    survey = survey_service.survey_of(meeting)
    assert survey.title == "Behov"
    assert survey.anonymous is True
    assert [q.prompt for q in survey.questions] == ["Tema?", "Travlt?"]
    assert [o.label for o in survey.questions[0].options] == ["Affald", "Energi"]
    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))
    assert "<legend>" in page
    assert "Tema?" in page and "Travlt?" in page


def test_choice_question_needs_two_choices_and_keeps_the_text(
    client, login_as, facilitator, survey, meeting
):
    login_as(facilitator)

    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal",
        {"kind": "multiple", "prompt": "Mit spørgsmål", "options": "Kun én"},
    )

    assert response.status_code == 422
    page = text(response)
    assert da("Write at least two choices, one per line.") in page
    assert 'value="Mit spørgsmål"' in page
    assert "Kun én" in page
    assert len(survey_service.survey_of(meeting).questions) == 4


def test_unknown_question_kind_is_refused(client, login_as, facilitator, survey, meeting):
    login_as(facilitator)
    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal", {"kind": "ranking", "prompt": "?"}
    )
    assert response.status_code == 422
    assert da("Choose the kind of question.") in text(response)


def test_facilitator_deletes_a_question_with_its_answers(
    client, login_as, facilitator, member, survey
):
    single = questions(survey)["single"]
    survey_service.submit_answers(
        member, survey, {single.id: [str(single.options[0].id)]}, shown_anonymous=False
    )
    login_as(facilitator)

    confirm = client.get(f"/undersoegelse/spoergsmaal/{single.id}/slet")
    assert confirm.status_code == 200
    assert 'method="post"' in text(confirm)
    assert db.session.get(SurveyQuestion, single.id) is not None  # asking deletes nothing

    response = client.submit(f"/undersoegelse/spoergsmaal/{single.id}/slet")

    assert response.status_code == 302
    assert db.session.get(SurveyQuestion, single.id) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(SurveyAnswer)) == 0


def test_survey_editing_is_for_facilitators(client, login_as, member, survey, meeting):
    login_as(member)
    question = survey.questions[0]
    assert client.get(f"/moeder/{meeting.id}/undersoegelse").status_code == 403
    assert client.submit(f"/moeder/{meeting.id}/undersoegelse", {"title": "X"}).status_code == 403
    assert (
        client.submit(
            f"/moeder/{meeting.id}/undersoegelse/spoergsmaal", {"kind": "text", "prompt": "X"}
        ).status_code
        == 403
    )
    assert client.submit(f"/undersoegelse/spoergsmaal/{question.id}/slet").status_code == 403
    assert (
        client.submit(f"/moeder/{meeting.id}/undersoegelse/luk", {"action": "close"}).status_code
        == 403
    )
    assert client.get(f"/moeder/{meeting.id}/undersoegelse/resultater.csv").status_code == 403
    db.session.expire_all()
    assert len(survey_service.survey_of(meeting).questions) == 4
    assert survey_service.is_open(survey_service.survey_of(meeting))


def test_survey_pages_refuse_anonymous_visitors(client, survey, meeting):
    question = survey.questions[0]
    for path in (
        f"/moeder/{meeting.id}/undersoegelse",
        f"/moeder/{meeting.id}/undersoegelse/svar",
        f"/moeder/{meeting.id}/undersoegelse/resultater",
        f"/moeder/{meeting.id}/undersoegelse/resultater.csv",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"], path
    for path in (
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal",
        f"/undersoegelse/spoergsmaal/{question.id}/slet",
        f"/moeder/{meeting.id}/undersoegelse/luk",
        f"/moeder/{meeting.id}/undersoegelse/svar",
    ):
        response = client.submit(path, {"action": "close", "kind": "text", "prompt": "X"})
        assert "/login" in response.headers["Location"], path
    assert len(survey_service.survey_of(meeting).questions) == 4


def test_meeting_without_survey_answers_404(client, login_as, member, meeting):
    login_as(member)
    assert client.get(f"/moeder/{meeting.id}/undersoegelse/svar").status_code == 404
    assert client.get(f"/moeder/{meeting.id}/undersoegelse/resultater").status_code == 404


# --- answering ----------------------------------------------------------------------------------


def test_member_answers_once_and_changes_the_answers(client, login_as, member, survey, meeting):
    login_as(member)
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert f'href="/moeder/{meeting.id}/undersoegelse/svar"' in page
    form = text(client.get(f"/moeder/{meeting.id}/undersoegelse/svar"))
    assert "<fieldset" in form and "<legend>Hvilket tema først?" in form

    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse/svar",
        answers(survey, "Energi", ["Formidling", "Data"], "4", "Mere tid"),
    )

    assert response.status_code == 302
    form = text(client.get(f"/moeder/{meeting.id}/undersoegelse/svar"))
    assert f'checked id="q{questions(survey)["single"].id}-1"' in form  # Energi prefilled
    assert "Mere tid</textarea>" in form

    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse/svar",
        answers(survey, "Affald", ["Indkøb"], "2", "Ændret"),
    )

    assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)) == 1
    results = survey_service.results(survey, with_texts=True)
    by_kind = {r.question.kind: r for r in results.questions}
    assert [(o.label, o.count) for o in by_kind["single"].options] == [
        ("Affald", 1),
        ("Energi", 0),
        ("Transport", 0),
    ]
    assert [(o.label, o.count) for o in by_kind["multiple"].options] == [
        ("Formidling", 0),
        ("Indkøb", 1),
        ("Data", 0),
    ]
    assert by_kind["scale"].average == 2
    assert [t.text for t in by_kind["text"].texts] == ["Ændret"]


def test_choice_that_is_not_the_questions_is_refused_with_text_kept(
    client, login_as, member, facilitator, survey, meeting
):
    other = survey_service.save_survey(facilitator, plan(facilitator), "Anden", "")
    foreign = survey_service.add_question(facilitator, other, "single", "Q", "A\nB")
    login_as(member)
    sent = answers(survey, "Energi", ["Data"], "3", "Min tekst")
    sent[f"q{questions(survey)['single'].id}"] = str(foreign.options[0].id)

    response = client.submit(f"/moeder/{meeting.id}/undersoegelse/svar", sent)

    assert response.status_code == 422
    page = text(response)
    assert da("Choose one of the choices given.") in page
    assert "Min tekst</textarea>" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)) == 0


@pytest.mark.parametrize("value", ["0", "6", "3.5", "tre", "-1"])
def test_scale_outside_1_to_5_is_refused(client, login_as, member, survey, meeting, value):
    login_as(member)
    sent = answers(survey, "Energi", [], value, "")

    response = client.submit(f"/moeder/{meeting.id}/undersoegelse/svar", sent)

    assert response.status_code == 422
    assert da("Choose a number from 1 to 5.") in text(response)


def test_required_question_and_several_errors_show_at_once(
    client, login_as, member, survey, meeting
):
    login_as(member)
    q = questions(survey)
    sent = {f"q{q['scale'].id}": "9", f"q{q['text'].id}": "Behold mig"}

    response = client.submit(f"/moeder/{meeting.id}/undersoegelse/svar", sent)

    assert response.status_code == 422
    page = text(response)
    assert da("Answer this question.") in page
    assert da("Choose a number from 1 to 5.") in page
    assert "Behold mig</textarea>" in page


def test_single_choice_takes_one_answer(member, survey, db_session):
    single = questions(survey)["single"]
    with pytest.raises(ServiceError):
        survey_service.submit_answers(
            member,
            survey,
            {single.id: [str(o.id) for o in single.options[:2]]},
            shown_anonymous=False,
        )


def test_answers_are_refused_after_close(client, login_as, member, facilitator, survey, meeting):
    survey_service.submit_answers(
        member,
        survey,
        {questions(survey)["single"].id: [option(survey, "single", "Affald")]},
        shown_anonymous=False,
    )
    login_as(facilitator)
    assert (
        client.submit(f"/moeder/{meeting.id}/undersoegelse/luk", {"action": "close"}).status_code
        == 302
    )
    client.submit("/logout")
    login_as(member)

    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse/svar"))
    assert da("The survey is closed; answers can no longer be given or changed.") in page
    assert f'action="/moeder/{meeting.id}/undersoegelse/svar"' not in page
    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse/svar",
        answers(survey, "Energi", [], "1", "For sent"),
    )

    assert response.status_code == 422
    assert da("The survey is closed; answers can no longer be given or changed.") in text(response)
    assert "For sent" in text(response)
    results = survey_service.results(survey, with_texts=True)
    assert results.questions[0].options[0].count == 1  # still Affald
    assert results.questions[0].options[1].count == 0


def test_closing_date_that_has_passed_closes_and_reopen_opens(
    client, login_as, facilitator, member, survey, meeting
):
    yesterday = meeting_service.today() - timedelta(days=1)
    survey_service.save_survey(facilitator, meeting, survey.title, "", False, yesterday)
    db.session.refresh(survey)
    assert not survey_service.is_open(survey)
    assert survey_service.last_day(survey) == yesterday
    login_as(facilitator)

    client.submit(f"/moeder/{meeting.id}/undersoegelse/luk", {"action": "reopen"})

    db.session.refresh(survey)
    assert survey_service.is_open(survey)
    assert survey.closes_at is None


def test_last_day_is_open_until_midnight_in_copenhagen(facilitator, meeting, db_session):
    today = meeting_service.today()
    survey = survey_service.save_survey(facilitator, meeting, "T", "", False, today)
    survey_service.add_question(facilitator, survey, "text", "Andet?")
    survey_service.open_survey(facilitator, survey)
    assert survey_service.is_open(survey)
    assert survey_service.last_day(survey) == today


def test_close_without_a_choice_is_refused(client, login_as, facilitator, survey, meeting):
    login_as(facilitator)
    assert client.submit(f"/moeder/{meeting.id}/undersoegelse/luk").status_code == 422
    assert survey_service.is_open(survey)


# --- results ------------------------------------------------------------------------------------


@pytest.fixture
def answered(member, other_member, facilitator, meeting):
    """Three people answered; returns a function building the survey anonymous or not."""

    def _build(anonymous: bool) -> Survey:
        survey = build_survey(facilitator, meeting, anonymous)
        third = factories.user(name="Tredje Person")
        for person, single, multiple, scale, free in (
            (member, "Energi", ["Formidling", "Data"], "5", "Mettes ønske"),
            (other_member, "Energi", ["Data"], "2", "Oles ønske"),
            (third, "Transport", [], "2", ""),
        ):
            sent = answers(survey, single, multiple, scale, free)
            survey_service.submit_answers(
                person, survey, by_id(sent), shown_anonymous=survey.anonymous
            )
        return survey

    return _build


def test_facilitator_sees_totals_and_named_texts(client, login_as, answered, facilitator, meeting):
    answered(anonymous=False)
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse/resultater"))

    assert da_n("%(num)d person has answered.", "%(num)d people have answered.", 3) in page
    assert '<th scope="row">Energi</th>\n          <td>2</td>' in page
    assert '<th scope="row">Transport</th>\n          <td>1</td>' in page
    assert '<th scope="row">Affald</th>\n          <td>0</td>' in page
    assert '<th scope="row">Data</th>\n          <td>2</td>' in page
    assert '<th scope="row">2</th>\n          <td>2</td>' in page
    assert "3,0" in page  # average (5 + 2 + 2) / 3, Danish decimal comma
    assert "Mettes ønske" in page
    assert "Mette Medlem" in page
    assert "<caption>" in page


def test_anonymous_results_show_no_names(client, login_as, answered, facilitator, meeting):
    answered(anonymous=True)
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse/resultater"))
    download = client.get(f"/moeder/{meeting.id}/undersoegelse/resultater.csv")

    assert "Mettes ønske" in page
    assert "Oles ønske" in page
    for name in ("Mette Medlem", "Ole Andersen", "Tredje Person"):
        assert name not in page
        assert name.encode() not in download.data
    rows = list(csv.reader(io.StringIO(download.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Hvilket tema først?", "Hvad vil du lære?", "Hvor travlt har du?", "Andet?"]
    assert rows[1:] == sorted(rows[1:])  # ordered by answers, not by who answered when


def test_anonymous_survey_stays_anonymous_once_answered(answered, facilitator, meeting):
    survey = answered(anonymous=True)
    with pytest.raises(ServiceError):
        survey_service.save_survey(facilitator, meeting, survey.title, "", anonymous=False)


HIDDEN_RE = re.compile(r'<input[^>]*type="hidden"[^>]*>')


def hidden_fields(page: str) -> dict[str, str]:
    """Return the hidden fields of a page's forms, as a browser would send them back."""
    fields = {}
    for tag in HIDDEN_RE.findall(page):
        name = re.search(r'name="([^"]*)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def test_answer_to_an_anonymous_form_is_not_stored_with_a_name(
    client, login_as, member, facilitator, meeting
):
    survey = build_survey(facilitator, meeting, anonymous=True)
    login_as(member)
    form = text(client.get(f"/moeder/{meeting.id}/undersoegelse/svar"))
    assert da("This survey is anonymous: the facilitators see the answers without names.") in form
    # While the member writes, the facilitator makes the survey show names.
    survey_service.save_survey(facilitator, meeting, survey.title, "", anonymous=False)
    sent = {
        **answers(survey, "Energi", ["Data"], "3", "Skrevet i tillid"),
        **hidden_fields(form),
    }

    response = client.submit(f"/moeder/{meeting.id}/undersoegelse/svar", sent)

    assert response.status_code == 422
    page = text(response)
    assert (
        da(
            "The survey is no longer anonymous: the facilitators would see your name with "
            "your answers. Read the notice, then send your answers again if you still "
            "want to."
        )
        in page
    )
    assert (
        da(
            "The facilitators see your name with your answers. Other members only see the "
            "totals, after the survey closes."
        )
        in page
    )
    assert "Skrevet i tillid</textarea>" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(SurveyResponse)) == 0

    # Sent again from the form as it now is, the answer is taken, with the name as shown.
    again = {**answers(survey, "Energi", ["Data"], "3", "Nu med navn"), **hidden_fields(page)}
    assert client.submit(f"/moeder/{meeting.id}/undersoegelse/svar", again).status_code == 302
    assert survey_service.own_response(member, survey) is not None


@pytest.mark.parametrize("anonymous", [True, False])
def test_answer_is_refused_when_the_anonymity_shown_is_not_the_surveys(
    member, facilitator, meeting, anonymous
):
    survey = build_survey(facilitator, meeting, anonymous=anonymous)
    single = questions(survey)["single"]
    chosen = {single.id: [str(single.options[0].id)]}

    for shown in (not anonymous, None):
        with pytest.raises(ServiceError):
            survey_service.submit_answers(member, survey, chosen, shown_anonymous=shown)

    assert survey_service.own_response(member, survey) is None
    survey_service.submit_answers(member, survey, chosen, shown_anonymous=anonymous)
    assert survey_service.own_response(member, survey) is not None


def test_facilitator_sees_the_anonymity_fixed_once_answered(
    client, login_as, answered, facilitator, meeting
):
    answered(anonymous=True)
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))

    assert re.search(r'<input[^>]*name="anonymous"[^>]*type="checkbox"[^>]*disabled', page) or (
        re.search(r'<input[^>]*disabled[^>]*name="anonymous"', page)
    )
    assert da("People answered this survey anonymously, so it stays anonymous.") in page
    response = client.submit(
        f"/moeder/{meeting.id}/undersoegelse",
        {**hidden_fields(page), "title": "Nyt navn", "intro": "", "last_day": ""},
    )
    assert response.status_code == 302
    survey = survey_service.survey_of(meeting)
    assert survey.title == "Nyt navn"
    assert survey.anonymous is True


def test_named_csv_has_a_row_per_respondent(client, login_as, answered, facilitator, meeting):
    answered(anonymous=False)
    login_as(facilitator)

    response = client.get(f"/moeder/{meeting.id}/undersoegelse/resultater.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        da("Name"),
        "Hvilket tema først?",
        "Hvad vil du lære?",
        "Hvor travlt har du?",
        "Andet?",
    ]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name == {
        "Mette Medlem": ["Energi", "Formidling, Data", "5", "Mettes ønske"],
        "Ole Andersen": ["Energi", "Data", "2", "Oles ønske"],
        "Tredje Person": ["Transport", "", "2", ""],
    }


def test_members_see_totals_only_after_close(
    client, login_as, switch_to, answered, facilitator, member, meeting
):
    survey = answered(anonymous=False)
    login_as(member)
    assert client.get(f"/moeder/{meeting.id}/undersoegelse/resultater").status_code == 403

    survey_service.set_closed(facilitator, survey, True)
    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse/resultater"))

    assert '<th scope="row">Energi</th>\n          <td>2</td>' in page
    assert "Mettes ønske" not in page
    assert "Oles ønske" not in page
    assert "Ole Andersen" not in page
    assert "resultater.csv" not in page
    assert da("Free-text answers are read by the facilitators only.") in page
    meeting_page = text(client.get(f"/moeder/{meeting.id}"))
    assert f'href="/moeder/{meeting.id}/undersoegelse/resultater"' in meeting_page


def test_results_run_a_fixed_number_of_queries(
    client, login_as, answered, facilitator, meeting, count_queries
):
    survey = answered(anonymous=False)
    login_as(facilitator)
    url = f"/moeder/{meeting.id}/undersoegelse/resultater"

    def fetch(path: str) -> None:
        db.session.rollback()  # each request starts a fresh transaction on a cold session
        assert client.get(path).status_code == 200

    few = count_queries(lambda: fetch(url))
    few_csv = count_queries(lambda: fetch(url + ".csv"))
    for n in range(8):
        person = factories.user(name=f"Svarer {n}")
        sent = answers(survey, "Affald", ["Data"], "3", f"Tekst {n}")
        survey_service.submit_answers(person, survey, by_id(sent), shown_anonymous=survey.anonymous)
    assert count_queries(lambda: fetch(url)) == few
    assert count_queries(lambda: fetch(url + ".csv")) == few_csv


# --- drafts: opened on purpose, once there are questions ----------------------------------------


def survey_opened_count() -> int:
    return db.session.scalar(
        db.select(db.func.count()).where(Notification.kind == NotificationKind.SURVEY_OPENED)
    )


def test_a_new_survey_is_a_draft_that_members_do_not_see(
    client, login_as, switch_to, facilitator, member, meeting
):
    login_as(facilitator)
    client.submit(f"/moeder/{meeting.id}/undersoegelse", {"title": "Behov", "intro": ""})
    client.submit(
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal", {"kind": "text", "prompt": "Hvad?"}
    )
    editor = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))
    assert da("Open the survey for answers") in editor
    preview = text(client.get(f"/moeder/{meeting.id}/undersoegelse/svar"))
    assert "Hvad?" in preview
    assert da("Send my answers") not in preview  # a preview: nothing can be sent yet

    switch_to(member)

    assert survey_opened_count() == 0
    assert client.get(f"/moeder/{meeting.id}/undersoegelse/svar").status_code == 404
    assert client.get(f"/moeder/{meeting.id}/undersoegelse/resultater").status_code == 404
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert "/undersoegelse/svar" not in page and "/undersoegelse/resultater" not in page
    draft = survey_service.survey_of(meeting)
    with pytest.raises(ServiceError):
        survey_service.submit_answers(member, draft, {}, shown_anonymous=False)


def test_a_survey_without_questions_cannot_be_opened(client, login_as, facilitator, meeting):
    login_as(facilitator)
    client.submit(f"/moeder/{meeting.id}/undersoegelse", {"title": "Behov", "intro": ""})
    assert da("Add at least one question before you open the survey.") in text(
        client.get(f"/moeder/{meeting.id}/undersoegelse")
    )

    response = client.submit(f"/moeder/{meeting.id}/undersoegelse/luk", {"action": "open"})

    assert response.status_code == 422
    assert da("Add at least one question before you open the survey.") in text(response)
    assert survey_service.is_draft(survey_service.survey_of(meeting))
    assert survey_opened_count() == 0


def test_opening_the_survey_tells_the_network_and_members_can_answer(
    client, login_as, switch_to, facilitator, member, other_member, meeting
):
    login_as(facilitator)
    client.submit(f"/moeder/{meeting.id}/undersoegelse", {"title": "Behov", "intro": ""})
    client.submit(
        f"/moeder/{meeting.id}/undersoegelse/spoergsmaal", {"kind": "text", "prompt": "Hvad?"}
    )

    response = client.submit(f"/moeder/{meeting.id}/undersoegelse/luk", {"action": "open"})

    assert response.status_code == 302
    editor = text(client.get(response.headers["Location"]))
    assert da("The survey is open. Members have been told.") in editor
    assert da("Close the survey now") in editor
    assert survey_opened_count() == 2  # Mette and Ole; not the facilitator who opened it
    switch_to(member)
    page = text(client.get(f"/moeder/{meeting.id}"))
    assert f'href="/moeder/{meeting.id}/undersoegelse/svar"' in page
    assert da("Send my answers") in text(client.get(f"/moeder/{meeting.id}/undersoegelse/svar"))


# --- changing and reordering the questions until the first answer -------------------------------


def prompts(meeting) -> list[str]:
    db.session.expire_all()
    return [question.prompt for question in survey_service.survey_of(meeting).questions]


def test_facilitator_edits_a_question_until_someone_answers(
    client, login_as, facilitator, member, survey, meeting
):
    single = questions(survey)["single"]
    login_as(facilitator)
    form = text(client.get(f"/undersoegelse/spoergsmaal/{single.id}/rediger"))
    assert 'value="Hvilket tema først?"' in form
    assert "Affald\nEnergi\nTransport</textarea>" in form

    response = client.submit(
        f"/undersoegelse/spoergsmaal/{single.id}/rediger",
        {"kind": "multiple", "prompt": "Hvilke temaer?", "options": "Affald\nVand", "required": ""},
    )

    assert response.status_code == 302
    assert da("The question is saved.") in text(client.get(response.headers["Location"]))
    db.session.expire_all()
    changed = db.session.get(SurveyQuestion, single.id)
    assert changed.prompt == "Hvilke temaer?"
    assert changed.kind == "multiple"
    assert changed.required is False
    assert [option.label for option in changed.options] == ["Affald", "Vand"]

    survey = survey_service.survey_of(meeting)
    survey_service.submit_answers(
        member, survey, {changed.id: [str(changed.options[1].id)]}, shown_anonymous=False
    )
    db.session.commit()
    fixed = da(
        "People have started answering, so the questions can no longer be changed or reordered."
    )
    editor = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))
    assert fixed in editor
    assert f"/undersoegelse/spoergsmaal/{single.id}/rediger" not in editor
    assert f"/undersoegelse/spoergsmaal/{single.id}/flyt" not in editor

    response = client.get(f"/undersoegelse/spoergsmaal/{single.id}/rediger")
    assert response.status_code == 302
    assert fixed in text(client.get(response.headers["Location"]))
    response = client.submit(
        f"/undersoegelse/spoergsmaal/{single.id}/rediger",
        {"kind": "text", "prompt": "Ændret bagefter"},
    )
    assert fixed in text(client.get(response.headers["Location"]))
    assert prompts(meeting)[0] == "Hvilke temaer?"
    with pytest.raises(ServiceError):
        survey_service.update_question(facilitator, changed, "text", "Ændret bagefter")


def test_a_bad_edit_is_refused_with_the_text_kept(client, login_as, facilitator, survey):
    single = questions(survey)["single"]
    login_as(facilitator)

    response = client.submit(
        f"/undersoegelse/spoergsmaal/{single.id}/rediger",
        {"kind": "single", "prompt": "Nyt spørgsmål", "options": "Kun én"},
    )

    assert response.status_code == 422
    assert da("Write at least two choices, one per line.") in text(response)
    assert 'value="Nyt spørgsmål"' in text(response)
    db.session.expire_all()
    assert db.session.get(SurveyQuestion, single.id).prompt == "Hvilket tema først?"


def test_questions_move_up_and_down_until_someone_answers(
    client, login_as, facilitator, member, survey, meeting
):
    first, second, third, fourth = survey.questions
    login_as(facilitator)
    editor = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))
    # No "up" on the first, no "down" on the last.
    assert editor.count(f">{da('Move up')}<span") == 3
    assert editor.count(f">{da('Move down')}<span") == 3

    client.submit(f"/undersoegelse/spoergsmaal/{third.id}/flyt", {"direction": "up"})
    assert prompts(meeting) == [first.prompt, third.prompt, second.prompt, fourth.prompt]
    client.submit(f"/undersoegelse/spoergsmaal/{first.id}/flyt", {"direction": "down"})
    assert prompts(meeting) == [third.prompt, first.prompt, second.prompt, fourth.prompt]
    client.submit(f"/undersoegelse/spoergsmaal/{fourth.id}/flyt", {"direction": "down"})
    assert prompts(meeting)[-1] == fourth.prompt  # already last: stays
    response = client.submit(f"/undersoegelse/spoergsmaal/{first.id}/flyt", {"direction": "op"})
    assert da("Choose up or down.") in text(client.get(response.headers["Location"]))

    sent = answers(survey, "Affald", [], "", "")
    survey_service.submit_answers(
        member, survey_service.survey_of(meeting), by_id(sent), shown_anonymous=False
    )
    db.session.commit()
    response = client.submit(f"/undersoegelse/spoergsmaal/{second.id}/flyt", {"direction": "up"})

    assert da(
        "People have started answering, so the questions can no longer be changed or reordered."
    ) in text(client.get(response.headers["Location"]))
    assert prompts(meeting) == [third.prompt, first.prompt, second.prompt, fourth.prompt]


def test_changing_questions_is_for_facilitators(
    client, login_as, switch_to, member, facilitator, survey
):
    question = survey.questions[1]
    login_as(member)
    assert client.get(f"/undersoegelse/spoergsmaal/{question.id}/rediger").status_code == 403
    assert (
        client.submit(
            f"/undersoegelse/spoergsmaal/{question.id}/rediger", {"kind": "text", "prompt": "X"}
        ).status_code
        == 403
    )
    assert (
        client.submit(
            f"/undersoegelse/spoergsmaal/{question.id}/flyt", {"direction": "up"}
        ).status_code
        == 403
    )
    switch_to(facilitator)
    assert client.get("/undersoegelse/spoergsmaal/999999/rediger").status_code == 404
    assert client.submit("/undersoegelse/spoergsmaal/999999/flyt").status_code == 404
    assert [q.id for q in survey_service.survey_of(survey.meeting).questions][1] == question.id


# --- generated titles ---------------------------------------------------------------------------


def test_suggested_survey_title_does_not_double_the_meetings_full_stop(
    client, login_as, facilitator
):
    meeting = meeting_service.create_meeting(
        facilitator,
        meeting_service.MeetingDetails(
            title="Behov til mødet i Vejle.", date=meeting_service.today() + timedelta(days=9)
        ),
    )
    login_as(facilitator)

    page = text(client.get(f"/moeder/{meeting.id}/undersoegelse"))

    suggested = da("Needs survey: %(meeting)s", meeting="Behov til mødet i Vejle")
    assert f'value="{suggested}"' in page
    assert "Vejle." not in re.search(r'id="title"[^>]*>', page).group(0)
