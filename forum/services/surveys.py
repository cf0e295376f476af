"""The needs survey before a meeting: build it, open it, answer it, count it, export it.

A survey starts as a draft that only facilitators see; it is opened on purpose once it has
questions (`open_survey`), and that tells the network. Its questions can be changed and
reordered until the first person answers; after that the questions stay as they were asked.

Each member answers once and may change the answers until the survey closes. In an anonymous
survey nobody sees who answered what: the database keeps whose response it is only so that a
person answers once and can change it; results and exports never carry a name, and free texts
and export rows come in an order that does not follow who answered when.

The anonymity rule lives here: answers are stored only under the anonymity their writer was
shown (`submit_answers` refuses a form shown with another one), and once people have answered
anonymously the survey stays anonymous (`save_survey` refuses to turn it off). Both take the
survey's row lock, so a change of setting and an answer can't cross.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from forum.database import write_lock
from forum.extensions import db
from forum.models import (
    Meeting,
    QuestionKind,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyResponse,
    User,
    utcnow,
)
from forum.services import ServiceError, check_plausible_date, events
from forum.services.meetings import TIMEZONE
from forum.spreadsheets import csv_bytes

# The kinds of question live with the models (forum.models.QuestionKind).
Kind = QuestionKind


KINDS = tuple(kind.value for kind in Kind)
CHOICE_KINDS = (Kind.SINGLE.value, Kind.MULTIPLE.value)
SCALE_VALUES = (1, 2, 3, 4, 5)
TITLE_MAX = 200
INTRO_MAX = 5000
PROMPT_MAX = 500
OPTION_MAX = 300
OPTIONS_MAX = 20
TEXT_ANSWER_MAX = 5000
QUESTIONS_MAX = 50


def field_name(question: SurveyQuestion | int) -> str:
    """Return the form field that carries the answer to a question."""
    question_id = question if isinstance(question, int) else question.id
    return f"q{question_id}"


# --- open and closed -----------------------------------------------------------------------


def is_open(survey: Survey, now: datetime | None = None) -> bool:
    """Return whether answers are taken: opened, not closed by hand, closing date not passed."""
    return survey.takes_answers(now or utcnow())


def is_draft(survey: Survey) -> bool:
    """Return whether the survey has not been opened yet (only facilitators see it)."""
    return survey.opened_at is None


def closes_at_for(last_day: date | None) -> datetime | None:
    """Return the stored (naive UTC) closing time for a last day to answer, Copenhagen time."""
    if last_day is None:
        return None
    local = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=TIMEZONE)
    return local.astimezone(UTC).replace(tzinfo=None)


def last_day(survey: Survey) -> date | None:
    """Return the last day (Copenhagen) answers are taken, when a closing date is set."""
    if survey.closes_at is None:
        return None
    local = survey.closes_at.replace(tzinfo=UTC).astimezone(TIMEZONE)
    return (local - timedelta(seconds=1)).date()


# --- building ------------------------------------------------------------------------------


def survey_of(meeting: Meeting) -> Survey | None:
    """Return the meeting's survey with its questions and options, or None."""
    return db.session.scalar(
        select(Survey)
        .where(Survey.meeting_id == meeting.id)
        .options(selectinload(Survey.questions).selectinload(SurveyQuestion.options))
    )


def respondent_count(survey: Survey) -> int:
    """Return how many people have answered the survey."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
        )
        or 0
    )


def anonymity_fixed(survey: Survey) -> bool:
    """Return whether the survey must stay anonymous because people answered it anonymously."""
    return survey.anonymous and respondent_count(survey) > 0


def save_survey(
    actor: User,
    meeting: Meeting,
    title: str,
    intro: str = "",
    anonymous: bool = False,
    last_answer_day: date | None = None,
) -> Survey:
    """Attach a survey (a draft, not yet open) to the meeting, or change its settings.

    Raises ServiceError on an empty or too long title or intro, or when an anonymous survey
    that people have answered would show names.
    """
    title = (title or "").strip()
    intro = (intro or "").strip()
    last_answer_day = check_plausible_date(last_answer_day, "last_day")
    if not title:
        raise ServiceError(_l("Give the survey a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(_l("The title is too long."), field="title")
    if len(intro) > INTRO_MAX:
        raise ServiceError(_l("The text is too long."), field="intro")
    # The row lock orders this against answers being sent (see submit_answers), so the count
    # below includes every answer given under the anonymity about to change.
    survey = db.session.scalar(
        select(Survey)
        .where(Survey.meeting_id == meeting.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if survey is None:
        survey = Survey(meeting_id=meeting.id)
        db.session.add(survey)
    elif not anonymous and anonymity_fixed(survey):
        raise ServiceError(
            _l("People answered this survey anonymously, so it stays anonymous."),
            field="anonymous",
        )
    survey.title = title
    survey.intro = intro
    survey.anonymous = bool(anonymous)
    survey.closes_at = closes_at_for(last_answer_day)
    db.session.flush()
    return survey


def _options(kind: str, options_text: str) -> list[str]:
    """Return the choices written one per line. Raises ServiceError when a choice question has
    fewer than two, too many, or too long ones."""
    if kind not in CHOICE_KINDS:
        return []
    lines = (line.strip() for line in (options_text or "").splitlines())
    options = list(dict.fromkeys(line for line in lines if line))
    if len(options) < 2:
        raise ServiceError(_l("Write at least two choices, one per line."), field="options")
    if len(options) > OPTIONS_MAX:
        raise ServiceError(
            _l("Write at most %(count)d choices.", count=OPTIONS_MAX), field="options"
        )
    if any(len(option) > OPTION_MAX for option in options):
        raise ServiceError(_l("A choice is too long."), field="options")
    return options


@dataclass
class QuestionText:
    """A question as the facilitator writes it, checked."""

    kind: QuestionKind
    prompt: str
    options: list[str]
    required: bool


def _checked_question(kind: str, prompt: str, options_text: str, required: bool) -> QuestionText:
    """Return the question checked. Raises ServiceError on an unknown kind, an empty or too
    long prompt, or bad choices."""
    if kind not in KINDS:
        raise ServiceError(_l("Choose the kind of question."), field="kind")
    prompt = (prompt or "").strip()
    if not prompt:
        raise ServiceError(_l("Write the question."), field="prompt")
    if len(prompt) > PROMPT_MAX:
        raise ServiceError(_l("The question is too long."), field="prompt")
    return QuestionText(QuestionKind(kind), prompt, _options(kind, options_text), bool(required))


def add_question(
    actor: User,
    survey: Survey,
    kind: str,
    prompt: str,
    options_text: str = "",
    required: bool = False,
) -> SurveyQuestion:
    """Add a question at the end of the survey.

    Raises ServiceError on an unknown kind, an empty or too long prompt, bad choices, or too
    many questions.
    """
    checked = _checked_question(kind, prompt, options_text, required)
    last = db.session.scalar(
        select(func.max(SurveyQuestion.position)).where(SurveyQuestion.survey_id == survey.id)
    )
    count = db.session.scalar(
        select(func.count())
        .select_from(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id)
    )
    if (count or 0) >= QUESTIONS_MAX:
        raise ServiceError(
            _l("A survey can have at most %(count)d questions.", count=QUESTIONS_MAX)
        )
    question = SurveyQuestion(
        survey_id=survey.id,
        position=(last or 0) + 1,
        kind=checked.kind,
        prompt=checked.prompt,
        required=checked.required,
    )
    question.options = [
        SurveyOption(position=number, label=label)
        for number, label in enumerate(checked.options, 1)
    ]
    db.session.add(question)
    db.session.flush()
    return question


def questions_fixed(survey: Survey) -> bool:
    """Return whether the questions can no longer be changed: someone has answered."""
    return respondent_count(survey) > 0


def _check_questions_changeable(survey: Survey) -> None:
    """Take the survey's row lock and check nobody has answered yet.

    The lock is the one answers take (see submit_answers), so a change and a first answer
    can't cross (on SQLite, the write lock). Raises ServiceError once someone has answered.
    """
    write_lock()
    db.session.scalar(select(Survey.id).where(Survey.id == survey.id).with_for_update())
    if questions_fixed(survey):
        raise ServiceError(
            _l(
                "People have started answering, so the questions can no longer be changed "
                "or reordered."
            )
        )


def update_question(
    actor: User,
    question: SurveyQuestion,
    kind: str,
    prompt: str,
    options_text: str = "",
    required: bool = False,
) -> SurveyQuestion:
    """Change a question: its kind, wording, choices and whether an answer is required.

    Raises ServiceError once someone has answered the survey, or on an unknown kind, an empty
    or too long prompt, or bad choices.
    """
    _check_questions_changeable(question.survey)
    checked = _checked_question(kind, prompt, options_text, required)
    question.kind = checked.kind
    question.prompt = checked.prompt
    question.required = checked.required
    if [option.label for option in question.options] != checked.options:
        # Nobody has answered, so no answer points at the old choices.
        question.options = [
            SurveyOption(position=number, label=label)
            for number, label in enumerate(checked.options, 1)
        ]
    db.session.flush()
    return question


def options_text(question: SurveyQuestion) -> str:
    """Return a question's choices as the form shows them, one per line."""
    return "\n".join(option.label for option in question.options)


UP = "up"
DOWN = "down"


def move_question(actor: User, question: SurveyQuestion, direction: str) -> bool:
    """Move a question one place up or down; return whether it moved (not past either end).

    Raises ServiceError on an unknown direction, or once someone has answered the survey.
    """
    if direction not in (UP, DOWN):
        raise ServiceError(_l("Choose up or down."))
    survey = question.survey
    _check_questions_changeable(survey)
    ordered = sorted(survey.questions, key=lambda q: (q.position, q.id))
    index = ordered.index(question)
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(ordered):
        return False
    ordered[index], ordered[other] = ordered[other], ordered[index]
    # Number them afresh, so equal or missing positions can't make a move do nothing.
    for position, item in enumerate(ordered, 1):
        item.position = position
    db.session.flush()
    db.session.expire(survey, ["questions"])
    return True


def get_question(question_id: int) -> SurveyQuestion | None:
    """Return the question, or None."""
    return db.session.get(SurveyQuestion, question_id)


def answer_counts(survey: Survey) -> dict[int, int]:
    """Return how many people answered each question, by question id."""
    rows = db.session.execute(
        select(SurveyAnswer.question_id, func.count(func.distinct(SurveyAnswer.response_id)))
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(SurveyAnswer.question_id)
    )
    return {question_id: count for question_id, count in rows}


def delete_question(actor: User, question: SurveyQuestion) -> None:
    """Remove a question and the answers given to it."""
    db.session.delete(question)
    db.session.flush()


def open_survey(actor: User, survey: Survey) -> None:
    """Open the survey for answers (also one closed earlier), telling the network.

    A closing date that has passed is dropped. Raises ServiceError when the survey has no
    questions.
    """
    questions = db.session.scalar(
        select(func.count())
        .select_from(SurveyQuestion)
        .where(SurveyQuestion.survey_id == survey.id)
    )
    if not questions:
        raise ServiceError(_l("Add at least one question before you open the survey."))
    now = utcnow()
    was_open = is_open(survey, now)
    survey.opened_at = survey.opened_at or now
    survey.closed_at = None
    if survey.closes_at is not None and survey.closes_at <= now:
        survey.closes_at = None
    db.session.flush()
    if not was_open:
        events.survey_opened(actor, survey)


def close_survey(actor: User, survey: Survey) -> None:
    """Close the survey now (members then see the totals). Raises ServiceError on a draft."""
    if is_draft(survey):
        raise ServiceError(_l("The survey is not open yet, so it can't be closed."))
    survey.closed_at = survey.closed_at or utcnow()
    db.session.flush()


def set_closed(actor: User, survey: Survey, closed: bool) -> None:
    """Close the survey now, or open it again. Raises ServiceError as open_survey and
    close_survey do."""
    if closed:
        close_survey(actor, survey)
    else:
        open_survey(actor, survey)


# --- answering -----------------------------------------------------------------------------


@dataclass
class Answer:
    """One checked answer: chosen options, a scale value, or a text (empty when skipped)."""

    option_ids: list[int] = field(default_factory=list)
    scale: int | None = None
    text: str = ""

    @property
    def is_empty(self) -> bool:
        """Return whether nothing was answered."""
        return not self.option_ids and self.scale is None and not self.text


def parse_answer(question: SurveyQuestion, values: Sequence[str]) -> Answer:
    """Return the checked answer to the question from the values sent.

    Raises ServiceError (on the question's field) for a choice that is not one of the
    question's, a scale value outside 1–5, a text too long, or a required question skipped.
    """
    name = field_name(question)
    values = [value.strip() for value in values if value is not None and value.strip()]
    answer = Answer()
    if question.kind in CHOICE_KINDS:
        known = {str(option.id): option.id for option in question.options}
        if any(value not in known for value in values):
            raise ServiceError(_l("Choose one of the choices given."), field=name)
        chosen = list(dict.fromkeys(known[value] for value in values))
        if question.kind == Kind.SINGLE and len(chosen) > 1:
            raise ServiceError(_l("Choose only one."), field=name)
        answer.option_ids = chosen
    elif question.kind == Kind.SCALE:
        if len(values) > 1 or any(value not in {str(v) for v in SCALE_VALUES} for value in values):
            raise ServiceError(_l("Choose a number from 1 to 5."), field=name)
        answer.scale = int(values[0]) if values else None
    else:
        text = "\n".join(values)
        if len(text) > TEXT_ANSWER_MAX:
            raise ServiceError(_l("The text is too long."), field=name)
        answer.text = text
    if question.required and answer.is_empty:
        raise ServiceError(_l("Answer this question."), field=name)
    return answer


def own_response(user: User, survey: Survey) -> SurveyResponse | None:
    """Return the person's response with its answers, or None."""
    return db.session.scalar(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id)
        .options(selectinload(SurveyResponse.answers))
    )


def previous_answers(user: User, survey: Survey) -> dict[int, list[str]]:
    """Return the person's earlier answers as the form sends them, by question id."""
    response = own_response(user, survey)
    if response is None:
        return {}
    answers: dict[int, list[str]] = defaultdict(list)
    for answer in response.answers:
        if answer.option_id is not None:
            answers[answer.question_id].append(str(answer.option_id))
        elif answer.scale_value is not None:
            answers[answer.question_id].append(str(answer.scale_value))
        elif answer.text:
            answers[answer.question_id].append(answer.text)
    return dict(answers)


def submit_answers(
    user: User,
    survey: Survey,
    sent: Mapping[int, Sequence[str]],
    *,
    shown_anonymous: bool | None,
) -> SurveyResponse:
    """Save the person's answers, replacing earlier ones.

    `shown_anonymous` is the anonymity the person was shown when they wrote the answers (None
    when unknown): answers are stored only under the anonymity their writer saw.

    Raises ServiceError when the survey is closed, its anonymity is not the one shown (the
    survey is reloaded, so the form can be shown again as it now is), or an answer is not valid.
    """
    if is_draft(survey):
        raise ServiceError(_l("The survey is not open yet."))
    if not is_open(survey):
        raise ServiceError(_l("The survey is closed; answers can no longer be given or changed."))
    # Read the anonymity as committed now, under the row lock save_survey also takes, so a
    # facilitator's change can't slip in between this check and the answers being stored.
    db.session.refresh(survey, ["anonymous"], with_for_update=True)
    if shown_anonymous is not survey.anonymous:
        if survey.anonymous:
            raise ServiceError(
                _l(
                    "The survey is now anonymous: the facilitators will see your answers "
                    "without your name. Read the notice, then send your answers again."
                )
            )
        raise ServiceError(
            _l(
                "The survey is no longer anonymous: the facilitators would see your name with "
                "your answers. Read the notice, then send your answers again if you still "
                "want to."
            )
        )
    checked = [
        (question, parse_answer(question, sent.get(question.id, ())))
        for question in survey.questions
    ]
    now = utcnow()
    # One response per person, even when the form is sent twice at the same moment.
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(SurveyResponse)
        .values(survey_id=survey.id, user_id=user.id, submitted_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=["survey_id", "user_id"])
    )
    response = db.session.scalar(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id, SurveyResponse.user_id == user.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert response is not None
    db.session.execute(delete(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    for question, answer in checked:
        for option_id in answer.option_ids:
            db.session.add(
                SurveyAnswer(response_id=response.id, question_id=question.id, option_id=option_id)
            )
        if answer.scale is not None:
            db.session.add(
                SurveyAnswer(
                    response_id=response.id, question_id=question.id, scale_value=answer.scale
                )
            )
        if answer.text:
            db.session.add(
                SurveyAnswer(response_id=response.id, question_id=question.id, text=answer.text)
            )
    response.updated_at = now
    db.session.flush()
    db.session.expire(response, ["answers"])
    return response


# --- results -------------------------------------------------------------------------------


@dataclass
class OptionTotal:
    """How many chose one option."""

    label: str
    count: int
    percent: int


@dataclass
class TextAnswer:
    """A free-text answer, with its writer's name unless the survey is anonymous."""

    text: str
    name: str | None = None


@dataclass
class QuestionResult:
    """The totals of one question."""

    question: SurveyQuestion
    answered: int = 0
    options: list[OptionTotal] = field(default_factory=list)
    scale: list[OptionTotal] = field(default_factory=list)
    average: float | None = None
    texts: list[TextAnswer] = field(default_factory=list)


@dataclass
class SurveyResults:
    """The totals of a survey, and (for facilitators) its free-text answers."""

    survey: Survey
    respondents: int
    questions: list[QuestionResult]


def _percent(count: int, total: int) -> int:
    """Return count as a whole percentage of total (0 when nobody answered)."""
    return round(100 * count / total) if total else 0


def results(survey: Survey, with_texts: bool) -> SurveyResults:
    """Return the survey's totals; free texts only when asked, names only when not anonymous.

    Runs a fixed number of queries whatever the number of answers.
    """
    rows = db.session.execute(
        select(
            SurveyAnswer.question_id,
            SurveyAnswer.response_id,
            SurveyAnswer.option_id,
            SurveyAnswer.scale_value,
            SurveyAnswer.text,
            User.name,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(User, User.id == SurveyResponse.user_id)
        .where(SurveyResponse.survey_id == survey.id)
        .order_by(User.name, SurveyAnswer.id)
    )
    answered: dict[int, set[int]] = defaultdict(set)
    options: Counter[int] = Counter()
    scales: dict[int, Counter[int]] = defaultdict(Counter)
    texts: dict[int, list[TextAnswer]] = defaultdict(list)
    for question_id, response_id, option_id, scale_value, text, name in rows:
        answered[question_id].add(response_id)
        if option_id is not None:
            options[option_id] += 1
        elif scale_value is not None:
            scales[question_id][scale_value] += 1
        elif text and with_texts:
            shown_name = None if survey.anonymous else name
            texts[question_id].append(TextAnswer(text=text, name=shown_name))
    results_by_question = []
    for question in survey.questions:
        result = QuestionResult(question=question, answered=len(answered[question.id]))
        if question.kind in CHOICE_KINDS:
            result.options = [
                OptionTotal(
                    option.label, options[option.id], _percent(options[option.id], result.answered)
                )
                for option in question.options
            ]
        elif question.kind == Kind.SCALE:
            counts = scales[question.id]
            total = sum(counts.values())
            result.scale = [
                OptionTotal(str(value), counts[value], _percent(counts[value], total))
                for value in SCALE_VALUES
            ]
            if total:
                result.average = sum(value * n for value, n in counts.items()) / total
        else:
            found = texts[question.id]
            # Anonymous texts in alphabetical order, so their order gives nobody away.
            result.texts = sorted(found, key=lambda t: t.text) if survey.anonymous else found
        results_by_question.append(result)
    return SurveyResults(
        survey=survey, respondents=respondent_count(survey), questions=results_by_question
    )


def results_csv(survey: Survey) -> bytes:
    """Return every response as a row, one column per question (UTF-8 with a byte order mark).

    An anonymous survey has no name column, and its rows are sorted by their answers.
    """
    responses = db.session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .options(selectinload(SurveyResponse.answers), selectinload(SurveyResponse.user))
    )
    labels = {option.id: option.label for q in survey.questions for option in q.options}
    rows: list[list[str]] = []
    for response in responses:
        by_question: dict[int, list[str]] = defaultdict(list)
        for answer in sorted(response.answers, key=lambda a: a.id):
            if answer.option_id is not None:
                by_question[answer.question_id].append(labels.get(answer.option_id, ""))
            elif answer.scale_value is not None:
                by_question[answer.question_id].append(str(answer.scale_value))
            elif answer.text:
                by_question[answer.question_id].append(answer.text)
        cells = [", ".join(by_question[q.id]) for q in survey.questions]
        if not survey.anonymous:
            cells.insert(0, response.user.name)
        rows.append(cells)
    rows.sort()
    header = [question.prompt for question in survey.questions]
    if not survey.anonymous:
        header.insert(0, _("Name"))
    return csv_bytes(header, rows)
