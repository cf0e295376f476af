"""Moderation verbs: pin, lock, move, rename, hide and restore, reports, the log, announcements.

Every moderator action writes one entry to the moderation log, in the same transaction.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from forum import markdown
from forum.extensions import db
from forum.models import (
    Announcement,
    ModerationLogEntry,
    Post,
    Report,
    ReportResolution,
    Theme,
    Thread,
    User,
    utcnow,
)
from forum.permissions import visible_reports, visible_threads
from forum.services import ServiceError, events
from forum.services.audit import log_action
from forum.services.threads import BODY_MAX, check_title, refresh_thread_activity

REASON_MAX = 2000
LOG_PAGE_SIZE = 50


def _check_reason(reason: str) -> str:
    """Return the trimmed reason. Raises ServiceError when it is empty or too long."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_l("Give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(_l("The reason is too long."), field="reason")
    return reason


# --- threads -----------------------------------------------------------------------------


def set_pinned(actor: User, thread: Thread, pinned: bool) -> None:
    """Pin a thread to the top of its theme, or unpin it."""
    thread.pinned = pinned
    log_action(actor, "pin" if pinned else "unpin", thread=thread)
    db.session.flush()


def set_locked(actor: User, thread: Thread, locked: bool) -> None:
    """Lock a thread against replies, or unlock it."""
    thread.locked_at = utcnow() if locked else None
    log_action(actor, "lock" if locked else "unlock", thread=thread)
    db.session.flush()


def move_thread(actor: User, thread: Thread, theme: Theme) -> None:
    """Move a thread to another theme. Raises ServiceError for an archived theme."""
    if theme.is_archived:
        raise ServiceError(_l("Threads cannot be moved to an archived theme."), field="theme_id")
    if theme.id == thread.theme_id:
        return
    old_name = thread.theme.name
    thread.theme_id = theme.id
    log_action(actor, "move", thread=thread, detail=f"{old_name} → {theme.name}")
    db.session.flush()


def rename_thread(actor: User, thread: Thread, title: str) -> None:
    """Give a thread a new title. Raises ServiceError on an empty or too long title."""
    title = check_title(title)
    if title == thread.title:
        return
    old_title = thread.title
    thread.title = title
    log_action(actor, "rename", thread=thread, detail=f"{old_title} → {title}")
    db.session.flush()


def hide_thread(actor: User, thread: Thread, reason: str) -> None:
    """Hide a whole thread from members, with a reason. Raises ServiceError without one."""
    thread.hidden_reason = _check_reason(reason)
    thread.hidden_at = utcnow()
    thread.hidden_by_id = actor.id
    log_action(actor, "hide_thread", thread=thread, reason=thread.hidden_reason)
    db.session.flush()


def restore_thread(actor: User, thread: Thread) -> None:
    """Bring a hidden thread back for members."""
    thread.hidden_at = None
    thread.hidden_by_id = None
    log_action(actor, "restore_thread", thread=thread)
    db.session.flush()


# --- posts -------------------------------------------------------------------------------


def _resolve_reports(actor: User, post: Post, resolution: ReportResolution) -> None:
    """Mark every open report of the post as resolved and tell the reporters."""
    reports = list(
        db.session.scalars(
            select(Report).where(Report.post_id == post.id, Report.resolved_at.is_(None))
        )
    )
    db.session.execute(
        update(Report)
        .where(Report.id.in_([report.id for report in reports]))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
    )
    events.reports_answered(actor, reports)


def hide_post(actor: User, post: Post, reason: str) -> None:
    """Hide a post from members with a reason, resolving its open reports.

    Raises ServiceError without a reason.
    """
    reason = _check_reason(reason)
    if post.is_hidden:
        return
    post.hidden_reason = reason
    post.hidden_at = utcnow()
    post.hidden_by_id = actor.id
    thread = post.thread
    thread.hidden_post_count = Thread.hidden_post_count + 1
    _resolve_reports(actor, post, ReportResolution.HIDDEN)
    log_action(actor, "hide_post", post=post, subject=post.author, reason=reason)
    db.session.flush()
    events.post_hidden(actor, post, reason)
    refresh_thread_activity(thread)
    db.session.flush()


def restore_post(actor: User, post: Post) -> None:
    """Bring a hidden post back for members."""
    if not post.is_hidden:
        return
    post.hidden_at = None
    post.hidden_by_id = None
    post.thread.hidden_post_count = Thread.hidden_post_count - 1
    log_action(actor, "restore_post", post=post, subject=post.author)
    db.session.flush()
    events.post_restored(actor, post)
    refresh_thread_activity(post.thread)
    db.session.flush()


# --- reports -----------------------------------------------------------------------------


def report_post(reporter: User, post: Post, reason: str) -> Report:
    """Report a post to the facilitators. Raises ServiceError without a reason."""
    report = Report(post_id=post.id, reporter_id=reporter.id, reason=_check_reason(reason))
    db.session.add(report)
    db.session.flush()
    return report


def dismiss_report(actor: User, report: Report, reason: str = "") -> None:
    """Close a report without hiding the post."""
    if not report.is_open:
        return
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.id
    report.resolution = ReportResolution.DISMISSED
    log_action(actor, "dismiss_report", post=report.post, subject=report.reporter, reason=reason)
    db.session.flush()
    events.reports_answered(actor, [report])


def open_reports(viewer: User) -> list[Report]:
    """Return open reports the viewer may handle, oldest first, with post, thread and people."""
    return list(
        db.session.scalars(
            select(Report)
            .join(Report.post)
            .join(Post.thread)
            .where(visible_reports(viewer), visible_threads(viewer))
            .where(Report.resolved_at.is_(None))
            .options(
                selectinload(Report.reporter),
                selectinload(Report.post).selectinload(Post.author),
                selectinload(Report.post).selectinload(Post.thread).selectinload(Thread.theme),
            )
            .order_by(Report.created_at, Report.id)
        )
    )


def open_report_count(viewer: User) -> int:
    """Return how many open reports the viewer may handle."""
    return db.session.execute(
        select(func.count(Report.id))
        .join(Report.post)
        .join(Post.thread)
        .where(visible_reports(viewer), visible_threads(viewer))
        .where(Report.resolved_at.is_(None))
    ).scalar_one()


def reports_by(reporter: User) -> list[Report]:
    """Return the reporter's own reports, newest first, with what became of them.

    Only reports in threads the reporter may still see: once a thread is narrowed to a circle
    without them, hidden, or they leave its circle, their report of it goes too.
    """
    return list(
        db.session.scalars(
            select(Report)
            .join(Report.post)
            .join(Post.thread)
            .where(Report.reporter_id == reporter.id)
            .where(visible_threads(reporter))
            .options(selectinload(Report.post).selectinload(Post.thread))
            .order_by(Report.created_at.desc(), Report.id.desc())
        )
    )


# --- the log -----------------------------------------------------------------------------


def log_entries(before_id: int | None = None) -> list[ModerationLogEntry]:
    """Return a page of the moderation log, newest first, older than `before_id` if given."""
    query = (
        select(ModerationLogEntry)
        .options(
            selectinload(ModerationLogEntry.actor),
            selectinload(ModerationLogEntry.thread),
            selectinload(ModerationLogEntry.subject_user),
        )
        .order_by(ModerationLogEntry.id.desc())
        .limit(LOG_PAGE_SIZE)
    )
    if before_id is not None:
        query = query.where(ModerationLogEntry.id < before_id)
    return list(db.session.scalars(query))


# --- announcements -----------------------------------------------------------------------


def post_announcement(actor: User, title: str, body: str) -> Announcement:
    """Pin an announcement to the home page.

    Raises ServiceError on an empty title or text, or a text that is too long.
    """
    title = check_title(title)
    if not (body or "").strip():
        raise ServiceError(_l("Write something first."), field="body")
    if len(body) > BODY_MAX:
        raise ServiceError(_l("The text is too long."), field="body")
    announcement = Announcement(
        author_id=actor.id,
        title=title,
        **markdown.rendered("body", body),
    )
    db.session.add(announcement)
    db.session.flush()
    log_action(actor, "announce", detail=title)
    db.session.flush()
    return announcement


def remove_announcement(actor: User, announcement: Announcement) -> None:
    """Take an announcement off the home page."""
    announcement.removed_at = utcnow()
    log_action(actor, "remove_announcement", detail=announcement.title)
    db.session.flush()


def active_announcements() -> list[Announcement]:
    """Return the announcements on the home page, newest first."""
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.removed_at.is_(None))
            .options(selectinload(Announcement.author))
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        )
    )
