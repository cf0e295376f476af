"""Network meetings, RSVPs, the needs survey, and reminders already sent."""

from __future__ import annotations

from datetime import date, datetime, time

from markupsafe import Markup
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.extensions import Model
from forum.models.accounts import User
from forum.models.base import utcnow
from forum.models.vocabulary import QuestionKind, ReminderKind, enum_column


class Meeting(Model):
    """A network meeting (netværksmøde), held in a different town each time."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    # Local (Europe/Copenhagen) date and times, as the invitation states them.
    date: Mapped[date] = mapped_column(index=True)
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    venue: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(120), default="")
    host_library: Mapped[str] = mapped_column(String(200), default="")
    agenda_md: Mapped[str] = mapped_column(Text, default="")
    agenda_html: Mapped[str] = mapped_column(Text, default="")
    agenda_render_version: Mapped[int] = mapped_column(default=0)
    practical_md: Mapped[str] = mapped_column(Text, default="")
    practical_html: Mapped[str] = mapped_column(Text, default="")
    practical_render_version: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def agenda(self) -> Markup:
        """Return the stored, sanitised agenda HTML."""
        return Markup(self.agenda_html)  # noqa: S704 (sanitised by forum.markdown on save)

    @property
    def practical(self) -> Markup:
        """Return the stored, sanitised practical notes HTML."""
        return Markup(self.practical_html)  # noqa: S704 (sanitised by forum.markdown on save)


class Rsvp(Model):
    """A member's answer to a meeting invitation, with needs for the catering."""

    __tablename__ = "rsvps"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    attending: Mapped[bool]
    dietary_needs: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped[User] = relationship()


class Survey(Model):
    """A needs survey attached to a meeting."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    # UTC. None while the facilitators build it: members neither see nor answer a draft.
    opened_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]  # UTC; None = open until closed by hand
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position"
    )

    def takes_answers(self, now: datetime) -> bool:
        """Return whether answers are taken: opened, not closed by hand, closing time not passed."""
        if self.opened_at is None or self.closed_at is not None:
            return False
        return self.closes_at is None or now < self.closes_at


class SurveyQuestion(Model):
    """One question: single choice, multiple choice, a 1–5 scale, or free text."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind))
    prompt: Mapped[str] = mapped_column(String(500))
    required: Mapped[bool] = mapped_column(default=False)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    options: Mapped[list[SurveyOption]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="SurveyOption.position"
    )


class SurveyOption(Model):
    """A choice of a single- or multiple-choice question."""

    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(300))

    question: Mapped[SurveyQuestion] = relationship(back_populates="options")


class SurveyResponse(Model):
    """One member's answers to a survey (one per member; changeable until it closes)."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan"
    )


class SurveyAnswer(Model):
    """An answer to one question: a chosen option, a scale value or a text."""

    __tablename__ = "survey_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), index=True
    )
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_options.id", ondelete="CASCADE"), index=True
    )
    scale_value: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text, default="")

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class ReminderSent(Model):
    """A reminder already emailed, so each goes at most once per member, meeting and kind."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "meeting_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    kind: Mapped[ReminderKind] = mapped_column(enum_column(ReminderKind))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class RsvpReminder(Model):
    """A facilitator's reminder to those who had not answered a meeting's invitation.

    At most one per meeting and Copenhagen day: the unique key refuses a second one.
    """

    __tablename__ = "rsvp_reminders"
    __table_args__ = (UniqueConstraint("meeting_id", "sent_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    sent_on: Mapped[date]  # the day in Copenhagen
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recipients: Mapped[int] = mapped_column(default=0)

    sent_by: Mapped[User | None] = relationship()
