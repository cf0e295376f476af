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


class InvitationStatus(StrEnum):
    """Where an invitation stands (worked out from its dates, not stored)."""

    OPEN = "open"  # the link works
    EXPIRED = "expired"  # not used in time; it can be sent again
    ACCEPTED = "accepted"  # used: the account exists
    REVOKED = "revoked"  # withdrawn by a facilitator or an administrator


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


class SearchKind(StrEnum):
    """What a row of the search index stands for."""

    THREAD = "thread"  # a thread's title and its opening post
    POST = "post"  # a reply
    COMMITMENT = "commitment"  # a commitment's title and why
    LOG_ENTRY = "log_entry"  # an update on a commitment
    COMMENT = "comment"  # a comment on a commitment
    RESOURCE = "resource"  # a resource's title, description and file text
    MEETING = "meeting"  # a meeting's title, place, agenda and practical notes
    MEMBER = "member"  # a profile: name, job, library, bio (for "colleagues")


class TextState(StrEnum):
    """Where reading an uploaded file's text for search stands (done by the worker)."""

    PENDING = "pending"  # waiting for the worker
    DONE = "done"  # read (possibly empty: a scanned PDF has no text)
    FAILED = "failed"  # could not be read; text_error says why
    NONE = "none"  # nothing to read (an image)


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


class NotificationKind(StrEnum):
    """What a notification tells its reader about."""

    REPLY = "reply"  # a reply in a thread I started, posted in or follow
    MENTION = "mention"  # someone wrote my @handle
    CIRCLE_ADDED = "circle_added"  # I was named into a confidential circle
    CIRCLE_REMOVED = "circle_removed"  # I was taken out of one
    NEW_THREAD = "new_thread"  # a new thread in a theme I follow
    COMMITMENT_COMMENT = "commitment_comment"  # a comment on my commitment
    HELP_REPLY = "help_reply"  # a reply to my request for help
    POST_HIDDEN = "post_hidden"  # a moderator hid my post
    POST_EDITED = "post_edited"  # a moderator edited my post
    POST_RESTORED = "post_restored"  # a moderator showed my post again
    MEETING_PUBLISHED = "meeting_published"
    MEETING_CHANGED = "meeting_changed"  # its date, time or place changed
    RSVP_REMINDER = "rsvp_reminder"  # a facilitator asks me to answer the invitation
    SURVEY_OPENED = "survey_opened"
    SURVEY_CLOSING = "survey_closing"  # closes within three days
    REPORT_ANSWERED = "report_answered"  # a facilitator handled my report
    NEW_RESOURCE = "new_resource"  # a new resource in a theme I follow


class ResourceKind(StrEnum):
    """What a resource in the library is."""

    FILE = "file"  # an uploaded file, kept in versions
    LINK = "link"  # an address on the web


class ResourceVisibility(StrEnum):
    """Who sees a resource."""

    NETWORK = "network"  # every active member
    FACILITATORS = "facilitators"  # facilitators and admins (and who added it), while prepared


class EmailTopic(StrEnum):
    """The groups of notification a person chooses email delivery for."""

    REPLIES = "replies"
    MENTIONS = "mentions"
    CIRCLES = "circles"
    MODERATION = "moderation"
    NEW_THREADS = "new_threads"
    COMMITMENTS = "commitments"
    MEETINGS = "meetings"
    SURVEYS = "surveys"
    REPORTS = "reports"


class EmailDelivery(StrEnum):
    """When notifications of a topic go out by email."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"


class WatchLevel(StrEnum):
    """How closely a person follows a thread or a theme."""

    WATCHING = "watching"  # følg: every reply (thread) or every new thread (theme)
    NORMAL = "normal"  # mentions; replies only in threads one took part in (no choice made)
    MUTED = "muted"  # slå fra: nothing, not even mentions (moderators' actions still come)


class DigestPeriod(StrEnum):
    """The periods a digest email covers."""

    DAILY = "daily"
    WEEKLY = "weekly"


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


# Which email topic each kind of notification belongs to.
TOPIC_OF_KIND: dict[NotificationKind, EmailTopic] = {
    NotificationKind.REPLY: EmailTopic.REPLIES,
    NotificationKind.HELP_REPLY: EmailTopic.REPLIES,
    NotificationKind.MENTION: EmailTopic.MENTIONS,
    NotificationKind.CIRCLE_ADDED: EmailTopic.CIRCLES,
    NotificationKind.CIRCLE_REMOVED: EmailTopic.CIRCLES,
    NotificationKind.NEW_THREAD: EmailTopic.NEW_THREADS,
    NotificationKind.COMMITMENT_COMMENT: EmailTopic.COMMITMENTS,
    NotificationKind.POST_HIDDEN: EmailTopic.MODERATION,
    NotificationKind.POST_EDITED: EmailTopic.MODERATION,
    NotificationKind.POST_RESTORED: EmailTopic.MODERATION,
    NotificationKind.MEETING_PUBLISHED: EmailTopic.MEETINGS,
    NotificationKind.MEETING_CHANGED: EmailTopic.MEETINGS,
    NotificationKind.RSVP_REMINDER: EmailTopic.MEETINGS,
    NotificationKind.SURVEY_OPENED: EmailTopic.SURVEYS,
    NotificationKind.SURVEY_CLOSING: EmailTopic.SURVEYS,
    NotificationKind.REPORT_ANSWERED: EmailTopic.REPORTS,
    NotificationKind.NEW_RESOURCE: EmailTopic.NEW_THREADS,
}

# Replies to me, mentions, circles and moderation of my posts go at once; the rest weekly.
DEFAULT_DELIVERY: dict[EmailTopic, EmailDelivery] = {
    topic: (
        EmailDelivery.IMMEDIATELY
        if topic
        in (EmailTopic.REPLIES, EmailTopic.MENTIONS, EmailTopic.CIRCLES, EmailTopic.MODERATION)
        else EmailDelivery.WEEKLY
    )
    for topic in EmailTopic
}
