"""Forms of the meetings blueprint: they validate input, the services save it."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)

# WTForms 3.3 added SelectChoice; types-WTForms (3.2) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from forum.forms import Form
from forum.models import QuestionKind, RsvpAnswer, Survey
from forum.services import ServiceError
from forum.services import meetings as meeting_service
from forum.services import surveys as survey_service

# Dates and times as a date/time input sends them, or as a Dane types them without one.
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]


def _strip(value: str | None) -> str | None:
    """Return the value without surrounding whitespace."""
    return value.strip() if isinstance(value, str) else value


class _Parsed(Field):
    """Mixin: a date or time field whose unreadable input gets our own message."""

    invalid_message: Any = None

    def process_formdata(self, valuelist: list[str]) -> None:
        """Read the value; an empty one is None, an unreadable one an error in our words."""
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()])
        except ValueError as error:
            self.data = None
            raise ValueError(str(self.invalid_message)) from error


class LocalDateField(_Parsed, DateField):
    """A date (type="date"), also read as 31-12-2025, 31.12.2025 or 31/12/2025."""

    invalid_message = _l("Write the date as 31-12-2025.")

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=DATE_FORMATS, **kwargs)


class LocalTimeField(_Parsed, TimeField):
    """A time of day (type="time"), also read as 10.00."""

    invalid_message = _l("Write the time as 10:00.")

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        super().__init__(label, validators, format=TIME_FORMATS, **kwargs)


def _required(message: Any) -> list[Any]:
    """Return validators that ask for a value with the message."""
    return [InputRequired(message=message)]


class MeetingForm(Form):
    """Plan or edit a meeting: when, where, who hosts, the agenda and practical notes."""

    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the meeting a title.")),
            Length(max=meeting_service.TITLE_MAX, message=_l("The title is too long.")),
        ],
    )
    date = LocalDateField(_l("Date"), validators=_required(_l("Choose the date of the meeting.")))
    starts_at = LocalTimeField(
        _l("Starts at"),
        default=meeting_service.DEFAULT_START,
        validators=_required(_l("Give the time the meeting starts.")),
    )
    ends_at = LocalTimeField(
        _l("Ends at"),
        default=meeting_service.DEFAULT_END,
        validators=_required(_l("Give the time the meeting ends.")),
    )
    venue = StringField(_l("Venue"), filters=[_strip], validators=[Length(max=200)])
    address = StringField(_l("Address"), filters=[_strip], validators=[Length(max=200)])
    town = StringField(_l("Town"), filters=[_strip], validators=[Length(max=120)])
    host_library = StringField(_l("Host library"), filters=[_strip], validators=[Length(max=200)])
    agenda = TextAreaField(
        _l("Agenda"),
        validators=[Length(max=meeting_service.TEXT_MAX, message=_l("The text is too long."))],
        render_kw={"rows": 12},
    )
    practical = TextAreaField(
        _l("Practical notes"),
        validators=[Length(max=meeting_service.TEXT_MAX, message=_l("The text is too long."))],
        render_kw={"rows": 6},
    )

    def details(self) -> meeting_service.MeetingDetails:
        """Return what was written, for the service to check and save."""
        return meeting_service.MeetingDetails(
            title=self.title.data or "",
            date=self.date.data,
            starts_at=self.starts_at.data,
            ends_at=self.ends_at.data,
            venue=self.venue.data or "",
            address=self.address.data or "",
            town=self.town.data or "",
            host_library=self.host_library.data or "",
            agenda=self.agenda.data or "",
            practical=self.practical.data or "",
        )


ATTENDING = RsvpAnswer.YES.value
NOT_ATTENDING = RsvpAnswer.NO.value


class RsvpForm(Form):
    """Say whether one comes, with needs for the catering and a note."""

    attending = RadioField(
        _l("Will you come?"),
        choices=[
            SelectChoice(ATTENDING, _l("Yes, I will come")),
            SelectChoice(NOT_ATTENDING, _l("No, I cannot come")),
        ],
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Say whether you will come.")),
            AnyOf([ATTENDING, NOT_ATTENDING], message=_l("Say whether you will come.")),
        ],
    )
    dietary_needs = StringField(
        _l("Dietary needs"),
        filters=[_strip],
        validators=[Length(max=meeting_service.DIETARY_MAX, message=_l("The text is too long."))],
    )
    note = TextAreaField(
        _l("Note to the organisers"),
        filters=[_strip],
        validators=[Length(max=meeting_service.NOTE_MAX, message=_l("The text is too long."))],
        render_kw={"rows": 3},
    )


class SurveyForm(Form):
    """A survey's title, introduction, anonymity and last day to answer."""

    title = StringField(
        _l("Title"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the survey a title.")),
            Length(max=survey_service.TITLE_MAX, message=_l("The title is too long.")),
        ],
    )
    intro = TextAreaField(
        _l("Introduction"),
        filters=[_strip],
        validators=[Length(max=survey_service.INTRO_MAX, message=_l("The text is too long."))],
        render_kw={"rows": 4},
    )
    anonymous = BooleanField(_l("Anonymous: facilitators see the answers without names"))
    last_day = LocalDateField(_l("Last day to answer (optional)"))


QUESTION_KIND_LABELS = {
    QuestionKind.SINGLE.value: _l("Single choice"),
    QuestionKind.MULTIPLE.value: _l("Multiple choice"),
    QuestionKind.SCALE.value: _l("Scale from 1 to 5"),
    QuestionKind.TEXT.value: _l("Free text"),
}


class QuestionForm(Form):
    """Add or change a question: its kind, the question itself, and choices one per line."""

    kind = RadioField(
        _l("Kind of question"),
        choices=[SelectChoice(kind, label) for kind, label in QUESTION_KIND_LABELS.items()],
        default=QuestionKind.SINGLE.value,
        validate_choice=False,
        validators=[
            InputRequired(message=_l("Choose the kind of question.")),
            AnyOf(survey_service.KINDS, message=_l("Choose the kind of question.")),
        ],
    )
    prompt = StringField(
        _l("Question"),
        filters=[_strip],
        validators=[
            DataRequired(message=_l("Write the question.")),
            Length(max=survey_service.PROMPT_MAX, message=_l("The question is too long.")),
        ],
    )
    options = TextAreaField(_l("Choices, one per line"), render_kw={"rows": 5})
    required = BooleanField(_l("An answer is required"))


class CloseSurveyForm(Form):
    """Open a survey (the first time or again), or close it now."""

    action = StringField(
        validators=[AnyOf(["open", "close", "reopen"], message=_l("Choose to close or reopen."))]
    )


class _CheckboxesField(SelectMultipleField):
    """Choices as checkboxes; the template renders them in a fieldset."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# The values of the answer form's hidden `anonymous` field.
ANONYMOUS_SHOWN = "1"
NAMED_SHOWN = "0"


class SurveyAnswerForm(Form):
    """A person's answers to a survey: one field per question, named q<id>.

    Build it with `for_survey`; the service checks each answer, and a refusal shows on the
    question it concerns, all at once.
    """

    survey: Survey
    # The anonymity the person was shown, sent back so the service can refuse answers written
    # under another one. The template writes it from the survey as it is now, not from this
    # field, so a form shown again after a refusal carries the current anonymity.
    anonymous = HiddenField()

    @classmethod
    def for_survey(
        cls, survey: Survey, earlier: dict[int, list[str]] | None = None
    ) -> SurveyAnswerForm:
        """Return a form for the survey's questions, filled in with earlier answers."""
        earlier = earlier or {}

        class Form(cls):  # type: ignore[valid-type,misc]
            pass

        data: dict[str, Any] = {}
        for question in survey.questions:
            name = survey_service.field_name(question)
            setattr(Form, name, _question_field(question))
            values = earlier.get(question.id, [])
            if question.kind == QuestionKind.MULTIPLE:
                data[name] = values
            else:
                data[name] = values[0] if values else None
        form = Form(data=data)
        form.survey = survey
        return form

    def question_field(self, question_id: int) -> Field:
        """Return the field of a question."""
        return self[survey_service.field_name(question_id)]

    def anonymity_value(self) -> str:
        """Return the hidden field's value for the survey's anonymity as it is now."""
        return ANONYMOUS_SHOWN if self.survey.anonymous else NAMED_SHOWN

    def shown_anonymous(self) -> bool | None:
        """Return the anonymity the form was shown with, or None when it was not sent."""
        return {ANONYMOUS_SHOWN: True, NAMED_SHOWN: False}.get(self.anonymous.data or "")

    def answers(self) -> dict[int, list[str]]:
        """Return what was sent, by question id, as lists of values."""
        sent: dict[int, list[str]] = {}
        for question in self.survey.questions:
            data = self.question_field(question.id).data
            if isinstance(data, list):
                sent[question.id] = [str(value) for value in data]
            else:
                sent[question.id] = [str(data)] if data not in (None, "") else []
        return sent

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the token and each answer, showing every refusal on its question."""
        valid = super().validate(extra_validators)
        sent = self.answers()
        for question in self.survey.questions:
            try:
                survey_service.parse_answer(question, sent[question.id])
            except ServiceError as error:
                field = self.question_field(question.id)
                field.errors = [*field.errors, error.message]
                valid = False
        return valid


def _question_field(question: Any) -> Field:
    """Return an unbound field for one question (values are checked by the service)."""
    label = question.prompt
    options = [SelectChoice(str(option.id), option.label) for option in question.options]
    if question.kind == QuestionKind.SINGLE:
        return RadioField(label, choices=options, validate_choice=False)
    if question.kind == QuestionKind.MULTIPLE:
        return _CheckboxesField(label, choices=options, validate_choice=False)
    if question.kind == QuestionKind.SCALE:
        scale = [SelectChoice(str(value), str(value)) for value in survey_service.SCALE_VALUES]
        return RadioField(label, choices=scale, validate_choice=False)
    return TextAreaField(label, render_kw={"rows": 4})
