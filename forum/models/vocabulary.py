"""The fixed vocabularies stored in the models: roles, visibilities, statuses and kinds.

Each is defined here once and used by models, services, forms and templates (templates get
them as globals, see forum.web). They are StrEnums, so a member equals its stored string.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


class Role(StrEnum):
    """The three roles of the network."""

    MEMBER = "member"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


class Visibility(StrEnum):
    """Who may see a thread."""

    NETWORK = "network"  # every active member
    CIRCLE = "circle"  # the author, the members they named, and the facilitators
    FACILITATORS = "facilitators"  # the author and the facilitators (and admins)


class CommitmentVisibility(StrEnum):
    """Who sees a commitment."""

    NETWORK = "network"  # shared with the network
    FACILITATORS = "facilitators"  # kept between the member and the facilitators


class CommitmentStatus(StrEnum):
    """Where a commitment stands."""

    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    PAUSED = "paused"
    DROPPED = "dropped"


class RsvpAnswer(StrEnum):
    """What a member answers to a meeting invitation (stored as Rsvp.attending)."""

    YES = "yes"
    NO = "no"


class QuestionKind(StrEnum):
    """The kinds of question a survey can ask."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    SCALE = "scale"
    TEXT = "text"


class ReportResolution(StrEnum):
    """How a facilitator handled a report."""

    OPEN = ""  # not handled yet
    HIDDEN = "hidden"  # the post was hidden
    DISMISSED = "dismissed"  # the post stays


class ReminderKind(StrEnum):
    """The reminders sent once per person and meeting."""

    RSVP = "rsvp"
    COMMITMENTS = "commitments"


def enum_column(vocabulary: type[StrEnum], length: int = 20) -> Enum:
    """Return the column type storing a vocabulary's values as plain VARCHAR(length).

    No database enum type and no CHECK constraint, so adding a value needs no migration;
    loading gives the enum member, and an unknown stored value raises LookupError.
    """
    return Enum(
        vocabulary,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        # An unknown string in a query matches nothing instead of raising.
        validate_strings=False,
    )
