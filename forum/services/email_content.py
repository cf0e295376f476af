"""What goes into each queued email: its template's context, loaded when the worker sends it.

An OutboxEmail stores only ids and plain values. Here the worker turns them back into
objects, asks forum.permissions whether the reader may still see what a notification points
at, and decides what an email may say. Text from a circle or facilitators-only thread, a
private commitment or a hidden post never enters an email: only that something is new, and
a link to where the reader may see it after logging in.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import nh3
from flask_babel import gettext as _

from forum import dates, permissions
from forum.extensions import Model, db
from forum.models import (
    Commitment,
    Invitation,
    Meeting,
    Notification,
    OutboxEmail,
    Post,
    Report,
    Resource,
    Survey,
    Thread,
    User,
)
from forum.models.vocabulary import (
    TOPIC_OF_KIND,
    CommitmentVisibility,
    NotificationKind,
    ResourceVisibility,
)
from forum.punctuation import end_sentence, without_final_stop
from forum.services.mail import site_url
from forum.services.unsubscribe import make_token

EXCERPT_LENGTH = 300

# Context keys stored as ids that the worker loads as objects (key without "_id").
LOADABLE: dict[str, type[Model]] = {
    "invitation_id": Invitation,
    "inviter_id": User,
    "meeting_id": Meeting,
}

MODERATION_KINDS = frozenset(
    {NotificationKind.POST_HIDDEN, NotificationKind.POST_EDITED, NotificationKind.POST_RESTORED}
)

# The reader need not see the thread of these any more: they are about losing access to it.
ABOUT_LOST_ACCESS = frozenset({NotificationKind.CIRCLE_REMOVED})


class Drop(Exception):
    """The email must not go: what it is about is gone, or the reader may no longer see it."""


@dataclass
class NotificationText:
    """What a notification email says: a subject, a sentence, maybe an excerpt, a link."""

    subject: str
    message: str
    link: str
    excerpt: str = ""
    reason: str = ""


def plain_excerpt(body_html: str, length: int = EXCERPT_LENGTH) -> str:
    """Return the rendered post as one line of plain text, cut at a word near `length`."""
    text = html.unescape(nh3.clean(body_html, tags=set()))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + " …"


def unsubscribe_headers(link: str) -> dict[str, str]:
    """Return the RFC 8058 one-click unsubscribe headers for a link."""
    return {
        "List-Unsubscribe": f"<{link}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _load(model: type[Model], ident: object) -> Model:
    """Return the row with the id. Raises Drop when it no longer exists."""
    row = db.session.get(model, ident) if isinstance(ident, int) else None
    if row is None:
        raise Drop(f"{model.__name__} {ident!r} no longer exists")
    return row


def plain_context(email: OutboxEmail) -> dict[str, object]:
    """Return a plain template's context: stored values, ids loaded as objects, the reader.

    Raises Drop when a row it refers to was deleted meanwhile.
    """
    context: dict[str, object] = {}
    for key, value in (email.context or {}).items():
        model = LOADABLE.get(key)
        if model is None:
            context[key] = value
        else:
            context[key.removesuffix("_id")] = _load(model, value)
    if email.user_id is not None:
        context["user"] = _load(User, email.user_id)
    return context


def _check_access(reader: User, note: Notification) -> None:
    """Raise Drop unless the reader may still see everything the notification points at."""
    if note.kind not in ABOUT_LOST_ACCESS:
        if note.post_id is not None and not permissions.can_see_post(reader, note.post_id):
            raise Drop("the reader may no longer see the post")
        if note.thread_id is not None and not permissions.can_see_thread(reader, note.thread_id):
            raise Drop("the reader may no longer see the thread")
    if note.commitment_id is not None and not permissions.can_see_commitment(
        reader, note.commitment_id
    ):
        raise Drop("the reader may no longer see the commitment")
    if note.resource_id is not None and not permissions.can_see_resource(reader, note.resource_id):
        raise Drop("the reader may no longer see the resource")
    if note.report_id is not None:
        report = db.session.get(Report, note.report_id)
        if report is None or report.reporter_id != reader.id:
            raise Drop("the report is not the reader's")


def _thread_text(note: Notification, thread: Thread, post: Post | None) -> NotificationText:
    """Return the words of a notification about a thread or a post in it."""
    link = (
        site_url("threads.post", post_id=post.id)
        if post is not None
        else site_url("threads.thread", thread_id=thread.id)
    )
    actor = note.actor.name if note.actor is not None else _("Someone")
    kind = note.kind
    if kind in (
        NotificationKind.POST_HIDDEN,
        NotificationKind.POST_EDITED,
        NotificationKind.POST_RESTORED,
    ):
        return _moderation_text(note, thread, link)
    if kind == NotificationKind.CIRCLE_ADDED:
        # A circle is confidential by nature: neither its title nor who added whom.
        return NotificationText(
            _("You were added to a confidential thread"),
            _("You have been added to the circle of a confidential thread in the network forum."),
            link,
        )
    if not permissions.is_quotable_in_email(thread, post):
        subjects = {
            NotificationKind.REPLY: _("New reply in a confidential thread"),
            NotificationKind.HELP_REPLY: _("New reply in a confidential thread"),
            NotificationKind.MENTION: _("You were mentioned in a confidential thread"),
            NotificationKind.NEW_THREAD: _("New confidential thread"),
        }
        subject = subjects.get(kind, _("Something new in a confidential thread"))
        return NotificationText(
            subject,
            _(
                "There is something new for you in a confidential thread you have access to. "
                "Log in to read it."
            ),
            link,
        )
    excerpt = plain_excerpt(post.body_html) if post is not None else ""
    title = thread.title
    texts = {
        NotificationKind.REPLY: _("%(actor)s replied in “%(title)s”", actor=actor, title=title),
        NotificationKind.HELP_REPLY: _(
            "%(actor)s answered your request for help in “%(title)s”", actor=actor, title=title
        ),
        NotificationKind.MENTION: _(
            "%(actor)s mentioned you in “%(title)s”", actor=actor, title=title
        ),
        NotificationKind.NEW_THREAD: _(
            "%(actor)s started “%(title)s” in %(theme)s",
            actor=actor,
            title=title,
            theme=thread.theme.name,
        ),
    }
    subject = texts.get(kind, _("Something new in “%(title)s”", title=title))
    return NotificationText(subject, end_sentence(subject), link, excerpt=excerpt)


def _moderation_text(note: Notification, thread: Thread, link: str) -> NotificationText:
    """Return the words telling an author that a moderator hid, edited or restored their post."""
    # The post's own words never go (a hidden one may not be quoted at all); the thread's
    # title and the moderator's reason only when the thread is open to the whole network.
    quotable = permissions.is_quotable_in_email(thread)
    if quotable:
        where = {
            NotificationKind.POST_HIDDEN: _(
                "A moderator hid your post in “%(title)s”", title=thread.title
            ),
            NotificationKind.POST_EDITED: _(
                "A moderator edited your post in “%(title)s”", title=thread.title
            ),
            NotificationKind.POST_RESTORED: _(
                "A moderator showed your post in “%(title)s” again", title=thread.title
            ),
        }
    else:
        where = {
            NotificationKind.POST_HIDDEN: _("A moderator hid your post in a confidential thread"),
            NotificationKind.POST_EDITED: _(
                "A moderator edited your post in a confidential thread"
            ),
            NotificationKind.POST_RESTORED: _(
                "A moderator showed your post in a confidential thread again"
            ),
        }
    subject = where[note.kind]
    message = end_sentence(subject)
    if note.reason and not quotable:
        message += " " + _("Open the link to read the moderator's reason.")
    return NotificationText(subject, message, link, reason=note.reason if quotable else "")


def _meeting_text(note: Notification, meeting: Meeting) -> NotificationText:
    """Return the words of a notification that a meeting was published or changed, or that a
    facilitator asks for an answer to its invitation."""
    link = site_url("meetings.meeting", meeting_id=meeting.id)
    when = dates.day_text(meeting.date)
    place = without_final_stop(meeting.town or meeting.venue)
    if note.kind == NotificationKind.RSVP_REMINDER:
        subject = _(
            "Please answer the invitation to %(title)s", title=without_final_stop(meeting.title)
        )
        message = _(
            "The network meeting %(title)s is on %(date)s, and we have not yet heard whether "
            "you will come.",
            title=without_final_stop(meeting.title),
            date=when,
        )
        message += " " + _(
            "Please answer the invitation, so the host can plan the room and the food."
        )
        return NotificationText(subject, message, link)
    if note.kind == NotificationKind.MEETING_CHANGED:
        subject = _("The network meeting %(title)s has changed", title=meeting.title)
    else:
        subject = _("New network meeting: %(title)s", title=meeting.title)
    if place:
        message = _("It takes place on %(date)s in %(place)s.", date=when, place=place)
    else:
        message = _("It takes place on %(date)s.", date=when)
    return NotificationText(subject, message, link)


def _survey_text(note: Notification, survey: Survey) -> NotificationText:
    """Return the words of a notification that a survey opened or closes soon."""
    link = site_url("meetings.survey", meeting_id=survey.meeting_id)
    if note.kind == NotificationKind.SURVEY_CLOSING and survey.closes_at is not None:
        subject = _("The survey “%(title)s” closes soon", title=survey.title)
        message = _(
            "It closes on %(date)s. Your answers help the facilitators plan the meeting.",
            date=dates.day_text(survey.closes_at),
        )
    else:
        subject = _("Please answer the survey “%(title)s”", title=survey.title)
        message = _("Your answers help the facilitators plan the meeting.")
    return NotificationText(subject, message, link)


def _commitment_text(note: Notification, commitment: Commitment) -> NotificationText:
    """Return the words of a notification about a comment on one's commitment, or about a
    mention in a commitment's check-in or comment."""
    link = site_url("actions.commitment", commitment_id=commitment.id)
    if note.kind == NotificationKind.MENTION:
        if commitment.visibility != CommitmentVisibility.NETWORK:
            subject = _("You were mentioned in a commitment")
            return NotificationText(subject, _("Log in to read it."), link)
        actor = note.actor.name if note.actor is not None else _("Someone")
        subject = _(
            "%(actor)s mentioned you at the commitment “%(title)s”",
            actor=actor,
            title=commitment.title,
        )
        return NotificationText(subject, end_sentence(subject), link)
    if commitment.visibility != CommitmentVisibility.NETWORK:
        subject = _("New comment on your commitment")
        return NotificationText(subject, _("Log in to read it."), link)
    actor = note.actor.name if note.actor is not None else _("Someone")
    subject = _(
        "%(actor)s commented on your commitment “%(title)s”", actor=actor, title=commitment.title
    )
    return NotificationText(subject, end_sentence(subject), link)


def _resource_text(note: Notification, resource: Resource) -> NotificationText:
    """Return the words of a notification that a resource was added to a followed theme.

    A resource kept for the facilitators is never named by title in an email: only that
    something is new in the library, and a link.
    """
    link = site_url("library.resource", resource_id=resource.id)
    if resource.visibility != ResourceVisibility.NETWORK:
        subject = _("New resource in the library")
        return NotificationText(
            subject, _("There is a new resource in a theme you follow. Log in to see it."), link
        )
    actor = note.actor.name if note.actor is not None else _("Someone")
    subject = _("%(actor)s added “%(title)s” to the library", actor=actor, title=resource.title)
    return NotificationText(subject, end_sentence(subject), link)


def notification_text(reader: User, note: Notification) -> NotificationText:
    """Return what an email about the notification may say to the reader.

    Raises Drop when the reader may no longer see what it points at.
    """
    _check_access(reader, note)
    if note.kind in ABOUT_LOST_ACCESS:
        subject = _("You were taken out of a confidential thread")
        message = _("You no longer have access to a confidential thread in the network forum.")
        return NotificationText(subject, message, site_url("core.home"))
    if note.thread_id is not None:
        thread = _load(Thread, note.thread_id)
        post = db.session.get(Post, note.post_id) if note.post_id is not None else None
        assert isinstance(thread, Thread)
        return _thread_text(note, thread, post)
    if note.resource_id is not None:
        resource = _load(Resource, note.resource_id)
        assert isinstance(resource, Resource)
        return _resource_text(note, resource)
    if note.commitment_id is not None:
        commitment = _load(Commitment, note.commitment_id)
        assert isinstance(commitment, Commitment)
        return _commitment_text(note, commitment)
    if note.survey_id is not None:
        survey = _load(Survey, note.survey_id)
        assert isinstance(survey, Survey)
        return _survey_text(note, survey)
    if note.meeting_id is not None:
        meeting = _load(Meeting, note.meeting_id)
        assert isinstance(meeting, Meeting)
        return _meeting_text(note, meeting)
    if note.kind == NotificationKind.REPORT_ANSWERED:
        subject = _("Your report has been handled")
        message = _("A facilitator has looked at the post you reported. Thank you for telling us.")
        return NotificationText(subject, message, site_url("moderation.my_reports"))
    raise Drop(f"a {note.kind} notification points at nothing")


def notification_context(email: OutboxEmail) -> tuple[dict[str, object], dict[str, str]]:
    """Return the "notification" template's context and the email's extra headers.

    Raises Drop when the notification is gone or the reader may no longer see it.
    """
    if email.notification_id is None or email.user_id is None:
        raise Drop("the notification is gone")
    note = _load(Notification, email.notification_id)
    reader = _load(User, email.user_id)
    assert isinstance(note, Notification) and isinstance(reader, User)
    if note.user_id != reader.id or not reader.is_enabled:
        raise Drop("the reader is no longer the notification's, or no longer active")
    text = notification_text(reader, note)
    unsubscribe_link = site_url(
        "email.unsubscribe", token=make_token(reader.id, TOPIC_OF_KIND[note.kind])
    )
    context: dict[str, object] = {
        "user": reader,
        "note": text,
        "unsubscribe_link": unsubscribe_link,
        "preferences_link": site_url("email.preferences"),
    }
    return context, unsubscribe_headers(unsubscribe_link)
