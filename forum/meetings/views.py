"""Views of the meetings blueprint: meetings, answers to invitations, attendance, calendars and
the needs survey."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from forum.forms import REFUSED, attach_error
from forum.meetings import bp
from forum.meetings.forms import (
    ATTENDING,
    NOT_ATTENDING,
    QUESTION_KIND_LABELS,
    CloseSurveyForm,
    MeetingForm,
    QuestionForm,
    RsvpForm,
    SurveyAnswerForm,
    SurveyForm,
)
from forum.models import Meeting, Survey, SurveyQuestion, User
from forum.permissions import (
    access_meeting,
    can_manage_meetings,
    can_remind_unanswered,
    can_see_survey,
    can_see_survey_totals,
    can_view_attendance,
    can_view_survey_answers,
    is_member,
    me,
    not_found,
    require,
)
from forum.punctuation import without_final_stop
from forum.services import ServiceError
from forum.services import calendar as calendar_service
from forum.services import library as library_service
from forum.services import meetings as meeting_service
from forum.services import surveys as survey_service

Page = str | tuple[str, int] | Response
CALENDAR_TYPE = "text/calendar; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return me()


def _meeting(meeting_id: int) -> Meeting:
    """Load a meeting for a member. Raises NotFound (404)."""
    return access_meeting(current_user, meeting_id)


def _survey(meeting: Meeting) -> Survey:
    """Load the meeting's survey as the reader may see it. Raises NotFound (404) when it has
    none, or when it is a draft and the reader is not a facilitator."""
    survey = survey_service.survey_of(meeting)
    if survey is None or not can_see_survey(current_user, survey):
        not_found()
    return survey


def _question(question_id: int) -> SurveyQuestion:
    """Load a survey question for the facilitators. Raises NotFound (404) for visitors who
    are not members or an unknown question, Forbidden (403) for members."""
    if not is_member(current_user):
        not_found()
    require(can_manage_meetings(current_user))
    question = survey_service.get_question(question_id)
    if question is None:
        not_found()
    return question


def _page(template: str, form: FlaskForm, **context: Any) -> Page:
    """Render a page with a form: 422 when the form was sent and refused, else 200."""
    page = render_template(template, form=form, **context)
    return (page, REFUSED) if form.is_submitted() else page


def _download(body: bytes, mimetype: str, filename: str, private: bool = True) -> Response:
    """Return a file download that no shared cache keeps."""
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store" if private else "private, max-age=0"
    return response


@bp.app_context_processor
def _calendar_helpers() -> dict[str, Any]:
    """Give templates the address of a person's private calendar feed (None before it exists)."""
    return {"calendar_feed_url": calendar_service.feed_url}


# --- meetings ------------------------------------------------------------------------------


@bp.get("/moeder")
def index() -> str:
    """List upcoming meetings (soonest first) and past ones (latest first)."""
    upcoming = meeting_service.upcoming_meetings()
    return render_template(
        "meetings/index.html",
        upcoming=upcoming,
        past=meeting_service.past_meetings(),
        rsvps=meeting_service.own_rsvps(_me(), upcoming),
        may_manage=can_manage_meetings(current_user),
    )


@bp.route("/moeder/ny", methods=["GET", "POST"])
def new() -> Page:
    """Plan a meeting. Raises Forbidden (403) for members."""
    require(can_manage_meetings(current_user))
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = meeting_service.create_meeting(_me(), form.details())
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The meeting is planned."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return _page("meetings/edit.html", form, meeting=None)


@bp.route("/moeder/<id:meeting_id>/rediger", methods=["GET", "POST"])
def edit(meeting_id: int) -> Page:
    """Change a meeting. Raises NotFound (404), or Forbidden (403) for members."""
    meeting = _meeting(meeting_id)
    require(can_manage_meetings(current_user))
    form = MeetingForm(data=vars(meeting_service.details_of(meeting)))
    if form.validate_on_submit():
        try:
            meeting_service.update_meeting(_me(), meeting, form.details())
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    return _page("meetings/edit.html", form, meeting=meeting)


def _render_meeting(meeting: Meeting, form: RsvpForm) -> Page:
    """Render a meeting as an invitation, with the reader's answer (or the form for it)."""
    survey = survey_service.survey_of(meeting)
    if survey is not None and not can_see_survey(current_user, survey):
        survey = None
    return _page(
        "meetings/meeting.html",
        form,
        meeting=meeting,
        map_url=meeting_service.map_url(meeting),
        rsvp=meeting_service.own_rsvp(_me(), meeting),
        is_past=meeting_service.is_past(meeting),
        survey=survey,
        survey_open=survey is not None and survey_service.is_open(survey),
        survey_draft=survey is not None and survey_service.is_draft(survey),
        may_manage=can_manage_meetings(current_user),
        may_see_attendance=can_view_attendance(current_user),
        resources=library_service.meeting_resources(_me(), meeting),
    )


@bp.get("/moeder/<id:meeting_id>")
def meeting(meeting_id: int) -> Page:
    """Show a meeting with the reader's answer to it. Raises NotFound (404)."""
    item = _meeting(meeting_id)
    rsvp = meeting_service.own_rsvp(_me(), item)
    data = {}
    if rsvp is not None:
        data = {
            "attending": ATTENDING if rsvp.attending else NOT_ATTENDING,
            "dietary_needs": rsvp.dietary_needs,
            "note": rsvp.note,
        }
    return _render_meeting(item, RsvpForm(data=data))


@bp.post("/moeder/<id:meeting_id>/tilmelding")
def rsvp(meeting_id: int) -> Page:
    """Save the reader's answer to the invitation; on bad input show the meeting again with
    the text kept. Raises NotFound (404)."""
    item = _meeting(meeting_id)
    form = RsvpForm()
    if form.validate_on_submit():
        try:
            answer = meeting_service.answer_invitation(
                _me(),
                item,
                form.attending.data == ATTENDING,
                form.dietary_needs.data or "",
                form.note.data or "",
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            if answer.attending:
                flash(_("Thank you: you are signed up."), "success")
            else:
                flash(_("Thank you: we have noted that you cannot come."), "success")
            return redirect(url_for("meetings.meeting", meeting_id=item.id))
    return _render_meeting(item, form)


@bp.get("/moeder/<id:meeting_id>/deltagere")
def attendance(meeting_id: int) -> str:
    """Show who comes, who declined and who has not answered, with dietary needs.

    Raises NotFound (404), or Forbidden (403) for members.
    """
    item = _meeting(meeting_id)
    require(can_view_attendance(current_user))
    lists = meeting_service.attendance(item)
    last = meeting_service.last_rsvp_reminder(item)
    return render_template(
        "meetings/attendance.html",
        meeting=item,
        attendance=lists,
        catering=meeting_service.catering(lists),
        last_reminder=last,
        sent_today=last is not None and last.sent_on == meeting_service.today(),
        # Whom a reminder would reach: not the facilitator sending it.
        to_remind=[person for person in lists.unanswered if person.id != current_user.id],
        may_remind=can_remind_unanswered(current_user)
        and meeting_service.may_remind_today(item, last),
        is_past=meeting_service.is_past(item),
    )


@bp.post("/moeder/<id:meeting_id>/deltagere/paamind")
def remind_unanswered(meeting_id: int) -> Response:
    """Remind those who have not answered the invitation (once a day at most).

    Raises NotFound (404), or Forbidden (403) for members.
    """
    item = _meeting(meeting_id)
    require(can_remind_unanswered(current_user))
    try:
        told = meeting_service.remind_unanswered(_me(), item)
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        flash(
            ngettext(
                "The reminder went to %(num)d person who has not answered.",
                "The reminder went to %(num)d people who have not answered.",
                told,
            ),
            "success",
        )
    return redirect(url_for("meetings.attendance", meeting_id=item.id))


@bp.get("/moeder/<id:meeting_id>/deltagere.csv")
def attendance_csv(meeting_id: int) -> Response:
    """Download the attendance as CSV for Excel. Raises NotFound (404), or Forbidden (403)."""
    item = _meeting(meeting_id)
    require(can_view_attendance(current_user))
    return _download(
        meeting_service.attendance_csv(item),
        CSV_TYPE,
        f"deltagere-{item.date.isoformat()}.csv",
    )


# --- calendars -----------------------------------------------------------------------------


@bp.get("/kalender/<token>.ics")
def calendar_feed(token: str) -> Response:
    """Serve a person's private calendar without a login cookie.

    Raises NotFound (404) for an unknown, reset or deactivated account's token.
    """
    owner = calendar_service.owner_of_token(token)
    if owner is None:
        not_found()
    response = Response(calendar_service.feed(owner), mimetype=CALENDAR_TYPE)
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/kalender/nulstil", methods=["GET", "POST"])
def reset_calendar() -> Page:
    """Make a new private calendar address (asking first when it replaces one in use)."""
    had_one = bool(current_user.calendar_token)
    if request.method == "GET":
        if not had_one:
            return redirect(url_for("auth.profile", _anchor="calendar-heading"))
        return render_template("meetings/reset_calendar.html")
    calendar_service.reset_token(_me())
    if had_one:
        flash(_("Your calendar has a new address. The old one no longer works."), "success")
    else:
        flash(_("Your private calendar address is ready."), "success")
    return redirect(url_for("auth.profile", _anchor="calendar-heading"))


@bp.get("/moeder/<id:meeting_id>.ics")
def meeting_ics(meeting_id: int) -> Response:
    """Download one meeting as a calendar file. Raises NotFound (404)."""
    item = _meeting(meeting_id)
    return _download(
        calendar_service.meeting_file(item),
        CALENDAR_TYPE,
        f"netvaerksmoede-{item.date.isoformat()}.ics",
    )


# --- the needs survey: building ------------------------------------------------------------


def _render_survey_editor(
    meeting: Meeting,
    survey: Survey | None,
    survey_form: SurveyForm,
    question_form: QuestionForm,
    refused: bool = False,
) -> Page:
    """Render the survey editor: settings, questions, the add form, and open/close."""
    respondents = survey_service.respondent_count(survey) if survey else 0
    page = render_template(
        "meetings/survey_edit.html",
        meeting=meeting,
        survey=survey,
        survey_form=survey_form,
        question_form=question_form,
        close_form=CloseSurveyForm(),
        kind_labels=QUESTION_KIND_LABELS,
        is_open=survey is not None and survey_service.is_open(survey),
        is_draft=survey is not None and survey_service.is_draft(survey),
        answer_counts=survey_service.answer_counts(survey) if survey else {},
        respondents=respondents,
        anonymity_fixed=survey is not None and survey.anonymous and respondents > 0,
        # Once anyone has answered, the questions stay as they were asked.
        questions_fixed=respondents > 0,
    )
    return (page, REFUSED) if refused else page


def _settings_form(meeting: Meeting, survey: Survey | None) -> SurveyForm:
    """Return the settings form, filled in from the survey or with a suggested title."""
    if survey is None:
        title = _("Needs survey: %(meeting)s", meeting=without_final_stop(meeting.title))
        return SurveyForm(data={"title": title})
    return SurveyForm(
        data={
            "title": survey.title,
            "intro": survey.intro,
            "anonymous": survey.anonymous,
            "last_day": survey_service.last_day(survey),
        }
    )


@bp.route("/moeder/<id:meeting_id>/undersoegelse", methods=["GET", "POST"])
def survey_edit(meeting_id: int) -> Page:
    """Attach a needs survey to a meeting or change its settings, and list its questions.

    Raises NotFound (404), or Forbidden (403) for members.
    """
    item = _meeting(meeting_id)
    require(can_manage_meetings(current_user))
    survey = survey_service.survey_of(item)
    form = _settings_form(item, survey)
    if form.validate_on_submit():
        try:
            survey_service.save_survey(
                _me(),
                item,
                form.title.data or "",
                form.intro.data or "",
                form.anonymous.data,
                form.last_day.data,
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The survey is saved."), "success")
            return redirect(url_for("meetings.survey_edit", meeting_id=item.id))
    return _render_survey_editor(
        item, survey, form, QuestionForm(formdata=None), refused=form.is_submitted()
    )


@bp.post("/moeder/<id:meeting_id>/undersoegelse/spoergsmaal")
def survey_add_question(meeting_id: int) -> Page:
    """Add a question to the meeting's survey; on bad input show the editor with the text kept.

    Raises NotFound (404) without a survey, or Forbidden (403) for members.
    """
    item = _meeting(meeting_id)
    require(can_manage_meetings(current_user))
    survey = _survey(item)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            survey_service.add_question(
                _me(),
                survey,
                form.kind.data,
                form.prompt.data or "",
                form.options.data or "",
                form.required.data,
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The question is added."), "success")
            return redirect(url_for("meetings.survey_edit", meeting_id=item.id))
    return _render_survey_editor(item, survey, _settings_form(item, survey), form, refused=True)


@bp.route("/undersoegelse/spoergsmaal/<id:question_id>/slet", methods=["GET", "POST"])
def survey_delete_question(question_id: int) -> Page:
    """Ask first, then remove a question and its answers. Raises NotFound (404) or
    Forbidden (403)."""
    question = _question(question_id)
    meeting_id = question.survey.meeting_id
    if request.method == "GET":
        answers = survey_service.answer_counts(question.survey).get(question.id, 0)
        return render_template("meetings/delete_question.html", question=question, answers=answers)
    survey_service.delete_question(_me(), question)
    flash(_("The question is removed."), "success")
    return redirect(url_for("meetings.survey_edit", meeting_id=meeting_id))


@bp.post("/moeder/<id:meeting_id>/undersoegelse/luk")
def survey_close(meeting_id: int) -> Page:
    """Close the survey now, or reopen it. Raises NotFound (404), or Forbidden (403)."""
    item = _meeting(meeting_id)
    require(can_manage_meetings(current_user))
    survey = _survey(item)
    form = CloseSurveyForm()
    if not form.validate_on_submit():
        flash(_("Choose to close or reopen."), "error")
        return _render_survey_editor(
            item, survey, _settings_form(item, survey), QuestionForm(formdata=None), refused=True
        )
    closing = form.action.data == "close"
    first_time = survey_service.is_draft(survey)
    try:
        survey_service.set_closed(_me(), survey, closing)
    except ServiceError as error:
        flash(str(error.message), "error")
        return _render_survey_editor(
            item, survey, _settings_form(item, survey), QuestionForm(formdata=None), refused=True
        )
    if closing:
        flash(_("The survey is closed. Members can now see the totals."), "success")
    elif first_time:
        flash(_("The survey is open. Members have been told."), "success")
    else:
        flash(_("The survey is open again."), "success")
    return redirect(url_for("meetings.survey_edit", meeting_id=item.id))


@bp.route("/undersoegelse/spoergsmaal/<id:question_id>/rediger", methods=["GET", "POST"])
def survey_edit_question(question_id: int) -> Page:
    """Change a question until someone has answered the survey; after that, say why not.

    Raises NotFound (404), or Forbidden (403) for members.
    """
    question = _question(question_id)
    meeting_id = question.survey.meeting_id
    editor = url_for("meetings.survey_edit", meeting_id=meeting_id)
    if survey_service.questions_fixed(question.survey):
        flash(
            _(
                "People have started answering, so the questions can no longer be changed "
                "or reordered."
            ),
            "error",
        )
        return redirect(editor)
    form = QuestionForm(
        data={
            "kind": question.kind.value,
            "prompt": question.prompt,
            "options": survey_service.options_text(question),
            "required": question.required,
        }
    )
    if form.validate_on_submit():
        try:
            survey_service.update_question(
                _me(),
                question,
                form.kind.data,
                form.prompt.data or "",
                form.options.data or "",
                form.required.data,
            )
        except ServiceError as error:
            if error.field is None:
                flash(str(error.message), "error")
                return redirect(editor)
            attach_error(form, error)
        else:
            flash(_("The question is saved."), "success")
            return redirect(editor)
    return _page(
        "meetings/edit_question.html",
        form,
        question=question,
        meeting=question.survey.meeting,
    )


@bp.post("/undersoegelse/spoergsmaal/<id:question_id>/flyt")
def survey_move_question(question_id: int) -> Response:
    """Move a question one place up or down, until someone has answered the survey.

    Raises NotFound (404), or Forbidden (403) for members.
    """
    question = _question(question_id)
    meeting_id = question.survey.meeting_id
    try:
        moved = survey_service.move_question(_me(), question, request.form.get("direction", ""))
    except ServiceError as error:
        flash(str(error.message), "error")
    else:
        if moved:
            flash(_("The question is moved."), "success")
    return redirect(url_for("meetings.survey_edit", meeting_id=meeting_id))


# --- the needs survey: answering and results -----------------------------------------------


@bp.route("/moeder/<id:meeting_id>/undersoegelse/svar", methods=["GET", "POST"])
def survey(meeting_id: int) -> Page:
    """Answer the meeting's survey, or change one's answers while it is open.

    Raises NotFound (404) when the meeting has no survey.
    """
    item = _meeting(meeting_id)
    found = _survey(item)
    sent = request.method == "POST"
    earlier = {} if sent else survey_service.previous_answers(_me(), found)
    form = SurveyAnswerForm.for_survey(found, earlier)
    if form.validate_on_submit():
        try:
            survey_service.submit_answers(
                _me(), found, form.answers(), shown_anonymous=form.shown_anonymous()
            )
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("Thank you: your answers are saved."), "success")
            return redirect(url_for("meetings.survey", meeting_id=item.id))
    is_open = survey_service.is_open(found)
    is_draft = survey_service.is_draft(found)
    return _page(
        "meetings/survey.html",
        form,
        meeting=item,
        survey=found,
        is_open=is_open,
        is_draft=is_draft,
        show_form=is_open or is_draft or sent,
        answered=survey_service.own_response(_me(), found) is not None,
        last_day=survey_service.last_day(found),
    )


@bp.get("/moeder/<id:meeting_id>/undersoegelse/resultater")
def survey_results(meeting_id: int) -> str:
    """Show the survey's totals; facilitators also see free texts (with names unless anonymous).

    Raises NotFound (404) without a survey, or Forbidden (403) for members while it is open.
    """
    item = _meeting(meeting_id)
    found = _survey(item)
    require(can_see_survey_totals(current_user, found))
    with_texts = can_view_survey_answers(current_user)
    return render_template(
        "meetings/survey_results.html",
        meeting=item,
        survey=found,
        results=survey_service.results(found, with_texts=with_texts),
        with_texts=with_texts,
        is_open=survey_service.is_open(found),
    )


@bp.get("/moeder/<id:meeting_id>/undersoegelse/resultater.csv")
def survey_csv(meeting_id: int) -> Response:
    """Download every response as CSV. Raises NotFound (404), or Forbidden (403) for members."""
    item = _meeting(meeting_id)
    require(can_view_survey_answers(current_user))
    found = _survey(item)
    return _download(
        survey_service.results_csv(found),
        CSV_TYPE,
        f"undersoegelse-{item.date.isoformat()}.csv",
    )
