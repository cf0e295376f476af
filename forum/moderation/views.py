"""Views of the moderation blueprint: the report queue, the log, reports and announcements."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from forum.forms import REFUSED, attach_error, parse_id
from forum.models import ModerationLogEntry, ReportResolution, User
from forum.moderation import bp
from forum.moderation.forms import AnnouncementForm, DismissForm
from forum.permissions import (
    access_announcement,
    access_report,
    can_announce,
    can_moderate,
    is_member,
    me,
    require,
)
from forum.services import ServiceError
from forum.services import moderation as moderation_service
from forum.threads.forms import VISIBILITY_LABELS

Page = str | tuple[str, int] | Response

# Every action the services write to the log, as a facilitator reads it.
ACTION_LABELS = {
    "pin": _l("Pinned the thread"),
    "unpin": _l("Unpinned the thread"),
    "lock": _l("Locked the thread"),
    "unlock": _l("Unlocked the thread"),
    "move": _l("Moved the thread"),
    "rename": _l("Renamed the thread"),
    "hide_thread": _l("Hid the thread"),
    "restore_thread": _l("Restored the thread"),
    "hide_post": _l("Hid a post"),
    "restore_post": _l("Restored a post"),
    "edit_post": _l("Edited a post"),
    "dismiss_report": _l("Dismissed a report"),
    "announce": _l("Posted an announcement"),
    "remove_announcement": _l("Removed an announcement"),
    "change_visibility": _l("Changed who can see the thread"),
    "add_circle_member": _l("Added a person to the circle"),
    "remove_circle_member": _l("Removed a person from the circle"),
}
# What became of a report, as its reporter reads it.
RESOLUTION_LABELS = {
    ReportResolution.HIDDEN: _l("Handled: the post was hidden"),
    ReportResolution.DISMISSED: _l("Handled: dismissed, the post stays"),
}
ARROW = " → "


def _me() -> User:
    """Return the logged-in person as a model object (not the proxy)."""
    return me()


@bp.app_context_processor
def _moderation_nav() -> dict[str, Any]:
    """Offer templates the open report count, asked only when a facilitator's menu shows it."""

    def open_report_count() -> int:
        """Return how many open reports the logged-in facilitator may handle (one query)."""
        if not can_moderate(current_user):
            return 0
        return moderation_service.open_report_count(_me())

    return {"open_report_count": open_report_count}


def describe_detail(entry: ModerationLogEntry) -> str:
    """Return a log entry's detail in the reader's words (visibilities are translated)."""
    if entry.action != "change_visibility" or ARROW not in entry.detail:
        return entry.detail
    old, _sep, new = entry.detail.partition(ARROW)
    return ARROW.join(str(VISIBILITY_LABELS.get(value, value)) for value in (old, new))


# --- reports -----------------------------------------------------------------------------


@bp.get("/moderation")
def queue() -> str:
    """Show the open reports, oldest first, each with its post in context. Raises Forbidden."""
    require(can_moderate(current_user))
    return render_template(
        "moderation/queue.html",
        reports=moderation_service.open_reports(_me()),
        form=DismissForm(formdata=None),
    )


@bp.post("/moderation/rapporter/<id:report_id>/afvis")
def dismiss_report(report_id: int) -> Response:
    """Close a report without hiding the post. Raises Forbidden (403) or NotFound (404)."""
    report = access_report(current_user, report_id)
    form = DismissForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    elif report.is_open:
        moderation_service.dismiss_report(_me(), report, form.reason.data or "")
        flash(_("The report is dismissed; the post stays."), "success")
    return redirect(url_for("moderation.queue"))


@bp.get("/mine-rapporter")
def my_reports() -> str:
    """Show the logged-in member's own reports (in threads they can still see) and what
    became of them."""
    require(is_member(current_user))
    return render_template(
        "moderation/my_reports.html",
        reports=moderation_service.reports_by(_me()),
        resolution_labels=RESOLUTION_LABELS,
    )


# --- the log -----------------------------------------------------------------------------


@bp.get("/moderation/log")
def log() -> str:
    """Show the moderation log, newest first, older pages by `?foer=<id>`. Raises Forbidden."""
    require(can_moderate(current_user))
    before = parse_id(request.args.get("foer"))
    entries = moderation_service.log_entries(before)
    more = len(entries) == moderation_service.LOG_PAGE_SIZE
    return render_template(
        "moderation/log.html",
        entries=entries,
        older=entries[-1].id if more else None,
        is_first_page=before is None,
        action_labels=ACTION_LABELS,
        describe_detail=describe_detail,
    )


# --- announcements -----------------------------------------------------------------------


@bp.route("/meddelelser/ny", methods=["GET", "POST"])
def new_announcement() -> Page:
    """Pin an announcement to the home page. Raises Forbidden (403) for members."""
    require(can_announce(current_user))
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            moderation_service.post_announcement(_me(), form.title.data or "", form.body.data or "")
        except ServiceError as error:
            attach_error(form, error)
        else:
            flash(_("The announcement is on the home page."), "success")
            return redirect(url_for("core.home"))
    page = render_template("moderation/new_announcement.html", form=form)
    return (page, REFUSED) if form.is_submitted() else page


@bp.route("/meddelelser/<id:announcement_id>/fjern", methods=["GET", "POST"])
def remove_announcement(announcement_id: int) -> Page:
    """Ask to confirm (GET), then take an announcement off the home page (POST).

    Raises Forbidden (403) for members, NotFound (404) for a missing or removed announcement.
    """
    announcement = access_announcement(current_user, announcement_id)
    if request.method == "POST":
        moderation_service.remove_announcement(_me(), announcement)
        flash(_("The announcement is removed from the home page."), "success")
        return redirect(url_for("core.home"))
    return render_template("moderation/remove_announcement.html", announcement=announcement)
