"""Views of the notifications page, opening a notification, and following."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from forum.forms import parse_id
from forum.models import Notification, Theme, Thread
from forum.models.vocabulary import WatchLevel
from forum.notifications import bp
from forum.notifications.forms import MarkReadForm, ThemeWatchForm, ThreadWatchForm
from forum.permissions import access_theme, access_thread, is_member, me, not_found
from forum.services import notifications as notification_service


@bp.before_request
@login_required
def _members_only() -> None:
    """Keep every page of the blueprint for logged-in members."""


@bp.app_context_processor
def _bell() -> dict[str, Any]:
    """Offer templates the unread count for the bell, asked only where the header shows it."""

    def unread_notification_count() -> int:
        """Return how many notifications the logged-in person has not read (one query)."""
        if not is_member(current_user):
            return 0
        return notification_service.unread_count(me(), g.get("reading_thread"))

    def thread_watch_form(thread: Thread) -> ThreadWatchForm:
        """Return the follow form for a thread, showing the reader's current choice."""
        level = notification_service.effective_thread_level(me(), thread)
        return ThreadWatchForm(level=level.value, formdata=None)

    def theme_watch_form(theme: Theme) -> ThemeWatchForm:
        """Return the follow form for a theme, showing the reader's current choice."""
        level = notification_service.theme_watch_level(me(), theme.id)
        return ThemeWatchForm(level=level.value, formdata=None)

    return {
        "unread_notification_count": unread_notification_count,
        "thread_watch_form": thread_watch_form,
        "theme_watch_form": theme_watch_form,
    }


def target_of(notification: Notification) -> str:
    """Return where a notification leads: the post, thread, commitment, survey or meeting."""
    if notification.post_id is not None:
        return url_for("threads.post", post_id=notification.post_id)
    if notification.thread_id is not None:
        return url_for("threads.thread", thread_id=notification.thread_id)
    if notification.commitment_id is not None:
        return url_for("actions.commitment", commitment_id=notification.commitment_id)
    if notification.survey is not None:
        return url_for("meetings.survey", meeting_id=notification.survey.meeting_id)
    if notification.meeting_id is not None:
        return url_for("meetings.meeting", meeting_id=notification.meeting_id)
    if notification.report_id is not None:
        return url_for("moderation.my_reports")
    if notification.resource_id is not None:
        return url_for("library.resource", resource_id=notification.resource_id)
    return url_for("notifications.index")


@bp.get("/varsler")
def index() -> str:
    """Show the person's notifications, newest first, grouped by thread (`?foer=` pages on)."""
    before = parse_id(request.args.get("foer"))
    groups, next_key = notification_service.recent_notifications(me(), before)
    return render_template(
        "notifications/index.html",
        groups=groups,
        next_key=next_key,
        target_of=target_of,
        form=MarkReadForm(),
    )


@bp.get("/varsler/<id:notification_id>")
def open_notification(notification_id: int) -> Response:
    """Mark a notification read and go where it leads. Raises NotFound (404) if not one's own.

    A GET on purpose, like opening a thread records how far one has read: the link must work
    from the page and from an email, and reading it changes nothing anyone else sees.
    """
    notification = notification_service.own_notification(me(), notification_id)
    if notification is None:
        not_found()
    notification_service.mark_read(me(), notification)
    return redirect(target_of(notification))


@bp.post("/varsler/<id:notification_id>/laest")
def mark_read(notification_id: int) -> Response:
    """Mark one notification as read and return to the list. Raises NotFound (404)."""
    notification = notification_service.own_notification(me(), notification_id)
    if notification is None:
        not_found()
    if MarkReadForm().validate_on_submit():
        notification_service.mark_read(me(), notification)
    return redirect(url_for("notifications.index"))


@bp.post("/varsler/laest")
def mark_all_read() -> Response:
    """Mark every notification as read and return to the list."""
    if MarkReadForm().validate_on_submit():
        count = notification_service.mark_all_read(me())
        flash(_("All notifications are marked as read (%(count)d).", count=count), "success")
    return redirect(url_for("notifications.index"))


@bp.post("/foelg/traad/<id:thread_id>")
def watch_thread(thread_id: int) -> Response:
    """Choose how closely to follow a thread. Raises NotFound (404) for a thread one can't see."""
    thread = access_thread(current_user, thread_id)
    form = ThreadWatchForm()
    if form.validate_on_submit():
        notification_service.set_thread_watch(me(), thread, WatchLevel(form.level.data))
        flash(_("Your notifications for this thread are saved."), "success")
    else:
        flash(_("Choose how closely to follow the thread."), "error")
    return redirect(url_for("threads.thread", thread_id=thread.id))


@bp.post("/foelg/tema/<id:theme_id>")
def watch_theme(theme_id: int) -> Response:
    """Choose how closely to follow a theme. Raises NotFound (404)."""
    theme = access_theme(current_user, theme_id)
    form = ThemeWatchForm()
    if form.validate_on_submit():
        notification_service.set_theme_watch(me(), theme, WatchLevel(form.level.data))
        flash(_("Your notifications for this theme are saved."), "success")
    else:
        flash(_("Choose how closely to follow the theme."), "error")
    return redirect(url_for("threads.theme", theme_id=theme.id))
